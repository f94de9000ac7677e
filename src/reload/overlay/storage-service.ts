/**
 * Storage wired into one peer (RFC 6940 §7, §10.4): the Store, Fetch, Stat and Find handlers on
 * message transport, replication through the topology plug-in's view of the ring, and the
 * requesting side (values signed per §7.1, requests routed to the Resource-ID).
 */
import type { Forwarding } from '../forwarding/index.js';
import { AbortError, silentLogger, type AbortOptions, type Clock, type Logger } from '../runtime/components.js';
import { ReloadError } from '../runtime/reload-error.js';
import type { Signer } from '../security/signer.js';
import { createReplicator, storeReplica, type DataStore, type ReplicaPeer, type Replicator, type StoreResult } from '../storage/index.js';
import { hexKey } from '../storage/ring-range.js';
import type { DataTransfer, TopologyResponsibility } from '../topology/topology-plugin.js';
import type { Answer, AnswerNameFor, IncomingRequest, MessageTransport, RequestBody, RequestName } from '../transport/index.js';
import { bytesEqual } from '../wire/codec/hex.js';
import type { Destination } from '../wire/destination.js';
import type { NodeId, ResourceId } from '../wire/ids.js';
import type { KnownBodyName, MessageBodies } from '../wire/message-body.js';
import { ErrorCode } from '../wire/message-codes.js';
import type { FetchReq, StoredDataSpecifier } from '../wire/storage/fetch.js';
import { ARRAY_LAST_INDEX } from '../wire/storage/fetch.js';
import { storedDataSignatureInput } from '../wire/storage/stored-data-signature-input.js';
import type { StoredData, StoredDataValue } from '../wire/storage/stored-data.js';
import type { StoreReq } from '../wire/storage/store.js';
import { checkFetchedData, type FetchedDataChecks } from './fetched-data.js';
import type { FetchOutcome, FetchSpec, Outcome, StoreValue } from './overlay-types.js';

export interface StorageServiceDeps {
  readonly store: DataStore;
  readonly transport: MessageTransport;
  readonly forwarding: Pick<Forwarding, 'localNodeId'>;
  readonly responsibility: TopologyResponsibility;
  readonly signer: Signer;
  /** Checks values a Fetch brings back (§7.1: the fetcher verifies each signature itself). */
  readonly checks: FetchedDataChecks;
  readonly clock: Pick<Clock, 'setTimer'>;
  /** Milliseconds since 1970: storage_time (§7), and the scale of the stored values' times (DataStoreDeps.epochClock). */
  readonly epochClock: () => number;
  readonly logger?: Logger;
}

const node = (nodeId: NodeId): Destination => ({ kind: 'node', nodeId });

/** Attempts of a request that met a changing ring (changingRing), and the pause before the next (ms, times the attempt). */
const LOOP_ATTEMPTS = 3;
const LOOP_RETRY_MS = 1000;

/** Whether error `code` in answer to request `name` says the ring changed under it (requestResource tries again). */
function changingRing(code: number, name: RequestName): boolean {
  return code === ErrorCode.Error_Loop_Detected || (code === ErrorCode.Error_Not_Found && (name === 'store_req' || name === 'find_req'));
}

/** Runs of a Store's replication whose Stores partly failed, and the pause before the next (ms, times the run). */
const REPLICATION_ATTEMPTS = 3;
const REPLICATION_RETRY_MS = 10_000;

/** Rounds of `prune` in which a resource is offered to its responsible peer before it is dropped anyway. */
const MAX_HAND_ON_ATTEMPTS = 3;

export class StorageService {
  readonly replicator: Replicator;
  private readonly log: Logger;
  private readonly unregister: (() => void)[];
  private lastStorageTime = 0n;
  /** Failed attempts to hand on a resource before dropping it (prune). */
  private readonly handOnAttempts = new Map<string, number>();
  /** Requests answered here as their destination, by hops (index). */
  readonly deliveredHops: number[] = [];

