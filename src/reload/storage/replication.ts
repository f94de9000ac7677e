/**
 * RFC 6940 §10.4 replication and the data moves of §10.5 / §10.7 for CHORD-RELOAD, as logic over
 * two small interfaces: the ResponsibilityOracle (the Chord plug-in's view of the ring) and a
 * ReplicaSender (message transport). The Chord plug-in calls these at the moments the RFC names:
 *
 * - `afterStore`: §10.4 "When a peer receives a Store request for Resource-ID k and it is
 *   responsible for Resource-ID k, it MUST store the data ... It MUST then send a Store request
 *   to its successor in the Neighbor Table and to that peer's successor, incrementing the
 *   replica number for each successor."
 * - `handOver`: §10.5 step 6, "AP MUST do a series of Store requests to JN to store the data
 *   that JN will be responsible for" (sent as replica stores: the admitting peer is not the
 *   values' signer, so an original store would fail its policy; JN accepts them from its
 *   successor, see ResponsibilityOracle.acceptsReplicaFrom).
 * - `replicaSetChanged`: §10.7.3 "If peer x is responsible for a Resource-ID R and x discovers
 *   that the replica set for R ... has changed, it MUST send a Store for any data associated
 *   with R to any new node in the replica set." (A failed or departed successor, or a new one.
 *   §10.7.1's 30-second hold-down before replacing a successor is the caller's timing.)
 * - `rangeGained`: a predecessor failed or left and this peer is now responsible for its range;
 *   its replica set (one node further than before) gets the data.
 * - `prune`: §10.7.3 "When peer x detects that it is no longer in the replica set for a
 *   resource R ..., it SHOULD delete all data associated with R from its local store."
 *
 * Lifetimes are sent decremented by the time the value has been held here (§7.4.1.1). A target
 * that answers Error_Data_Too_Old or Error_Generation_Counter_Too_Low holds newer data: "the peer
 * MUST fetch the newer data from the peer generating the error and use that to replace its own
 * copy" (`ReplicaSender.fetch`, then `DataStore.absorb`), and the merged data is stored there
 * again (`storeReplica`). Each replica Store carries the certificates this peer keeps for its values
 * (`DataStore.certificatesOf`): the target verifies every value (§7.4.1.1) and may never have met
 * their signers (§6.3.4: "implementers MUST include all referenced certificates").
 */
import { silentLogger, type AbortOptions, type Logger } from '../runtime/components.js';
import { ReloadError } from '../runtime/reload-error.js';
import { bytesEqual } from '../wire/codec/hex.js';
import type { NodeId, ResourceId } from '../wire/ids.js';
import { ErrorCode } from '../wire/message-codes.js';
import type { GenericCertificate } from '../wire/security-block.js';
import { ARRAY_LAST_INDEX, type FetchAns, type FetchReq, type ModelSpecifier, type StoredDataSpecifier } from '../wire/storage/fetch.js';
import type { StoredData } from '../wire/storage/stored-data.js';
import type { StoreAns, StoreKindData, StoreReq } from '../wire/storage/store.js';
import type { DataStore, KindSnapshot, StoreResult } from './data-store.js';
import type { ResponsibilityOracle } from './responsibility-oracle.js';
import { hexKey, type RingRange } from './ring-range.js';
import type { StoredRecord } from './stored-record.js';

/** Sends storage requests to one peer (message transport implements it). */
export interface ReplicaSender {
  /**
   * A StoreReq addressed to `target` (§10.4: "addressed to those specific peers"), `certificates` in
   * its SecurityBlock; rejects with the ReloadError it answered.
   */
  store(target: NodeId, req: StoreReq, certificates: readonly GenericCertificate[], options?: AbortOptions): Promise<StoreAns>;
  /** A FetchReq to `target`, with the certificates of its answer's SecurityBlock (for resynchronization). */
  fetch?(target: NodeId, req: FetchReq, options?: AbortOptions): Promise<{ readonly answer: FetchAns; readonly certificates: readonly GenericCertificate[] }>;
}

export interface ReplicatorDeps {
  readonly store: DataStore;
  readonly oracle: ResponsibilityOracle;
  readonly sender: ReplicaSender;
  /** The DataStore's epoch clock (DataStoreDeps.epochClock), the scale of the records' times. */
  readonly epochClock: () => number;
  readonly logger?: Logger;
}

