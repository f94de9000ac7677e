/** reload/forwarding (RFC 6940 §6.1–6.2, §6.7): link table, symmetric recursive routing, fragmentation. */
export {
  createForwarding,
  type Forwarding,
  type ForwardingDelegate,
  type ForwardingDeps,
  type ForwardingInit,
  type ForwardingStats,
  type InboundMessage,
  type RoutingFailure,
  type SendResult,
} from './forwarding.js';
export { type Router, type RoutingTarget, WILDCARD_NODE_ID, isWildcardNodeId, nodeIdKey, nullRouter } from './router.js';
export type { LinkTableEvent, LinkTableListener } from './link-table.js';
export { overlayParameters, DEFAULT_OVERLAY_RELIABILITY_TIMER_MS, type OverlayParameters } from './overlay-parameters.js';
export { decideRoute, type RouteContext, type RouteDecision } from './route-decision.js';