  constructor(private readonly deps: StorageServiceDeps) {
    this.log = deps.logger ?? silentLogger;
    const transport = deps.transport;
    this.replicator = createReplicator({
      store: deps.store,
      oracle: deps.responsibility,
      epochClock: deps.epochClock,
      logger: deps.logger,
      sender: {
        // §10.4: replica Stores "are addressed to those specific peers".
        store: async (target, req, certificates, options) => (await transport.request([node(target)], { name: 'store_req', value: req }, { ...options, certificates })).value,
        fetch: async (target, req, options) => {
          const answer = await transport.request([node(target)], { name: 'fetch_req', value: req }, options);
          return { answer: answer.value, certificates: answer.certificates };
        },
      },
    });
    this.unregister = [
      transport.handle('store_req', (req) => this.handleStore(req)),
      transport.handle('fetch_req', async (req) => {
        this.countHops(req);
        // §6.3.4: the certificates of the values' signers, kept with the values, travel with them (a fetcher verifies each, §7.1).
        const { answer, certificates } = await this.deps.store.fetchWithCertificates(req.value);
        return { value: answer, certificates };
      }),
      transport.handle('stat_req', (req) => {
        this.countHops(req);
        return this.deps.store.stat(req.value).then((value) => ({ value }));
      }),
      transport.handle('find_req', (req) => {
        this.countHops(req);
        return this.deps.store.find(req.value).then((value) => ({ value }));
      }),
    ];
  }

  /** The data moves the topology orders (DataTransfer, §10.4-§10.7.3). */
  dataTransfer(): DataTransfer {
    const r = this.replicator;
    return {
      handOver: (target, range, options) => r.handOver(target, range, options),
      replicaSetChanged: (previous, options) => r.replicaSetChanged(previous, options),
      rangeGained: (range, options) => r.rangeGained(range, options),
      prune: (options) => this.prune(options),
      resourceCount: async () => (await this.deps.store.resources()).length,
    };
  }

  close(): void {
    for (const u of this.unregister.splice(0)) u();
    this.deps.store.close();
  }

  /**
   * §7.4.1: store, answer, then (§10.4) "send a Store request to its successor in the Neighbor Table
   * and to that peer's successor" — for original stores. A replica Store is replicated further only
   * when it reached the peer now responsible for the Resource-ID from a peer outside its replica set
   * (data handed on by a former replica holder, §6.4.2.3, see `prune`); §10.4's replicas "do not
   * themselves perform further Stores, because they can determine that they are not responsible".
   */
  private async handleStore(req: IncomingRequest<'store_req'>) {
    this.countHops(req);
    // §7.4.1.1: each value's signature is verified with the certificates the Store carried.
    const result = await this.deps.store.store(req.value, { requester: req.sender, certificates: req.certificates });
    const resource = req.value.resource;
    const { responsibility } = this.deps;
    const onward =
      req.value.replicaNumber === 0 ||
      (result.stored.length > 0 && responsibility.isResponsible(resource) && !responsibility.replicaSet(resource).some((n) => bytesEqual(n, req.sender.nodeId)));
    if (onward) queueMicrotask(() => this.replicate(resource, result, 1));
    return { value: result.answer };
  }

  /** §10.4 replication of a Store; Stores that failed are tried again (with the replica set of then). */
  private replicate(resource: ResourceId, result: StoreResult, attempt: number): void {
    this.replicator.afterStore(resource, result).then(
      (report) => {
        if (report.failed > 0 && attempt < REPLICATION_ATTEMPTS) this.deps.clock.setTimer(REPLICATION_RETRY_MS * attempt, () => this.replicate(resource, result, attempt + 1));
      },
      (e: unknown) => this.log.warn('replication failed', { error: String(e) }),
    );
  }

