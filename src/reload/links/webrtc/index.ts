/** reload/links/webrtc: the WebRTC data-channel overlay link on simple-peer, and Attach's IceParameters (RFC 6940 §6.5.1). */
export {
  offerWebRtc,
  answerWebRtc,
  DataChannelLink,
  RELOAD_CHANNEL_LABEL,
  DATA_CHANNEL_MESSAGE_SIZE,
  DEFAULT_CONNECT_TIMEOUT_MS,
  type WebRtcConnection,
  type WebRtcDeps,
  type WebRtcInit,
  type WebRtcOffer,
  type WebRtcAnswer,
  type WrtcImplementation,
} from './webrtc-connection.js';
export { iceParametersFromSdp, remoteSdp, normaliseCandidateLine, IceParametersError, type IceParameters } from './ice-parameters.js';
export { GatheringError, type GatherSettings } from './local-gathering.js';
export { SimplePeerPipe } from './data-channel-pipe.js';
