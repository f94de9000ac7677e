/**
 * The part of the WHATWG WebSocket API the WebSocket link uses, so the same code runs on the
 * browser's own `WebSocket` and on Node's `ws` package (whose WebSocket implements the same
 * attributes and event handlers). The constructor is injected (style.md §4).
 */

/** WebSocket readyState values (WHATWG WebSockets). */
export const WebSocketReadyState = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;

export type WebSocketLike = Pick<WebSocket, 'binaryType' | 'readyState' | 'url' | 'send' | 'close' | 'onopen' | 'onmessage' | 'onclose' | 'onerror'>;

/** `new WebSocket(url, protocols)`: the browser's `WebSocket` or `ws`'s. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** The WebSocket subprotocol of RELOAD framed links (our name: nothing registers one). */
export const RELOAD_WEBSOCKET_PROTOCOL = 'reload-framing';
