/**
 * The periodic stabilization of CHORD-RELOAD (RFC 6940 §10.7.4): Updates to the Neighbor Table
 * every chord-update-interval (§10.7.4.1), the finger refresh (§10.7.4.2), partition detection
 * (§10.7.4.4), and the table requests that grow short neighbour lists back (§10.7.1). Every timer
 * comes from the injected Clock.
 */
import { nodeIdKey } from '../../forwarding/index.js';
import type { Timer } from '../../runtime/components.js';
import { fromHex } from '../../wire/codec/hex.js';
import type { NodeId } from '../../wire/ids.js';
import { ChordUpdateType, type ChordUpdate } from '../../wire/methods/chord.js';
import { LINK_LOCAL, node, refusedHere, resource, type ChordCore, type UpdateOutcome } from './chord-core.js';
import type { ChordMaintenance, RepairHooks } from './chord-maintenance.js';
import { clockwise, fingerRangeStart, idAt, randomInFingerRange, ringAdd, ringPosition, sameId } from './ring.js';
import { withinNeighbourSpans, type RoutingEntry } from './routing-table.js';

/** A neighbour's lists as its last Update gave them (§10.7.3). */
interface HeardTable {
  readonly pred0: string | undefined;
  readonly succ0: string | undefined;
  /** Keys of every peer in its lists (a few: an array is a fraction of a Set's size). */
  readonly known: readonly string[];
  /** Clockwise distance to its last successor, when its successor list is full. */
  readonly succSpan: bigint | undefined;
  /** Counter-clockwise distance to its last predecessor, when its predecessor list is full. */
  readonly predSpan: bigint | undefined;
  /** Its lists, as one string (to tell whether they changed since). */
  readonly lists: string;
  /** When the Update came (ms of the injected clock). */
  readonly at: number;
}

/** `alone`: the first look for the ring after the last peer was lost (ms, half of it jittered). */
export const ALONE_FIRST_WAIT_MS = 1_000;
/** `alone`: the longest wait between looks (ms). */
export const ALONE_MAX_WAIT_MS = 60_000;
/** `adjacencyChanged`: the wait (ms, plus as much jitter) before checking that a new first neighbour lists us adjacent. */
export const ADJACENCY_CHECK_MS = 5_000;
/** `bootstrapLost`: the most partition checks after a bootstrap node was lost, before the periodic one. */
export const BOOTSTRAP_LOST_LOOKS = 12;

export class ChordStabilization implements RepairHooks {
  private readonly timers = new Set<Timer>();
  /** What each peer's last Update said of its neighbour lists. */
  private readonly heard = new Map<string, HeardTable>();
  /** For each neighbour answered (answerUpdate): our lists and its, as they were then. */
  private readonly answered = new Map<string, string>();
  /** The RouteQuery in flight to each neighbour (requestTable), by key. */
  private readonly tableRequests = new Map<string, Promise<UpdateOutcome>>();
  /** Bootstrap addresses, for §10.7.4.4 partition detection. */
  bootstrap: readonly string[] = [];
  /** The next look for the ring while this peer is alone (`alone`). */
  private aloneTimer: Timer | undefined;
  /** Peers reached through a bootstrap address (the join's step 1, partition checks), by key. */
  private readonly bootstrapNodes = new Set<string>();
  /** The next partition check after a bootstrap node was lost (`bootstrapLost`). */
  private bootstrapTimer: Timer | undefined;
  /** The adjacency check after our first predecessor or successor changed (`adjacencyChanged`). */
  private adjacencyTimer: Timer | undefined;

  constructor(
    private readonly core: ChordCore,
    private readonly maintenance: ChordMaintenance,
  ) {
    maintenance.repair = this;
  }

