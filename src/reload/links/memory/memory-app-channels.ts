/**
 * Application channels (links/app-channel.ts, for RFC 6940 §6.5.2 AppAttach) on the in-memory
 * network. A peer at overlay address `h:p` accepts the channels of application A at `h:A` (SIP at
 * `10.0.0.1:5060`): that address is the host candidate its AppAttachReq/Ans carry. The requester
 * opens a memory link to the answerer's candidate, which carries the channel (link-app-channel.ts).
 * `authenticate` maps the other end's address to its Node-ID, standing in for the certificate a
 * DTLS handshake would show. Any peer can open a link to that address, so a channel goes up as
 * `unbidden`, and the AppAttachService takes one per AppAttach it answered (RFC 7904 §5.1), as it
 * does for ice-app-channels.ts's channels on a shared connection.
 */
import { AbortError, type AbortOptions } from '../../runtime/components.js';
import { bytesEqual, toHex } from '../../wire/codec/hex.js';
import type { NodeId } from '../../wire/ids.js';
import type { AppAttachIce, AppChannel, AppChannelNetwork } from '../app-channel.js';
import { formatAddress, hostCandidate, parseAddress } from '../host-candidate.js';
import { linkAppChannel } from '../link-app-channel.js';
import { LinkOpenError } from '../link.js';
import type { MemoryEndpoint, MemoryNetwork } from './memory-network.js';

export interface MemoryAppChannelsInit {
  /** The peer's overlay address `a.b.c.d:port`; its app channels listen on the same host. */
  readonly address: string;
  /** Node-ID of the peer at a remote app-channel address (the handshake's certificate, simulated). */
  readonly authenticate: (remoteAddress: string) => NodeId | undefined;
  /** Applications accepted; default [5060] (SIP). */
  readonly applications?: readonly number[];
}

const utf8 = new TextEncoder();

/** `h:p` → `h:port`. */
function withPort(address: string, port: number): string {
  return address.replace(/:\d+$/, `:${port}`);
}

export function createMemoryAppChannels(network: MemoryNetwork, init: MemoryAppChannelsInit): AppChannelNetwork {
  const applications = init.applications ?? [5060];
  let inbound: ((ch: AppChannel, unbidden: boolean) => void) | undefined;
  let closed = false;
  const endpoints = new Map<number, MemoryEndpoint>();
  for (const app of applications) {
    endpoints.set(
      app,
      network.listen(withPort(init.address, app), (link) => {
        const id = closed ? undefined : init.authenticate(link.remoteAddress);
        if (!id || !inbound) {
          link.close();
          return;
        }
        inbound(linkAppChannel(link, id, app), true);
      }),
    );
  }

  const describe = (application: number): AppAttachIce => {
    const address = withPort(init.address, application);
    const addrPort = parseAddress(address);
    if (!addrPort) throw new RangeError(`${init.address} is not an address:port`);
    return { ufrag: utf8.encode('mem'), password: utf8.encode('memory-network'), candidates: [hostCandidate(addrPort)] };
  };
  const endpointFor = (application: number): MemoryEndpoint => {
    const e = endpoints.get(application);
    if (!e) throw new LinkOpenError(`application ${application} has no channels on this peer`);
    return e;
  };

  return {
    offer: async (_remote, application) => {
      endpointFor(application);
      return describe(application);
    },
    answer: async (_remote, application) => {
      endpointFor(application);
      // OUR CHOICE: expected with no lifetime (this network keeps no clock): until its channel
      // comes, the AppAttachAns does not go, or the AppAttachService closes.
      return { local: describe(application), cancel: () => {}, expectMs: Infinity };
    },
    async open(remote: NodeId, application: number, answer: AppAttachIce, options?: AbortOptions): Promise<AppChannel> {
      if (closed) throw new AbortError('closed');
      const address = answer.candidates.map((x) => formatAddress(x.addrPort)).find((a) => a !== undefined);
      if (!address) throw new LinkOpenError('the AppAttachAns has no candidate this network can reach');
      const link = await endpointFor(application).linkFactory.open(address, options);
      const id = init.authenticate(link.remoteAddress);
      if (!id || !bytesEqual(id, remote)) {
        link.close();
        throw new LinkOpenError(`the channel at ${link.remoteAddress} is not bound to ${toHex(remote)}`);
      }
      return linkAppChannel(link, remote, application);
    },
    onInbound(listener) {
      inbound = listener;
    },
    close() {
      closed = true;
      for (const e of endpoints.values()) e.close();
    },
  };
}
