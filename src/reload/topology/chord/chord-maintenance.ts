/**
 * Keeping the CHORD-RELOAD routing table right (RFC 6940 §10.7): taking in peers named by Updates
 * and Leaves (attaching to them first), reacting to changes of the Neighbor Table (Updates to the
 * routing table, replication, §10.7.3) and to failed links (§10.7.1, §10.7.2). The periodic
 * stabilization of §10.7.4 is in chord-stabilization.ts.
 */
import { nodeIdKey, type LinkTableEvent } from '../../forwarding/index.js';
import type { Timer } from '../../runtime/components.js';
import type { NodeId } from '../../wire/ids.js';
import { ChordUpdateType, type ChordUpdate } from '../../wire/methods/chord.js';
import { node, refusedHere, type ChordCore, type UpdateOutcome } from './chord-core.js';
import { HeldBackNeighbours } from './chord-held-back.js';
import { NeighbourReattach } from './chord-reattach.js';
import { ChordReplication } from './chord-replication.js';
import { sameId } from './ring.js';
import type { RoutingEntry } from './routing-table.js';

/** What maintenance asks of stabilization when a peer is lost or an Update arrives. */
export interface RepairHooks {
  /** Ask the far ends of the neighbour lists for their tables. */
  pull(): void;
  /** Look for a new entry for finger `i`. */
  searchFinger(i: number): Promise<void>;
  /** An Update arrived from `sender` (for the adjacency check). */
  noteUpdate(sender: NodeId, update: ChordUpdate): void;
  /** Whether our neighbour lists would change `e`'s, as its last Update gave them. */
  wouldChange(e: RoutingEntry): boolean;
  /** An Update from `sender` has been taken in: tell it of nearer peers its lists lack. */
  answerUpdate(sender: NodeId): void;
  /** A neighbour was lost: Attach to the peers our other neighbours named that our lists now take. */
  reconsiderHeard(): void;
  /** A neighbour whose last Update, received after `since` (ms), names `key`, with a usable link (to Attach through, §10.6). */
  namedBy(key: string, since: number): NodeId | undefined;
  /** Ask neighbour `id` for its lists (RouteQuery with send_update, §10.8): its `full` Update follows the answer. */
  requestTable(id: NodeId): Promise<UpdateOutcome>;
  /** Every peer of the Routing Table was lost: look for the ring again through a bootstrap node. */
  alone(): void;
  /** The peer `key` was lost (failed or left): if a bootstrap node, check for a partition through the bootstrap addresses (§10.7.4.4). */
  bootstrapLost(key: string): void;
  /** Our first predecessor or first successor changed: check soon that it lists us adjacent (chord-stabilization.ts). */
  adjacencyChanged(): void;
}

/** An Attach in flight; `reattach`: to a neighbour lost with its link (chord-reattach.ts), no part of a change to announce. */
interface InFlightAttach {
  readonly settled: Promise<void>;
  readonly reattach: boolean;
}

export class ChordMaintenance {
  private readonly inFlight = new Map<string, InFlightAttach>();
  /** Attaches this peer refused itself (refusedHere), waiting to be tried again (retryRefused). */
  private readonly refusedRetries = new Map<string, Timer>();
  /** Neighbours lost with their links, waiting for the Attach that may bring them back. */
  private readonly reattach: NeighbourReattach;
  /** Would-be neighbours held back, sought again when their hold-back ends (chord-held-back.ts). */
  private readonly heldBack: HeldBackNeighbours;
  private flushTimer: Timer | undefined;
  private held = 0;
  private flushWanted = false;
  /** The pending round goes to the whole Connection Table (else the Neighbor Table suffices, §10.7.1). */
  private flushToAll = false;
  /** The data moves of §10.4 / §10.7.3 as the tables change. */
  private readonly replication: ChordReplication;
  private neighbourKeys = '';
  private neighbourPred0: string | undefined;
  private neighbourSucc0: string | undefined;
  private lastChangeAt = 0;
  private unsubscribe: (() => void) | undefined;
  /** The reactive repairs of stabilization (chord-stabilization.ts), wired by the plug-in. */
  repair: RepairHooks = { pull: () => {}, searchFinger: () => Promise.resolve(), noteUpdate: () => {}, wouldChange: () => true, answerUpdate: () => {}, reconsiderHeard: () => {}, namedBy: () => undefined, requestTable: () => Promise.resolve('failed'), alone: () => {}, bootstrapLost: () => {}, adjacencyChanged: () => {} };