  noteUpdate(sender: NodeId, update: ChordUpdate): void {
    if (update.type === ChordUpdateType.peer_ready) return;
    const pos = ringPosition(sender);
    const lastSucc = update.successors[update.successors.length - 1];
    const lastPred = update.predecessors[update.predecessors.length - 1];
    // One Update is kept per peer heard (a 10,000-peer overlay holds some 240,000): its keys are the
    // routing table's own strings where it has them, not fresh copies.
    const t = this.core.table;
    const key = (id: NodeId) => {
      const k = nodeIdKey(id);
      return t.get(k)?.key ?? k;
    };
    const preds = update.predecessors.map(key);
    const succs = update.successors.map(key);
    const known = preds.concat(succs);
    this.heard.set(key(sender), {
      pred0: preds[0],
      succ0: succs[0],
      known,
      // Only reactive recovery answers Updates (answerUpdate); a 10,000-peer periodic overlay keeps no such string per entry.
      lists: this.core.params.reactive ? listsKey(preds, succs) : '',
      at: this.core.deps.clock.now(),
      // The widths its lists span: a peer nearer than these enters them (§10.7.3); short lists take any.
      succSpan: update.successors.length >= this.core.params.successors && lastSucc ? clockwise(pos, ringPosition(lastSucc)) : undefined,
      predSpan: update.predecessors.length >= this.core.params.predecessors && lastPred ? clockwise(ringPosition(lastPred), pos) : undefined,
    });
  }

  /**
   * Whether our neighbour lists name a peer that `e`'s lists, as its last Update gave them, lack
   * and would take in (the test of §10.7.3 that `e` makes on receiving them). True when `e` never
   * sent us an Update.
   */
  wouldChange(e: RoutingEntry): boolean {
    const h = this.heard.get(e.key);
    if (!h) return true;
    const t = this.core.table;
    const news = (key: string, pos: bigint) => key !== e.key && !h.known.includes(key) && withinNeighbourSpans(e.pos, pos, h.succSpan, h.predSpan);
    if (news(this.core.selfKey, t.selfPos)) return true;
    for (const n of t.predecessors) if (news(n.key, n.pos)) return true;
    for (const n of t.successors) if (news(n.key, n.pos)) return true;
    return false;
  }

  /**
   * OUR CHOICE (§10.7.1, §10.7.3, §10.7.4.1), with reactive recovery (periodic recovery leaves it
   * to the periodic Updates): a neighbour whose Update lacks a peer that our lists name and that
   * its lists would take in is told at once, with an Update of ours, rather than at our next
   * chord-update-interval. §10.7.1 has a peer that lost a neighbour "replace it with the
   * best match it has from the other peers in its Routing Table" and wait "to allow a triggered
   * update to inform it of a better match"; but when several neighbours fail at once, the best
   * match it has may be a far finger, the neighbours that know better have no change of their own
   * to announce, and only §10.7.4.1's periodic Updates (every 600 s by default) would correct it
   * (§10.7.3: "If the Update contains peers that should be in x's Neighbor Table, x MUST attempt to
   * Attach to the new peers"). Once per state: no answer again until our lists or its change, so
   * two peers that each list one the other cannot reach do not answer each other for ever.
   */
  answerUpdate(sender: NodeId): void {
    const t = this.core.table;
    const key = nodeIdKey(sender);
    const e = t.get(key);
    const h = this.heard.get(key);
    // A joining peer sends no Update before it has joined (§10.5 step 9).
    if (!this.core.params.reactive || this.core.state !== 'joined' || this.core.stopped || !e || !h || !t.isNeighbour(key) || !this.wouldChange(e)) return;
    const state = `${listsKey(t.predecessors.map((n) => n.key), t.successors.map((n) => n.key))}#${h.lists}`;
    if (this.answered.get(key) === state) return;
    this.answered.set(key, state);
    void this.core.sendUpdate(sender, 'neighbors');
  }

