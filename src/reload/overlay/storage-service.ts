/**
 * Storage wired into one peer (RFC 6940 §7, §10.4): the Store, Fetch, Stat and Find handlers on
 * message transport, replication through the topology plug-in's view of the ring, and the
 * requesting side (values signed per §7.1, requests routed to the Resource-ID).
 */
import type { Forwarding } from '../forwarding/index.js';
import { AbortError, silentLogger, type AbortOptions, type Logger } from '../runtime/components.js';
import { ReloadError } from '../runtime/reload-error.js';
import type { Signer } from '../security/signer.js';
import { createReplicator, type DataStore, type Replicator } from '../storage/index.js';
import type { DataTransfer, TopologyResponsibility } from '../topology/topology-plugin.js';
import type { Answer, AnswerNameFor, IncomingRequest, MessageTransport, RequestBody, RequestName } from '../transport/index.js';
import { bytesEqual } from '../wire/codec/hex.js';
import type { Destination } from '../wire/destination.js';
import type { NodeId, ResourceId } from '../wire/ids.js';
import type { KnownBodyName, MessageBodies } from '../wire/message-body.js';
import type { FetchReq, StoredDataSpecifier } from '../wire/storage/fetch.js';
import { ARRAY_LAST_INDEX } from '../wire/storage/fetch.js';
import { storedDataSignatureInput } from '../wire/storage/stored-data-signature-input.js';
import type { StoredData, StoredDataValue } from '../wire/storage/stored-data.js';
import type { StoreReq } from '../wire/storage/store.js';
import type { FetchSpec, Outcome, StoreValue } from './overlay-types.js';

export interface StorageServiceDeps {
  readonly store: DataStore;
  readonly transport: MessageTransport;
  readonly forwarding: Pick<Forwarding, 'localNodeId'>;
  readonly responsibility: TopologyResponsibility;
  readonly signer: Signer;
  readonly clock: { now(): number };
  /** Milliseconds since 1970 (storage_time). */
  readonly epochClock: () => number;
  readonly logger?: Logger;
}

const node = (nodeId: NodeId): Destination => ({ kind: 'node', nodeId });

export class StorageService {
  readonly replicator: Replicator;
  private readonly log: Logger;
  private readonly unregister: (() => void)[];
  private lastStorageTime = 0n;
  /** Requests answered here as their destination, by hops (index). */
  readonly deliveredHops: number[] = [];

  constructor(private readonly deps: StorageServiceDeps) {
    this.log = deps.logger ?? silentLogger;
    const transport = deps.transport;
    this.replicator = createReplicator({
      store: deps.store,
      oracle: deps.responsibility,
      clock: deps.clock,
      logger: deps.logger,
      sender: {
        // §10.4: replica Stores "are addressed to those specific peers".
        store: async (target, req, options) => (await transport.request([node(target)], { name: 'store_req', value: req }, options)).value,
        // OUR LIMITATION: transport's Answer does not expose the SecurityBlock's certificates yet; the
        // fast signer needs none, real certificates will (identity issue).
        fetch: async (target, req, options) => ({ answer: (await transport.request([node(target)], { name: 'fetch_req', value: req }, options)).value, certificates: [] }),
      },
    });
    this.unregister = [
      transport.handle('store_req', (req) => this.handleStore(req)),
      transport.handle('fetch_req', (req) => {
        this.countHops(req);
        return this.deps.store.fetch(req.value).then((value) => ({ value }));
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
      prune: (options) => r.prune(options),
      resourceCount: async () => (await this.deps.store.resources()).length,
    };
  }

  close(): void {
    for (const u of this.unregister.splice(0)) u();
    this.deps.store.stop();
  }

  /**
   * §7.4.1: store, answer, then (§10.4) "send a Store request to its successor in the Neighbor Table
   * and to that peer's successor" — for original stores only; replicas are not replicated further.
   */
  private async handleStore(req: IncomingRequest<'store_req'>) {
    this.countHops(req);
    const result = await this.deps.store.store(req.value, { requester: req.sender, certificates: [] });
    if (req.value.replicaNumber === 0) {
      const resource = req.value.resource;
      queueMicrotask(() => {
        this.replicator.afterStore(resource, result).catch((e: unknown) => this.log.warn('replication failed', { error: String(e) }));
      });
    }
    return { value: result.answer };
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
    if (options?.signal?.aborted) throw new AbortError();
    const answer = await this.deps.transport.request([{ kind: 'resource', resourceId }], body, options);
    return outcome(answer, this.deps.forwarding.localNodeId);
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
