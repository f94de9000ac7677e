/**
 * The data moves of CHORD-RELOAD replication (RFC 6940 §10.4, §10.7.1, §10.7.3) as the Neighbor
 * Table changes, on the replica set and the range as they are usable: the first successors and
 * the nearest predecessors whose links are up (chord-core.ts replicaTargets, chord-router.ts
 * effectivePredecessor), so a peer that stops answering is replaced from the moment its link turns
 * suspect rather than 30 s later when it is declared dead. ChordMaintenance calls `track` on every
 * change of the routing table or of a member's link.
 *
 * - A changed replica set (§10.7.3): the data this peer is responsible for goes to each new
 *   member, at once, or once the hold-down of §10.7.1 has passed when a failure brought in a
 *   member from beyond the successor list.
 * - A failed or departed first predecessor (§10.1): this peer's range grew; the gained range goes
 *   to the replica set.
 * - A failed or departed farther predecessor whose range this peer replicates (§10.4): the range
 *   goes to the peer now responsible for it and that peer's replica set (`handOnReplicas`).
 * - A new, nearer first predecessor (§6.4.2.3): the part of our range it took goes to it
 *   (`handOverLostRange`), unless we are admitting it (§10.5 step 6 hands it over).
 */
import type { Timer } from '../../runtime/components.js';
import type { NodeId } from '../../wire/ids.js';
import type { DataMoveReport, IdRange } from '../topology-plugin.js';
import type { ChordCore } from './chord-core.js';
import { inOpen, sameId } from './ring.js';
import type { RoutingEntry } from './routing-table.js';

/** Delay (ms) before the moves of a lost predecessor: simultaneous losses are gathered. */
const GAIN_DELAY_MS = 1000;
/** Runs of a data move whose Stores partly failed, and the pause before the next (ms, times the run). */
const REPLICATION_ATTEMPTS = 3;
const REPLICATION_RETRY_MS = 10_000;

const keysOf = (entries: readonly RoutingEntry[]) => entries.map((e) => e.key).join();

export class ChordReplication {
  /** The replica set (first successors) and the usable predecessors as last acted on (§10.7.3). */
  private replicaSet: readonly RoutingEntry[] = [];
  private preds: readonly RoutingEntry[] = [];
  /** The successor list (§10.7) as last acted on. */
  private successors = new Set<string>();
  /** The replica set before the first change a pending run (hold-down or prompt) covers. */
  private heldPrevious: readonly NodeId[] | undefined;
  private heldTimer: Timer | undefined;
  private promptPrevious: readonly NodeId[] | undefined;
  private promptTimer: Timer | undefined;
  /** The replica set before the first failure whose prompt copies are sent again after the hold-down. */
  private confirmPrevious: readonly NodeId[] | undefined;
  private confirmTimer: Timer | undefined;
  /** The hand-on of what was stored while this peer had no predecessor (handOnAfterAlone). */
  private aloneTimer: Timer | undefined;
  /** Whether this peer, joined, has had no usable predecessor since (alone: handOnAfterAlone once it has one). */
  private wasAlone = false;
  /** Moves waiting for GAIN_DELAY_MS. */
  private moves: { readonly what: string; readonly run: () => Promise<DataMoveReport> }[] = [];
  private movesTimer: Timer | undefined;
  /** Pending re-runs of data moves whose Stores partly failed (cancelled by `stop`). */
  private readonly retries = new Set<Timer>();
  /** The peers we are admitting (§10.5 steps 6-8, one at a time: chord-admission.ts), by key. */
  private readonly admissions = new Set<string>();
  /**
   * The peers of the routing table nearer than the first usable predecessor, as last acted on: their
   * links were not usable (suspect, §6.6.3.1), so they were not in `preds`.
   */
  private unusableNearer = new Set<string>();

  constructor(private readonly core: ChordCore) {}

  /** Start following the replica set and range from the current tables (on joining). */
  reset(): void {
    this.replicaSet = this.core.replicaTargets();
    this.preds = this.core.usablePredecessors(this.core.params.replicas + 1);
    this.unusableNearer = this.nearerThan(this.preds[0]);
    this.successors = new Set(this.core.table.successors.map((e) => e.key));
  }

