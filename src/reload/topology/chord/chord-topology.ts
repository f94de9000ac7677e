/**
 * The CHORD-RELOAD topology plug-in (RFC 6940 §10) behind the TopologyPlugin contract: the
 * handlers of its methods (Join §6.4.2.1, Leave §6.4.2.2 / §10.9, Update §10.7.3, RouteQuery
 * §10.8, Probe §6.4.2.5) registered on message transport, Leave, status, and storage's view of the
 * ring (§10.1, §10.4, §10.7.3). Joining is in chord-join.ts, admitting a joining node in
 * chord-admission.ts, upkeep in chord-maintenance.ts.
 */
import { nodeIdKey, type RoutingTarget } from '../../forwarding/index.js';
import type { AbortOptions } from '../../runtime/components.js';
import { ReloadError } from '../../runtime/reload-error.js';
import type { IncomingRequest, Reply } from '../../transport/index.js';
import type { NodeId, ResourceId } from '../../wire/ids.js';
import { ChordLeaveType, encodeChordLeaveData, type ChordLeaveData } from '../../wire/methods/chord.js';
import { ProbeInformationType, type ProbeInformation } from '../../wire/methods/probe.js';
import type { ChordParameters } from './chord-parameters.js';
import type { TopologyEvent, TopologyPlugin, TopologyResponsibility, TopologyStatus } from '../topology-plugin.js';
import { chordReloadResourceIdHash } from './chord-hash.js';
import { ChordAdmission } from './chord-admission.js';
import { ChordCore, LINK_LOCAL, node, type ChordDeps, type ChordInit } from './chord-core.js';
import { ChordJoin } from './chord-join.js';
import { ChordMaintenance } from './chord-maintenance.js';
import { ChordStabilization } from './chord-stabilization.js';
import { isInRing, type JoinState } from './join-state.js';
import { clockwise, inHalfOpen, inOpen, ringPosition, ringShareInPpb, sameId } from './ring.js';

export type { ChordDeps, ChordInit } from './chord-core.js';

/**
 * How long a leaving peer waits for its hand-over Stores, then for its neighbours' LeaveAns (ms each).
 * OUR CHOICE: RFC 6940 §10.9 sets no bound. 5 s, a third of the Maximum Request Lifetime (§3:
 * "defaults to 15 seconds"). The Stores go one hop over links we hold, whose reliability sends a
 * frame "at times 0 ms, 500 ms, 1500 ms, 3500 ms, and 7500 ms" (§6.6.3.1): 5 s covers the first four
 * transmissions, not the fifth. A hand-over not done by then is most likely stuck (our own storage
 * backend not answering, a neighbour gone), and a peer that is leaving (a closing tab, a Node peer
 * shutting down) must not be held longer: we give up the last transmission's chance.
 */
const LEAVE_WAIT_MS = 5_000;

/** What a leaving peer waits for (chord-topology.ts `bounded`). */
interface LeaveWork {
  /** Waited for even once the caller has aborted. */
  readonly needed?: Promise<unknown>;
  /** Waited for only while the caller has not aborted; not started when it had aborted already. */
  readonly wanted: () => Promise<unknown>;
}

type LeaveWaitOutcome = 'done' | 'timed out' | 'aborted';

/** The CHORD-RELOAD plug-in. */
export interface ChordTopology extends TopologyPlugin {
  readonly nodeId: NodeId;
  readonly parameters: ChordParameters;
}

export function createChordTopology(deps: ChordDeps, init: ChordInit): ChordTopology {
  return new ChordTopologyImpl(deps, init);
}

class ChordTopologyImpl implements ChordTopology {
  readonly algorithm = 'CHORD-RELOAD';
  readonly nodeId: NodeId;
  readonly parameters: ChordParameters;
  readonly resourceIdHash: (name: Uint8Array) => Promise<ResourceId>;
  readonly responsibility: TopologyResponsibility;
  private readonly core: ChordCore;
  private readonly maintenance: ChordMaintenance;
  private readonly stabilization: ChordStabilization;
  private readonly joiner: ChordJoin;
  private readonly admission: ChordAdmission;
  private readonly unregister: (() => void)[] = [];