  constructor(private readonly core: ChordCore) {
    this.replication = new ChordReplication(core);
    this.reattach = new NeighbourReattach(core, {
      namedBy: (key, since) => this.repair.namedBy(key, since),
      attaching: (key) => this.inFlight.has(key),
      attach: (id, via) => this.attachTo(id, via, 0, true),
      requestTable: (id) => this.repair.requestTable(id),
    });
    this.heldBack = new HeldBackNeighbours(core, {
      namedBy: (key, since) => this.repair.namedBy(key, since),
      attaching: (key) => this.inFlight.has(key),
      attach: (id, via) => this.attachTo(id, via, 0, false, true),
    });
    this.unsubscribe = core.deps.forwarding.onLinkEvent((e) => this.onLinkEvent(e));
  }

  // ── Taking in peers ─────────────────────────────────────────────────────────────────────

  /** A peer known to be in the ring with a usable link: into the routing table. */
  addPeer(id: NodeId): void {
    const key = nodeIdKey(id);
    if (key === this.core.selfKey || this.core.stopped || !this.core.deps.forwarding.isUsable(id)) return;
    this.core.clearFailed(key);
    if (this.core.table.add(id)) this.tableChanged();
  }

  /**
   * Peers named as peers by `learnedFrom` (in an Update or Leave). §10.7.3: those that "should be
   * in x's Neighbor Table ... x MUST attempt to Attach to the new peers, and if it is successful,
   * it MUST adjust its neighbor set accordingly". Peers we already have a link to are taken at once.
   */
  consider(ids: readonly NodeId[], learnedFrom: NodeId | undefined): void {
    const t = this.core.table;
    for (const id of ids) {
      const key = nodeIdKey(id);
      if (key === this.core.selfKey || t.has(key)) continue;
      // By the key already made (isUsableKey): this runs for every peer named in every Update.
      if (this.core.deps.forwarding.isUsableKey(key)) {
        this.addPeer(id);
        continue;
      }
      if (this.core.recentlyFailed(key) || this.inFlight.has(key)) continue;
      if (t.wouldBeNeighbour(id)) this.attachTo(id, learnedFrom);
    }
  }