  /**
   * Act on a change of the tables. `failure`: a neighbour failed or its link went suspect (the
   * hold-down of §10.7.1 applies to the new successors that replace it); a Leave is not a failure
   * here (§10.9 names the replacements already, see ChordMaintenance.onLeave).
   */
  track(failure: boolean): void {
    const { clock, data } = this.core.deps;
    const current = this.core.replicaTargets();
    const successors = this.successors;
    this.successors = new Set(this.core.table.successors.map((e) => e.key));
    if (keysOf(current) !== keysOf(this.replicaSet)) {
      // §10.7.3: "If peer x is responsible for a Resource-ID R and x discovers that the replica set
      // for R ... has changed, it MUST send a Store for any data associated with R to any new node in
      // the replica set."
      const previous = this.replicaSet.map((e) => e.id);
      const added = current.filter((e) => !this.replicaSet.some((x) => x.key === e.key));
      this.replicaSet = current;
      // §10.7.1: "when replacing a successor, the peer SHOULD delay the creation of new replicas for
      // the successor replacement hold-down time (30 seconds) ... in order to allow a triggered update
      // to inform it of a better match for its Neighbor Table". OUR READING: a replacement that was in
      // our successor list already (§10.7 keeps three successors for this, confirmed by those
      // neighbours' Updates) is the match such an Update would name, and a nearer peer we did not
      // know gets its copy when it appears (below); the hold-down applies to a replacement from
      // beyond the successor list (several successors failed at once). Under churn this keeps a
      // record's three copies: with a 30 s hold-down after every failed replica holder, the loss of
      // the two other holders within that window took the record with them (chordphone sim churn runs).
      const held = failure ? added.filter((e) => !successors.has(e.key)).map((e) => e.id) : [];
      // A prompt run already due this instant leaves them to the hold-down too.
      if (this.promptPrevious) this.promptPrevious = [...this.promptPrevious, ...held];
      if (held.length > 0) {
        this.heldPrevious ??= previous;
        this.heldTimer ??= clock.setTimer(this.core.params.holdDownMs, () => {
          this.heldTimer = undefined;
          const before = this.heldPrevious ?? [];
          this.heldPrevious = undefined;
          this.move('re-replication', () => data.replicaSetChanged(before));
        });
      }
      // A replacement from our successor list gets its copy at once (above), and again once the
      // hold-down has passed: RFC 6940 §10.7.3 has a peer delete what it holds "when there are three
      // predecessors between x and R", and the new member may still count the failed peer (its link
      // to it not yet suspect) and prune the first copy at its next stabilization; nothing else
      // would send it again. OUR CHOICE: the second run costs repeats, which are taken as such.
      if (failure && held.length < added.length) {
        this.confirmPrevious ??= previous;
        this.confirmTimer ??= clock.setTimer(this.core.params.holdDownMs, () => {
          this.confirmTimer = undefined;
          const before = this.confirmPrevious ?? [];
          this.confirmPrevious = undefined;
          this.move('re-replication after the hold-down', () => data.replicaSetChanged(before));
        });
      }
      if (held.length < added.length) {
        // The others at once: a member that came from an Update (a joining peer, §10.5 step 9), one a
        // Leave named (§10.9), or one of our successors. Also while a hold-down for an earlier
        // failure runs (which then need not send to them again).
        this.promptPrevious ??= [...previous, ...held];
        this.promptTimer ??= clock.setTimer(0, () => {
          this.promptTimer = undefined;
          const before = this.promptPrevious ?? [];
          this.promptPrevious = undefined;
          const sent = this.replicaSet.filter((e) => !before.some((id) => sameId(id, e.id))).map((e) => e.id);
          if (this.heldPrevious) this.heldPrevious = [...this.heldPrevious, ...sent];
          this.move('replicating to a new successor', () => data.replicaSetChanged(before));
        });
      }
    }
    this.trackPredecessors();
  }

  /**
   * `key` is being admitted by us: §10.5 step 6's Stores give it its range, so when it becomes our
   * first predecessor that range is not handed to it again (`handOverLostRange`). Returns the end
   * of the admission.
   */
  admitting(key: string): () => void {
    this.admissions.add(key);
    return () => this.admissions.delete(key);
  }

  stop(): void {
    this.heldTimer?.cancel();
    this.promptTimer?.cancel();
    this.confirmTimer?.cancel();
    this.aloneTimer?.cancel();
    this.movesTimer?.cancel();
    for (const t of this.retries) t.cancel();
    this.retries.clear();
  }