  /**
   * §10.7.1: a peer that lost a neighbour MUST "replace it with the best match it has from the other
   * peers in its Routing Table". OUR CHOICE: the peers our remaining neighbours named in their last
   * Updates are matches we have too, and the nearer ones are taken in at once (Attached through the
   * neighbour that named them, §10.6). Without it, a peer whose successor failed silently took the
   * next entry of its table, often a far finger, and kept that gap in its successor list until the
   * next periodic Update of a neighbour (chord-update-interval, §10.7.4.1): with periodic recovery no
   * Update answers ours, and its neighbours, which had lost no one, had nothing to announce. Until
   * then it sent the lookups for the gap past their target, whose peer sent them back round the
   * ring to it: Error_Loop_Detected (the loops behind the 2 failed lookups of a 2,000-peer run with
   * 10-minute sessions).
   */
  reconsiderHeard(): void {
    const t = this.core.table;
    for (const e of [...t.successors, ...t.predecessors]) {
      const h = this.heardFrom(e.key);
      if (!h) continue;
      const named: NodeId[] = [];
      for (const k of h.known) {
        if (k === this.core.selfKey || t.has(k)) continue;
        const id = fromHex(k);
        if (id && t.wouldBeNeighbour(id)) named.push(id);
      }
      if (named.length > 0) this.maintenance.consider(named, e.id);
    }
  }

  /**
   * A neighbour of ours whose last Update, received after `since`, names `key`, with a usable link
   * (chord-reattach.ts): one that reported `key` alive since we lost it. An older Update vouches
   * for nothing: with periodic recovery a neighbour that dropped a crashed peer tells only the
   * neighbours whose lists would change (ChordMaintenance.neighbourTargets), often not us.
   */
  namedBy(key: string, since: number): NodeId | undefined {
    const t = this.core.table;
    for (const e of [...t.successors, ...t.predecessors]) {
      const h = this.heardFrom(e.key);
      if (h && h.at > since && h.known.includes(key) && this.core.deps.forwarding.isUsableKey(e.key)) return e.id;
    }
    return undefined;
  }

  /** The lists of `key`'s last Update, to act on: lists longer than the overlay's sizes are no honest neighbour's. */
  private heardFrom(key: string): HeardTable | undefined {
    const h = this.heard.get(key);
    return h && h.known.length <= this.core.params.predecessors + this.core.params.successors ? h : undefined;
  }

  /** Start the periodic work, each peer at a random offset (§10.7.4.1 "randomly offset"). */
  start(): void {
    const p = this.core.params;
    this.every(p.updateIntervalMs, () => this.stabilize());
    this.every(p.pingIntervalMs, () => this.refreshFingers());
    if (p.partitionCheckIntervalMs > 0) this.every(p.partitionCheckIntervalMs, () => void this.checkPartition());
  }

  stop(): void {
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    this.aloneTimer = undefined;
    this.bootstrapTimer = undefined;
    this.adjacencyTimer = undefined;
  }

  /**
   * OUR CHOICE (§10.7.1, §10.7.3, §10.7.4.1): our first predecessor or first successor changed; once
   * ADJACENCY_CHECK_MS (plus as much jitter) has passed, checkAdjacency asks it for its table unless
   * an Update from it names us adjacent by then. A first predecessor taken from far routing-table
   * entries (§10.7.1 "the best match it has", e.g. after a joiner's admitting peer crashed) is no
   * neighbour of its neighbours: no Update corrects it, and until the periodic stabilization
   * (chord-update-interval, 600 s) the peer answered for a range that was not its own ("not
   * found" for records stored meanwhile, a 1,000-peer `chordphone sim` churn run). In a healthy
   * ring the Updates of a change name us adjacent within moments, and nothing more is sent.
   */
  adjacencyChanged(): void {
    if (this.adjacencyTimer !== undefined || this.core.stopped) return;
    const timer = this.core.deps.clock.setTimer(ADJACENCY_CHECK_MS + this.core.jitter(ADJACENCY_CHECK_MS), () => {
      this.timers.delete(timer);
      this.adjacencyTimer = undefined;
      if (!this.core.stopped && this.core.state === 'joined') this.checkAdjacency();
    });
    this.adjacencyTimer = timer;
    this.timers.add(timer);
  }

  /** `id` answered at a bootstrap address (§11.4 step 1, or a partition check): its loss is `bootstrapLost`'s. */
  reachedBootstrap(id: NodeId): void {
    this.bootstrapNodes.add(nodeIdKey(id));
  }

