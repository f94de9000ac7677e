/** A DataStore wired to fakes (clock, verifier, oracle) and a test configuration's Kinds. */
import { configurationWithDefaults, type Configuration, type Kind } from '../../wire/config/overlay-configuration.js';
import type { NodeId, ResourceId } from '../../wire/ids.js';
import type { FetchAns, FetchReq } from '../../wire/storage/fetch.js';
import type { StoredData } from '../../wire/storage/stored-data.js';
import type { StoreReq } from '../../wire/storage/store.js';
import { nodeMultipleResourceName, type KindRule } from '../access-control.js';
import { createDataStore, type DataStore } from '../data-store.js';
import { kindTableFromConfiguration } from '../kind-table.js';
import { createMemoryBackend } from '../memory-backend.js';
import { chordReloadResourceIdHash } from '../../topology/chord/chord-hash.js';
import type { StorageBackend } from '../storage-backend.js';
import type { StorageLimits } from '../storage-limits.js';
import type { StoreContext } from '../store-operation.js';
import { FakeOracle } from './fake-oracle.js';
import { FakeTrust, type FakeIdentity } from './fake-trust.js';
import { ManualClock } from '../../testing/manual-clock.js';
import { id16 } from './records.js';
import { webHasher } from '../../testing/web-hasher.js';

/** Kind-IDs of the test configuration. */
export const K = {
  SIP: 1,
  TURN: 2,
  CERT_NODE: 3,
  CERT_USER: 16,
  /** single, USER-MATCH, max-count 1, max-size 16 */
  SINGLE: 2000,
  /** dictionary, USER-MATCH, max-count 4, max-size 64 */
  DICT: 2001,
  /** array, USER-MATCH, max-count 5, max-size 64 */
  ARRAY: 2002,
} as const;

function kind(k: Partial<Kind> & Pick<Kind, 'maxCount' | 'maxSize'> & ({ id: number } | { name: string })): Kind {
  return { dataModel: 'SINGLE', accessControl: 'USER-MATCH', extensions: [], ...k } as Kind;
}

/** RFC 6940 §11.1 required-kinds of the test overlay. SIP-REGISTRATION is written as the RFC's own example writes it (SINGLE, USER-MATCH): the IANA registration wins. */
export const TEST_CONFIGURATION = configurationWithDefaults({
  instanceName: 'storage.test',
  requiredKinds: [
    kind({ name: 'SIP-REGISTRATION', maxCount: 3, maxSize: 200 }),
    kind({ name: 'TURN-SERVICE', maxCount: 1, maxSize: 64, maxNodeMultiple: 3 }),
    kind({ name: 'CERTIFICATE_BY_NODE', maxCount: 3, maxSize: 100 }),
    kind({ name: 'CERTIFICATE_BY_USER', maxCount: 3, maxSize: 100 }),
    kind({ id: K.SINGLE, maxCount: 1, maxSize: 16 }),
    kind({ id: K.DICT, dataModel: 'DICTIONARY', maxCount: 4, maxSize: 64 }),
    kind({ id: K.ARRAY, dataModel: 'ARRAY', maxCount: 5, maxSize: 64 }),
  ].map((k) => ({ kind: k })),
});

export const NODE_ALICE: NodeId = id16(0xa1, 1);
export const NODE_ALICE_2: NodeId = id16(0xa2, 2);
export const NODE_BOB: NodeId = id16(0xb1, 3);

export const resourceIdHash = chordReloadResourceIdHash(webHasher);
const utf8 = new TextEncoder();

export const resourceOfName = (name: string): Promise<ResourceId> => resourceIdHash(utf8.encode(name));
export const resourceOfNode = (nodeId: NodeId): Promise<ResourceId> => resourceIdHash(nodeId);
export const resourceOfNodeMultiple = (nodeId: NodeId, i: number): Promise<ResourceId> => resourceIdHash(nodeMultipleResourceName(nodeId, i));

export interface StorageFixture {
  /** The monotonic clock, and the epoch clock too unless `epochClock` was given. */
  readonly clock: ManualClock;
  readonly trust: FakeTrust;
  readonly oracle: FakeOracle;
  readonly backend: StorageBackend;
  readonly store: DataStore;
  readonly alice: FakeIdentity;
  /** Alice's certificate holds two Node-IDs; this identity signs for the second. */
  readonly alice2: FakeIdentity;
  readonly bob: FakeIdentity;
  /** Resource-ID of alice@example.com (USER-MATCH, USER-NODE-MATCH). */
  readonly aliceUser: ResourceId;
  readonly bobUser: ResourceId;
  /** The context of a StoreReq signed by `who`. */
  ctx(who: FakeIdentity): StoreContext;
}

export interface StorageFixtureOptions {
  readonly backend?: StorageBackend;
  readonly limits?: Partial<StorageLimits>;
  /** The DataStore's epoch clock; default `clock.now` (a process that outlives its backend can share one across fixtures). */
  readonly epochClock?: () => number;
  /** The configuration whose Kinds the store has; default TEST_CONFIGURATION. */
  readonly configuration?: Configuration;
  /** The usages' KindRules (DataStoreInit.kindRules). */
  readonly kindRules?: readonly KindRule[];
}

export async function storageFixture(options: StorageFixtureOptions = {}): Promise<StorageFixture> {
  const clock = new ManualClock();
  const trust = new FakeTrust();
  const oracle = new FakeOracle();
  const backend = options.backend ?? createMemoryBackend();
  const store = createDataStore(
    { backend, clock, epochClock: options.epochClock ?? (() => clock.now()), verifier: trust, hasher: webHasher, resourceIdHash, responsibility: oracle },
    {
      kinds: kindTableFromConfiguration(options.configuration ?? TEST_CONFIGURATION),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.kindRules ? { kindRules: options.kindRules } : {}),
    },
  );
  return {
    clock,
    trust,
    oracle,
    backend,
    store,
    alice: trust.identity('alice@example.com', [NODE_ALICE, NODE_ALICE_2]),
    alice2: trust.identity('alice@example.com', [NODE_ALICE, NODE_ALICE_2], 1),
    bob: trust.identity('bob@example.com', [NODE_BOB]),
    aliceUser: await resourceOfName('alice@example.com'),
    bobUser: await resourceOfName('bob@example.com'),
    ctx: (who) => ({ requester: who.signer, certificates: [] }),
  };
}

/** A StoreReq of one Kind. */
export function storeReq(resource: ResourceId, kind: number, values: readonly StoredData[], generationCounter = 0n, replicaNumber = 0): StoreReq {
  return { resource, replicaNumber, kindData: [{ kind, generationCounter, values }] };
}

/** The FetchAns a DataStore answers `req` with (DataStore.fetchWithCertificates, as the storage service calls it), without its certificates. */
export async function fetchAnswer(store: Pick<DataStore, 'fetchWithCertificates'>, req: FetchReq): Promise<FetchAns> {
  return (await store.fetchWithCertificates(req)).answer;
}
