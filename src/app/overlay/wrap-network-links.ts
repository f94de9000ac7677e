/**
 * A PeerNetwork seen through a wrapper of its links: every link it hands the peer (opened through
 * `linkFactory`, accepted through `onInbound`, or made by ICE for an Attach, RFC 6940 §6.5.1) goes
 * through `wrap` once. Used to record a peer's traffic (capture-network.ts) and by tests that
 * filter it (testing/drop-inbound.ts).
 */
import type { Link } from '../../reload/links/link.js';
import type { IceCapability, PeerNetwork } from '../../reload/overlay/overlay-types.js';

/**
 * `inner`, each link it hands out replaced by `wrap(link)` (made once per link, so a link handed out
 * twice is the same proxy). `authenticate` is asked of the link under the proxy (its channel is what
 * the handshake bound, §6.4.2.1); the rest of the network (its own extras, e.g. acceptLink) is kept.
 */
export function wrapNetworkLinks<N extends PeerNetwork>(inner: N, wrap: (link: Link) => Link): N {
  const wrapped = new WeakMap<Link, Link>();
  const originals = new WeakMap<Link, Link>();
  const once = (link: Link): Link => {
    const known = wrapped.get(link);
    if (known) return known;
    const proxy = wrap(link);
    wrapped.set(link, proxy);
    originals.set(proxy, link);
    return proxy;
  };
  const ice: IceCapability | undefined = inner.ice && {
    async offer(options) {
      const offer = await inner.ice!.offer(options);
      return { local: offer.local, complete: async (answerer, remote, o) => once(await offer.complete(answerer, remote, o)), cancel: () => offer.cancel() };
    },
    async answer(requester, remote, options) {
      const answer = await inner.ice!.answer(requester, remote, options);
      return { local: answer.local, link: answer.link.then(once), cancel: () => answer.cancel() };
    },
  };
  return {
    ...inner,
    linkFactory: { open: async (address, options) => once(await inner.linkFactory.open(address, options)) },
    onInbound: (listener) => inner.onInbound((link) => listener(once(link))),
    authenticate: (link) => inner.authenticate(originals.get(link) ?? link),
    // A method of the class `inner` may be an instance of, which the spread does not copy.
    close: () => inner.close(),
    ...(ice ? { ice } : {}),
  };
}

/** `link` in every member but those `over` gives (its sending, or what it hands its listeners). */
export function proxyLink(link: Link, over: Partial<Pick<Link, 'send' | 'onMessage'>>): Link {
  return {
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
    send: over.send ?? ((message) => link.send(message)),
    probe: (timeoutMs) => link.probe(timeoutMs),
    heardWithin: (ms) => link.heardWithin(ms),
    close: () => link.close(),
    onMessage: over.onMessage ?? ((listener) => link.onMessage(listener)),
    onStateChange: (listener) => link.onStateChange(listener),
  };
}