export interface ReplicatorInit {
  /** StoreReqs in flight at once (default 4). */
  readonly concurrency?: number;
}

/** What a replication step did. */
export interface ReplicationReport {
  /** Replica Stores taken at the first try. */
  readonly sent: number;
  /** Replica Stores that failed, resynchronization and second try included. */
  readonly failed: number;
  /** Replica Stores refused for older data, then taken once we had fetched and merged the peer's data (storeReplica). */
  readonly resynced: number;
}

export interface Replicator {
  /** After an original Store (replica_number 0) this peer accepted as the responsible peer: push its values to the replica set. */
  afterStore(resourceId: ResourceId, result: StoreResult, options?: AbortOptions): Promise<ReplicationReport>;
  /** §10.5 step 6: store to the joining predecessor `target` everything held in `range` (its new responsibility). */
  handOver(target: NodeId, range: RingRange, options?: AbortOptions): Promise<ReplicationReport>;
  /** §10.7.3: the replica set was `previous`; send everything this peer is responsible for to each new member. */
  replicaSetChanged(previous: readonly NodeId[], options?: AbortOptions): Promise<ReplicationReport>;
  /** This peer became responsible for `range` (its predecessor failed or left): replicate it to the replica set. */
  rangeGained(range: RingRange, options?: AbortOptions): Promise<ReplicationReport>;
  /** Drops what this peer neither is responsible for nor replicates; resolves with how many Resource-IDs. */
  prune(options?: AbortOptions): Promise<number>;
}

/**
 * RFC 6940 §7.4.1.1: "it should decrement the lifetime value by the difference between the
 * current local time and T" (T: when the value arrived). Whole seconds, rounded down, so a copy
 * never outlives the original; undefined once nothing is left.
 */
export function remainingLifetime(record: StoredRecord, now: number): number | undefined {
  const left = Math.floor((record.expiresAt - now) / 1000);
  return left > 0 ? Math.min(left, 0xffffffff) : undefined;
}

/**
 * The replica StoreReq carrying `kinds` (§7.4.1.1: replica_number > 0, each Kind's generation
 * counter, which "Replica Stores MUST NOT" give as 0), or undefined when nothing is left to send.
 */
export function replicaStoreReq(resourceId: ResourceId, kinds: readonly KindSnapshot[], replicaNumber: number, now: number): StoreReq | undefined {
  const kindData: StoreKindData[] = [];
  for (const k of kinds) {
    const values: StoredData[] = [];
    for (const r of k.records) {
      const lifetime = remainingLifetime(r, now);
      if (lifetime !== undefined) values.push({ ...r.data, lifetime });
    }
    if (values.length > 0) kindData.push({ kind: k.kind, generationCounter: k.generation > 0n ? k.generation : 1n, values });
  }
  return kindData.length > 0 ? { resource: resourceId, replicaNumber, kindData } : undefined;
}

/** One peer's side of a replica Store: the Store itself, and the Fetch that resynchronizes from it. */
export interface ReplicaPeer<A> {
  /** Sends `req` with `certificates` in its SecurityBlock; rejects with the ReloadError the peer answered. */
  store(req: StoreReq, certificates: readonly GenericCertificate[], options?: AbortOptions): Promise<A>;
  fetch?(req: FetchReq, options?: AbortOptions): Promise<{ readonly answer: FetchAns; readonly certificates: readonly GenericCertificate[] }>;
}

/** What `storeReplica` needs of this peer. */
export interface ReplicaSource {
  readonly store: DataStore;
  /** Milliseconds since 1970, the scale of the records' times (DataStoreDeps.epochClock). */
  readonly epochClock: () => number;
}

/** Whether a refused Store means the peer holds newer data (§7.4.1.1). */
function refusedAsOlder(e: unknown): boolean {
  return e instanceof ReloadError && (e.code === ErrorCode.Error_Data_Too_Old || e.code === ErrorCode.Error_Generation_Counter_Too_Low);
}

