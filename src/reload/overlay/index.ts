/** reload/overlay: one full RELOAD peer composed from injected dependencies (RFC 6940 §1.2). */
export { createOverlayPeer, openOverlayPeer, overlayHashOf, overlayParametersOf } from './overlay-peer.js';
export { createOverlayClient } from './client-overlay.js';
export { ConfigurationUpdateService, type ConfigurationUpdateDeps, type ConfigurationUpdateInit } from './configuration-update.js';
export { AttachService, type AttachServiceDeps, type AttachServiceInit } from './attach-service.js';
export { parseAddress, formatAddress } from '../links/host-candidate.js';
export { AppAttachService, type AppAttachServiceDeps, type AppAttachServiceInit, type AppAttachStats } from './app-attach-service.js';
export type { AppChannel, AppChannelData, AppChannelNetwork, AppAttachAnswer, AppAttachIce } from '../links/app-channel.js';
export { createIceAppChannels, type ExistingConnections, type IceAppChannelsDeps, type IceAppChannelsInit } from './ice-app-channels.js';
export type {
  OverlayPeer,
  OverlayPeerDeps,
  OverlayPeerInit,
  OverlayMode,
  PeerNetwork,
  ResourceRef,
  StoreValue,
  StoreOptions,
  FetchSpec,
  Outcome,
  StoreOutcome,
  FetchOutcome,
  RejectedValue,
  StatOutcome,
  FindOutcome,
  OverlayStatus,
  OverlayStats,
  IceCapability,
  IceOffer,
  IceAnswer,
  IceAttachParameters,
} from './overlay-types.js';
// The real network (WebSocket bootstrap, WebRTC data channels). It pulls in simple-peer: import it
// from './webrtc-network.js' (browser and Node) or './node/index.js' (Node factories) directly.
export type { PreparedOffers, WebRtcPeerNetwork, WebRtcNetworkDeps, WebRtcNetworkInit } from './webrtc-network.js';
export { DEFAULT_PEER_CONNECTION_LIMITS, type PeerConnectionLimits } from './peer-connection-budget.js';
export { helloDial, helloAccept, LinkHelloError, type LinkHelloDeps } from './link-hello.js';
