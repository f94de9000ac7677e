/**
 * Attaching again to a neighbour lost with its link (RFC 6940 §10.7.1: "A peer MAY attempt to
 * reestablish connectivity with a lost neighbor either by waiting additional time to see if
 * connectivity returns or by actively routing a new Attach to the lost peer ... Such a peer is
 * returned to the Neighbor Table once connectivity is reestablished").
 *
 * OUR CHOICE: a neighbour lost with its link is held back (markFailed) like any failed peer, so
 * that the Updates of neighbours that have not yet noticed a crash do not make us Attach to it
 * again and again. But two healthy neighbours whose link dropped each kept a farther peer until
 * the periodic Updates of §10.7.4.1 (600 s): the Updates and answers (§10.7.3) that named the
 * other came while it was held back, and none came after. So:
 * - once the hold-back is over (and, if a failure since renewed it, once that is over), one
 *   Attach goes to it;
 * - when the other end or the channel closed the link (`remote`: a WebRTC connection that dropped
 *   between two peers that were answering), also one CLOSED_LINK_REATTACH_MS after the loss, but
 *   at most once per hold-back per peer: a neighbour whose link closes soon after every reconnect
 *   waits out the hold-back after each later loss;
 * - a link this peer closed itself (`local`: shutdown, a certificate that did not match) or
 *   whose other end broke the framing (`protocol-error`, §6.6.2) is no reason to seek the peer;
 *   it may Attach to us.
 * Each Attach goes through a neighbour whose Update, received since the loss, names it (§10.6:
 * source-routed through the peer we learned it from). A peer that is gone is soon in no
 * neighbour's list; with periodic recovery (chord-reactive false) the neighbours that dropped it
 * need not tell us, and Updates from before the loss vouch for nothing, so a peer that no
 * neighbour has named since is not sought: its neighbours' periodic Updates will name it if it is
 * there (§10.7.4.1).
 */
import { nodeIdKey } from '../../forwarding/index.js';
import type { LinkCloseReason } from '../../links/index.js';
import type { Timer } from '../../runtime/components.js';
import type { NodeId } from '../../wire/ids.js';
import type { ChordCore } from './chord-core.js';

/**
 * OUR CHOICE: wait (ms, half of it jittered) before a neighbour whose link the other end closed
 * is Attached to again: time for our other neighbours, when it closed because the peer is gone,
 * to drop it from their lists and tell us (§10.7.1's immediate Updates) first. Also the jitter
 * (up to this much) added to the attempt at the end of the hold-back, so that the two ends of a
 * link lost at the same moment do not send crossing Attaches at the same moment.
 */
export const CLOSED_LINK_REATTACH_MS = 2_000;

/** What NeighbourReattach asks of maintenance and stabilization. */
export interface ReattachHooks {
  /** A neighbour whose Update, received after `since` (ms), names `key`, with a usable link. */
  namedBy(key: string, since: number): NodeId | undefined;
  /** Whether an Attach to `key` is in flight. */
  attaching(key: string): boolean;
  /** Attach to `id` through `via` (§10.6) and take it in if that succeeds. */
  attach(id: NodeId, via: NodeId): void;
}

/** A neighbour lost with its link: when, and the attempts waiting. */
interface Lost {
  readonly at: number;
  early: Timer | undefined;
  late: Timer | undefined;
}

export class NeighbourReattach {
  private readonly lost = new Map<string, Lost>();
  /** When each peer was last Attached to early (its link closed): at most once per hold-back. */
  private readonly earlyAt = new Map<string, number>();

  constructor(
    private readonly core: ChordCore,
    private readonly hooks: ReattachHooks,
  ) {}

  /** Neighbour `id` was lost with its link, which closed for `reason` (none: it was removed here, as after a failed Update). */
  linkLost(id: NodeId, reason: LinkCloseReason | undefined): void {
    const memoryMs = this.core.params.failedPeerMemoryMs;
    const key = nodeIdKey(id);
    this.forget(key);
    // Without a hold-back the Updates that name it are acted on at once (ChordMaintenance.consider).
    if (memoryMs === 0 || this.core.stopped || reason === 'local' || reason === 'protocol-error') return;
    const clock = this.core.deps.clock;
    const now = clock.now();
    for (const [k, at] of this.earlyAt) if (at + memoryMs <= now) this.earlyAt.delete(k);
    const lost: Lost = { at: now, early: undefined, late: undefined };
    this.lost.set(key, lost);
    if (reason === 'remote' && !this.earlyAt.has(key)) {
      lost.early = clock.setTimer(CLOSED_LINK_REATTACH_MS / 2 + this.core.jitter(CLOSED_LINK_REATTACH_MS / 2), () => {
        lost.early = undefined;
        if (this.tryAttach(id, key, lost)) this.earlyAt.set(key, clock.now());
      });
    }
    const atHoldBackEnd = (): void => {
      lost.late = undefined;
      // Renewed since the loss (the early Attach failed): its end is the one waited for.
      const until = this.core.heldBackUntil(key);
      if (until !== undefined) {
        lost.late = clock.setTimer(until - clock.now() + this.core.jitter(CLOSED_LINK_REATTACH_MS), atHoldBackEnd);
        return;
      }
      this.lost.delete(key);
      this.tryAttach(id, key, lost);
    };
    lost.late = clock.setTimer(memoryMs + this.core.jitter(CLOSED_LINK_REATTACH_MS), atHoldBackEnd);
  }

  /** No Attach is to go to `key` for its loss (it left, §10.9, or was lost again). */
  forget(key: string): void {
    const lost = this.lost.get(key);
    if (!lost) return;
    lost.early?.cancel();
    lost.late?.cancel();
    this.lost.delete(key);
  }

  stop(): void {
    for (const key of [...this.lost.keys()]) this.forget(key);
    this.earlyAt.clear();
  }

  /** Attach to `id` if it is still missing and a neighbour named it since the loss; whether one went. */
  private tryAttach(id: NodeId, key: string, lost: Lost): boolean {
    const t = this.core.table;
    // A link it opened to us since is no sign that it is in the ring: its Update (§6.4.2.3) will say.
    if (this.core.stopped || this.core.state !== 'joined' || t.has(key) || this.hooks.attaching(key) || this.core.deps.forwarding.isUsable(id)) return false;
    const via = this.hooks.namedBy(key, lost.at);
    if (!via || !t.wouldBeNeighbour(id)) return false;
    this.hooks.attach(id, via);
    return true;
  }
}
