/**
 * The state the parts of the CHORD-RELOAD plug-in share (chord-topology.ts, chord-join.ts, chord-admission.ts,
 * chord-maintenance.ts): this peer's identity, the routing table, the join state machine, the
 * injected world, and the Update messages of RFC 6940 §10.7.
 */
import type { Forwarding } from '../../forwarding/index.js';
import { nodeIdKey } from '../../forwarding/index.js';
import { silentLogger, type AbortOptions, type Clock, type Hasher, type Logger, type Random } from '../../runtime/components.js';
import { LocalFailure } from '../../runtime/reload-error.js';
import { StateMachine } from '../../runtime/state-machine.js';
import { TransportOverloadError, type MessageTransport } from '../../transport/index.js';
import type { Destination } from '../../wire/destination.js';
import type { NodeId } from '../../wire/ids.js';
import { ChordUpdateType, type ChordUpdate } from '../../wire/methods/chord.js';
import type { DataTransfer, LinkConnector, TopologyEvent } from '../topology-plugin.js';
import type { ChordParameters } from './chord-parameters.js';
import { ChordRouter } from './chord-router.js';
import { isInRing, joinTransitions, type JoinState } from './join-state.js';
import { RoutingTable, type RoutingEntry } from './routing-table.js';

export interface ChordDeps {
  readonly clock: Clock;
  readonly random: Random;
  /** SHA-1 for the §10.2 Resource-ID hash. */
  readonly hasher: Pick<Hasher, 'sha1'>;
  readonly transport: MessageTransport;
  readonly forwarding: Pick<Forwarding, 'isUsable' | 'isUsableKey' | 'onLinkEvent' | 'getLink' | 'removeLink' | 'parameters'>;
  readonly connector: LinkConnector;
  readonly data: DataTransfer;
  readonly logger?: Logger;
}

export interface ChordInit {
  readonly nodeId: NodeId;
  readonly parameters: ChordParameters;
  /** This peer's own addresses, left out of bootstrap lists. */
  readonly ownAddresses?: readonly string[];
}

export const node = (nodeId: NodeId): Destination => ({ kind: 'node', nodeId });

/**
 * Request options for a message to a directly connected neighbour (Update, Leave, Join, the
 * RouteQuery of stabilization). DEVIATION from §6.3.2 ("The initial value of the TTL SHOULD be
 * 100"): TTL 0, so that when the neighbour is gone the message is refused by the first peer that
 * would relay it (Error_TTL_Exceeded, a quick failure) instead of wandering the overlay towards a
 * dead Node-ID and being retransmitted there five times.
 */
export const LINK_LOCAL = { ttl: 0 } as const;
/** sendUpdate's options when none are given (read-only: most Updates are sent without). */
const NO_UPDATE_OPTIONS: AbortOptions & { readonly routed?: boolean } = Object.freeze({});
export const resource = (resourceId: Uint8Array): Destination => ({ kind: 'resource', resourceId });

/**
 * Whether `e` is this peer's own refusal or failure, made before anything reached the other peer
 * (a LocalFailure: its caps on peer connections, OverloadError, or ICE parameters its WebRTC stack
 * did not give, LocalGatheringError; or its cap on pending requests,
 * TransportOverloadError): it says nothing about that peer.
 */
export function refusedHere(e: unknown): boolean {
  return e instanceof LocalFailure || e instanceof TransportOverloadError;
}

/**
 * What came of a request to a neighbour (an Update, ChordCore.sendUpdate; a RouteQuery,
 * ChordStabilization.requestTable): `answered`; `failed` (no usable link, no answer, or an error
 * answer: §10.7.1 "the failure of some request"); `refused` by this peer itself before it left
 * (refusedHere: its own caps, or another LocalFailure), which says nothing about the target.
 */
export type UpdateOutcome = 'answered' | 'failed' | 'refused';

/** OUR CHOICE: first wait (ms) before a request this peer refused itself (refusedHere) is tried again (refusedRetryWait); it doubles each time. */
export const REFUSED_RETRY_MS = 1_000;
/**
 * OUR CHOICE: how often such a request is tried again: waits of at most 1, 2, 4, 8 and 16 s (half
 * of each jittered), at least 15 s in all: past the 10 s a pending peer connection holds its place
 * in the budget at most (the WebRTC connect timeout, overlay/peer-connection-budget.ts).
 */
export const REFUSED_RETRIES = 5;

export class ChordCore {
  readonly self: NodeId;
  readonly selfKey: string;
  readonly params: ChordParameters;
  readonly deps: ChordDeps;
  readonly log: Logger;
  readonly table: RoutingTable;
  readonly router: ChordRouter;
  readonly machine: StateMachine<JoinState>;
  readonly ownAddresses: readonly string[];
  readonly startedAt: number;
  private readonly failed = new Map<string, number>();
  private readonly listeners = new Set<(e: TopologyEvent) => void>();

  constructor(deps: ChordDeps, init: ChordInit) {
    this.deps = deps;
    this.params = init.parameters;
    this.self = init.nodeId.slice();
    this.selfKey = nodeIdKey(this.self);
    this.log = deps.logger ?? silentLogger;
    this.ownAddresses = init.ownAddresses ?? [];
    this.startedAt = deps.clock.now();
    this.table = new RoutingTable(this.self, this.params.successors, this.params.predecessors);
    this.machine = new StateMachine<JoinState>('chord join', joinTransitions, 'idle');
    this.router = new ChordRouter({ table: this.table, isUsableKey: (key) => deps.forwarding.isUsableKey(key), inRing: () => isInRing(this.machine.state) });
    this.machine.subscribe((to, reason, from) => {
      this.log.debug('chord state', { from, to, reason });
      this.emit({ type: 'state', state: to });
    });
  }