  /**
   * §10.7.3: "When peer x detects that it is no longer in the replica set for a resource R ..., it
   * SHOULD delete all data associated with R from its local store" — but first, §6.4.2.3: "When a
   * peer detects through an Update that it is no longer responsible for any data value it is
   * storing, it MUST attempt to Store a copy to the correct node unless it knows the newly
   * responsible node already has a copy of the data." The copy goes to the Resource-ID (a replica
   * Store routed to whoever is responsible now); a peer that refuses it for holding newer data is
   * resynchronized from and sent the merged data (`storeReplica`, §7.4.1.1), since a refused Store
   * leaves it without every value of ours it lacked. A resource is dropped once that peer has
   * taken it, and kept for the next round otherwise.
   */
  private async prune(options?: AbortOptions): Promise<number> {
    const { store, responsibility, transport } = this.deps;
    // Kept generation counters too (StorageBackend): they go with the resource.
    const stale = (await store.resources({ withCounters: true })).filter((id) => !responsibility.isResponsible(id) && !responsibility.holdsReplica(id));
    const done: ResourceId[] = [];
    for (const resourceId of stale) {
      if (options?.signal?.aborted) break;
      const to: Destination[] = [{ kind: 'resource', resourceId }];
      // OUR CHOICE: an error answer does not name the peer that made it (it may come from any peer
      // on the path, see MessageTransport), so the newer data is fetched from the Resource-ID too:
      // routed like the Store, it reaches the same responsible peer.
      const peer: ReplicaPeer<NodeId> = {
        store: async (req, certificates, o) => (await transport.request(to, { name: 'store_req', value: req }, { ...o, certificates })).sender.nodeId,
        fetch: async (req, o) => {
          const answer = await transport.request(to, { name: 'fetch_req', value: req }, o);
          return { answer: answer.value, certificates: answer.certificates };
        },
      };
      try {
        const taken = await storeReplica(this.deps, peer, resourceId, await store.snapshot(resourceId), 1, options);
        if (taken === undefined || !bytesEqual(taken.answer, this.deps.forwarding.localNodeId)) done.push(resourceId);
      } catch (e) {
        const key = hexKey(resourceId);
        const attempts = (this.handOnAttempts.get(key) ?? 0) + 1;
        // A peer that keeps refusing the copy (it does not see us as a plausible source) is not asked forever.
        if (attempts >= MAX_HAND_ON_ATTEMPTS) done.push(resourceId);
        else this.handOnAttempts.set(key, attempts);
        this.log.debug('could not hand on a resource before dropping it', { error: String(e), attempts });
      }
    }
    for (const id of done) this.handOnAttempts.delete(hexKey(id));
    await store.drop(done);
    return done.length;
  }

  /**
   * §7.4.2 Fetch at the responsible peer, then this peer's own check of every value that came back
   * (§7.1: "a fetcher trusts no storing peer"): values that fail are dropped from the answer and
   * listed in `rejected`.
   */
  async fetch(resourceId: ResourceId, req: FetchReq, options?: AbortOptions): Promise<FetchOutcome> {
    const { answer, certificates, outcome: o } = await this.requestResource(resourceId, { name: 'fetch_req', value: req }, options);
    const checked = await checkFetchedData(this.deps.checks, resourceId, answer.value, certificates, options);
    for (const r of checked.rejected) this.log.warn('dropped a fetched value that does not verify', { kind: r.kind, responder: hexKey(o.responder), error: r.error.message });
    return { ...o, answer: checked.answer, rejected: checked.rejected };
  }

  /** Hops of a request delivered here: via list entries plus the last link (0 from ourselves). */
  private countHops(req: IncomingRequest): void {
    const hops = req.from === undefined ? 0 : req.header.viaList.length + 1;
    this.deliveredHops[hops] = (this.deliveredHops[hops] ?? 0) + 1;
    for (let i = 0; i < hops; i++) this.deliveredHops[i] ??= 0;
  }

  // ── The requesting side ──────────────────────────────────────────────────────────────────

  /** §7.4.1: a StoreReq of our own values, signed per §7.1. */
  async buildStore(resourceId: ResourceId, kind: number, model: StoredDataValue['model'], values: readonly StoreValue[], defaultLifetime: number, generation: bigint, options?: AbortOptions): Promise<StoreReq> {
    const signer = this.deps.signer;
    const identity = signer.identity();
    const data: StoredData[] = [];
    for (const v of values) {
      const value = storedValue(model, v);
      const storageTime = this.nextStorageTime();
      const signature = await signer.sign(storedDataSignatureInput(resourceId, kind, storageTime, value, identity), options);
      data.push({ storageTime, lifetime: v.lifetime ?? defaultLifetime, value, signature });
    }
    return { resource: resourceId, replicaNumber: 0, kindData: [{ kind, generationCounter: generation, values: data }] };
  }