  constructor(deps: ChordDeps, init: ChordInit) {
    this.core = new ChordCore(deps, init);
    this.nodeId = this.core.self;
    this.parameters = init.parameters;
    this.maintenance = new ChordMaintenance(this.core);
    this.stabilization = new ChordStabilization(this.core, this.maintenance);
    this.joiner = new ChordJoin(this.core, this.maintenance, this.stabilization);
    this.admission = new ChordAdmission(this.core, this.maintenance);
    this.resourceIdHash = chordReloadResourceIdHash(deps.hasher);
    this.responsibility = this.makeResponsibility();
    const t = deps.transport;
    this.unregister.push(
      t.handle('update_req', (req) => this.handleUpdate(req)),
      t.handle('join_req', (req) => this.admission.handleJoin(req)),
      t.handle('leave_req', (req) => this.handleLeave(req)),
      t.handle('route_query_req', (req) => this.handleRouteQuery(req)),
      t.handle('probe_req', (req) => this.handleProbe(req)),
      deps.connector.onUpdateRequested((id) => {
        if (!this.core.stopped && this.core.state !== 'idle') void this.core.sendUpdate(id, 'full');
      }),
    );
  }

  get router() {
    return this.core.router;
  }

  join(bootstrap: readonly string[], options?: AbortOptions): Promise<void> {
    return this.joiner.join(bootstrap, options);
  }

  /**
   * §10.9: "peers SHOULD send a Leave request to all members of their Neighbor Table before exiting
   * the Overlay Instance. The overlay_specific_data field MUST contain the ChordLeaveData": to a
   * predecessor `from_succ` with our successors, to a successor `from_pred` with our predecessors.
   */
  async leave(options?: AbortOptions): Promise<void> {
    const core = this.core;
    if (core.state !== 'joined') {
      this.stop();
      return;
    }
    core.transition('leaving', 'leave()');
    this.stabilization.stop();
    this.maintenance.stop();
    // Before the Leaves: our successor takes over our range (§6.4.2.2 "the appropriate Store/Update
    // sequences"). Our replica set holds most of it already; this gives it the rest, to each member
    // in case the first successor is gone too.
    const targets = core.replicaTargets();
    const moves: { target: NodeId; range: { after: NodeId; upTo: NodeId } }[] = [];
    const pred0 = core.router.effectivePredecessor();
    if (pred0) for (const t of targets) moves.push({ target: t.id, range: { after: pred0.id, upTo: core.self } });
    // §10.4 / §10.7.3: the replicas we hold leave with us. The range of our i-th predecessor Pi,
    // (P(i+1), Pi], was held by Pi and the next `replicas` peers, us among them; without us its
    // replica set reaches one peer further, our (replicas - i + 1)-th successor. It goes to our first
    // replicas - i + 1 usable successors (one of them may have failed unnoticed; the nearer ones
    // take it as a repeat). Pi sends it too once it hears our Leave, unless Pi has failed unnoticed
    // or is leaving as well (churn runs lost records to both).
    const n = core.params.replicas;
    const held = core.usablePredecessors(n + 1);
    for (let i = 1; i <= n; i++) {
      const [p, lower] = [held[i - 1], held[i]];
      if (p && lower) for (const t of targets.slice(0, n - i + 1)) moves.push({ target: t.id, range: { after: lower.id, upTo: p.id } });
    }
    const handedOver = await this.bounded(options, (signal) => ({
      wanted: () => Promise.all(moves.map((m) => core.deps.data.handOver(m.target, m.range, { signal }).catch((e: unknown) => core.log.debug('hand-over before leaving failed', { error: String(e) })))),
    }));
    // A hand-over cut short (our storage backend not answering, a neighbour gone) does not keep us
    // from leaving: §10.4 "It MUST then send a Store request to its successor in the Neighbor Table
    // and to that peer's successor", so our successors hold replicas of our range already (all but
    // Stores still being replicated this instant), and each Pi hands its range on when our Leave
    // arrives. Said, not silent: the range may have reached only those replicas.
    if (handedOver === 'timed out') core.log.warn('hand-over before leaving timed out', { outcome: handedOver, waitedMs: LEAVE_WAIT_MS, moves: moves.length });
    if (handedOver === 'aborted') core.log.warn('hand-over before leaving cut short: the caller aborted', { outcome: handedOver, moves: moves.length });
    const preds = core.table.predecessors.map((e) => e.id);
    const succs = core.table.successors.map((e) => e.id);
    // §10.9 "SHOULD send a Leave": sent even when the caller has aborted (before or during the
    // hand-over); only the wait for the LeaveAns is given up then.
    await this.bounded(options, (signal) => {
      const sent = new Set<string>();
      const out: Promise<unknown>[] = [];
      const answered: Promise<unknown>[] = [];
      const send = (to: NodeId, data: ChordLeaveData) => {
        const key = nodeIdKey(to);
        if (sent.has(key) || !core.deps.forwarding.isUsable(to)) return;
        sent.add(key);
        let wentOut = () => {};
        out.push(new Promise<void>((resolve) => (wentOut = resolve)));
        const answer = core.deps.transport
          .request([node(to)], { name: 'leave_req', value: { leavingPeerId: core.self, overlaySpecificData: encodeChordLeaveData(data) } }, { signal, onSent: () => wentOut(), ...LINK_LOCAL })
          .catch((e: unknown) => core.log.debug('leave not answered', { peer: key, error: String(e) }))
          .finally(() => wentOut());
        answered.push(answer);
      };
      for (const p of preds) send(p, { type: ChordLeaveType.from_succ, successors: succs });
      for (const s of succs) send(s, { type: ChordLeaveType.from_pred, predecessors: preds });
      return { needed: Promise.all(out), wanted: () => Promise.all(answered) };
    });
    if ((core.state as JoinState) === 'leaving') core.transition('left', 'Leave sent');
    this.stop();
  }

