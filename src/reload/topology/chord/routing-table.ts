/**
 * The CHORD-RELOAD Routing Table (RFC 6940 §10.3: "conceptually the union of the Neighbor Table
 * and the Finger Table"), kept as one set of known peers, each with a usable link, from which the
 * Neighbor Table and the Finger Table are derived:
 *
 * - successors: the `successors` peers nearest after this one, nearest first; predecessors: the
 *   `predecessors` peers nearest before it (§10.1, §10.7). A peer that falls out of a list stays
 *   in the set (§10.7.3: "x can maintain the now inferior peers as neighbors, but it MUST remember
 *   the closer ones"), so when a neighbour fails the best remaining peer takes its place at once
 *   (§10.7.1: "replace it with the best match it has from the other peers in its Routing Table").
 * - finger i (1..128) holds a peer in [x+2^(128-i), x+2^(129-i)-1] (§10.7.4.2); the entry chosen
 *   first is kept while it lives (§10.7.4.2 prefers random entries to strictly spaced ones).
 *
 * A peer enters the set only when it is known to be a peer (it sent an Update, answered an
 * Attach as the responsible peer, was named in a neighbour's Update, or admitted by us) and a
 * link to it is in the link table (§6.5.1: an Attach alone does not put a node in the Routing
 * Table). It leaves when its link goes or it leaves the overlay.
 */
import { nodeIdKey } from '../../forwarding/index.js';
import { upperBound } from '../../wire/codec/sorted.js';
import type { NodeId } from '../../wire/ids.js';
import { clockwise, fingerIndex, fingerRangeStart, ringPosition } from './ring.js';

/** A peer in the routing table. */
export interface RoutingEntry {
  readonly id: NodeId;
  /** nodeIdKey(id). */
  readonly key: string;
  readonly pos: bigint;
  /** Clockwise distance from this peer. */
  readonly dist: bigint;
  /** Finger index (1..128) of its position. */
  readonly finger: number;
}

const byDistance = (e: RoutingEntry): bigint => e.dist;

export class RoutingTable {
  readonly selfPos: bigint;
  readonly selfKey: string;
  private readonly entries = new Map<string, RoutingEntry>();
  private readonly fingerChoice = new Map<number, string>();
  private succ: RoutingEntry[] = [];
  private pred: RoutingEntry[] = [];
  /**
   * Every entry, by clockwise distance from this peer, nearest first: the lists are its two ends,
   * and routing (chord-router.ts) finds the entry nearest a target by binary search instead of a
   * pass over the table, whose size grows with the overlay (an early peer of a 2,000-peer overlay
   * holds links to some 600 peers that took it as a finger).
   */
  private sorted: RoutingEntry[] = [];
  /** The spans of the lists, as `withinNeighbourSpans` takes them (undefined while a list is short). */
  private succSpan: bigint | undefined;
  private predSpan: bigint | undefined;

  constructor(
    readonly self: NodeId,
    readonly maxSuccessors: number,
    readonly maxPredecessors: number,
  ) {
    this.selfPos = ringPosition(self);
    this.selfKey = nodeIdKey(self);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Every peer in the table, by clockwise distance from this peer (nearest successor first). */
  get members(): readonly RoutingEntry[] {
    return this.sorted;
  }

  /**
   * The index in `members` of the first entry whose clockwise distance is greater than `dist`
   * (members.length when none is): the entries before it are at or before that point of the ring.
   */
  indexAfter(dist: bigint): number {
    return upperBound(this.sorted, byDistance, dist);
  }

  /** Nearest first. */
  get successors(): readonly RoutingEntry[] {
    return this.succ;
  }

  /** Nearest first. */
  get predecessors(): readonly RoutingEntry[] {
    return this.pred;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): RoutingEntry | undefined {
    return this.entries.get(key);
  }

  /** An entry for `id` (not inserted). */
  entryFor(id: NodeId): RoutingEntry {
    const pos = ringPosition(id);
    const dist = clockwise(this.selfPos, pos);
    return { id: id.slice(), key: nodeIdKey(id), pos, dist, finger: dist === 0n ? 0 : fingerIndex(dist) };
  }

  /** Insert a peer; returns false when it was there already (or is this peer). */
  add(id: NodeId): boolean {
    const e = this.entryFor(id);
    if (e.key === this.selfKey || this.entries.has(e.key)) return false;
    this.entries.set(e.key, e);
    if (!this.fingerChoice.has(e.finger)) this.fingerChoice.set(e.finger, e.key);
    this.sorted.splice(this.indexAfter(e.dist), 0, e);
    this.derive();
    return true;
  }

  /** Remove a peer; returns false when it was not there. */
  remove(key: string): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    this.entries.delete(key);
    // Node-IDs are distinct, so is each distance: the entry sits where its distance does.
    const at = this.indexAfter(e.dist) - 1;
    if (this.sorted[at] === e) this.sorted.splice(at, 1);
    if (this.fingerChoice.get(e.finger) === key) {
      // §10.7.2: "replaced with the closest preceding peer" in that range, if any is known.
      this.fingerChoice.delete(e.finger);
      let best: RoutingEntry | undefined;
      for (const m of this.entries.values()) if (m.finger === e.finger && (!best || m.dist < best.dist)) best = m;
      if (best) this.fingerChoice.set(e.finger, best.key);
    }
    this.derive();
    return true;
  }

