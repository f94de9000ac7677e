/**
 * The storage component of a peer (RFC 6940 §7, Figure 1 "Storage"): the §7 rules on top of a
 * StorageBackend. Message transport hands it decoded Store/Fetch/Stat/Find requests (decoded
 * with `kinds.models`) and answers with what it returns, or with the ReloadError it throws
 * (§6.3.3.1). Replication (replication.ts) drives it through `snapshot`, `resources`, `drop`
 * and `absorb`.
 */
import { AbortError, silentLogger, type AbortOptions, type Clock, type Hasher, type Logger, type Timer } from '../runtime/components.js';
import { SerialQueue } from '../runtime/serial-queue.js';
import type { Verifier } from '../security/signer.js';
import type { GenericCertificate } from '../wire/security-block.js';
import type { ResourceId } from '../wire/ids.js';
import type { FetchAns, FetchKindResponse, FetchReq } from '../wire/storage/fetch.js';
import type { FindAns, FindReq } from '../wire/storage/find.js';
import type { StatAns, StatReq } from '../wire/storage/stat.js';
import type { StoreReq } from '../wire/storage/store.js';
import { BASE_ACCESS_POLICIES, type AccessPolicy, type KindRule } from './access-control.js';
import { certificatesOfRecords } from './held-certificates.js';
import { KindDefinitionError, type KindDefinition, type KindTable } from './kind-table.js';
import { KindRulePass } from './kind-rule-pass.js';
import { fetchValues, findResources, statValues, type ReadEnvironment } from './read-operations.js';
import type { ResourceIdHash } from './resource-id-hash.js';
import type { ResponsibilityOracle } from './responsibility-oracle.js';
import { hexKey } from './ring-range.js';
import type { ResourceQuery, StorageBackend } from './storage-backend.js';
import { DEFAULT_STORAGE_LIMITS, type StorageLimits } from './storage-limits.js';
import {
  applyStore,
  checkResponsibility,
  checkStoreShape,
  isAnonymousSignature,
  verifyAndAuthorize,
  type StoreContext,
  type StoreEnvironment,
  type StoreResult,
} from './store-operation.js';
import type { StoredRecord } from './stored-record.js';

export type { StoreContext, StoreResult } from './store-operation.js';

export interface DataStoreDeps {
  readonly backend: StorageBackend;
  /** Monotonic time for the purge timer (`start`). */
  readonly clock: Pick<Clock, 'setTimer'>;
  /**
   * Milliseconds since 1970 (the simulator's virtual clock there): when values arrive and expire
   * (StoredRecord.storedAt, expiresAt), what Fetch, Stat, Find and the purge count lifetimes
   * against. Not `clock`: a persistent backend keeps these times across restarts, and a new
   * process's monotonic clock starts again near 0 (RFC 6940 §7: "lifetime: The validity period for
   * the data, in seconds, starting from the time the peer receives the StoreReq").
   */
  readonly epochClock: () => number;
  readonly verifier: Verifier;
  /** SHA-256 for Stat digests (§7.4.3.2). */
  readonly hasher: Pick<Hasher, 'sha256'>;
  /** The overlay's Resource-ID hash, for access control (§7.3); the topology plug-in's (CHORD-RELOAD: reload/topology/chord chordReloadResourceIdHash). */
  readonly resourceIdHash: ResourceIdHash;
  readonly responsibility: ResponsibilityOracle;
  readonly logger?: Logger;
}

export interface DataStoreInit {
  readonly kinds: KindTable;
  readonly limits?: Partial<StorageLimits>;
  /** Policies beyond the four of §7.3 (e.g. RFC 7374 NODE-ID-MATCH), by name. */
  readonly extraPolicies?: readonly AccessPolicy[];
  /**
   * The usages' further conditions on Kinds' values (e.g. RFC 7904 §3.4 AoR domains), applied to
   * every value stored and, when the store is created, to the values the backend holds already
   * (KindRulePass).
   */
  readonly kindRules?: readonly KindRule[];
  /** How often `start()` purges expired values (ms of the monotonic clock; default 60 s). */
  readonly purgeIntervalMs?: number;
}

