/**
 * The topology plug-in contract (RFC 6940 §1.2.4, §6.4.1): what the rest of a peer uses of the
 * overlay algorithm, and the delegates the plug-in calls back through. CHORD-RELOAD (§10,
 * reload/topology/chord) implements it.
 *
 * §6.4.1 lists what a plug-in defines; here is where each one surfaces:
 * - joining (Join, §6.4.2.1): `join`; leaving (Leave, §6.4.2.2): `leave`;
 * - stabilization (Update, §6.4.2.3) and failure detection: internal, on the injected Clock, and
 *   fed by link-table events from forwarding;
 * - "the length of the Resource-IDs and ... the hash algorithm": `resourceIdHash`;
 * - "the procedures that peers use to route messages": `router` (forwarding's Router, §6.1.2);
 * - "the replication strategy": `responsibility` (storage's ResponsibilityOracle) and the
 *   DataTransfer delegate the plug-in calls when data must move (§10.4, §10.5 step 6, §10.7.3).
 *
 * Layering (style.md §1): the plug-in imports message transport and forwarding (below it); it
 * never imports storage or the overlay composition. Storage's interfaces are met structurally,
 * and the Attach machinery (§6.5.1, in reload/overlay) is reached through LinkConnector.
 */
import type { Router } from '../forwarding/index.js';
import type { AbortOptions } from '../runtime/components.js';
import type { Destination } from '../wire/destination.js';
import type { NodeId, ResourceId } from '../wire/ids.js';

/**
 * A half-open interval `(after, upTo]` of the identifier ring (same shape as storage's RingRange);
 * `after === upTo` is the whole ring.
 */
export interface IdRange {
  readonly after: ResourceId;
  readonly upTo: ResourceId;
}

/**
 * What storage asks the topology (the shape of storage's ResponsibilityOracle, RFC 6940 §10.1,
 * §10.4, §10.7.3).
 */
export interface TopologyResponsibility {
  isResponsible(resourceId: ResourceId): boolean;
  replicaSet(resourceId: ResourceId): readonly NodeId[];
  acceptsReplicaFrom(resourceId: ResourceId, sender: NodeId): boolean;
  holdsReplica(resourceId: ResourceId): boolean;
}

/**
 * How the plug-in makes links (RFC 6940 §6.5.1 Attach, §11.4 bootstrap). Implemented by the
 * overlay's Attach service over message transport and the injected link factory.
 */
export interface LinkConnector {
  /**
   * §11.4: "form the DTLS or TLS connection to the bootstrap node". Resolves with the Node-ID the
   * new channel is bound to (its certificate), once the link is in the link table.
   */
  connect(address: string, options?: AbortOptions): Promise<NodeId>;
  /**
   * §6.5.1: send an Attach along `destinationList` (a Node-ID, a Resource-ID, or a source route
   * through the peer that told us about the target, §10.6). Resolves with the answering peer's
   * Node-ID once a link to it is in the link table (at once when there already was one).
   */
  attach(destinationList: readonly Destination[], options?: AttachOptions): Promise<NodeId>;
  /**
   * §6.4.2.3: "When a peer receives an Attach request with the send_update flag set to True, it
   * MUST send an Update message back to the sender of the Attach request after completion of the
   * corresponding ICE check and TLS connection." The connector calls `listener` at that moment.
   */
  onUpdateRequested(listener: (nodeId: NodeId) => void): () => void;
}

export interface AttachOptions extends AbortOptions {
  /** §6.5.1.1 send_update: ask the answering peer for its routing table (an Update). */
  readonly sendUpdate?: boolean;
  /** Initial TTL of the AttachReq; default the overlay's initial-ttl. */
  readonly ttl?: number;
}

/** What a data move did (storage's ReplicationReport has this shape). */
export interface DataMoveReport {
  /** Stores that failed. */
  readonly failed: number;
}

/**
 * The data moves the plug-in orders (storage's Replicator has this shape; the composition root
 * passes it in). Each resolves when the Stores it sent are answered.
 */
