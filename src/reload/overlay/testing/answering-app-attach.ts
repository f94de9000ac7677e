/**
 * TESTS ONLY: an AppAttachService over a given AppChannelNetwork with no overlay behind it. The
 * test plays AppAttachReqs from other Node-IDs (`appAttachFrom`), handed to the service as message
 * transport hands a verified request (RFC 6940 §6.5.2.2); the Reply's `unsent` plays its
 * AppAttachAns not going.
 */
import type { AppAttachIce, AppChannelNetwork } from '../../links/app-channel.js';
import type { Clock } from '../../runtime/components.js';
import type { IncomingRequest, Reply } from '../../transport/index.js';
import type { NodeId } from '../../wire/ids.js';
import { ApplicationId } from '../../wire/methods/app-attach.js';
import { AppAttachService } from '../app-attach-service.js';

type Handler = (req: IncomingRequest<'app_attach_req'>) => Promise<Reply<'app_attach_ans'>>;

const SELF = new Uint8Array(16).fill(0xee);
const utf8 = new TextEncoder();

export function answeringAppAttachService(network: AppChannelNetwork, clock: Pick<Clock, 'setTimer'>, applications: readonly number[] = [ApplicationId.SIP]) {
  let handler: Handler | undefined;
  const transport = {
    localNodeId: SELF,
    request: () => Promise.reject(new Error('this service sends no AppAttach')),
    handle: (_name: string, h: Handler) => {
      handler = h;
      return () => {};
    },
  };
  const service = new AppAttachService({ transport: transport as never, network, clock }, { applications });
  return {
    service,
    /** An AppAttachReq signed by `nodeId` with these ICE fields; resolves to our AppAttachAns. */
    appAttachFrom(nodeId: NodeId, ice: AppAttachIce, application = applications[0]!): Promise<Reply<'app_attach_ans'>> {
      const { extensions = [], ...fields } = ice;
      const req = { name: 'app_attach_req', value: { ...fields, application, role: utf8.encode('passive') }, extensions, sender: { nodeId, nodeIds: [nodeId], userName: 'peer@test' } };
      return handler!(req as unknown as IncomingRequest<'app_attach_req'>);
    },
  };
}