  /**
   * Run `work` with a signal that aborts after LEAVE_WAIT_MS, and wait for it no longer than that:
   * work that does not heed its signal (a storage read that never settles) is left behind. Of the
   * work, `needed` (the Leaves going out) is waited for even once the caller's signal has aborted,
   * before the call or during it; `wanted` (the hand-over, the LeaveAns) only until then. Resolves
   * with 'done', or with why the wait ended first; the signal aborts when it ends so. A rejection
   * counts as done (the parts log their own failures): leaving goes on either way.
   */
  private bounded(options: AbortOptions | undefined, work: (signal: AbortSignal) => LeaveWork): Promise<LeaveWaitOutcome> {
    const controller = new AbortController();
    const caller = options?.signal;
    return new Promise((resolve) => {
      let over = false;
      const end = (outcome: LeaveWaitOutcome) => {
        if (over) return;
        over = true;
        timer.cancel();
        caller?.removeEventListener('abort', aborted);
        if (outcome !== 'done') controller.abort();
        resolve(outcome);
      };
      const timer = this.core.deps.clock.setTimer(LEAVE_WAIT_MS, () => end('timed out'));
      const { needed, wanted } = work(controller.signal);
      const out = (needed ?? Promise.resolve()).then(
        () => {},
        () => {},
      );
      // The caller's abort ends the wait once what is needed is out.
      const aborted = () => void out.then(() => end('aborted'));
      // An already aborted signal fires no 'abort' event; and `wanted` is then not started.
      if (caller?.aborted) return aborted();
      caller?.addEventListener('abort', aborted, { once: true });
      wanted().then(
        () => end('done'),
        () => end('done'),
      );
    });
  }

  stop(): void {
    this.stabilization.stop();
    this.maintenance.stop();
    for (const u of this.unregister.splice(0)) u();
    if (this.core.state !== 'stopped' && this.core.state !== 'left') this.core.transition('stopped', 'stop()');
  }