/**
 * Stores `kinds` of `resourceId` at `peer` as a replica Store. RFC 6940 §7.4.1.1: "These
 * operations MUST be atomic", so one value older than the peer's refuses the others too; then:
 * "the peer MUST fetch the newer data from the peer generating the error and use that to replace
 * its own copy", merging as it would "act as if all the values that need to be merged were
 * stored", and the merged data (everything now held at `resourceId`) is stored at the peer once
 * more, since it still lacks the values it did not have (§10.7.3: "it MUST send a Store for any
 * data associated with R to any new node in the replica set"; §6.4.2.3: "MUST attempt to Store a
 * copy to the correct node"). The values it already has count there as repeats.
 *
 * Resolves with the answer of the Store that succeeded and whether it took a resynchronization,
 * or undefined when nothing was left to send; rejects with the error of the step that failed.
 */
export async function storeReplica<A>(
  source: ReplicaSource,
  peer: ReplicaPeer<A>,
  resourceId: ResourceId,
  kinds: readonly KindSnapshot[],
  replicaNumber: number,
  options?: AbortOptions,
): Promise<{ readonly answer: A; readonly resynced: boolean } | undefined> {
  const req = replicaStoreReq(resourceId, kinds, replicaNumber, source.epochClock());
  if (!req) return undefined;
  const fetch = peer.fetch;
  try {
    return { answer: await peer.store(req, await certificatesOfKinds(source.store, kinds), options), resynced: false };
  } catch (e) {
    if (!refusedAsOlder(e) || !fetch) throw e;
  }
  const { answer, certificates } = await fetch.call(peer, { resource: resourceId, specifiers: fetchAllOf(source.store, req) }, options);
  await source.store.absorb(resourceId, answer.kindResponses, certificates, options);
  // OUR CHOICE: the merged data is sent once. A peer refuses it again when it took still newer data
  // meanwhile, or for a value with the same storage_time and other bytes (absorb keeps ours, the
  // peer keeps its own, §7.4.1.1 has no rule for it): the caller's next round or its cap on
  // attempts ends that.
  const held = await source.store.snapshot(resourceId);
  const merged = replicaStoreReq(resourceId, held, replicaNumber, source.epochClock());
  return merged ? { answer: await peer.store(merged, await certificatesOfKinds(source.store, held), options), resynced: true } : undefined;
}

/** The certificates of the values of `kinds` (§6.3.4). */
function certificatesOfKinds(store: DataStore, kinds: readonly KindSnapshot[]): Promise<GenericCertificate[]> {
  return store.certificatesOf(kinds.flatMap((k) => k.records));
}

/** Specifiers for every value of the Kinds of `req` (a whole resynchronization). */
function fetchAllOf(store: DataStore, req: StoreReq): StoredDataSpecifier[] {
  return req.kindData.flatMap((k) => {
    const model = store.kinds.get(k.kind)?.dataModel;
    if (!model) return [];
    const modelSpecifier: ModelSpecifier =
      model === 'single' ? { model } : model === 'array' ? { model, indices: [{ first: 0, last: ARRAY_LAST_INDEX }] } : { model, keys: [] };
    return [{ kind: k.kind, generation: 0n, modelSpecifier }];
  });
}

/** The records of a Store, grouped by Kind with the generation counters of its answer. */
export function storedKinds(result: StoreResult): KindSnapshot[] {
  return result.answer.kindResponses
    .map((k) => ({ kind: k.kind, generation: k.generationCounter, records: result.stored.filter((r) => r.kind === k.kind) }))
    .filter((k) => k.records.length > 0);
}

/** The nodes of `current` not in `previous`, with their replica numbers (position + 1). */
export function newReplicas(previous: readonly NodeId[], current: readonly NodeId[]): { node: NodeId; replicaNumber: number }[] {
  return current.flatMap((node, i) => (previous.some((p) => bytesEqual(p, node)) ? [] : [{ node, replicaNumber: i + 1 }]));
}

interface Delivery {
  readonly target: NodeId;
  readonly resourceId: ResourceId;
  readonly replicaNumber: number;
  /** Built when sent, so lifetimes are current. */
  readonly kinds: () => Promise<KindSnapshot[]>;
}

class ReplicatorImpl implements Replicator {
  private readonly logger: Logger;
  private readonly concurrency: number;

  constructor(
    private readonly deps: ReplicatorDeps,
    init: ReplicatorInit,
  ) {
    this.logger = deps.logger ?? silentLogger;
    this.concurrency = Math.max(1, init.concurrency ?? 4);
  }

