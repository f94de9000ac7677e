/**
 * The ring view's input from the Overlay API object: its snapshot (Node-ID, neighbours, links)
 * plus the finger table from the peer's topology status (RFC 6940 §10.3), which the snapshot does
 * not carry. Counts and routes the app tracks elsewhere come in `extra`.
 */
import type { OverlayPeer } from '../../reload/overlay/index.js';
import { toHex } from '../../reload/wire/codec/hex.js';
import type { OverlaySnapshot } from '../overlay/overlay.js';
import type { RingStatus } from './ring-model.js';

export type RingSnapshotPart = Pick<OverlaySnapshot, 'nodeId' | 'userName' | 'overlayName' | 'predecessors' | 'successors' | 'links'>;

/** Undefined until the peer has a Node-ID (before enrollment). */
export function ringStatusOf(snapshot: RingSnapshotPart, peer?: Pick<OverlayPeer, 'status'>, extra: Partial<Omit<RingStatus, 'nodeId'>> = {}): RingStatus | undefined {
  if (snapshot.nodeId === undefined) return undefined;
  const fingers = peer ? peer.status().fingers.map(toHex) : undefined;
  return {
    nodeId: snapshot.nodeId,
    ...(snapshot.userName !== undefined ? { userName: snapshot.userName } : {}),
    ...(snapshot.overlayName !== undefined ? { overlayName: snapshot.overlayName } : {}),
    predecessors: snapshot.predecessors,
    successors: snapshot.successors,
    links: snapshot.links,
    ...(fingers ? { fingers } : {}),
    ...extra,
  };
}
