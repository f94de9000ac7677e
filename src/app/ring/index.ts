/**
 * app/ring: the ring view's model and input. The component itself is imported by path
 * (`lazy(() => import('./ring/RingView.js'))`) so it stays out of the initial JavaScript.
 */
export { ringModel, ringPosition, formatPosition, badgeOf, type RingStatus, type RingLink, type RingRoute, type RingModel, type RingPeer, type RingEdge, type PeerRole, type RingLayout } from './ring-model.js';
export { ringStatusOf, type RingSnapshotPart } from './ring-status.js';
export type { RingViewProps } from './RingView.js';