/** One Kind's live values at a Resource-ID, with its generation counter. */
export interface KindSnapshot {
  readonly kind: number;
  readonly generation: bigint;
  readonly records: readonly StoredRecord[];
}

/** A FetchAns and the certificates of its values (§6.3.4). */
export interface FetchResult {
  readonly answer: FetchAns;
  readonly certificates: readonly GenericCertificate[];
}

export interface DataStore {
  readonly kinds: KindTable;
  /** RFC 6940 §7.4.1 Store. Rejects with ReloadError carrying the RFC error code. */
  store(req: StoreReq, context: StoreContext, options?: AbortOptions): Promise<StoreResult>;
  /** RFC 6940 §7.4.2 Fetch, with the certificates to send in the FetchAns's SecurityBlock (`certificatesOf` its values). */
  fetchWithCertificates(req: FetchReq, options?: AbortOptions): Promise<FetchResult>;
  /**
   * The certificates that verify `records`' values, one copy each, to send along with them (a
   * replica Store): RFC 6940 §6.3.4 "implementers MUST include all referenced certificates ...
   * a peer storing data is obligated to retain certificates for the data that it holds".
   */
  certificatesOf(records: readonly StoredRecord[]): Promise<GenericCertificate[]>;
  /** RFC 6940 §7.4.3 Stat. */
  stat(req: StatReq, options?: AbortOptions): Promise<StatAns>;
  /** RFC 6940 §7.4.4 Find. */
  find(req: FindReq, options?: AbortOptions): Promise<FindAns>;
  /**
   * Take the values of another peer's FetchAns that are newer than ours (§7.4.1.1: after an
   * Error_Data_Too_Old or Error_Generation_Counter_Too_Low on a replica or hand-over store,
   * "fetch the newer data from the peer generating the error and use that to replace its own
   * copy"). Each value's signature and policy are checked as for a Store. Resolves with how
   * many values were taken.
   */
  absorb(resourceId: ResourceId, responses: readonly FetchKindResponse[], certificates: readonly GenericCertificate[], options?: AbortOptions): Promise<number>;
  /** Every live value at a Resource-ID, by Kind (for replication). */
  snapshot(resourceId: ResourceId): Promise<KindSnapshot[]>;
  /** Resource-IDs held, as StorageBackend.resources. */
  resources(query?: ResourceQuery): Promise<ResourceId[]>;
  /** Forget everything at these Resource-IDs (§10.7.3: no longer in the replica set). */
  drop(resourceIds: readonly ResourceId[]): Promise<void>;
  /** Delete expired values now (§7.4.1.3), and forget kept counters beyond StorageLimits.maxKeptCounters; resolves with how many values went. */
  purgeExpired(): Promise<number>;
  /** Purge expired values every `purgeIntervalMs` on the monotonic clock. */
  start(): void;
  stop(): void;
  /**
   * Stop, and write no more: a Store, absorb, drop or purge not yet under the lock rejects with
   * AbortError. So does a read that needs the lock: every read when the start-up KindRule pass had
   * not started (or must run again, having failed to list the values), and a Fetch, Stat or snapshot
   * of a Kind at a Resource-ID the pass could not judge (KindRulePass). For a peer that closes while
   * another DataStore is made over its backend (a restart with a newer configuration, RFC 6940
   * §6.5.4, overlay-client.ts): a Store this one verified under the old rules would otherwise write
   * after the new store's start-up pass and keep a value the new rules refuse. One already under
   * the lock finishes: a DataStore made over the same backend shares the lock (storeLocks), so its
   * pass comes after that write and judges it.
   */
  close(): void;
}