  /**
   * OUR CHOICE (RFC 6940 §10.7.4.4 leaves the interval open): a peer of our Routing Table that we
   * reached through a bootstrap address was lost (its link failed, or it left). Most often the
   * server it runs in went down, and when it comes back its peer, the overlay's first, starts a
   * ring of its own (its only bootstrap address is its own, §6.4.2.1): every node joining through
   * it from then on is in that ring, apart from ours (no call between the two) until the periodic
   * check (partitionCheckIntervalMs: an hour). So §10.7.4.4's check runs now, and again, backing
   * off as `alone` does (ALONE_FIRST_WAIT_MS doubling up to ALONE_MAX_WAIT_MS), until one reaches a
   * bootstrap node, BOOTSTRAP_LOST_LOOKS times at most (some 4 to 8 minutes: a restart, not a
   * server gone for good, which the periodic check is left to); a partition it finds is healed as
   * the periodic check heals it. Only the peers that had it in their tables look (some of every
   * ring near it): not a check per tab.
   */
  bootstrapLost(key: string): void {
    if (!this.bootstrapNodes.has(key) || this.bootstrapTimer !== undefined || this.bootstrap.length === 0) return;
    const look = (attempt: number) => {
      const wait = Math.min(ALONE_MAX_WAIT_MS, ALONE_FIRST_WAIT_MS * 2 ** attempt);
      const timer = this.core.deps.clock.setTimer(wait / 2 + this.core.jitter(wait / 2), () => {
        this.timers.delete(timer);
        if (this.core.stopped || this.core.state !== 'joined') {
          this.bootstrapTimer = undefined;
          return;
        }
        void this.checkPartition().then((reached) => {
          if (this.bootstrapTimer !== timer) return;
          if (!reached && !this.core.stopped && attempt + 1 < BOOTSTRAP_LOST_LOOKS) look(attempt + 1);
          else this.bootstrapTimer = undefined;
        });
      });
      this.bootstrapTimer = timer;
      this.timers.add(timer);
    };
    look(0);
  }

  /**
   * OUR CHOICE: a joined peer whose Routing Table has become empty (usually every link failed at
   * once: a network outage, or the server all its links go through did not answer for longer
   * than the failure timeout; or the last other peer of a tiny overlay left) runs §10.7.4.4's partition check through a bootstrap node now, not
   * at the next periodic one (partitionCheckIntervalMs: an hour), and again, backing off
   * (ALONE_FIRST_WAIT_MS doubling up to ALONE_MAX_WAIT_MS), for as long as it stays alone. Until it
   * finds the ring it answers for the whole Resource-ID space by itself: every Fetch finds
   * nothing, every Attach to another peer goes unanswered, and a node joining through it is told
   * that the ring is the two of them. The failures it remembers are forgotten (most likely its own).
   */
  alone(): void {
    if (this.aloneTimer !== undefined || this.bootstrap.length === 0) return;
    // Losing every peer is most likely our failure (or the network's), not each of theirs: none is
    // held back as a neighbour for failedPeerMemoryMs once the ring is found again.
    this.core.forgetFailures();
    const stillAlone = () => !this.core.stopped && this.core.state === 'joined' && this.core.table.size === 0;
    const look = (attempt: number) => {
      const wait = Math.min(ALONE_MAX_WAIT_MS, ALONE_FIRST_WAIT_MS * 2 ** attempt);
      const timer = this.core.deps.clock.setTimer(wait / 2 + this.core.jitter(wait / 2), () => {
        this.timers.delete(timer);
        if (!stillAlone()) {
          this.aloneTimer = undefined;
          return;
        }
        this.core.log.info('lost every peer; looking for the ring through a bootstrap node', { attempt });
        void this.checkPartition().finally(() => {
          if (this.aloneTimer !== timer) return;
          if (stillAlone()) look(attempt + 1);
          else this.aloneTimer = undefined;
        });
      });
      this.aloneTimer = timer;
      this.timers.add(timer);
    };
    look(0);
  }

  private every(ms: number, fn: () => void): void {
    const clock = this.core.deps.clock;
    const arm = (delay: number) => {
      const timer = clock.setTimer(delay, () => {
        this.timers.delete(timer);
        if (this.core.stopped) return;
        fn();
        arm(ms);
      });
      this.timers.add(timer);
    };
    arm(this.core.jitter(ms) + 1);
  }