  async afterStore(resourceId: ResourceId, result: StoreResult, options?: AbortOptions): Promise<ReplicationReport> {
    const kinds = storedKinds(result);
    if (kinds.length === 0 || !this.deps.oracle.isResponsible(resourceId)) return { sent: 0, failed: 0, resynced: 0 };
    const replicas = this.deps.oracle.replicaSet(resourceId);
    return this.deliver(
      replicas.map((target, i) => ({ target, resourceId, replicaNumber: i + 1, kinds: async () => kinds })),
      options,
    );
  }

  async handOver(target: NodeId, range: RingRange, options?: AbortOptions): Promise<ReplicationReport> {
    const ids = await this.deps.store.resources({ range });
    return this.deliver(
      ids.map((resourceId) => ({ target, resourceId, replicaNumber: 1, kinds: () => this.deps.store.snapshot(resourceId) })),
      options,
    );
  }

  async replicaSetChanged(previous: readonly NodeId[], options?: AbortOptions): Promise<ReplicationReport> {
    const deliveries: Delivery[] = [];
    for (const resourceId of await this.deps.store.resources()) {
      if (!this.deps.oracle.isResponsible(resourceId)) continue;
      for (const { node, replicaNumber } of newReplicas(previous, this.deps.oracle.replicaSet(resourceId))) {
        deliveries.push({ target: node, resourceId, replicaNumber, kinds: () => this.deps.store.snapshot(resourceId) });
      }
    }
    return this.deliver(deliveries, options);
  }

  async rangeGained(range: RingRange, options?: AbortOptions): Promise<ReplicationReport> {
    const deliveries: Delivery[] = [];
    for (const resourceId of await this.deps.store.resources({ range })) {
      if (!this.deps.oracle.isResponsible(resourceId)) continue;
      this.deps.oracle.replicaSet(resourceId).forEach((target, i) => {
        deliveries.push({ target, resourceId, replicaNumber: i + 1, kinds: () => this.deps.store.snapshot(resourceId) });
      });
    }
    return this.deliver(deliveries, options);
  }

  async prune(options?: AbortOptions): Promise<number> {
    const { oracle } = this.deps;
    const stale = (await this.deps.store.resources({ withCounters: true })).filter((id) => !oracle.isResponsible(id) && !oracle.holdsReplica(id));
    if (options?.signal?.aborted) return 0;
    await this.deps.store.drop(stale);
    if (stale.length > 0) this.logger.debug('dropped resources outside the replica set', { count: stale.length });
    return stale.length;
  }

  /** Sends each delivery, `concurrency` at a time. */
  private async deliver(deliveries: readonly Delivery[], options?: AbortOptions): Promise<ReplicationReport> {
    let sent = 0;
    let failed = 0;
    let resynced = 0;
    let next = 0;
    const worker = async () => {
      while (next < deliveries.length && !options?.signal?.aborted) {
        const d = deliveries[next++] as Delivery;
        const outcome = await this.deliverOne(d, options);
        if (outcome === 'sent') sent++;
        else if (outcome === 'resynced') resynced++;
        else if (outcome === 'failed') failed++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, deliveries.length) }, worker));
    return { sent, failed, resynced };
  }

  private async deliverOne(d: Delivery, options?: AbortOptions): Promise<'sent' | 'resynced' | 'failed' | 'empty'> {
    const { sender } = this.deps;
    const fetch = sender.fetch;
    const peer: ReplicaPeer<StoreAns> = {
      store: (req, certificates, o) => sender.store(d.target, req, certificates, o),
      fetch: fetch && ((req, o) => fetch.call(sender, d.target, req, o)),
    };
    try {
      const done = await storeReplica(this.deps, peer, d.resourceId, await d.kinds(), d.replicaNumber, options);
      return done === undefined ? 'empty' : done.resynced ? 'resynced' : 'sent';
    } catch (e) {
      this.logger.warn('replica store failed', { target: hexKey(d.target), resource: hexKey(d.resourceId), error: String(e) });
      return 'failed';
    }
  }
}

export function createReplicator(deps: ReplicatorDeps, init: ReplicatorInit = {}): Replicator {
  return new ReplicatorImpl(deps, init);
}
