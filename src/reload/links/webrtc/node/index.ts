/** Node only: node-datachannel as the WebRTC implementation of the data-channel link. */
export { nodeWrtc, nodeRtcConfiguration } from './node-webrtc.js';