  /**
   * §10.7.4.1: "A peer MUST periodically send an Update request to every peer in its Neighbor
   * Table ... to keep the predecessor and successor lists up to date and to detect failed peers."
   * A neighbour that does not answer is taken as failed (§10.7.1 "the failure of some request").
   * OUR CHOICE: an Update that this peer refused itself (refusedHere: e.g. too many requests of ours
   * pending) is no failure of the neighbour, which keeps its link and place; the next round asks again.
   */
  private stabilize(): void {
    const t = this.core.table;
    this.core.purgeFailed();
    const neighbours = new Map<string, RoutingEntry>();
    for (const e of [...t.predecessors, ...t.successors]) neighbours.set(e.key, e);
    for (const e of neighbours.values()) {
      void this.core.sendUpdate(e.id, 'neighbors').then((outcome) => {
        if (outcome === 'failed' && t.has(e.key) && !this.core.stopped) this.core.deps.forwarding.removeLink(e.id);
      });
    }
    if (t.predecessors.length < this.core.params.predecessors || t.successors.length < this.core.params.successors) this.pull();
    else this.checkAdjacency();
    // §10.7.3: "When peer x detects that it is no longer in the replica set for a resource R ..., it
    // SHOULD delete all data associated with R" — only once the neighbour table has been stable for
    // a hold-down time, so data is not dropped on a transient view.
    if (this.core.deps.clock.now() - this.maintenance.lastChange >= this.core.params.holdDownMs && this.core.state === 'joined') {
      this.core.deps.data.prune().catch((e: unknown) => this.core.log.warn('prune failed', { error: String(e) }));
    }
  }

  /**
   * Chord's stabilize, in Updates: our first successor should list us as its first predecessor,
   * and our first predecessor us as its first successor. When the last Update of either says
   * otherwise (or none came), a peer lies between us that we do not know, or it does not know us:
   * ask it for its table (RouteQuery with send_update), which names the peers in between. Without
   * this, two rings that meet (a healed partition, §10.7.4.4) can settle with one-sided lists.
   */
  private checkAdjacency(): void {
    const t = this.core.table;
    for (const key of this.heard.keys()) if (!t.has(key)) this.heard.delete(key);
    for (const key of this.answered.keys()) if (!t.has(key)) this.answered.delete(key);
    const succ = t.successors[0];
    const pred = t.predecessors[0];
    const self = this.core.selfKey;
    if (succ && this.heard.get(succ.key)?.pred0 !== self) void this.requestTable(succ.id);
    if (pred && pred.key !== succ?.key && this.heard.get(pred.key)?.succ0 !== self) void this.requestTable(pred.id);
  }

  /**
   * RouteQuery with send_update (§6.4.2.4.1) to neighbour `id`, over our link to it: it answers
   * with a `full` Update (§10.8: "the responder SHOULD initiate an Update immediately after sending
   * the RouteQueryAns"). Resolves with what came of the RouteQuery. OUR CHOICE: one in flight per
   * neighbour; callers meanwhile (pull, checkAdjacency, a re-attach) share it and the Update it brings.
   */
  requestTable(id: NodeId): Promise<UpdateOutcome> {
    if (!this.core.deps.forwarding.isUsable(id)) return Promise.resolve('failed');
    const key = nodeIdKey(id);
    const inFlight = this.tableRequests.get(key);
    if (inFlight) return inFlight;
    const request = this.core.deps.transport
      .request([node(id)], { name: 'route_query_req', value: { sendUpdate: true, destination: node(idAt(this.core.table.selfPos + 1n)), overlaySpecificData: new Uint8Array(0) } }, LINK_LOCAL)
      .then(
        () => 'answered' as const,
        (err: unknown) => {
          this.core.log.debug('route query failed', { target: key, error: String(err) });
          return refusedHere(err) ? ('refused' as const) : ('failed' as const);
        },
      )
      .finally(() => this.tableRequests.delete(key));
    this.tableRequests.set(key, request);
    return request;
  }

