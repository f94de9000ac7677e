/**
 * The forwarding header of an answer (RFC 6940 §6.2.2): "it MUST construct the Destination List by
 * reversing the order of the entries on the Via List", after the neighbour the request came from
 * (§6.1.2: "exits that node with a Destination List equal to the concatenation of the Node-ID of
 * the node from which the request was received with the Via List in the original request").
 */
import type { OverlayParameters } from '../forwarding/index.js';
import type { Destination } from '../wire/destination.js';
import { RELOAD_VERSION, UNFRAGMENTED, type ForwardingHeader } from '../wire/forwarding-header.js';
import { responseCopyOptions } from '../wire/forwarding-option.js';
import type { NodeId } from '../wire/ids.js';

const node = (nodeId: NodeId): Destination => ({ kind: 'node', nodeId });

/** The destination list of the answer to a request with `viaList` that arrived from `from` (undefined: from this node itself). */
export function answerDestinationList(viaList: readonly Destination[], from: NodeId | undefined, self: NodeId): Destination[] {
  const back = [...viaList].reverse();
  if (from) return [node(from), ...back];
  return back.length > 0 ? back : [node(self)];
}

/** The header of the answer to `request` (received from `from`), sent by `self` under `p`. */
export function answerHeader(request: ForwardingHeader, from: NodeId | undefined, self: NodeId, p: OverlayParameters): ForwardingHeader {
  return {
    // The request's overlay: an Error_Incompatible_with_Overlay answer must reach its sender.
    overlay: request.overlay,
    configurationSequence: p.configurationSequence,
    version: RELOAD_VERSION,
    ttl: p.initialTtl,
    fragment: UNFRAGMENTED,
    length: 0,
    transactionId: request.transactionId,
    // §6.3.2: max_response_length "SHOULD be set to zero for responses".
    maxResponseLength: 0,
    viaList: [],
    destinationList: answerDestinationList(request.viaList, from, self),
    // §6.3.2.3 RESPONSE_COPY: copied with the three flags cleared.
    options: responseCopyOptions(request.options),
  };
}
