/** reload/links (RFC 6940 §6.6): the Link contract, FramedLink for every byte pipe, link states. */
export { type Link, type LinkFactory, type LinkCloseReason, type LinkMessageListener, type LinkStateListener, type InboundLinkListener, LinkOpenError } from './link.js';
export { type LinkState, linkTransitions } from './link-state.js';
export type { BytePipe, BytePipeHandlers } from './byte-pipe.js';
export {
  FramedLink,
  DATA_FRAME_OVERHEAD,
  DEFAULT_FAILURE_TIMEOUT_MS,
  DEFAULT_SUSPECT_AFTER_PROBES,
  type FramedLinkDeps,
  type FramedLinkInit,
  type FramedLinkStats,
} from './framed-link.js';
export { RttEstimator, DEFAULT_INITIAL_RTO_MS, DEFAULT_MIN_RTO_MS, DEFAULT_MAX_RTO_MS, type RttEstimatorInit } from './rtt-estimator.js';
export type { AppChannel, AppChannelData, AppChannelNetwork, AppAttachAnswer, AppAttachIce } from './app-channel.js';
export { linkAppChannel } from './link-app-channel.js';
export { dataChannelAppChannel, appChannelLabel, applicationOfLabel, type DataChannelLike } from './data-channel-app-channel.js';