  status(): TopologyStatus {
    const c = this.core;
    return {
      algorithm: this.algorithm,
      state: c.state,
      joined: c.state === 'joined',
      nodeId: c.self,
      predecessors: c.table.predecessors.map((e) => e.id),
      successors: c.table.successors.map((e) => e.id),
      fingers: c.table.fingers().map((e) => e.id),
      // The targets of scheduleFlush's Connection-Table-wide round (chord-maintenance.ts).
      routingTable: c.table.members.map((e) => e.id),
      uptime: c.uptime(),
    };
  }

  subscribe(listener: (event: TopologyEvent) => void): () => void {
    return this.core.subscribe(listener);
  }

  /**
   * §6.3.4 check 2: the responder must be "at least as close to the target Resource-ID as any node
   * in the requesting node's Neighbor Table": no neighbour lies in [k, responder).
   *
   * OUR CHOICE: a neighbour whose link is not usable does not count: a suspect link (§6.6.3.1)
   * whose peer is not yet declared dead and removed (§10.7.1: "the peer MUST remove the entry from
   * its Neighbor Table"). While it is suspect its successor answers for its range
   * (ChordRouter.effectivePredecessor) and our own router sends its Resource-IDs past it to that
   * successor (ChordRouter.nextHop); counting it here rejected that very answer, and "the request
   * to be retransmitted" met the same answer until it failed with Error_Request_Timeout (a Store
   * or Fetch for the range of a peer that failed seconds before, from a peer near it, or from its
   * successor answering itself).
   */
  responderAcceptable(resourceId: ResourceId, responder: NodeId): boolean {
    const c = this.core;
    const usable = c.router.usable;
    const k = ringPosition(resourceId);
    const d = clockwise(k, ringPosition(responder));
    for (const e of c.table.predecessors) if (clockwise(k, e.pos) < d && usable(e)) return false;
    for (const e of c.table.successors) if (clockwise(k, e.pos) < d && usable(e)) return false;
    return true;
  }

  private makeResponsibility(): TopologyResponsibility {
    const c = this.core;
    const isResponsible = (id: ResourceId) => c.router.isResponsible({ kind: 'resource', resourceId: id });
    // §10.7.3: x holds a replica of R unless "there are three predecessors between x and R" (with
    // `replicas` replicas: replicas + 1 of them). With fewer known predecessors, it cannot tell: keep.
    const holdsReplica = (id: ResourceId) => {
      const far = c.usablePredecessors(c.params.replicas + 1)[c.params.replicas];
      return far === undefined || inHalfOpen(ringPosition(id), far.pos, c.table.selfPos);
    };
    return {
      isResponsible,
      holdsReplica,
      replicaSet: (id) => (isResponsible(id) ? c.replicaTargets().map((e) => e.id) : []),
      // §10.4: "The peers receiving these SHOULD check that they came from an appropriate predecessor
      // in their Neighbor Table". OUR READING, lenient while tables settle: a peer of our routing
      // table, or one within the span our neighbour lists cover (a successor handing over, §10.5 step 6).
      acceptsReplicaFrom: (id, sender) => {
        // One predecessor wider than what we keep: the sender may already know that a peer we still
        // count has failed (its copy is handed on again before we drop it, storage-service.ts prune).
        const far = c.usablePredecessors(c.params.replicas + 2)[c.params.replicas + 1];
        if (far !== undefined && !inHalfOpen(ringPosition(id), far.pos, c.table.selfPos)) return false;
        if (c.table.has(nodeIdKey(sender))) return true;
        const preds = c.table.predecessors;
        const succs = c.table.successors;
        const from = preds[preds.length - 1]?.pos ?? c.table.selfPos;
        const to = succs[succs.length - 1]?.pos ?? c.table.selfPos;
        const s = ringPosition(sender);
        return from === to || inOpen(s, from, to) || s === to;
      },
    };
  }

  // ── Handlers ─────────────────────────────────────────────────────────────────────────────