  get state(): JoinState {
    return this.machine.state;
  }

  /** Move the join state machine (style.md §6); illegal moves throw. */
  transition(to: JoinState, reason?: string): void {
    if (this.machine.state !== to) this.machine.transition(to, reason);
  }

  get stopped(): boolean {
    const s = this.machine.state;
    return s === 'stopped' || s === 'left';
  }

  /** §10.7 uptime: "the time this peer has been up in seconds". */
  uptime(): number {
    return Math.min(0xffffffff, Math.floor((this.deps.clock.now() - this.startedAt) / 1000));
  }

  /** §10.7 `neighbors` or `full` Update with this peer's current tables (nearest first; fingers ascending). */
  update(type: 'neighbors' | 'full' | 'peer_ready'): ChordUpdate {
    const uptime = this.uptime();
    if (type === 'peer_ready') return { uptime, type: ChordUpdateType.peer_ready };
    const predecessors = this.table.predecessors.map((e) => e.id);
    const successors = this.table.successors.map((e) => e.id);
    if (type === 'neighbors') return { uptime, type: ChordUpdateType.neighbors, predecessors, successors };
    return { uptime, type: ChordUpdateType.full, predecessors, successors, fingers: this.table.fingers().map((e) => e.id) };
  }

  /**
   * Send an Update to `target`; resolves with what came of it (a failure's reason is logged). Over
   * our link to it (LINK_LOCAL) when there is one; without a usable link only when `routed` (the
   * answer to an explicit send_update), else it counts as failed at once.
   */
  async sendUpdate(target: NodeId, type: 'neighbors' | 'full' | 'peer_ready', options = NO_UPDATE_OPTIONS): Promise<UpdateOutcome> {
    const direct = this.deps.forwarding.isUsable(target);
    if (!direct && !options.routed) return 'failed';
    try {
      const requestOptions = direct ? (options === NO_UPDATE_OPTIONS ? LINK_LOCAL : { ...options, ...LINK_LOCAL }) : options;
      await this.deps.transport.request([node(target)], { name: 'update_req', value: this.update(type) }, requestOptions);
      return 'answered';
    } catch (e) {
      this.log.debug('update failed', { target: nodeIdKey(target), error: String(e) });
      return refusedHere(e) ? 'refused' : 'failed';
    }
  }

  /**
   * Remember that `key` failed (dead link, failed Attach, left): the Updates that name it do not
   * make us Attach to it for a while (ChordMaintenance.consider); ours to a neighbour lost with its
   * link may (chord-reattach.ts).
   */
  markFailed(key: string): void {
    if (this.params.failedPeerMemoryMs > 0) this.failed.set(key, this.deps.clock.now() + this.params.failedPeerMemoryMs);
  }

  /** Evidence that `key` is alive (it sent us something). */
  clearFailed(key: string): void {
    this.failed.delete(key);
  }

  /** Forget every failure remembered (markFailed): they were this peer's own (it lost every peer at once). */
  forgetFailures(): void {
    this.failed.clear();
  }

  /**
   * The replica set (§10.4): the first `replicas` successors whose links are usable. A successor
   * whose link went suspect (§6.6.3.1) is passed over at once; the RFC's hold-down applies to the
   * copies made for its replacement (chord-maintenance.ts).
   */
  replicaTargets(): RoutingEntry[] {
    return this.table.nearest('succ', this.params.replicas, this.router.usable);
  }

  /** The nearest `n` predecessors whose links are usable. */
  usablePredecessors(n: number): RoutingEntry[] {
    return this.table.nearest('pred', n, this.router.usable);
  }

  /** Forget failures older than the memory (called from the periodic work). */
  purgeFailed(): void {
    const now = this.deps.clock.now();
    for (const [key, until] of this.failed) if (until <= now) this.failed.delete(key);
  }

  recentlyFailed(key: string): boolean {
    return this.heldBackUntil(key) !== undefined;
  }

  /** When the hold-back of `key` (markFailed) ends, if it is held back now. */
  heldBackUntil(key: string): number | undefined {
    const until = this.failed.get(key);
    if (until === undefined) return undefined;
    if (until > this.deps.clock.now()) return until;
    this.failed.delete(key);
    return undefined;
  }

  /** Whether `key` is held back by a failure remembered at or after `t` (ms). */
  failedSince(key: string, t: number): boolean {
    const until = this.heldBackUntil(key);
    return until !== undefined && until - this.params.failedPeerMemoryMs >= t;
  }

  subscribe(listener: (e: TopologyEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: TopologyEvent): void {
    for (const l of [...this.listeners]) l(e);
  }

  /**
   * The wait (ms) before trying again a request refused here (refusedHere) `refusals` times before,
   * or undefined when it has been tried REFUSED_RETRIES times again: REFUSED_RETRY_MS doubling, half
   * of it jittered.
   */
  refusedRetryWait(refusals: number): number | undefined {
    if (refusals >= REFUSED_RETRIES) return undefined;
    const wait = REFUSED_RETRY_MS * 2 ** refusals;
    return wait / 2 + this.jitter(wait / 2);
  }

  /** A uniformly random delay in [0, ms). */
  jitter(ms: number): number {
    return Math.floor(this.deps.random.float() * ms);
  }
}
