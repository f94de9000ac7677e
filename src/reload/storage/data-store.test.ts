import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { StoreReq } from '../wire/storage/store.js';
import { decodeStoreAns } from '../wire/storage/store.js';
import { decodeUnknownKindsInfo } from '../wire/storage/unknown-kinds-info.js';
import { syntheticNonexistentSignature } from '../wire/storage/stored-data.js';
import type { ErrorCodeName } from '../wire/message-codes.js';
import type { FetchReq, StoredDataSpecifier } from '../wire/storage/fetch.js';
import { closeBackendAfterStores } from './data-store.js';
import { openIdbBackend } from './idb-backend.js';
import { createMemoryBackend } from './memory-backend.js';
import { openSqliteBackend } from './node/index.js';
import type { StorageBackend } from './storage-backend.js';
import type { StoreContext } from './store-operation.js';
import { expectReloadError, infoText } from '../testing/reload-error-assert.js';
import { dict, entry, single } from './testing/records.js';
import {
  fetchAnswer,
  K,
  NODE_ALICE,
  NODE_ALICE_2,
  NODE_BOB,
  resourceOfNode,
  resourceOfNodeMultiple,
  storageFixture,
  storeReq,
  type StorageFixture,
} from './testing/storage-fixture.js';
import { withMethods } from './testing/with-methods.js';

let idb = 0;
const backends: [string, () => Promise<StorageBackend>][] = [
  ['memory', async () => createMemoryBackend()],
  ['sqlite', async () => openSqliteBackend({ filename: ':memory:' })],
  ['indexeddb', async () => openIdbBackend({ overlay: `data-store-${idb++}.test`, nodeId: NODE_ALICE })],
];

/** A wildcard Fetch of every Kind of the request (what a client would see). */
function fetchAll(req: StoreReq): FetchReq {
  const model = (kind: number): StoredDataSpecifier['modelSpecifier'] =>
    kind === K.SIP || kind === K.DICT ? { model: 'dictionary', keys: [] } : kind === K.SINGLE || kind === K.TURN ? { model: 'single' } : { model: 'array', indices: [{ first: 0, last: 0xffffffff }] };
  return { resource: req.resource, specifiers: req.kindData.filter((k) => [1, 2, 3, 16, 2000, 2001, 2002].includes(k.kind)).map((k) => ({ kind: k.kind, generation: 0n, modelSpecifier: model(k.kind) })) };
}

interface Row {
  readonly name: string;
  readonly code: ErrorCodeName;
  /** Stores made first (they must succeed). */
  readonly before?: (f: StorageFixture) => Promise<{ req: StoreReq; ctx: StoreContext }[]>;
  readonly request: (f: StorageFixture) => Promise<{ req: StoreReq; ctx: StoreContext }>;
  readonly setup?: (f: StorageFixture) => void;
  readonly info?: RegExp;
}

