/**
 * CHORD-RELOAD routing (RFC 6940 §10.3) as forwarding's Router (reload/forwarding/router.ts),
 * over the routing table and the link table's view of which links are usable. On every relayed
 * message's path, so it works on cached bigint distances only.
 */
import type { Router, RoutingTarget } from '../../forwarding/index.js';
import type { NodeId } from '../../wire/ids.js';
import { clockwise, inHalfOpen, ringPosition } from './ring.js';
import type { RoutingEntry, RoutingTable } from './routing-table.js';

export interface ChordRouterDeps {
  readonly table: RoutingTable;
  /** Whether the link to the peer of this nodeIdKey is in the link table and open (forwarding.isUsableKey: no key string built per routing decision). */
  readonly isUsableKey: (key: string) => boolean;
  /** Whether this peer is part of the ring and answers for its range (join state). */
  readonly inRing: () => boolean;
}

export class ChordRouter implements Router {
  /** Whether a routing entry's link is usable (by key when possible: this runs for every member on every hop). */
  readonly usable: (e: RoutingEntry) => boolean;

  constructor(private readonly deps: ChordRouterDeps) {
    const byKey = deps.isUsableKey;
    this.usable = (e) => byKey(e.key);
  }

  /**
   * §10.1: "A peer, x, is responsible for a particular Resource-ID, k, if k is less than or equal
   * to x and k is greater than p, where p is the Node-ID of the previous peer in the Neighbor
   * Table." A peer alone (no predecessor) is responsible for the whole ring; a peer not (yet) in
   * the ring for nothing.
   */
  isResponsible(target: RoutingTarget): boolean {
    if (!this.deps.inRing()) return false;
    return this.responsibleFor(ringPosition(target.kind === 'node' ? target.nodeId : target.resourceId));
  }

  /**
   * OUR CHOICE: "the previous peer" is the nearest predecessor whose link is usable. While a failed
   * predecessor's link is suspect (before it is declared dead, §10.7.1), its successor answers for
   * its range — from the replicas it holds (§10.4) — instead of sending requests back round the
   * ring to peers that still route them here.
   */
  responsibleFor(pos: bigint): boolean {
    const pred = this.effectivePredecessor();
    return pred === undefined || inHalfOpen(pos, pred.pos, this.deps.table.selfPos);
  }

  /**
   * The predecessor whose range ends where ours begins: the nearest one with a usable link (see
   * above), looking past the predecessor list into the routing table when every predecessor in the
   * list is suspect (several neighbours failed at once: their successor answers for all their
   * ranges until they are declared dead, instead of routing their Resource-IDs to peers that send
   * them back to it). Only as far back as twice the span of the predecessor list (the next few
   * peers, not a far finger: that would claim a large part of the ring), and never a successor;
   * with nothing usable there, the nearest predecessor still bounds the range.
   */
  effectivePredecessor(): RoutingEntry | undefined {
    const t = this.deps.table;
    const preds = t.predecessors;
    for (const e of preds) if (this.usable(e)) return e;
    const last = preds[preds.length - 1];
    if (last === undefined) return undefined;
    const reach = 2n * clockwise(last.pos, t.selfPos);
    const members = t.members;
    for (let i = members.length - 1 - preds.length; i >= t.successors.length; i--) {
      const e = members[i]!;
      if (clockwise(e.pos, t.selfPos) > reach) break;
      if (this.usable(e)) return e;
    }
    return preds[0];
  }

  /**
   * §10.3: "If a peer is not responsible for a Resource-ID k, but is directly connected to a node
   * with Node-ID k, then it MUST route the message to that node. Otherwise, it MUST route the
   * request to the peer in the Routing Table that has the largest Node-ID that is in the interval
   * between the peer and k. If no such node is found, the peer finds the smallest Node-ID that is
   * greater than k and MUST route the message to that node."
   *
   * OUR CHOICE, before the general rule: when k falls within the span our Neighbor Table covers,
   * the neighbour responsible for k is known (the first one at or after k), and the message goes
   * straight to it instead of to its predecessor. This saves the last hop of most lookups and
   * never moves a message further from k than the RFC's rule would.
   */
  nextHop(target: RoutingTarget, exclude: ReadonlySet<string>): NodeId | undefined {
    const t = this.deps.table;
    const k = ringPosition(target.kind === 'node' ? target.nodeId : target.resourceId);
    const dk = clockwise(t.selfPos, k);
    const usable = this.usable;
    const ok = (e: RoutingEntry) => !exclude.has(e.key) && usable(e);

    const known = this.knownResponsible(k, dk, ok);
    if (known) return known.id;

    // members is sorted by clockwise distance: the entries up to index `split` lie in (self, k].
    const members = t.members;
    const split = t.indexAfter(dk);
    // "largest Node-ID that is in the interval between the peer and k" (k itself: that node is k).
    for (let i = split - 1; i >= 0; i--) if (ok(members[i]!)) return members[i]!.id;
    // Else the nearest one past k.
    for (let i = split; i < members.length; i++) if (ok(members[i]!)) return members[i]!.id;
    return undefined;
  }

  /**
   * The neighbour responsible for k when k lies in the span (last predecessor, last successor]
   * that the Neighbor Table covers; undefined otherwise (or when it is this peer). When that
   * neighbour's link is not `ok` (suspect, or excluded), the next neighbour after it that is: the
   * peer that answers for a suspect predecessor's range (effectivePredecessor), or that knows the
   * way back to it. Sending past k to a peer that does not cover k from its side instead would have
   * it route the message the RFC's way, round the ring to us again.
   */
  private knownResponsible(k: bigint, dk: bigint, ok: (e: RoutingEntry) => boolean): RoutingEntry | undefined {
    const t = this.deps.table;
    const succ = t.successors;
    const pred = t.predecessors;
    const lastSucc = succ[succ.length - 1];
    if (lastSucc && dk !== 0n && dk <= lastSucc.dist) {
      for (const e of succ) if (e.dist >= dk && ok(e)) return e;
      return undefined;
    }
    const lastPred = pred[pred.length - 1];
    if (lastPred && inHalfOpen(k, lastPred.pos, t.selfPos)) {
      // Nearest-first predecessors: those at or after k are a prefix; the responsible one is its
      // last (the farthest), then the nearer ones.
      let end = 0;
      while (end < pred.length && clockwise(k, pred[end]!.pos) < clockwise(k, t.selfPos)) end++;
      for (let i = end - 1; i >= 0; i--) if (ok(pred[i]!)) return pred[i];
    }
    return undefined;
  }
}
