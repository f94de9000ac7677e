/**
 * Seeking again, once its hold-back ends, a peer that belongs in our Neighbor Table but was held
 * back (RFC 6940 §10.7.1, §10.7.3).
 *
 * A peer whose Attach failed is held back for failedPeerMemoryMs (ChordCore.markFailed): the
 * Updates that name it meanwhile do not make us Attach to it (ChordMaintenance.consider), so that
 * the Updates of neighbours that have not yet noticed a crash do not make us Attach to a dead peer
 * again and again. But §10.7.3 has a peer Attach to the peers an Update names that "should be in
 * x's Neighbor Table", and nothing sought a live peer again once its hold-back was over: the
 * Updates that named it had come while it was held back, and once the overlay is quiet none comes
 * before the periodic Updates and adjacency check of §10.7.4.1 (chord-update-interval: 600 s).
 * Seen in a 1,000-peer `chordphone sim` run with churn: a joining node's Attach to its predecessor
 * went through its admitting peer, which crashed; the crossing Attaches of the two failed; each
 * kept the other out of its lists for up to ten minutes, and a Fetch routed by that view was
 * answered "not found".
 *
 * OUR CHOICE: when an Attach to a would-be neighbour fails at its target (not one this peer
 * refused itself, refusedHere, which is retried sooner), one Attach goes to it at the end of its
 * hold-back (plus up to CLOSED_LINK_REATTACH_MS of jitter, so that two peers holding each other
 * back do not send crossing Attaches at the same moment), if it still belongs in our Neighbor Table
 * and the last Update of one of our neighbours still names it. The Attach is source-routed through
 * that neighbour (§10.6) with TTL 1 (ChordMaintenance.attachTo): a neighbour with no link to the
 * peer refuses it at once, so an Update from before the peer's crash costs one quick failure. That
 * failure holds the peer back again but arms no further attempt, so a dead peer, or one we cannot
 * reach, is not sought every failedPeerMemoryMs for ever. Neighbours lost with their links are
 * sought by chord-reattach.ts, which asks for fresher evidence (an Update received since the loss).
 */
import { nodeIdKey } from '../../forwarding/index.js';
import type { Timer } from '../../runtime/components.js';
import type { NodeId } from '../../wire/ids.js';
import type { ChordCore } from './chord-core.js';
import { CLOSED_LINK_REATTACH_MS } from './chord-reattach.js';

/** What HeldBackNeighbours asks of maintenance and stabilization. */
export interface HeldBackHooks {
  /** A neighbour whose Update, received after `since` (ms), names `key`, with a usable link. */
  namedBy(key: string, since: number): NodeId | undefined;
  /** Whether an Attach to `key` is in flight. */
  attaching(key: string): boolean;
  /** Attach to `id` through `via` (§10.6) and take it in if that succeeds; its failure arms no further attempt. */
  attach(id: NodeId, via: NodeId): void;
}

export class HeldBackNeighbours {
  /** The attempt due at the end of each held-back peer's hold-back, by key. */
  private readonly due = new Map<string, Timer>();

  constructor(
    private readonly core: ChordCore,
    private readonly hooks: HeldBackHooks,
  ) {}

  /** `id` belongs in our Neighbor Table and is held back: seek it once its hold-back ends (one attempt per peer at a time). */
  heldBack(id: NodeId, key = nodeIdKey(id)): void {
    if (this.due.has(key) || this.core.stopped) return;
    const until = this.core.heldBackUntil(key);
    if (until === undefined) return;
    const clock = this.core.deps.clock;
    const timer = clock.setTimer(until - clock.now() + this.core.jitter(CLOSED_LINK_REATTACH_MS), () => {
      this.due.delete(key);
      this.attempt(id, key);
    });
    this.due.set(key, timer);
  }

  stop(): void {
    for (const timer of this.due.values()) timer.cancel();
    this.due.clear();
  }

  private attempt(id: NodeId, key: string): void {
    const t = this.core.table;
    if (this.core.stopped || this.core.state !== 'joined' || t.has(key) || this.hooks.attaching(key)) return;
    // Held back again since (a failure of its own, §10.7.1): the end of that hold-back is waited for.
    if (this.core.recentlyFailed(key)) {
      this.heldBack(id, key);
      return;
    }
    if (!t.wouldBeNeighbour(id)) return;
    // §10.7.3: the peers our neighbours' lists name; none naming it now means none believes in it.
    const via = this.hooks.namedBy(key, Number.NEGATIVE_INFINITY);
    if (via) this.hooks.attach(id, via);
  }
}
