/**
 * The overlay mode in words, for the status view and Settings: a peer in the ring, or a client
 * (RFC 6940 §4.2, RFC 7890 §3.2) with the peer it is attached to.
 */
import { shortNodeId } from '../node-id-text.js';
import type { OverlaySnapshot } from './overlay.js';

export function modeText(s: Pick<OverlaySnapshot, 'mode' | 'attachedPeer'>): string {
  if (!s.mode) return '—';
  if (s.mode === 'peer') return 'Peer (in the ring)';
  return s.attachedPeer ? `Client, attached to peer ${shortNodeId(s.attachedPeer)}` : 'Client (not attached to a peer yet)';
}