/**
 * The lock (DataStoreImpl.withLock) of the DataStores over each backend object. Shared
 * because a peer restarted with a newer configuration (RFC 6940 §6.5.4, overlay-client.ts) makes a
 * new DataStore over the backend while the old one's closing cannot wait: a write the old one had
 * under way when it closed would otherwise land after the new one's start-up pass (KindRulePass)
 * and keep a value the new rules refuse. Queued behind it, that pass judges it.
 *
 * OUR CHOICE, with its cost: the new store's start-up pass, and so every read of the new store
 * (each waits for the pass), waits without bound on the old store's operation in flight, as any
 * operation already waited on the one before it within one store; a backend write that never
 * settles stalls the new store too. It is shared only for the same backend object (the ConfigUpdate
 * restart in overlay-client.ts passes the old peer's object on); the stores over other backend
 * objects over the same data (another IndexedDB connection, another open of a SQLite file in the
 * process) are ordered with these by the backend's own `exclusively` (StorageBackend; Web Locks
 * in idb-backend.ts, node/sqlite-files.ts), which each locked operation runs in.
 */
const storeLocks = new WeakMap<StorageBackend, SerialQueue>();

/** The lock of the DataStores over `backend` (storeLocks), made at its first use. */
function lockOf(backend: StorageBackend): SerialQueue {
  let lock = storeLocks.get(backend);
  if (!lock) storeLocks.set(backend, (lock = new SerialQueue()));
  return lock;
}

/**
 * How the owner of a backend (the one that opened it: chordphone-server.ts, overlay-client.ts)
 * closes it, once, after closing the DataStores over it (their peers): the operation one of them
 * had under way (DataStore.close lets it finish) settles first, so no write is cut off between
 * its read and its write; those queued behind it were refused by the close.
 */
export async function closeBackendAfterStores(backend: StorageBackend): Promise<void> {
  await storeLocks.get(backend)?.settled();
  await backend.close();
}

class DataStoreImpl implements DataStore {
  readonly kinds: KindTable;
  private readonly env: StoreEnvironment & ReadEnvironment;
  private readonly logger: Logger;
  private readonly purgeIntervalMs: number;
  private timer: Timer | undefined;
  private closed = false;
  private readonly rulePass: KindRulePass;
  /** The rule pass over the values held (KindRulePass); undefined again when it could not list them, so that the next read runs it again. */
  private ruling: Promise<void> | undefined;

  constructor(
    private readonly deps: DataStoreDeps,
    init: DataStoreInit,
  ) {
    this.kinds = init.kinds;
    this.logger = deps.logger ?? silentLogger;
    this.purgeIntervalMs = init.purgeIntervalMs ?? 60_000;
    const policies = new Map(BASE_ACCESS_POLICIES);
    for (const p of init.extraPolicies ?? []) policies.set(p.name, p);
    const missing = init.kinds.kinds.filter((k: KindDefinition) => !policies.has(k.accessControl));
    if (missing.length > 0) {
      throw new KindDefinitionError(`no access control policy for ${missing.map((k) => `Kind ${k.name ?? k.id} (${k.accessControl})`).join(', ')}`);
    }
    this.env = {
      backend: deps.backend,
      epochClock: deps.epochClock,
      verifier: deps.verifier,
      hash: deps.resourceIdHash,
      hasher: deps.hasher,
      kinds: init.kinds,
      policies,
      kindRules: init.kindRules ?? [],
      responsibility: deps.responsibility,
      limits: { ...DEFAULT_STORAGE_LIMITS, ...init.limits },
    };
    this.rulePass = new KindRulePass({ backend: deps.backend, logger: this.logger }, init.kinds, this.env.kindRules);
    // First under the lock: no Store, purge or drop comes before it, and the reads wait for it.
    this.judged().catch((e: unknown) => {
      if (this.closed) this.logger.debug('the data store closed before the KindRules judged the values held');
      else this.logger.warn('the held values could not be listed to be judged by the KindRules; the next read tries again', { error: String(e) });
    });
  }

