/**
 * TESTS ONLY: a PeerNetwork whose links never hand the peer a RELOAD message of one code (say
 * config_update_req, a ConfigUpdate a bootstrap pushes, RFC 6940 §6.5.4): as if the far end had
 * never sent it. A fragmented one loses its first piece, so it never reassembles; bytes whose
 * forwarding header does not decode pass through as they are.
 */
import type { PeerNetwork } from '../../../reload/overlay/index.js';
import { decodeForwardingHeaderOnly } from '../../../reload/wire/forwarded-message.js';
import { leadingMessageCode } from '../../../reload/wire/forwarding-header.js';
import { proxyLink, wrapNetworkLinks } from '../wrap-network-links.js';

/** `inner`, its links (opened, accepted or made by ICE) dropping every received message whose message_code is `code`. */
export function dropInbound(inner: PeerNetwork, code: number): PeerNetwork {
  const carries = (message: Uint8Array): boolean => {
    try {
      // Any size (the overlay's max-message-size is the peer's to check).
      const { header, payload } = decodeForwardingHeaderOnly(message, { maxMessageSize: message.length }, true);
      return leadingMessageCode(header.fragment, payload) === code;
    } catch {
      return false;
    }
  };
  return wrapNetworkLinks(inner, (link) => proxyLink(link, { onMessage: (listener) => link.onMessage((m) => (carries(m) ? undefined : listener(m))) }));
}
