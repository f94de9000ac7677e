/** Node only: the WebSocket bootstrap endpoint and `ws` as the WebSocket constructor for dialing. */
export { attachWebSocketBootstrap, type WebSocketBootstrap, type WebSocketBootstrapInit } from './websocket-bootstrap.js';
export { nodeWebSocket } from './node-websocket.js';
