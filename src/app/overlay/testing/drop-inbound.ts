/**
 * TESTS ONLY: a PeerNetwork whose links never hand the peer a RELOAD message of one code (say
 * config_update_req, a ConfigUpdate a bootstrap pushes, RFC 6940 §6.5.4): as if the far end had
 * never sent it. A fragmented one loses its first piece, so it never reassembles; bytes whose
 * forwarding header does not decode pass through as they are.
 */
import type { Link } from '../../../reload/links/link.js';
import type { PeerNetwork } from '../../../reload/overlay/index.js';
import { decodeForwardingHeaderOnly } from '../../../reload/wire/forwarded-message.js';
import { fragmentOffset } from '../../../reload/wire/forwarding-header.js';

/** `inner`, its links (opened or accepted) dropping every received message whose message_code is `code`. */
export function dropInbound(inner: PeerNetwork, code: number): PeerNetwork {
  const originals = new WeakMap<Link, Link>();
  const carries = (message: Uint8Array): boolean => {
    try {
      // Any size (the overlay's max-message-size is the peer's to check). §6.3.3: MessageContents opens with its uint16 message_code, where the first (or only) piece starts.
      const { header, payload } = decodeForwardingHeaderOnly(message, { maxMessageSize: message.length }, true);
      return fragmentOffset(header.fragment) === 0 && payload.length >= 2 && ((payload[0]! << 8) | payload[1]!) === code;
    } catch {
      return false;
    }
  };
  const wrap = (link: Link): Link => {
    const proxy: Link = {
      id: link.id,
      remoteAddress: link.remoteAddress,
      maxMessageSize: link.maxMessageSize,
      get state() {
        return link.state;
      },
      get rtt() {
        return link.rtt;
      },
      get rto() {
        return link.rto;
      },
      send: (message) => link.send(message),
      probe: (timeoutMs) => link.probe(timeoutMs),
      heardWithin: (ms) => link.heardWithin(ms),
      close: () => link.close(),
      onMessage: (listener) => link.onMessage((m) => (carries(m) ? undefined : listener(m))),
      onStateChange: (listener) => link.onStateChange(listener),
    };
    originals.set(proxy, link);
    return proxy;
  };
  return {
    ...inner,
    linkFactory: { open: async (address, options) => wrap(await inner.linkFactory.open(address, options)) },
    onInbound: (listener) => inner.onInbound((link) => listener(wrap(link))),
    authenticate: (link) => inner.authenticate(originals.get(link) ?? link),
  };
}