const rows: Row[] = [
  {
    name: 'unknown Kinds: Error_Unknown_Kind lists all of them (§7.4.1.2)',
    code: 'Error_Unknown_Kind',
    request: async (f) => ({
      req: {
        resource: f.aliceUser,
        replicaNumber: 0,
        kindData: [
          { kind: 0xf00d, generationCounter: 0n, values: [] },
          { kind: K.SINGLE, generationCounter: 0n, values: [f.alice.sign(f.aliceUser, K.SINGLE, single('x'), 1n)] },
          { kind: 0xbeef, generationCounter: 0n, values: [] },
        ],
      },
      ctx: f.ctx(f.alice),
    }),
  },
  {
    name: 'the same Kind twice (§7.4.1.1)',
    code: 'Error_Invalid_Message',
    request: async (f) => {
      const kd = { kind: K.SINGLE, generationCounter: 0n, values: [f.alice.sign(f.aliceUser, K.SINGLE, single('x'), 1n)] };
      return { req: { resource: f.aliceUser, replicaNumber: 0, kindData: [kd, kd] }, ctx: f.ctx(f.alice) };
    },
  },
  {
    name: 'a value in another data model than the Kind’s',
    code: 'Error_Invalid_Message',
    request: async (f) => ({ req: storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, entry(0, 'x'), 1n)]), ctx: f.ctx(f.alice) }),
  },
  {
    name: 'USER-MATCH: the signer’s user name does not hash to the Resource-ID (§7.3.1)',
    code: 'Error_Forbidden',
    info: /USER-MATCH/,
    request: async (f) => ({ req: storeReq(f.aliceUser, K.SINGLE, [f.bob.sign(f.aliceUser, K.SINGLE, single('x'), 1n)]), ctx: f.ctx(f.bob) }),
  },
  {
    name: 'USER-MATCH: the value is Alice’s but the StoreReq is signed by Bob (§7.3)',
    code: 'Error_Forbidden',
    info: /StoreReq signer/,
    request: async (f) => ({ req: storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('x'), 1n)]), ctx: f.ctx(f.bob) }),
  },
  {
    name: 'NODE-MATCH: the Node-ID does not hash to the Resource-ID (§7.3.2)',
    code: 'Error_Forbidden',
    info: /NODE-MATCH/,
    request: async (f) => {
      const r = await resourceOfNode(NODE_BOB);
      return { req: storeReq(r, K.CERT_NODE, [f.alice.sign(r, K.CERT_NODE, entry(0xffffffff, 'cert'), 1n)]), ctx: f.ctx(f.alice) };
    },
  },
  {
    name: 'NODE-MATCH: the certificate holds the Node-ID, but the signature is made for its other Node-ID (§7.3.2)',
    code: 'Error_Forbidden',
    request: async (f) => {
      const r = await resourceOfNode(NODE_ALICE_2);
      return { req: storeReq(r, K.CERT_NODE, [f.alice.sign(r, K.CERT_NODE, entry(0xffffffff, 'cert'), 1n)]), ctx: f.ctx(f.alice) };
    },
  },
  {
    name: 'USER-NODE-MATCH: the dictionary key is not the signer’s Node-ID (§7.3.3, RFC 7904 §3.3)',
    code: 'Error_Forbidden',
    info: /dictionary key/,
    request: async (f) => ({ req: storeReq(f.aliceUser, K.SIP, [f.alice.sign(f.aliceUser, K.SIP, dict(NODE_BOB, 'sip:alice@10.0.0.1'), 1n)]), ctx: f.ctx(f.alice) }),
  },
  {
    name: 'USER-NODE-MATCH: the user name does not hash to the Resource-ID',
    code: 'Error_Forbidden',
    request: async (f) => ({ req: storeReq(f.bobUser, K.SIP, [f.alice.sign(f.bobUser, K.SIP, dict(NODE_ALICE, 'sip:alice@10.0.0.1'), 1n)]), ctx: f.ctx(f.alice) }),
  },
  {
    name: 'NODE-MULTIPLE: i beyond max-node-multiple (§7.3.4)',
    code: 'Error_Forbidden',
    info: /NODE-MULTIPLE/,
    request: async (f) => {
      const r = await resourceOfNodeMultiple(NODE_ALICE, 4);
      return { req: storeReq(r, K.TURN, [f.alice.sign(r, K.TURN, single('turn'), 1n)]), ctx: f.ctx(f.alice) };
    },
  },
  {
    name: 'a value altered after it was signed (§7.4.1.1)',
    code: 'Error_Forbidden',
    request: async (f) => {
      const d = f.alice.sign(f.aliceUser, K.SINGLE, single('x'), 1n);
      return { req: storeReq(f.aliceUser, K.SINGLE, [{ ...d, value: single('y') }]), ctx: f.ctx(f.alice) };
    },
  },
  {
    name: 'a value signed for another Resource-ID (§7.1 covers resource_id)',
    code: 'Error_Forbidden',
    request: async (f) => {
      const d = f.alice.sign(f.bobUser, K.SINGLE, single('x'), 1n);
      return { req: storeReq(f.aliceUser, K.SINGLE, [d]), ctx: f.ctx(f.alice) };
    },
  },
  {
    name: 'a value with the anonymous signature of synthesized data (§7.4.1.1)',
    code: 'Error_Forbidden',
    request: async (f) => ({
      req: storeReq(f.aliceUser, K.SINGLE, [{ storageTime: 1n, lifetime: 60, value: single('x'), signature: syntheticNonexistentSignature() }]),
      ctx: f.ctx(f.alice),
    }),
  },
  {
    name: 'a value larger than max-size (§7.4.1.2)',
    code: 'Error_Data_Too_Large',
    info: /max-size/,
    request: async (f) => ({ req: storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('seventeen bytes!!'), 1n)]), ctx: f.ctx(f.alice) }),
  },
  {
    name: 'more values in one request than max-count',
    code: 'Error_Data_Too_Large',
    info: /max-count/,
    request: async (f) => ({
      req: storeReq(
        f.aliceUser,
        K.DICT,
        [1, 2, 3, 4, 5].map((i) => f.alice.sign(f.aliceUser, K.DICT, dict(Uint8Array.of(i), 'v'), 1n)),
      ),
      ctx: f.ctx(f.alice),
    }),
  },
  {
    name: 'more values than max-count together with those stored',
    code: 'Error_Data_Too_Large',
    info: /max-count/,
    before: async (f) => [
      { req: storeReq(f.aliceUser, K.DICT, [1, 2, 3].map((i) => f.alice.sign(f.aliceUser, K.DICT, dict(Uint8Array.of(i), 'v'), 1n))), ctx: f.ctx(f.alice) },
    ],
    request: async (f) => ({
      req: storeReq(f.aliceUser, K.DICT, [4, 5].map((i) => f.alice.sign(f.aliceUser, K.DICT, dict(Uint8Array.of(i), 'v'), 2n))),
      ctx: f.ctx(f.alice),
    }),
  },
  {
    name: 'array appends past max-count',
    code: 'Error_Data_Too_Large',
    before: async (f) => [
      { req: storeReq(f.aliceUser, K.CERT_USER, [1, 2, 3].map((i) => f.alice.sign(f.aliceUser, K.CERT_USER, entry(0xffffffff, `c${i}`), BigInt(i)))), ctx: f.ctx(f.alice) },
    ],
    request: async (f) => ({ req: storeReq(f.aliceUser, K.CERT_USER, [f.alice.sign(f.aliceUser, K.CERT_USER, entry(0xffffffff, 'c4'), 4n)]), ctx: f.ctx(f.alice) }),
  },
  {
    name: 'a generation counter lower than the stored one (§7.4.1.2)',
    code: 'Error_Generation_Counter_Too_Low',
    before: async (f) => [1n, 2n].map((t) => ({ req: storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single(`v${t}`), t)]), ctx: f.ctx(f.alice) })),
    request: async (f) => ({ req: storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('v3'), 3n)], 1n), ctx: f.ctx(f.alice) }),
  },
  {
    name: 'a generation counter higher than the stored one (§7.4.1.1 "it equals the current value")',
    code: 'Error_Generation_Counter_Too_Low',
    before: async (f) => [{ req: storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('v1'), 1n)]), ctx: f.ctx(f.alice) }],
    request: async (f) => ({ req: storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('v2'), 2n)], 7n), ctx: f.ctx(f.alice) }),
  },
  {
    name: 'a storage_time before the stored value’s (§7)',
    code: 'Error_Data_Too_Old',
    before: async (f) => [{ req: storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('new'), 10n)]), ctx: f.ctx(f.alice) }],
    request: async (f) => ({ req: storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('old'), 9n)]), ctx: f.ctx(f.alice) }),
  },
  {
    name: 'the same storage_time with another value (§7.4.1.1 "greater than")',
    code: 'Error_Data_Too_Old',
    before: async (f) => [{ req: storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('one'), 10n)]), ctx: f.ctx(f.alice) }],
    request: async (f) => ({ req: storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('two'), 10n)]), ctx: f.ctx(f.alice) }),
  },
  {
    name: 'an original store at a peer that is not responsible (§7.4.1.1)',
    code: 'Error_Not_Found',
    setup: (f) => void (f.oracle.responsible = () => false),
    request: async (f) => ({ req: storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('x'), 1n)]), ctx: f.ctx(f.alice) }),
  },
  {
    name: 'a replica store from a peer that is not a plausible source (§7.4.1.1)',
    code: 'Error_Forbidden',
    setup: (f) => void (f.oracle.replicaSources = [NODE_ALICE]),
    request: async (f) => ({ req: storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('x'), 1n)], 5n, 1), ctx: f.ctx(f.bob) }),
  },
  {
    name: 'a replica store with generation counter 0 (§7.4.1.1)',
    code: 'Error_Invalid_Message',
    request: async (f) => ({ req: storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('x'), 1n)], 0n, 1), ctx: f.ctx(f.bob) }),
  },
  {
    name: 'atomic: the second Kind fails, so the first is not stored either (§7.4.1.1)',
    code: 'Error_Data_Too_Old',
    before: async (f) => [{ req: storeReq(f.aliceUser, K.DICT, [f.alice.sign(f.aliceUser, K.DICT, dict(Uint8Array.of(1), 'new'), 10n)]), ctx: f.ctx(f.alice) }],
    request: async (f) => ({
      req: {
        resource: f.aliceUser,
        replicaNumber: 0,
        kindData: [
          { kind: K.SINGLE, generationCounter: 0n, values: [f.alice.sign(f.aliceUser, K.SINGLE, single('fine'), 11n)] },
          { kind: K.ARRAY, generationCounter: 0n, values: [f.alice.sign(f.aliceUser, K.ARRAY, entry(0, 'fine'), 11n)] },
          { kind: K.DICT, generationCounter: 0n, values: [f.alice.sign(f.aliceUser, K.DICT, dict(Uint8Array.of(1), 'old'), 9n)] },
        ],
      },
      ctx: f.ctx(f.alice),
    }),
  },
];

