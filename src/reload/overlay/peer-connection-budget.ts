/**
 * How many WebRTC peer connections a peer keeps (webrtc-network.ts takes a slot before it makes
 * one). RFC 6940 §6.5.1.2: "If the peer is overloaded or detects some other kind of error, it MAY
 * generate an error instead of an AttachReqAns." Every Attach and AppAttach answered over ICE
 * makes a peer connection that lives until its channel opens or the connect timeout (10 s) is
 * over, whether or not the requester ever completes it; the transport's inbound limiter bounds
 * the requests handled at once, not the connections they leave behind. So a slot is taken before
 * anything is made and refused above these caps:
 *
 * - pending (not yet connected) connections we answered for one requester;
 * - pending connections in all (answers and our own offers);
 * - live connections in all: pending, plus connected ones (overlay links and application
 *   channels) until they close.
 *
 * Peer connections made before the budget and held for it (`held`: the offers a browser gathers
 * ahead of its join, app/overlay/offer-pool.ts) count as pending until taken; each then takes
 * its own slot.
 *
 * ```
 *   take(requester?) ──▶ pending ──connected()──▶ connected
 *                           │                        │
 *                           └──────── release() ─────┴──▶ released
 * ```
 */
import { nodeIdKey } from '../forwarding/index.js';
import { overloaded } from '../runtime/reload-error.js';
import type { NodeId } from '../wire/ids.js';

export interface PeerConnectionLimits {
  /** Pending connections answered for one requester. */
  readonly pendingPerRequester: number;
  /** Pending connections in all (answers and offers). */
  readonly pending: number;
  /** Peer connections in all: pending and connected. */
  readonly total: number;
}

/**
 * OUR CHOICE (RFC 6940 sets no numbers):
 * - 16 pending per requester: a joining peer's finger searches (minFingers = 16, chord-join.ts)
 *   may all reach us at once in a small ring, and the requester completes only one of them
 *   (attach-service.ts attachIce keeps one data channel in progress per peer), the others
 *   lapsing here after the connect timeout; more from one neighbour only hold connections.
 * - 128 pending in all: several such joiners at once (a seed in a small ring).
 * - 400 in all: under a browser tab's limit (Chromium refuses past 500 per page), leaving room
 *   for the phone's media connections and the offers gathered ahead (app/overlay/offer-pool.ts);
 *   above the ~30 links a peer holds at 10,000 peers and the ~200 of an early "hub" peer in the
 *   simulator, with 128 pending on top, so established links the ring needs are not refused.
 */
export const DEFAULT_PEER_CONNECTION_LIMITS: PeerConnectionLimits = { pendingPerRequester: 16, pending: 128, total: 400 };

/** One peer connection's place in the budget. */
export interface PeerConnectionSlot {
  /** Its channel opened: no longer pending (still counted in the total until released). */
  connected(): void;
  /** It closed, or was never made. Idempotent. */
  release(): void;
}

export class PeerConnectionBudget {
  private pendingCount = 0;
  private totalCount = 0;
  private readonly pendingBy = new Map<string, number>();

  /** `held`: how many peer connections made outside the budget are held now (counted as pending). */
  constructor(
    private readonly limits: PeerConnectionLimits = DEFAULT_PEER_CONNECTION_LIMITS,
    private readonly held: () => number = () => 0,
  ) {}

  /** Peer connections counted now (pending and connected). */
  get total(): number {
    return this.totalCount + this.held();
  }

  /** Pending peer connections now. */
  get pending(): number {
    return this.pendingCount + this.held();
  }

  /** A slot for one new peer connection (answering `requester`, or our own offer); an OverloadError above a cap. */
  take(requester?: NodeId): PeerConnectionSlot {
    const key = requester ? nodeIdKey(requester) : undefined;
    const mine = key === undefined ? 0 : (this.pendingBy.get(key) ?? 0);
    const { total, pending } = this;
    if (total >= this.limits.total) throw overloaded(`${total} peer connections open`);
    if (pending >= this.limits.pending) throw overloaded(`${pending} peer connections being set up`);
    if (key !== undefined && mine >= this.limits.pendingPerRequester) throw overloaded(`${mine} peer connections being set up for you`);
    this.totalCount++;
    this.pendingCount++;
    if (key !== undefined) this.pendingBy.set(key, mine + 1);
    let state: 'pending' | 'connected' | 'released' = 'pending';
    const leavePending = () => {
      this.pendingCount--;
      if (key === undefined) return;
      const left = (this.pendingBy.get(key) ?? 1) - 1;
      if (left > 0) this.pendingBy.set(key, left);
      else this.pendingBy.delete(key);
    };
    return {
      connected: () => {
        if (state !== 'pending') return;
        state = 'connected';
        leavePending();
      },
      release: () => {
        if (state === 'released') return;
        if (state === 'pending') leavePending();
        state = 'released';
        this.totalCount--;
      },
    };
  }
}