  /**
   * The nearest usable predecessors P1, P2, …: when P1 is gone, this peer is responsible for its range
   * (§10.1) and replicates it (no hold-down: §10.7.1 sets it for successor replacement, and until the
   * gained range is replicated its records have one copy fewer). When a farther one Pi (1 < i ≤
   * replicas) is gone, its range (P(i+1), Pi] — of which this peer holds replicas (§10.4) — now belongs
   * to the nearest live peer after it, Q, which held a replica too unless it joined after the last
   * Store (§10.5: the admitting peer hands a joining node only the admitting peer's own range, and
   * Pi may have died before it replicated to its new successor): `handOnReplicas`.
   */
  private trackPredecessors(): void {
    const n = this.core.params.replicas;
    const before = this.preds;
    const now = this.core.usablePredecessors(n + 1);
    this.preds = now;
    const unusableBefore = this.unusableNearer;
    this.unusableNearer = this.nearerThan(now[0]);
    const t = this.core.table;
    const gone = (e: RoutingEntry) => !now.some((x) => x.key === e.key) && !(t.has(e.key) && this.core.router.usable(e));
    for (let i = 0; i < Math.min(n, before.length); i++) {
      const p = before[i]!;
      if (!gone(p)) continue;
      // Its predecessor: the next one of before that is still there, else the nearest of now beyond it.
      const lower = before.slice(i + 1).find((e) => !gone(e)) ?? now.find((e) => !inOpen(e.pos, p.pos, t.selfPos));
      // `now` is nearest first: the peer after P nearest to it is the last of those between P and us.
      const between = now.filter((e) => inOpen(e.pos, p.pos, t.selfPos));
      const q = between[between.length - 1];
      if (!lower && q) continue;
      const range: IdRange = { after: (lower ?? t.entryFor(this.core.self)).id, upTo: p.id };
      if (!q) this.queue('replicating a gained range', () => this.core.deps.data.rangeGained(range));
      else this.handOnReplicas(q, between, range);
    }
    if (before[0]) this.handOverLostRange(before[0], now, unusableBefore);
    // Joined with no predecessor left: alone (every link lost), answering for the whole ring. Not a
    // joining peer, whose first predecessors come with its join and which holds only what its
    // admitting peer handed it (§10.5).
    if (!now[0]) this.wasAlone ||= this.core.state === 'joined';
    else if (this.wasAlone) {
      this.wasAlone = false;
      this.handOnAfterAlone();
    }
  }

  /**
   * RFC 6940 §6.4.2.3: "it MUST attempt to Store a copy to the correct node ... This prevents data
   * loss during large-scale topology shifts, such as the merging of partitioned overlays." A peer
   * with no predecessor answered for the whole Resource-ID space (alone after losing every link,
   * §10.7.4.4: a Wi-Fi drop, a laptop's sleep), and a Store it made then (a SIP registration's
   * refresh, its certificate, §8) stayed here. Now that it has a predecessor again, what it neither
   * answers for nor replicates goes by Resource-ID to the peer that does: the prune's hand-on
   * (storage-service.ts, which drops only what that peer took). OUR CHOICE: once the hold-down has
   * passed (§10.7.1's 30 s), so that the tables of a ring found again have settled first.
   */
  private handOnAfterAlone(): void {
    this.aloneTimer ??= this.core.deps.clock.setTimer(this.core.params.holdDownMs, () => {
      this.aloneTimer = undefined;
      if (this.core.state === 'joined') this.core.deps.data.prune().catch((e: unknown) => this.core.log.warn('handing on what was stored while alone failed', { error: String(e) }));
    });
  }

