/**
 * The WebSocket overlay link (ARCHITECTURE.md "Links"): a binary WebSocket from a browser or Node
 * peer to a Node peer that has a URL, carrying one FramedMessage (RFC 6940 §6.6.2) per WebSocket
 * message through FramedLink (framing, acks, RTT, liveness).
 *
 * `openWebSocketLink` dials a `ws://` / `wss://` URL with an injected WebSocket constructor (the
 * browser's, or `ws` in Node); `acceptWebSocketLink` wraps a socket a server accepted
 * (node/websocket-bootstrap.ts).
 */
import { AbortError, type AbortOptions, type Clock, type Logger } from '../../runtime/components.js';
import { DATA_FRAME_OVERHEAD, FramedLink, type FramedLinkInit } from '../framed-link.js';
import { LinkOpenError } from '../link.js';
import { REAL_LINK_DEFAULTS } from '../real-link-defaults.js';
import { RELOAD_WEBSOCKET_PROTOCOL, WebSocketReadyState, type WebSocketConstructor, type WebSocketLike } from './websocket-like.js';
import { WebSocketPipe } from './websocket-pipe.js';

/**
 * Largest RELOAD message (or fragment) one WebSocket frame carries: 64 KiB. OUR CHOICE: larger
 * messages are fragmented by forwarding (§6.7); the bound keeps a peer's receive buffers small.
 */
export const DEFAULT_WEBSOCKET_MTU = 65_536;

export interface WebSocketLinkDeps {
  readonly clock: Clock;
  readonly logger?: Logger;
}

export interface WebSocketLinkInit extends Omit<FramedLinkInit, 'remoteAddress'> {
  /** Largest RELOAD message per frame; default DEFAULT_WEBSOCKET_MTU. */
  readonly mtu?: number;
  /** Give up dialing after this many ms; default 10 000. */
  readonly openTimeoutMs?: number;
}

export interface WebSocketDialDeps extends WebSocketLinkDeps {
  readonly WebSocket: WebSocketConstructor;
}

let counter = 0;

function linkInit(init: WebSocketLinkInit, remoteAddress: string, prefix: string): FramedLinkInit {
  const { mtu: _mtu, openTimeoutMs: _t, ...rest } = init;
  return { ...REAL_LINK_DEFAULTS, ...rest, id: init.id ?? `${prefix}${++counter}`, remoteAddress };
}

/** Wrap an open WebSocket (e.g. one a server accepted) as a Link. */
export function acceptWebSocketLink(deps: WebSocketLinkDeps, socket: WebSocketLike, remoteAddress: string, init: WebSocketLinkInit = {}): FramedLink {
  const pipe = new WebSocketPipe(socket, (init.mtu ?? DEFAULT_WEBSOCKET_MTU) + DATA_FRAME_OVERHEAD);
  return new FramedLink(deps, pipe, linkInit(init, remoteAddress, 'ws-in'));
}

/** Dial `url` and resolve with the link once the WebSocket is open; LinkOpenError when it cannot be. */
export function openWebSocketLink(deps: WebSocketDialDeps, url: string, init: WebSocketLinkInit = {}, options: AbortOptions = {}): Promise<FramedLink> {
  if (options.signal?.aborted) return Promise.reject(new AbortError());
  let socket: WebSocketLike;
  try {
    socket = new deps.WebSocket(url, RELOAD_WEBSOCKET_PROTOCOL);
  } catch (e) {
    return Promise.reject(new LinkOpenError(`cannot dial ${url}: ${String(e)}`));
  }
  return new Promise<FramedLink>((resolve, reject) => {
    const finish = (error?: Error) => {
      timer.cancel();
      options.signal?.removeEventListener('abort', onAbort);
      socket.onopen = null;
      socket.onclose = null;
      if (!error) {
        const pipe = new WebSocketPipe(socket, (init.mtu ?? DEFAULT_WEBSOCKET_MTU) + DATA_FRAME_OVERHEAD);
        resolve(new FramedLink(deps, pipe, { ...linkInit(init, url, 'ws-out'), opener: true }));
        return;
      }
      if (socket.readyState === WebSocketReadyState.CONNECTING || socket.readyState === WebSocketReadyState.OPEN) socket.close();
      reject(error);
    };
    const onAbort = () => finish(new AbortError());
    const timeoutMs = init.openTimeoutMs ?? 10_000;
    const timer = deps.clock.setTimer(timeoutMs, () => finish(new LinkOpenError(`${url} did not open within ${timeoutMs} ms`)));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => finish();
    socket.onclose = () => finish(new LinkOpenError(`${url} refused or closed the WebSocket`));
    socket.onerror = () => {};
  });
}
