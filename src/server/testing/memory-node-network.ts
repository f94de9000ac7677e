/**
 * TESTS ONLY: a NodeNetworkFactory on one in-memory network, so the server's composition (identity,
 * configuration, enrollment, peers, storage, capture) can be tested in one process without
 * sockets. A bootstrap URL `ws://HOST:PORT/...` reaches the peer that accepts at `HOST:PORT`; each
 * link authenticates as the Node-ID of the peer at its far end (what a TLS/DTLS handshake would prove).
 */
import { systemClock } from '../../platform/system-clock.js';
import { webCryptoRandom } from '../../platform/web-crypto.js';
import type { Link } from '../../reload/links/link.js';
import { MemoryNetwork } from '../../reload/links/memory/index.js';
import type { PeerNetwork } from '../../reload/overlay/index.js';
import type { NodeId } from '../../reload/wire/ids.js';
import type { NodeNetworkFactory } from '../chordphone-server.js';

export function memoryNodeNetwork(): NodeNetworkFactory & { readonly network: MemoryNetwork } {
  const net = new MemoryNetwork({ clock: systemClock, random: webCryptoRandom }, { model: { latencyMs: 1 } });
  const directory = new Map<string, NodeId>();
  let n = 0;
  const factory: NodeNetworkFactory = ({ security, accept }) => {
    const acceptAt = accept?.servers[0]?.address();
    const address = acceptAt && typeof acceptAt === 'object' ? `127.0.0.1:${acceptAt.port}` : `10.77.${(++n >> 8) & 255}.${n & 255}:6084`;
    directory.set(address, security.signer.nodeId);
    let listener: ((l: Link) => void) | undefined;
    const endpoint = net.listen(address, (l) => (listener ? listener(l) : l.close()));
    const toAddress = (target: string) => {
      const m = /^wss?:\/\/([^/]+)/.exec(target);
      return m ? m[1]! : target;
    };
    const network: PeerNetwork = {
      address,
      linkFactory: { open: (target, options) => endpoint.linkFactory.open(toAddress(target), options) },
      onInbound: (l) => (listener = l),
      authenticate: (link) => directory.get(toAddress(link.remoteAddress)),
      close: () => endpoint.close(),
    };
    return network;
  };
  return Object.assign(factory, { network: net });
}