  /**
   * RFC 6940 §6.4.2.3: "When a peer detects through an Update that it is no longer responsible for
   * any data value it is storing, it MUST attempt to Store a copy to the correct node unless it
   * knows the newly responsible node already has a copy of the data. This prevents data loss during
   * large-scale topology shifts, such as the merging of partitioned overlays." Our range was
   * (`first`, us]; the usable predecessors now nearer than `first` (`now` is nearest first) took
   * (first, now[0]] from it, each Q the part (the next of them, or first, Q]. That part goes to Q
   * and to the others of them in Q's replica set: they were not in ours, so they have no copy,
   * while our successors that are in it held one as our replicas (§10.4).
   *
   * OUR READING of "knows the newly responsible node already has a copy": a peer we are admitting
   * (§10.5 step 6's Stores hand it its range: a normal join costs no more Stores), and a peer that
   * was in the routing table all along with a link not usable (`unusableBefore`: a suspect link
   * that recovered; while it was suspect we answered for its range, it still held it). Any other
   * peer, such as one back from a partition (§10.7.4.4) whose range was ours meanwhile, gets a
   * copy; one it had already is taken as a repeat.
   */
  private handOverLostRange(first: RoutingEntry, now: readonly RoutingEntry[], unusableBefore: ReadonlySet<string>): void {
    const selfPos = this.core.table.selfPos;
    const end = now.findIndex((e) => !inOpen(e.pos, first.pos, selfPos));
    const nearer = end < 0 ? now : now.slice(0, end);
    nearer.forEach((q, i) => {
      if (this.admissions.has(q.key) || unusableBefore.has(q.key)) return;
      const range: IdRange = { after: (nearer[i + 1] ?? first).id, upTo: q.id };
      const members = this.replicaSetOf(q, nearer).filter((e): e is RoutingEntry => e !== undefined && nearer.includes(e));
      for (const target of [q, ...members]) this.queue('handing over a lost range', () => this.core.deps.data.handOver(target.id, range));
    });
  }

  /** The keys of the routing table's members strictly between `pred` and us (nearer predecessors than it). */
  private nearerThan(pred: RoutingEntry | undefined): Set<string> {
    const out = new Set<string>();
    if (!pred) return out;
    const members = this.core.table.members;
    for (let i = members.length - 1; i >= 0 && members[i]!.key !== pred.key; i--) out.add(members[i]!.key);
    return out;
  }

  /**
   * RFC 6940 §10.4 leaves a failed responsible peer's data to its replicas; the peer now responsible
   * for `range`, `q`, is one of the peers `between` the failed one and us, and its replica set is the
   * next `replicas` peers after it (those `between` nearer to us, then us, then our successors).
   * §6.4.2.3: "it MUST attempt to Store a copy to the correct node unless it knows the newly
   * responsible node already has a copy of the data": OUR READING, a replica holder does not know
   * that once the responsible peer has changed, so it stores what it holds of `range` to `q` and to
   * the members of q's replica set other than itself (each accepts it from its predecessor, §10.4).
   * A copy that was there already is taken as a repeat.
   */
  private handOnReplicas(q: RoutingEntry, between: readonly RoutingEntry[], range: IdRange): void {
    const targets = [q, ...this.replicaSetOf(q, between).filter((e): e is RoutingEntry => e !== undefined)];
    for (const target of targets) this.queue('handing on replicas', () => this.core.deps.data.handOver(target.id, range));
  }

  /**
   * The replica set of `q` (§10.4: the next `replicas` peers after it), where `between` are the
   * peers from q to us (nearest us first, q among them): those nearer us than q, then us
   * (undefined), then our replica set.
   */
  private replicaSetOf(q: RoutingEntry, between: readonly RoutingEntry[]): (RoutingEntry | undefined)[] {
    const after = between.slice(0, between.indexOf(q)).reverse();
    return [...after, undefined, ...this.core.replicaTargets()].slice(0, this.core.params.replicas);
  }

  /** Run `run` after GAIN_DELAY_MS, with the moves queued meanwhile. */
  private queue(what: string, run: () => Promise<DataMoveReport>): void {
    this.moves.push({ what, run });
    this.movesTimer ??= this.core.deps.clock.setTimer(GAIN_DELAY_MS, () => {
      this.movesTimer = undefined;
      const moves = this.moves;
      this.moves = [];
      for (const m of moves) this.move(m.what, m.run);
    });
  }

  /**
   * Run a data move while joined; when some of its Stores failed (a target not yet agreeing, one that
   * just died), run it again later, with the tables as they are then (at most REPLICATION_ATTEMPTS times).
   */
  private move(what: string, run: () => Promise<DataMoveReport>, attempt = 1): void {
    if (this.core.state !== 'joined') return;
    run().then(
      (report) => {
        if (!report.failed || attempt >= REPLICATION_ATTEMPTS || this.core.state !== 'joined') return;
        const retry = this.core.deps.clock.setTimer(REPLICATION_RETRY_MS * attempt, () => {
          this.retries.delete(retry);
          this.move(what, run, attempt + 1);
        });
        this.retries.add(retry);
      },
      (e: unknown) => this.core.log.warn(`${what} failed`, { error: String(e) }),
    );
  }
}
