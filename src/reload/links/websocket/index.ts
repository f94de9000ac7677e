/** reload/links/websocket: the WebSocket overlay link (browser WebSocket or `ws`), RFC 6940 §6.6.2 framing. */
export { openWebSocketLink, acceptWebSocketLink, DEFAULT_WEBSOCKET_MTU, type WebSocketLinkDeps, type WebSocketDialDeps, type WebSocketLinkInit } from './websocket-link.js';
export { WebSocketPipe } from './websocket-pipe.js';
export { WebSocketReadyState, RELOAD_WEBSOCKET_PROTOCOL, type WebSocketLike, type WebSocketConstructor } from './websocket-like.js';