  /**
   * Ask the far ends of our neighbour lists for their tables (RouteQuery with send_update,
   * §6.4.2.4.1, §10.8): how a short list grows back after failures, and how a peer that lost all
   * its successors finds the next live one (§10.7.1) through the nearest peer it still knows after it.
   */
  pull(): void {
    const t = this.core.table;
    const targets = new Map<string, RoutingEntry>();
    const lastSucc = t.successors[t.successors.length - 1];
    const lastPred = t.predecessors[t.predecessors.length - 1];
    if (lastSucc) targets.set(lastSucc.key, lastSucc);
    if (lastPred) targets.set(lastPred.key, lastPred);
    for (const e of targets.values()) void this.requestTable(e.id);
  }

  /**
   * §10.7.4.2 Alternative 1: "search through the Finger Table entries from i=1, and each time an
   * invalid entry is encountered, send a Ping to replace that entry with probability 0.5" — here an
   * Attach to a random id of that range (§10.5 finds fingers with Attaches), at most one per
   * chord-ping-interval.
   */
  private refreshFingers(): void {
    const t = this.core.table;
    for (const i of t.fingerIndices(this.core.params.minFingers)) {
      if (t.finger(i) !== undefined) continue;
      if (this.core.deps.random.float() < 0.5) {
        this.searchFinger(i);
        return;
      }
    }
  }

  /**
   * Attach to an id of finger range `i` and take the answering peer in: its first id n+2^(128-i)
   * (`start`, the join's step 3, §10.5) or a random one (§10.7.4.2).
   */
  searchFinger(i: number, at: 'start' | 'random' = 'random'): Promise<void> {
    const pos = at === 'start' ? ringAdd(this.core.table.selfPos, fingerRangeStart(i)) : randomInFingerRange(this.core.table.selfPos, i, (n) => this.core.deps.random.bytes(n));
    const target = idAt(pos);
    return this.core.deps.connector
      .attach([resource(target)])
      .then((id) => this.maintenance.addPeer(id))
      .catch((e: unknown) => this.core.log.debug('finger search failed', { finger: i, error: String(e) }));
  }

  /**
   * §10.7.4.4: "periodically repeat the discovery process used in the initial join ... to locate an
   * appropriate bootstrap node, B. P SHOULD then send a Ping for its own Node-ID routed through B.
   * If a response is received from peer S', which is not P's successor, then the overlay is
   * partitioned and P SHOULD send an Attach to S' routed through B, followed by an Update sent to S'."
   * OUR READING: the Ping goes to Resource-ID P; in one ring it comes back to P itself (P is
   * responsible for its own id), so any other responder S' means B's ring does not contain P.
   * Resolves true once a bootstrap node answered (and a partition it showed was healed).
   */
  async checkPartition(): Promise<boolean> {
    const { connector, transport } = this.core.deps;
    for (const address of this.bootstrap) {
      if (this.core.ownAddresses.includes(address)) continue;
      try {
        const b = await connector.connect(address);
        if (sameId(b, this.core.self)) continue;
        this.reachedBootstrap(b);
        // The answer comes from outside our neighbourhood exactly when there is a partition, so
        // §6.3.4 check 2 would drop it (RequestOptions.anyResponder).
        const answer = await transport.request([node(b), resource(this.core.self)], { name: 'ping_req', value: { padding: new Uint8Array(0) } }, { anyResponder: true });
        const s = answer.sender.nodeId;
        if (sameId(s, this.core.self) || this.core.table.has(nodeIdKey(s))) return true;
        this.core.log.info('partition detected', { responder: nodeIdKey(s) });
        await connector.attach([node(b), node(s)]);
        this.maintenance.addPeer(s);
        await this.core.sendUpdate(s, 'neighbors');
        return true;
      } catch (e) {
        this.core.log.debug('partition check failed', { bootstrap: address, error: String(e) });
      }
    }
    return false;
  }
}

/** Predecessor and successor lists (keys, nearest first) as one string. */
function listsKey(predecessors: readonly string[], successors: readonly string[]): string {
  return `${predecessors.join()}|${successors.join()}`;
}