export interface DataTransfer {
  /** §10.5 step 6: store to the joining peer `target` what it becomes responsible for (also: to our successor before we leave). */
  handOver(target: NodeId, range: IdRange, options?: AbortOptions): Promise<DataMoveReport>;
  /** §10.7.3: the replica set was `previous`; send the data this peer is responsible for to each new member. */
  replicaSetChanged(previous: readonly NodeId[], options?: AbortOptions): Promise<DataMoveReport>;
  /** This peer became responsible for `range` (a predecessor failed or left): replicate it. */
  rangeGained(range: IdRange, options?: AbortOptions): Promise<DataMoveReport>;
  /** §10.7.3: drop what this peer neither is responsible for nor replicates. */
  prune(options?: AbortOptions): Promise<unknown>;
  /** §6.4.2.5 num_resources: Resource-IDs held. */
  resourceCount(): Promise<number>;
}

/** The plug-in's routing state, for status displays, tests and the simulator. */
export interface TopologyStatus {
  /** The plug-in's name (§11.1 topology-plugin), e.g. `CHORD-RELOAD`. */
  readonly algorithm: string;
  /** The join state (chord: join-state.ts). */
  readonly state: string;
  /** Part of the ring and responsible for a section of it (§10.5 step 7). */
  readonly joined: boolean;
  readonly nodeId: NodeId;
  /** Nearest first. */
  readonly predecessors: readonly NodeId[];
  /** Nearest first. */
  readonly successors: readonly NodeId[];
  /** Distinct finger table entries, in numerically ascending order (§10.7 `full` Update order). */
  readonly fingers: readonly NodeId[];
  /**
   * Every peer the plug-in sends its own range-change Updates to (chord: the whole Routing Table,
   * §10.3, the peers kept beside the neighbours and fingers included; §10.7.3); absent: the three
   * lists above.
   */
  readonly routingTable?: readonly NodeId[];
  /** Seconds since the plug-in started (§10.7 uptime). */
  readonly uptime: number;
}

/** Something the plug-in did that others may want to follow (status displays, the simulator). */
export type TopologyEvent =
  | { readonly type: 'state'; readonly state: string }
  | { readonly type: 'neighbors'; readonly predecessors: readonly NodeId[]; readonly successors: readonly NodeId[] };

export interface TopologyPlugin {
  /** §11.1 topology-plugin name. */
  readonly algorithm: string;
  /** §6.1.2: injected into forwarding (`Forwarding.setRouter`). */
  readonly router: Router;
  /** Storage's view of the ring (ResponsibilityOracle). */
  readonly responsibility: TopologyResponsibility;
  /** §6.4.1: Resource Name → Resource-ID. */
  readonly resourceIdHash: (name: Uint8Array) => Promise<ResourceId>;
  /**
   * §6.3.4 check 2, for `MessageTransport.setResponderCheck`: "The response to a message sent to a
   * Resource-ID MUST have been sent by a Node-ID which is at least as close to the target
   * Resource-ID as any node in the requesting node's Neighbor Table."
   */
  responderAcceptable(resourceId: ResourceId, responder: NodeId): boolean;
  /**
   * Become part of the overlay (§6.4.2.1; chord: §10.5) through the first reachable bootstrap
   * address. With no address (or only this peer's own) the peer starts the overlay alone (§6.4.2.1:
   * "some mechanism whereby nodes can determine that they are potentially the first node").
   */
  join(bootstrap: readonly string[], options?: AbortOptions): Promise<void>;
  /** Leave gracefully (§6.4.2.2; chord: §10.9). Timers stop; links stay for the caller to close. */
  leave(options?: AbortOptions): Promise<void>;
  /** Stop every timer and answer no more (abrupt stop, or after `leave`). */
  stop(): void;
  status(): TopologyStatus;
  subscribe(listener: (event: TopologyEvent) => void): () => void;
}