  /** Whether `id` would enter the successor or predecessor list (§10.7.3 "closer than entries in the Neighbor Table"). */
  wouldBeNeighbour(id: NodeId): boolean {
    const pos = ringPosition(id);
    return pos !== this.selfPos && withinNeighbourSpans(this.selfPos, pos, this.succSpan, this.predSpan);
  }

  /**
   * The `n` nearest peers after (`succ`) or before (`pred`) this one that pass `accept`, looking
   * past the lists into the whole table (e.g. the nearest peers whose links are usable).
   */
  nearest(direction: 'succ' | 'pred', n: number, accept: (e: RoutingEntry) => boolean): RoutingEntry[] {
    const out: RoutingEntry[] = [];
    const a = this.sorted;
    const last = a.length - 1;
    for (let i = 0; i <= last && out.length < n; i++) {
      const e = a[direction === 'succ' ? i : last - i]!;
      if (accept(e)) out.push(e);
    }
    return out;
  }

  /** Whether the peer is in the successor or predecessor list. */
  isNeighbour(key: string): boolean {
    return this.succ.some((e) => e.key === key) || this.pred.some((e) => e.key === key);
  }

  /** The entry of finger `i`, if valid. */
  finger(i: number): RoutingEntry | undefined {
    const key = this.fingerChoice.get(i);
    return key === undefined ? undefined : this.entries.get(key);
  }

  /** Distinct finger entries, in numerically ascending Node-ID order (§10.7 `full` Update). */
  fingers(): RoutingEntry[] {
    const out: RoutingEntry[] = [];
    for (const key of new Set(this.fingerChoice.values())) {
      const e = this.entries.get(key);
      if (e) out.push(e);
    }
    return out.sort((a, b) => (a.pos < b.pos ? -1 : a.pos > b.pos ? 1 : 0));
  }

  /**
   * Whether finger range `i` lies wholly within the span the successor list covers: then every
   * peer in it is a known successor, and searching it is pointless (§10.7.4.3: "the Finger Table
   * is large enough to contain at least the final successor").
   */
  coveredBySuccessors(i: number): boolean {
    const last = this.succ[this.succ.length - 1];
    if (!last || this.succ.length < this.maxSuccessors) return false;
    return 2n * fingerRangeStart(i) - 1n <= last.dist;
  }

  /**
   * The finger indices worth keeping (§10.7.4.3): 1..max(minFingers, the final successor's index),
   * minus those covered by the successor list.
   */
  fingerIndices(minFingers: number): number[] {
    const last = this.succ[this.succ.length - 1];
    const size = Math.min(128, Math.max(minFingers, last ? last.finger : 0));
    const out: number[] = [];
    for (let i = 1; i <= size; i++) if (!this.coveredBySuccessors(i)) out.push(i);
    return out;
  }

  /** The lists from the ends of `sorted`: successors from the near end, predecessors (nearest first) from the far end. */
  private derive(): void {
    const a = this.sorted;
    const succ = a.slice(0, Math.max(0, this.maxSuccessors));
    const pred: RoutingEntry[] = [];
    for (let i = a.length - 1; i >= 0 && pred.length < this.maxPredecessors; i--) pred.push(a[i]!);
    this.succ = succ;
    this.pred = pred;
    // A full list spans up to its last entry; a list kept at most 0 long takes no peer (0n).
    const lastPred = pred[this.maxPredecessors - 1];
    this.succSpan = succ.length < this.maxSuccessors ? undefined : (succ[this.maxSuccessors - 1]?.dist ?? 0n);
    this.predSpan = pred.length < this.maxPredecessors ? undefined : lastPred ? clockwise(lastPred.pos, this.selfPos) : 0n;
  }
}

/**
 * RFC 6940 §10.7.3: whether a peer at `pos` would enter the neighbour lists of the peer at `at`
 * ("closer than entries in the Neighbor Table"), whose successor list spans `succSpan` clockwise
 * and whose predecessor list spans `predSpan` counter-clockwise. A span is undefined while its
 * list is short: a short list takes any peer. Used for our own lists (`wouldBeNeighbour`) and for
 * a neighbour's lists as its last Update gave them (chord-stabilization.ts).
 */
export function withinNeighbourSpans(at: bigint, pos: bigint, succSpan: bigint | undefined, predSpan: bigint | undefined): boolean {
  return succSpan === undefined || predSpan === undefined || clockwise(at, pos) < succSpan || clockwise(pos, at) < predSpan;
}
