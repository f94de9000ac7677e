/** reload/overlay: one full RELOAD peer composed from injected dependencies (RFC 6940 §1.2). */
export { createOverlayPeer, openOverlayPeer, overlayHashOf, overlayParametersOf } from './overlay-peer.js';
export { AttachService, parseAddress, formatAddress, type AttachServiceDeps, type AttachServiceInit } from './attach-service.js';
export type {
  OverlayPeer,
  OverlayPeerDeps,
  OverlayPeerInit,
  PeerNetwork,
  ResourceRef,
  StoreValue,
  StoreOptions,
  FetchSpec,
  Outcome,
  StoreOutcome,
  FetchOutcome,
  StatOutcome,
  FindOutcome,
  OverlayStatus,
  OverlayStats,
} from './overlay-types.js';