  /** §7.4.2.1 specifiers for `specs`, each Kind's model from `modelOf`. */
  fetchReq(resourceId: ResourceId, specs: readonly FetchSpec[], modelOf: (kind: number) => StoredDataValue['model'] | undefined): FetchReq {
    const specifiers: StoredDataSpecifier[] = specs.map((s) => {
      const model = modelOf(s.kind);
      if (!model) throw ReloadError.of('Error_Unknown_Kind', `Kind ${s.kind} is not in this peer's configuration`);
      const modelSpecifier =
        model === 'single' ? { model } : model === 'array' ? { model, indices: s.indices ?? [{ first: 0, last: ARRAY_LAST_INDEX }] } : { model, keys: s.keys ?? [] };
      return { kind: s.kind, generation: s.generation ?? 0n, modelSpecifier };
    });
    return { resource: resourceId, specifiers };
  }

  /** Send a request to the peer responsible for `resourceId` and report how it came back. */
  async toResource<K extends RequestName>(resourceId: ResourceId, body: RequestBody<K>, options?: AbortOptions): Promise<Outcome<MessageBodies[AnswerNameFor<K>]>> {
    return (await this.requestResource(resourceId, body, options)).outcome;
  }

  private async requestResource<K extends RequestName>(
    resourceId: ResourceId,
    body: RequestBody<K>,
    options?: AbortOptions,
  ): Promise<{ answer: Answer<AnswerNameFor<K>>; certificates: Answer['certificates']; outcome: Outcome<MessageBodies[AnswerNameFor<K>]> }> {
    for (let attempt = 1; ; attempt++) {
      if (options?.signal?.aborted) throw new AbortError();
      try {
        const answer = await this.deps.transport.request([{ kind: 'resource', resourceId }], body, options);
        return { answer, certificates: answer.certificates, outcome: outcome(answer, this.deps.forwarding.localNodeId) };
      } catch (e) {
        // A loop (RFC 7851 §6.2 Error_Loop_Detected) comes from routing tables that disagree while
        // the ring changes; they settle within moments, so the request is made again (a new
        // transaction; a Store carries the same signed values, which a peer that took them already
        // treats as a repeat). So does a Store or Find answered Error_Not_Found (§7.4.1.1: "if it is
        // not [responsible], the peer must reject the request"; §7.4.4.2): the peer it was routed to
        // was responsible when it took the message and no longer was when it acted on it (a peer
        // joined in front of it meanwhile, §10.5). Seen as a registration that failed at once while
        // another browser joined beside it.
        if (!(e instanceof ReloadError && changingRing(e.code, body.name)) || attempt >= LOOP_ATTEMPTS) throw e;
        await new Promise<void>((resolve) => this.deps.clock.setTimer(LOOP_RETRY_MS * attempt, resolve));
      }
    }
  }

  /** §7: storage_time, milliseconds since 1970, strictly increasing so each new value replaces the last. */
  private nextStorageTime(): bigint {
    let t = BigInt(Math.floor(this.deps.epochClock()));
    if (t <= this.lastStorageTime) t = this.lastStorageTime + 1n;
    this.lastStorageTime = t;
    return t;
  }
}

/** hops = 0 when we answered ourselves, else via list length + 1 (each relay appended one, §6.1.2). */
export function outcome<A extends KnownBodyName>(answer: Answer<A>, self: NodeId): Outcome<MessageBodies[A]> {
  const responder = answer.sender.nodeId;
  const hops = bytesEqual(responder, self) ? 0 : answer.header.viaList.length + 1;
  return { answer: answer.value, hops, responder };
}

function storedValue(model: StoredDataValue['model'], v: StoreValue): StoredDataValue {
  const value = { exists: v.exists ?? true, value: v.value };
  if (model === 'single') return { model, singleValueEntry: value };
  if (model === 'array') {
    if (v.index === undefined) throw new RangeError('an array value needs an index (0xFFFFFFFF appends)');
    return { model, arrayEntry: { index: v.index, value } };
  }
  if (v.key === undefined) throw new RangeError('a dictionary value needs a key');
  return { model, dictionaryEntry: { key: v.key, value } };
}
