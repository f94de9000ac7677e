/** Node only: the real PeerNetwork with `ws` and node-datachannel, and the WebSocket bootstrap endpoint. */
export { createNodeWebRtcNetwork, serveWebSocketBootstrap, type NodeWebRtcNetworkInit, type WebSocketBootstrapServeInit } from './node-network.js';