  /**
   * Settles once the values held when the store was created have been judged by its KindRules
   * (KindRulePass), and those of `kinds` (every Kind if undefined) at `resourceId` if the pass could
   * not judge them: each read waits for it, so no value the rules refuse is served. Rejects when
   * those values cannot be judged (the read fails rather than serve them); the next read tries
   * again. A Fetch or Stat waits only for the Kinds it reads: one Kind that cannot be read does not
   * fail the others at that Resource-ID (RFC 7904's SIP-REGISTRATION and CERTIFICATE_BY_USER of a
   * user share one). OUR CHOICE: Find and the listing of Resource-IDs (replication) wait for the
   * pass, not for every Resource-ID it could not judge (one unreadable location would stop them
   * all): they name Resource-IDs, not values, and replication sends the values of each by
   * `snapshot`, which waits for its own.
   */
  private async judged(resourceId?: ResourceId, specifiers?: readonly { readonly kind: number }[]): Promise<void> {
    this.ruling ??= this.withLock(() => this.rulePass.run()).catch((e: unknown) => {
      this.ruling = undefined;
      throw e;
    });
    await this.ruling;
    // Almost always nothing is left unjudged (and never without KindRules): every Fetch comes here.
    if (resourceId === undefined || !this.rulePass.leftUnjudged) return;
    const kinds = specifiers?.map((s) => s.kind);
    if (this.rulePass.isUnjudged(resourceId, kinds)) await this.withLock(() => this.rulePass.judgeAgain(resourceId, kinds));
  }