  /**
   * Attach to `id` (§10.6: "it MUST source-route the Attach request through the peer from which it
   * learned the new peer's Node-ID") and take it in. `reattach`: to a neighbour lost with its link.
   * `last`: the attempt at the end of a hold-back (chord-held-back.ts), whose failure arms no other.
   */
  private attachTo(id: NodeId, via: NodeId | undefined, refusals = 0, reattach = false, last = false): void {
    const key = nodeIdKey(id);
    this.refusedRetries.get(key)?.cancel();
    this.refusedRetries.delete(key);
    // Through `via` when we are linked to it: two hops (us → via → id), TTL 1 (LINK_LOCAL's reason:
    // a target `via` has no link to is refused at once rather than chased across the overlay).
    const sourceRouted = via !== undefined && !sameId(via, this.core.self) && !sameId(via, id) && this.core.deps.forwarding.isUsable(via);
    const route = sourceRouted ? [node(via), node(id)] : [node(id)];
    const settled = this.core.deps.connector
      .attach(route, sourceRouted ? { ttl: 1 } : {})
      .then((got) => {
        if (sameId(got, id)) this.addPeer(id);
      })
      .catch((e: unknown) => {
        this.core.log.debug('attach failed', { target: key, error: String(e) });
        if (refusedHere(e)) this.retryRefused(id, via, refusals, reattach, last);
        else {
          this.core.markFailed(key);
          // Sought again when the hold-back ends (chord-held-back.ts); a lost neighbour, by chord-reattach.ts.
          if (!reattach && !last && this.core.table.wouldBeNeighbour(id)) this.heldBack.heldBack(id, key);
        }
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, { settled, reattach });
  }

  /**
   * OUR CHOICE: an Attach that this peer refused or failed itself (refusedHere: its caps on peer
   * connections or pending requests, or ICE parameters its WebRTC stack did not give; nothing
   * reached the target) is no failure of its target, which §10.7.1's
   * failure handling (markFailed) is about: the target is not held back, and the Attach is tried
   * again later (ChordCore.refusedRetryWait: REFUSED_RETRY_MS, doubling, REFUSED_RETRIES times) while the peer
   * still belongs in our Neighbor Table and has not failed since. Marked failed, a healthy
   * neighbour was kept out of our lists for failedPeerMemoryMs, and no Update would name it to us
   * again before then. (A neighbour lost with its link is held back from the loss on; the refusal
   * of our Attach to it is retried all the same.)
   */
  private retryRefused(id: NodeId, via: NodeId | undefined, refusals: number, reattach: boolean, last: boolean): void {
    const key = nodeIdKey(id);
    if (this.core.stopped) return;
    const wait = this.core.refusedRetryWait(refusals);
    if (wait === undefined) return;
    const refusedAt = this.core.deps.clock.now();
    const timer = this.core.deps.clock.setTimer(wait, () => {
      this.refusedRetries.delete(key);
      const t = this.core.table;
      if (this.core.stopped || t.has(key) || this.inFlight.has(key) || this.core.failedSince(key, refusedAt)) return;
      if (this.core.deps.forwarding.isUsable(id)) this.addPeer(id);
      else if (t.wouldBeNeighbour(id)) this.attachTo(id, via, refusals + 1, reattach, last);
    });
    this.refusedRetries.set(key, timer);
  }

  /**
   * Resolves when every Attach in flight to a newly named peer has settled. Not those to
   * neighbours lost with their links (chord-reattach.ts): they are no part of the change being
   * announced, and one to a half-dead peer lasts its whole transaction.
   */
  async attachesSettled(): Promise<void> {
    for (;;) {
      const pending = this.namedAttaches();
      if (pending.length === 0) return;
      await Promise.allSettled(pending);
    }
  }

  private namedAttaches(): Promise<void>[] {
    const pending: Promise<void>[] = [];
    for (const a of this.inFlight.values()) if (!a.reattach) pending.push(a.settled);
    return pending;
  }

  private hasNamedAttaches(): boolean {
    for (const a of this.inFlight.values()) if (!a.reattach) return true;
    return false;
  }

  /** §10.7.3: an Update from `sender` (a peer). */
  onUpdate(sender: NodeId, update: ChordUpdate): void {
    if (this.core.stopped) return;
    this.repair.noteUpdate(sender, update);
    this.consider([sender], undefined);
    if (update.type === ChordUpdateType.neighbors || update.type === ChordUpdateType.full) {
      this.consider([...update.predecessors, ...update.successors], sender);
    }
    // OUR CHOICE: the fingers of a `full` Update are not taken in (§10.7.3 asks only for the peers
    // that should be in the Neighbor Table, and those are in its lists). Fingers come from our own
    // searches (§10.5 step 3, §10.7.4.2). Taking them was a rich-get-richer loop: a joining node's
    // lists are short, so it Attached to every finger of AP (chosen by AP's own AP, and so on back
    // to when the ring was small), and the first peers stayed everyone's fingers. Building 2,000
    // peers (seed 1), the largest Routing Table held 623 peers (434 used it as a finger; mean 32.1
    // peers), against 118 (mean 26.7) without. The cost: the hubs' many links made routes shorter,
    // so lookups take 8-16 % more hops (300 peers: 3.70 against 3.41; 10,000: 5.93 against 5.11),
    // still under the ½·log2 N of Chord's fingers.
    if (update.type !== ChordUpdateType.peer_ready) this.repair.answerUpdate(sender);
    // A lost neighbour it was asked about may be Attached to now (chord-reattach.ts).
    this.reattach.updateFrom(nodeIdKey(sender), update.type);
  }

  /**
   * §10.9: "Any peer which receives a Leave for a peer n in its neighbor set MUST follow procedures
   * as if it had detected a peer failure as described in Section 10.7.1"; the lists it carries are
   * the best replacements.
   */
  onLeave(leaving: NodeId, replacements: readonly NodeId[]): void {
    const key = nodeIdKey(leaving);
    this.core.markFailed(key);
    this.reattach.forget(key);
    // Not a failure: the hold-down of §10.7.1 waits for "a triggered update to inform it of a better
    // match", and the Leave names the replacements already.
    this.peerLost(key, false);
    this.consider(replacements, undefined);
  }

  // ── Failures (§10.7.1, §10.7.2) ──────────────────────────────────────────────────────────

  private onLinkEvent(e: LinkTableEvent): void {
    if (e.type === 'state') {
      // A neighbour's link turned suspect (or recovered): the usable replica set and range may move.
      if (this.core.table.has(nodeIdKey(e.nodeId))) this.tableChanged(e.state === 'suspect');
      return;
    }
    if (e.type !== 'removed') return;
    const key = nodeIdKey(e.nodeId);
    // A link replaced by a newer one to the same peer is removed and added in one go.
    queueMicrotask(() => {
      if (this.core.deps.forwarding.getLink(e.nodeId) || !this.core.table.has(key)) return;
      const wasNeighbour = this.core.table.isNeighbour(key);
      this.core.markFailed(key);
      this.peerLost(key);
      // §10.7.1: "A peer MAY attempt to reestablish connectivity with a lost neighbor" (chord-reattach.ts).
      if (wasNeighbour) this.reattach.linkLost(e.nodeId, e.reason);
    });
  }

  /** Remove a failed or departed peer and repair around it. */
  private peerLost(key: string, failure = true): void {
    const t = this.core.table;
    const entry = t.get(key);
    const wasNeighbour = t.isNeighbour(key);
    if (!entry || !t.remove(key)) return;
    this.core.log.debug('peer lost', { peer: key });
    this.tableChanged(failure, true);
    if (this.core.stopped || this.core.state !== 'joined') return;
    if (t.size === 0) {
      this.repair.alone();
      return;
    }
    this.repair.bootstrapLost(key);
    // §10.7.2: "If using reactive recovery, the peer MUST initiate a search for a new Finger Table entry".
    if (this.core.params.reactive && t.finger(entry.finger) === undefined && t.fingerIndices(this.core.params.minFingers).includes(entry.finger)) {
      void this.repair.searchFinger(entry.finger);
    }
    if (wasNeighbour) this.repair.reconsiderHeard();
    if (t.successors.length === 0 || t.predecessors.length < this.core.params.predecessors || t.successors.length < this.core.params.successors) this.repair.pull();
  }

  // ── Changes of the Neighbor Table ────────────────────────────────────────────────────────

  /**
   * Act on a change of the routing table or of a member's link (§10.7.1, §10.7.3). `failure`: a
   * peer was lost or its link went suspect (the replication hold-down applies); `lost`: a peer
   * failed, went suspect or left (§10.9: handled "as if it had detected a peer failure").
   */
  tableChanged(failure = false, lost = failure): void {
    const t = this.core.table;
    const keys = `${t.predecessors.map((e) => e.key).join()}|${t.successors.map((e) => e.key).join()}`;
    const joined = this.core.state === 'joined';
    if (keys !== this.neighbourKeys) {
      // Our range is (first predecessor, us]: it changed with the first predecessor.
      const rangeChanged = t.predecessors[0]?.key !== this.neighbourPred0;
      const adjacencyChanged = rangeChanged || t.successors[0]?.key !== this.neighbourSucc0;
      this.neighbourKeys = keys;
      this.neighbourPred0 = t.predecessors[0]?.key;
      this.neighbourSucc0 = t.successors[0]?.key;
      if (joined && adjacencyChanged) this.repair.adjacencyChanged();
      this.lastChangeAt = this.core.deps.clock.now();
      this.core.emit({ type: 'neighbors', predecessors: t.predecessors.map((e) => e.id), successors: t.successors.map((e) => e.id) });
      // §10.7.3: "if the Neighbor Table changes and the peer is using reactive recovery, the peer MUST
      // send an Update request to each member of its Connection Table"; and "When a peer discovers
      // that its range of responsible IDs has changed, it MUST send an Update to all entries in its
      // Connection Table" (which it does whatever the recovery mode). §10.7.1, after a failure: "the
      // peer MUST send an immediate Update to all nodes in its Neighbor Table ... If the neighbor
      // failure affects the peer's range of responsible IDs, then the Update MUST be sent to all
      // nodes in its Connection Table". With periodic recovery (chord-reactive false, §11.1) a
      // change that leaves the range alone goes to the Neighbor Table only: OUR CHOICE, the peers
      // whose lists it concerns hear it at once instead of at the next chord-update-interval
      // (§10.7.4.1), without the Connection-Table-wide round that reactive recovery requires.
      if (joined) this.scheduleFlush(rangeChanged || (this.core.params.reactive && !lost));
    }
    if (joined) this.replication.track(failure);
  }

  /** Start following the replica set and range from the current tables (on joining). */
  resetReplicationState(): void {
    const t = this.core.table;
    this.replication.reset();
    this.neighbourKeys = `${t.predecessors.map((e) => e.key).join()}|${t.successors.map((e) => e.key).join()}`;
    this.neighbourPred0 = t.predecessors[0]?.key;
    this.neighbourSucc0 = t.successors[0]?.key;
  }

  /**
   * `id` is being admitted by us (§10.5 steps 6-8): the range step 6 hands it is not handed to it
   * again when it becomes our first predecessor (chord-replication.ts). Returns the end of the admission.
   */
  admitting(id: NodeId): () => void {
    return this.replication.admitting(nodeIdKey(id));
  }

  /** Hold the Updates of `scheduleFlush` back (while admitting a joining peer, §10.5 steps 6-8). */
  hold(): void {
    this.held++;
  }

  release(): void {
    this.held = Math.max(0, this.held - 1);
    // The scope asked for while held stands (flushToAll); releasing adds none.
    if (this.held === 0 && this.flushWanted) this.scheduleFlush(false);
  }

  /**
   * Send `neighbors` Updates, once changes have settled: to every peer of the routing table (our
   * Connection Table for Chord's purposes) when `toAll`, else to the Neighbor Table (§10.7.1).
   */
  scheduleFlush(toAll = true): void {
    this.flushWanted = true;
    this.flushToAll ||= toAll;
    if (this.held > 0 || this.flushTimer || this.core.stopped) return;
    this.flushTimer = this.core.deps.clock.setTimer(this.core.params.updateDelayMs, () => {
      this.flushTimer = undefined;
      if (this.held > 0 || this.core.state !== 'joined') return;
      // §10.7.3: "After any Pings and Attaches are done, if the Neighbor Table changes ... the peer
      // MUST send an Update request": while Attaches to newly named peers are in flight, their
      // outcome is part of the same change, so one round of Updates announces all of it.
      if (this.hasNamedAttaches()) {
        void this.attachesSettled().then(() => this.scheduleFlush(false));
        return;
      }
      this.flushWanted = false;
      const t = this.core.table;
      const targets = this.flushToAll ? t.members : this.neighbourTargets();
      this.flushToAll = false;
      for (const e of targets) void this.core.sendUpdate(e.id, 'neighbors');
    });
  }

  /**
   * The Neighbor Table, as targets of a round that is not for the whole Connection Table. With
   * reactive recovery all of it (§10.7.1: "send an immediate Update to all nodes in its Neighbor
   * Table"). With periodic recovery the round is ours (tableChanged), and OUR CHOICE: it leaves out
   * a neighbour whose lists, as its last Update gave them, would not change (§10.7.3's test, made
   * on its behalf): in a join, the joining node's own Updates (§10.5 step 9) reach every peer whose
   * lists take it, so this round matters only where several peers join or fail near each other.
   */
  private neighbourTargets(): Set<RoutingEntry> {
    const t = this.core.table;
    const all = new Set([...t.predecessors, ...t.successors]);
    if (this.core.params.reactive) return all;
    for (const e of all) if (!this.repair.wouldChange(e)) all.delete(e);
    return all;
  }

  stop(): void {
    this.flushTimer?.cancel();
    for (const timer of this.refusedRetries.values()) timer.cancel();
    this.refusedRetries.clear();
    this.reattach.stop();
    this.heldBack.stop();
    this.replication.stop();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** When the Neighbor Table last changed (ms of the injected clock). */
  get lastChange(): number {
    return this.lastChangeAt;
  }
}