  /** §6.4.2.3 / §10.7.3. */
  private handleUpdate(req: IncomingRequest<'update_req'>): Reply<'update_ans'> {
    const s = this.core.state;
    if (s !== 'idle' && s !== 'stopped' && s !== 'left' && s !== 'leaving') {
      this.joiner.onUpdate(req.sender.nodeId, req.value);
      this.maintenance.onUpdate(req.sender.nodeId, req.value);
    }
    return { value: {} };
  }

  /**
   * §6.4.2.2: "Receivers of the LeaveReq MUST verify that the leaving_peer_id field matches the
   * Node-ID used to sign the message ... MUST verify that any LeaveReq they receive arrives from a
   * transport channel that is bound to the Node-ID to be assumed by the leaving peer."
   */
  private handleLeave(req: IncomingRequest<'leave_req'>): Reply<'leave_ans'> {
    const leaving = req.value.leavingPeerId;
    if (!sameId(leaving, req.sender.nodeId)) throw ReloadError.of('Error_Forbidden', 'leaving_peer_id is not the Node-ID that signed the LeaveReq');
    if (!req.from || !sameId(req.from, leaving) || req.header.viaList.length > 0) throw ReloadError.of('Error_Forbidden', 'a LeaveReq must arrive over a link bound to the leaving Node-ID');
    const d = req.value.chordLeaveData;
    const replacements = d?.type === ChordLeaveType.from_succ ? d.successors : d?.type === ChordLeaveType.from_pred ? d.predecessors : [];
    if (!this.core.stopped) this.maintenance.onLeave(leaving, replacements);
    return { value: {} };
  }

  /**
   * §10.8: "The RouteQueryAns contains the single Node-ID of the next peer to which the responding
   * peer would have routed the request message" (our own Node-ID when we would deliver it here).
   * "If the requester has set the send_update flag, the responder SHOULD initiate an Update
   * immediately after sending the RouteQueryAns."
   */
  private handleRouteQuery(req: IncomingRequest<'route_query_req'>): Reply<'route_query_ans'> {
    const dest = req.value.destination;
    let target: RoutingTarget;
    if (dest.kind === 'node') target = { kind: 'node', nodeId: dest.nodeId };
    else if (dest.kind === 'resource') target = { kind: 'resource', resourceId: dest.resourceId };
    else throw ReloadError.of('Error_Invalid_Message', 'RouteQuery for an opaque destination');
    const r = this.core.router;
    const nextPeer = r.isResponsible(target) || (target.kind === 'node' && sameId(target.nodeId, this.core.self)) ? this.core.self : (r.nextHop(target, new Set()) ?? this.core.self);
    if (req.value.sendUpdate) {
      const requester = req.sender.nodeId;
      this.core.deps.clock.setTimer(0, () => void this.core.sendUpdate(requester, 'full', { routed: true }));
    }
    return { value: { nextPeer } };
  }

  /**
   * §6.4.2.5.2: "The responding peer SHOULD include any values that the requesting node requested
   * and that it recognizes. They SHOULD be returned in the requested order. Any other values MUST
   * NOT be returned."
   */
  private async handleProbe(req: IncomingRequest<'probe_req'>): Promise<Reply<'probe_ans'>> {
    const c = this.core;
    const probeInfo: ProbeInformation[] = [];
    for (const type of req.value.requestedInfo) {
      if (type === ProbeInformationType.responsible_set) {
        const pred = c.table.predecessors[0];
        const responsiblePpb = !isInRing(c.state) ? 0 : pred ? ringShareInPpb(pred.pos, c.table.selfPos) : 1_000_000_000;
        probeInfo.push({ type, responsiblePpb });
      } else if (type === ProbeInformationType.num_resources) {
        probeInfo.push({ type, numResources: Math.min(0xffffffff, await c.deps.data.resourceCount()) });
      } else if (type === ProbeInformationType.uptime) {
        probeInfo.push({ type, uptime: c.uptime() });
      }
    }
    return { value: { probeInfo } };
  }
}