  /**
   * Runs `fn` after every earlier locked operation, so that read-check-write is atomic. One lock
   * for the whole store, not one per Resource-ID: the per-user and total bounds (checkLimits in
   * store-operation.ts) span resources, and with a lock per resource a burst of concurrent Stores
   * from one user to many Resource-IDs would each pass the check before any of them was written.
   * Nor one per store: one per backend, after the operations of an earlier store over it (storeLocks),
   * and inside the backend's `exclusively`, after those of the stores over other backend objects
   * over the same data (another IndexedDB connection, another open of the SQLite file).
   */
  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const { backend } = this.deps;
    const guarded = (): Promise<T> => (this.closed ? Promise.reject(new AbortError('the data store is closed')) : fn());
    return lockOf(backend).run(backend.exclusively ? () => backend.exclusively!(guarded) : guarded);
  }

  /**
   * A usage's KindRule refused one value of a replica Store or of absorbed data. OUR CHOICE: that
   * value is left out and the rest kept. An original Store is refused whole (RFC 7904 §3.3 "the
   * request MUST be rejected"), but a replica Store or a fetch to absorb carries everything a peer
   * held at the Resource-ID (replication.ts replicaStoreReq), which RFC 6940 §10.7.3 has us keep:
   * refused whole, one value a rule now refuses (a configuration that added a restriction, or a
   * peer whose configuration lags) would stop every other Kind there from being replicated, such
   * as a user's CERTIFICATE_BY_USER beside a SIP-REGISTRATION.
   */
  private ruleRefused(resourceId: ResourceId, how: 'replica' | 'absorb'): (refusal: string) => void {
    return (refusal) => this.logger.info(`a ${how} value a KindRule refuses is left out`, { resource: hexKey(resourceId), refusal });
  }

  async store(req: StoreReq, context: StoreContext, options?: AbortOptions): Promise<StoreResult> {
    checkAborted(options);
    const definitions = checkStoreShape(this.env, req);
    checkResponsibility(this.env, req, context.requester);
    const original = req.replicaNumber === 0;
    const verified = await verifyAndAuthorize(this.env, req.resource, req.kindData, definitions, context.certificates, original ? context.requester : undefined, options, original ? undefined : this.ruleRefused(req.resource, 'replica'));
    checkAborted(options);
    // §7.4.1.2: the answer lists "the peers where the data will be replicated by the node processing the request".
    const replicas = original ? this.deps.responsibility.replicaSet(req.resource) : [];
    const result = await this.withLock(() => applyStore(this.env, req.resource, verified, original ? 'original' : 'replica', replicas));
    this.logger.debug('stored', { resource: hexKey(req.resource), replicaNumber: req.replicaNumber, values: result.stored.length });
    return result;
  }

  async fetchWithCertificates(req: FetchReq, options?: AbortOptions): Promise<FetchResult> {
    await this.judged(req.resource, req.specifiers);
    checkAborted(options);
    const { answer, records } = await fetchValues(this.env, req);
    return { answer, certificates: await this.certificatesOf(records) };
  }

  certificatesOf(records: readonly StoredRecord[]): Promise<GenericCertificate[]> {
    return certificatesOfRecords(this.deps.backend, this.deps.verifier, records);
  }

  async stat(req: StatReq, options?: AbortOptions): Promise<StatAns> {
    await this.judged(req.resource, req.specifiers);
    checkAborted(options);
    return statValues(this.env, req);
  }

  async find(req: FindReq, options?: AbortOptions): Promise<FindAns> {
    await this.judged();
    checkAborted(options);
    return findResources(this.env, req);
  }

  async absorb(resourceId: ResourceId, responses: readonly FetchKindResponse[], certificates: readonly GenericCertificate[], options?: AbortOptions): Promise<number> {
    const kindData = responses
      .filter((r) => this.kinds.get(r.kind))
      // Synthesized non-existent values (§7.4.2.2) are not data anyone stored.
      .map((r) => ({ kind: r.kind, generationCounter: r.generation, values: r.values.filter((v) => !isAnonymousSignature(v.signature)) }))
      .filter((r) => r.values.length > 0);
    if (kindData.length === 0) return 0;
    const definitions = checkStoreShape(this.env, { resource: resourceId, replicaNumber: 0, kindData });
    const verified = await verifyAndAuthorize(this.env, resourceId, kindData, definitions, certificates, undefined, options, this.ruleRefused(resourceId, 'absorb'));
    const result = await this.withLock(() => applyStore(this.env, resourceId, verified, 'absorb', []));
    return result.stored.length;
  }

  async snapshot(resourceId: ResourceId): Promise<KindSnapshot[]> {
    await this.judged(resourceId);
    const now = this.deps.epochClock();
    const out: KindSnapshot[] = [];
    for (const kind of await this.deps.backend.kinds(resourceId)) {
      const state = await this.deps.backend.kindState(resourceId, kind);
      const records = state.records.filter((r) => r.expiresAt > now);
      if (records.length > 0) out.push({ kind, generation: state.generation, records });
    }
    return out;
  }

  async resources(query?: ResourceQuery): Promise<ResourceId[]> {
    await this.judged();
    return this.deps.backend.resources(query);
  }

  async drop(resourceIds: readonly ResourceId[]): Promise<void> {
    for (const id of resourceIds) await this.withLock(() => this.deps.backend.write({ dropResources: [id] }));
  }

  /**
   * Under the lock, as a Store reads its location and then checks the limits against the tallies
   * (applyStore): a purge in between would take the expired values it read out of the tallies, and
   * the Store would subtract them again, letting it pass StorageLimits. Likewise for the counters
   * (StorageLimits.maxKeptCounters): a Store reads a counter and then writes the next.
   */
  async purgeExpired(): Promise<number> {
    const { removed, forgotten } = await this.withLock(async () => {
      const removed = await this.deps.backend.deleteExpired(this.deps.epochClock());
      return { removed, forgotten: await this.deps.backend.forgetCounters(this.env.limits.maxKeptCounters) };
    });
    if (removed > 0) this.logger.debug('purged expired values', { removed });
    if (forgotten > 0) this.logger.debug('forgot the counters of emptied locations', { forgotten });
    return removed;
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.timer = this.deps.clock.setTimer(this.purgeIntervalMs, tick);
      this.purgeExpired().catch((e: unknown) => this.logger.warn('purge failed', { error: String(e) }));
    };
    this.timer = this.deps.clock.setTimer(this.purgeIntervalMs, tick);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  close(): void {
    this.closed = true;
    this.stop();
  }
}

function checkAborted(options?: AbortOptions): void {
  if (options?.signal?.aborted) throw new AbortError();
}

/** The storage component over `deps.backend`, for the Kinds of `init.kinds`. */
export function createDataStore(deps: DataStoreDeps, init: DataStoreInit): DataStore {
  return new DataStoreImpl(deps, init);
}