describe.each(backends)('DataStore Store rules (%s backend)', (_name, backend) => {
  it.each(rows)('$name → $code, nothing stored', async (row) => {
    const f = await storageFixture({ backend: await backend() });
    for (const b of (await row.before?.(f)) ?? []) await f.store.store(b.req, b.ctx);
    row.setup?.(f);
    const { req, ctx } = await row.request(f);
    const snapshot = await f.store.snapshot(req.resource);
    const fetched = await fetchAnswer(f.store, fetchAll(req));
    const e = await expectReloadError(f.store.store(req, ctx), row.code);
    if (row.info) expect(infoText(e)).toMatch(row.info);
    expect(await f.store.snapshot(req.resource)).toEqual(snapshot);
    expect(await fetchAnswer(f.store, fetchAll(req))).toEqual(fetched);
    await f.backend.close();
  });
});

describe('DataStore Store error details', () => {
  it('Error_Unknown_Kind carries unknown_kinds (§7.4.1.2)', async () => {
    const f = await storageFixture();
    const e = await expectReloadError(f.store.store(await rows[0]!.request(f).then((r) => r.req), f.ctx(f.alice)), 'Error_Unknown_Kind');
    expect(decodeUnknownKindsInfo(e.info)).toEqual({ unknownKinds: [0xf00d, 0xbeef] });
  });

  it('Error_Generation_Counter_Too_Low carries a StoreAns with the current counters and no replicas (§7.4.1.2)', async () => {
    const f = await storageFixture();
    f.oracle.replicas = [NODE_BOB];
    await f.store.store(storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('a'), 1n)]), f.ctx(f.alice));
    await f.store.store(storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('b'), 2n)]), f.ctx(f.alice));
    const req: StoreReq = {
      resource: f.aliceUser,
      replicaNumber: 0,
      kindData: [
        { kind: K.DICT, generationCounter: 0n, values: [f.alice.sign(f.aliceUser, K.DICT, dict(Uint8Array.of(1), 'x'), 3n)] },
        { kind: K.SINGLE, generationCounter: 1n, values: [f.alice.sign(f.aliceUser, K.SINGLE, single('c'), 3n)] },
      ],
    };
    const e = await expectReloadError(f.store.store(req, f.ctx(f.alice)), 'Error_Generation_Counter_Too_Low');
    expect(decodeStoreAns(e.info)).toEqual({
      kindResponses: [
        { kind: K.DICT, generationCounter: 0n, replicas: [] },
        { kind: K.SINGLE, generationCounter: 2n, replicas: [] },
      ],
    });
  });

  it('per-user limit: one user cannot flood the peer', async () => {
    const f = await storageFixture({ limits: { maxValuesPerUser: 3 } });
    for (const k of [K.SINGLE, K.ARRAY]) {
      const value = k === K.SINGLE ? single('x') : entry(0, 'x');
      await f.store.store(storeReq(f.aliceUser, k, [f.alice.sign(f.aliceUser, k, value, 1n)]), f.ctx(f.alice));
    }
    await f.store.store(storeReq(f.aliceUser, K.DICT, [f.alice.sign(f.aliceUser, K.DICT, dict(Uint8Array.of(1), 'x'), 1n)]), f.ctx(f.alice));
    // Replacing one of them is fine; a fourth value is not.
    await f.store.store(storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('y'), 2n)]), f.ctx(f.alice));
    const before = await f.store.snapshot(f.aliceUser);
    const e = await expectReloadError(
      f.store.store(storeReq(f.aliceUser, K.DICT, [f.alice.sign(f.aliceUser, K.DICT, dict(Uint8Array.of(2), 'x'), 2n)]), f.ctx(f.alice)),
      'Error_Data_Too_Large',
    );
    expect(infoText(e)).toMatch(/alice@example.com/);
    expect(await f.store.snapshot(f.aliceUser)).toEqual(before);
    // Another user is not affected.
    await f.store.store(storeReq(f.bobUser, K.SINGLE, [f.bob.sign(f.bobUser, K.SINGLE, single('b'), 1n)]), f.ctx(f.bob));
  });

  it('per-user byte limit and total limit', async () => {
    const f = await storageFixture({ limits: { maxBytesPerUser: 200, maxValues: 2 } });
    const big = (i: number) => f.alice.sign(f.aliceUser, K.DICT, dict(Uint8Array.of(i), 'x'.repeat(60)), 1n);
    await f.store.store(storeReq(f.aliceUser, K.DICT, [big(1)]), f.ctx(f.alice));
    await expectReloadError(f.store.store(storeReq(f.aliceUser, K.DICT, [big(2), big(3)]), f.ctx(f.alice)), 'Error_Data_Too_Large');
    await f.store.store(storeReq(f.bobUser, K.SINGLE, [f.bob.sign(f.bobUser, K.SINGLE, single('b'), 1n)]), f.ctx(f.bob));
    const e = await expectReloadError(f.store.store(storeReq(f.bobUser, K.ARRAY, [f.bob.sign(f.bobUser, K.ARRAY, entry(0, 'b'), 1n)]), f.ctx(f.bob)), 'Error_Data_Too_Large');
    expect(infoText(e)).toMatch(/as much data/);
  });

  it('a purge between a Store reading its location and checking the limits does not let it pass them (expired values subtracted once)', async () => {
    let purgeOnRead: (() => Promise<number>) | undefined;
    let purged: Promise<number> | undefined;
    const memory = createMemoryBackend();
    // A backend whose reads take time (as IndexedDB's do): the periodic purge runs while a Store reads its location.
    const backend = withMethods(memory, {
      kindState: async (resourceId, kind) => {
        const state = await memory.kindState(resourceId, kind);
        purged ??= purgeOnRead?.();
        return state;
      },
    });
    const f = await storageFixture({ backend, limits: { maxValues: 2 } });
    const value = (i: number, storageTime: bigint, lifetime?: number) => f.alice.sign(f.aliceUser, K.DICT, dict(Uint8Array.of(i), 'x'), storageTime, lifetime);
    await f.store.store(storeReq(f.aliceUser, K.DICT, [value(1, 1n, 30)]), f.ctx(f.alice));
    await f.store.store(storeReq(f.bobUser, K.SINGLE, [f.bob.sign(f.bobUser, K.SINGLE, single('b'), 1n)]), f.ctx(f.bob));
    f.clock.advance(30_000); // alice's value expired; bob's is live
    // Once alice's value goes, bob's and two new ones would be 3 values: over maxValues.
    purgeOnRead = () => f.store.purgeExpired();
    const e = await expectReloadError(f.store.store(storeReq(f.aliceUser, K.DICT, [value(2, 2n), value(3, 2n)]), f.ctx(f.alice)), 'Error_Data_Too_Large');
    expect(infoText(e)).toMatch(/as much data/);
    expect(await purged).toBe(1);
    expect((await f.backend.usage()).count).toBe(1);
  });

  it('a Verifier failure that is not a ReloadError still answers Error_Forbidden', async () => {
    const f = await storageFixture();
    const store = (await import('./data-store.js')).createDataStore(
      {
        backend: f.backend,
        clock: f.clock,
        epochClock: () => f.clock.now(),
        verifier: { verify: async () => Promise.reject(new TypeError('certificate chain broken')) },
        hasher: { sha256: async () => new Uint8Array(32) },
        resourceIdHash: async () => new Uint8Array(16),
        responsibility: f.oracle,
      },
      { kinds: f.store.kinds },
    );
    const e = await expectReloadError(store.store(storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('x'), 1n)]), f.ctx(f.alice)), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/certificate chain broken/);
  });
});


describe('closeBackendAfterStores', () => {
  // The owner closes the backend once the peer (its DataStore) has closed: the Store already writing
  // under the lock lands (RFC 6940 §7.4.1.1 read-check-write, not cut off), then the backend closes.
  it('closes the backend after the write a closed store had under way, which lands', async () => {
    let entered: () => void = () => undefined;
    const writing = new Promise<void>((resolve) => (entered = resolve));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inner = createMemoryBackend();
    const events: string[] = [];
    const backend = withMethods(inner, {
      write: async (w) => (entered(), await gate, events.push('written'), inner.write(w)),
      close: async () => (events.push('closed'), inner.close()),
    });
    const f = await storageFixture({ backend });
    const stored = f.store.store(storeReq(f.bobUser, K.SINGLE, [f.bob.sign(f.bobUser, K.SINGLE, single('bob'), 1n)]), f.ctx(f.bob));
    await writing;
    f.store.close();
    const closing = closeBackendAfterStores(backend);
    release();
    await Promise.all([stored, closing]);
    expect(events).toEqual(['written', 'closed']);
  });
});
