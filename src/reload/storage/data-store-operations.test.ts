import { describe, expect, it } from 'vitest';
import { HashAlgorithm } from '../wire/security-block.js';
import type { FetchReq } from '../wire/storage/fetch.js';
import { syntheticNonexistentSignature, type StoredData } from '../wire/storage/stored-data.js';
import { storedDataSignatureInput } from '../wire/storage/stored-data-signature-input.js';
import { decodeStoreAns } from '../wire/storage/store.js';
import { expectReloadError } from '../testing/reload-error-assert.js';
import { dict, entry, id16, single } from './testing/records.js';
import { hexKey } from './ring-range.js';
import { fetchAnswer, K, NODE_ALICE, NODE_BOB, resourceOfName, resourceOfNode, resourceOfNodeMultiple, storageFixture, storeReq } from './testing/storage-fixture.js';
import { webHasher } from '../testing/web-hasher.js';

const LAST = 0xffffffff;
const text = (d: StoredData) => {
  const v = d.value;
  const dv = v.model === 'single' ? v.singleValueEntry : v.model === 'array' ? v.arrayEntry.value : v.dictionaryEntry.value;
  return dv.exists ? new TextDecoder().decode(dv.value) : null;
};

describe('DataStore Store', () => {
  it('stores a single value, increases the generation, answers the replica set (§7.4.1.2)', async () => {
    const f = await storageFixture();
    f.oracle.replicas = [NODE_BOB];
    const d1 = f.alice.sign(f.aliceUser, K.SINGLE, single('one'), 1n);
    const r1 = await f.store.store(storeReq(f.aliceUser, K.SINGLE, [d1]), f.ctx(f.alice));
    expect(r1.answer).toEqual({ kindResponses: [{ kind: K.SINGLE, generationCounter: 1n, replicas: [NODE_BOB] }] });
    expect(r1.stored).toHaveLength(1);
    const r2 = await f.store.store(storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('two'), 2n)], 1n), f.ctx(f.alice));
    expect(r2.answer.kindResponses[0]?.generationCounter).toBe(2n);
    const ans = await fetchAnswer(f.store, { resource: f.aliceUser, specifiers: [{ kind: K.SINGLE, generation: 0n, modelSpecifier: { model: 'single' } }] });
    expect(ans.kindResponses).toHaveLength(1);
    expect(ans.kindResponses[0]?.generation).toBe(2n);
    expect(ans.kindResponses[0]?.values.map(text)).toEqual(['two']);
  });

  it('a repeated store of the same value is accepted and changes nothing', async () => {
    const f = await storageFixture();
    const d = f.alice.sign(f.aliceUser, K.SINGLE, single('one'), 5n);
    await f.store.store(storeReq(f.aliceUser, K.SINGLE, [d]), f.ctx(f.alice));
    const again = await f.store.store(storeReq(f.aliceUser, K.SINGLE, [{ ...d, lifetime: 10 }]), f.ctx(f.alice));
    expect(again.answer.kindResponses[0]?.generationCounter).toBe(1n);
    expect(again.stored).toEqual([]);
  });

  it('array: 0xFFFFFFFF appends; the stored index is the real one, the signature still verifies (§7.4.1.1, §7.4.2.2)', async () => {
    const f = await storageFixture();
    await f.store.store(storeReq(f.aliceUser, K.CERT_USER, [f.alice.sign(f.aliceUser, K.CERT_USER, entry(LAST, 'c0'), 1n), f.alice.sign(f.aliceUser, K.CERT_USER, entry(LAST, 'c1'), 1n)]), f.ctx(f.alice));
    await f.store.store(storeReq(f.aliceUser, K.CERT_USER, [f.alice.sign(f.aliceUser, K.CERT_USER, entry(LAST, 'c2'), 2n)]), f.ctx(f.alice));
    const ans = await fetchAnswer(f.store, { resource: f.aliceUser, specifiers: [{ kind: K.CERT_USER, generation: 0n, modelSpecifier: { model: 'array', indices: [{ first: 0, last: LAST }] } }] });
    const values = ans.kindResponses[0]?.values ?? [];
    expect(values.map((d) => (d.value.model === 'array' ? d.value.arrayEntry.index : -1))).toEqual([0, 1, 2]);
    expect(values.map(text)).toEqual(['c0', 'c1', 'c2']);
    // Each fetched value verifies: the signature covers index 0 whatever the stored index (§7.4.2.2).
    for (const v of values) {
      const input = storedDataSignatureInput(f.aliceUser, K.CERT_USER, v.storageTime, v.value, v.signature.identity);
      await expect(f.trust.verify(input, v.signature, [])).resolves.toEqual(f.alice.signer);
    }
  });

  it('access control successes: USER-NODE-MATCH, NODE-MATCH, NODE-MULTIPLE', async () => {
    const f = await storageFixture();
    const sip = await f.store.store(storeReq(f.aliceUser, K.SIP, [f.alice.sign(f.aliceUser, K.SIP, dict(NODE_ALICE, 'sip:alice@192.0.2.1'), 1n)]), f.ctx(f.alice));
    expect(sip.answer.kindResponses[0]?.generationCounter).toBe(1n);
    const byNode = await resourceOfNode(NODE_ALICE);
    await f.store.store(storeReq(byNode, K.CERT_NODE, [f.alice.sign(byNode, K.CERT_NODE, entry(LAST, 'cert'), 1n)]), f.ctx(f.alice));
    for (const i of [1, 3]) {
      const turn = await resourceOfNodeMultiple(NODE_ALICE, i);
      await f.store.store(storeReq(turn, K.TURN, [f.alice.sign(turn, K.TURN, single(`turn ${i}`), 1n)]), f.ctx(f.alice));
    }
  });

  it('exists = false is stored with its signature and fetched as such (§7.4.1.3)', async () => {
    const f = await storageFixture();
    await f.store.store(storeReq(f.aliceUser, K.DICT, [f.alice.sign(f.aliceUser, K.DICT, dict(Uint8Array.of(1), 'here'), 1n)]), f.ctx(f.alice));
    const gone = f.alice.sign(f.aliceUser, K.DICT, { model: 'dictionary', dictionaryEntry: { key: Uint8Array.of(1), value: { exists: false, value: new Uint8Array(0) } } }, 2n);
    const r = await f.store.store(storeReq(f.aliceUser, K.DICT, [gone]), f.ctx(f.alice));
    expect(r.answer.kindResponses[0]?.generationCounter).toBe(2n);
    const ans = await fetchAnswer(f.store, { resource: f.aliceUser, specifiers: [{ kind: K.DICT, generation: 0n, modelSpecifier: { model: 'dictionary', keys: [] } }] });
    const [v] = ans.kindResponses[0]?.values ?? [];
    expect(v && text(v)).toBeNull();
    expect(v?.signature).toEqual(gone.signature);
  });

  it('replica stores copy the generation counter and answer no replicas (§7.4.1.1)', async () => {
    const f = await storageFixture();
    f.oracle.replicas = [NODE_BOB];
    const d = f.alice.sign(f.aliceUser, K.SINGLE, single('r'), 1n);
    const r = await f.store.store(storeReq(f.aliceUser, K.SINGLE, [d], 41n, 1), f.ctx(f.bob));
    expect(r.answer).toEqual({ kindResponses: [{ kind: K.SINGLE, generationCounter: 41n, replicas: [] }] });
    // Not checked against the current value either.
    const r2 = await f.store.store(storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('s'), 2n)], 7n, 2), f.ctx(f.bob));
    expect(r2.answer.kindResponses[0]?.generationCounter).toBe(7n);
  });

  it('values expire after their lifetime and are purged on the clock (§7.4.1.3)', async () => {
    const f = await storageFixture();
    await f.store.store(storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('brief'), 1n, 30)]), f.ctx(f.alice));
    const fetch: FetchReq = { resource: f.aliceUser, specifiers: [{ kind: K.SINGLE, generation: 0n, modelSpecifier: { model: 'single' } }] };
    f.clock.advance(10_000);
    expect((await fetchAnswer(f.store, fetch)).kindResponses[0]?.values[0]?.lifetime).toBe(20);
    f.clock.advance(20_000);
    const after = await fetchAnswer(f.store, fetch);
    expect(after.kindResponses[0]).toEqual({
      kind: K.SINGLE,
      generation: 0n,
      values: [{ storageTime: 0n, lifetime: 0, value: single('', false), signature: syntheticNonexistentSignature() }],
    });
    expect((await f.backend.usage()).count).toBe(1);
    f.store.start();
    f.clock.advance(60_000);
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect((await f.backend.usage()).count).toBe(0);
    f.store.stop();
    expect(f.clock.pendingTimers).toBe(0);
    // An expired value does not block an older storage_time; the counter goes on from the last one.
    const r = await f.store.store(storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('again'), 1n)]), f.ctx(f.alice));
    expect(r.answer.kindResponses[0]?.generationCounter).toBe(2n);
  });

  // §7.4.1.1: "if the store succeeds and the data is changed, then the peer MUST increase the generation counter by at least 1";
  // §7.4.2.1: "If the generation counter in the request matches the stored counter, then the storing peer returns a response with no StoredData values."
  it('the generation counter goes on increasing after the values of a location expired, so a fetcher holding the old one gets the new data', async () => {
    const f = await storageFixture();
    const spec = { kind: K.SINGLE, modelSpecifier: { model: 'single' as const } };
    const first = f.alice.sign(f.aliceUser, K.SINGLE, single('first'), 1000n, 60);
    const r1 = await f.store.store(storeReq(f.aliceUser, K.SINGLE, [first]), f.ctx(f.alice));
    const held = r1.answer.kindResponses[0]?.generationCounter as bigint;
    expect((await fetchAnswer(f.store, { resource: f.aliceUser, specifiers: [{ ...spec, generation: 0n }] })).kindResponses[0]?.generation).toBe(held);

    f.clock.advance(61_000);
    // Expired: Fetch answers the synthesized non-existent value with generation 0, whatever counter the fetcher holds.
    const empty = await fetchAnswer(f.store, { resource: f.aliceUser, specifiers: [{ ...spec, generation: held }] });
    expect(empty.kindResponses[0]?.generation).toBe(0n);
    expect(empty.kindResponses[0]?.values.map(text)).toEqual([null]);
    // Purged too: the location keeps its counter.
    await f.store.purgeExpired();
    const second = f.alice.sign(f.aliceUser, K.SINGLE, single('second'), 2000n, 60);
    const r2 = await f.store.store(storeReq(f.aliceUser, K.SINGLE, [second]), f.ctx(f.alice));
    expect(r2.answer.kindResponses[0]?.generationCounter).toBeGreaterThan(held);

    const again = await fetchAnswer(f.store, { resource: f.aliceUser, specifiers: [{ ...spec, generation: held }] });
    expect(again.kindResponses[0]?.values.map(text)).toEqual(['second']);
  });

  it('the counters kept for emptied locations are bounded (StorageLimits.maxKeptCounters): the purge forgets the longest emptied', async () => {
    const f = await storageFixture({ limits: { maxKeptCounters: 2 } });
    const users = ['u1', 'u2', 'u3', 'u4'].map((u) => f.trust.identity(`${u}@example.com`, [id16(0xc0, u.charCodeAt(1))]));
    const resources = await Promise.all(users.map((u) => resourceOfName(u.signer.userName)));
    // Emptied one after another: u1's value lives 10 s, u2's 20 s, …
    for (const [i, u] of users.entries()) {
      const r = resources[i] as Uint8Array;
      await f.store.store(storeReq(r, K.SINGLE, [u.sign(r, K.SINGLE, single(`v${i}`), 1000n, 10 * (i + 1))]), f.ctx(u));
    }
    for (let i = 0; i < users.length; i++) {
      f.clock.advance(10_000);
      await f.store.purgeExpired();
    }
    expect((await f.backend.resources({ withCounters: true })).map((r) => hexKey(r)).sort()).toEqual([resources[2], resources[3]].map((r) => hexKey(r as Uint8Array)).sort());
  });

  // §7.4.1.1: "if the store succeeds and the data is changed, then the peer MUST increase the generation counter by at least 1";
  // §7.4.2.1: "If the generation counter in the request matches the stored counter, then the storing peer returns a response with no StoredData values."
  it('a location whose kept counter was forgotten goes on above every counter forgotten: a fetcher holding the old one gets the new data', async () => {
    const f = await storageFixture({ limits: { maxKeptCounters: 0 } });
    const spec = { kind: K.SINGLE, modelSpecifier: { model: 'single' as const } };
    for (const [i, t] of ['a', 'b', 'c'].entries()) await f.store.store(storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single(t), BigInt(1000 + i), 60)]), f.ctx(f.alice));
    const held = (await fetchAnswer(f.store, { resource: f.aliceUser, specifiers: [{ ...spec, generation: 0n }] })).kindResponses[0]?.generation as bigint;
    expect(held).toBe(3n);
    f.clock.advance(61_000);
    await f.store.purgeExpired();
    expect(await f.backend.resources({ withCounters: true })).toEqual([]);

    const r = await f.store.store(storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('new'), 2000n, 60)]), f.ctx(f.alice));
    expect(r.answer.kindResponses[0]?.generationCounter).toBe(held + 1n);
    const again = await fetchAnswer(f.store, { resource: f.aliceUser, specifiers: [{ ...spec, generation: held }] });
    expect(again.kindResponses[0]?.values.map(text)).toEqual(['new']);
    // A location never written here starts above the forgotten counters too.
    const b = await f.store.store(storeReq(f.bobUser, K.SINGLE, [f.bob.sign(f.bobUser, K.SINGLE, single('bob'), 2000n, 60)]), f.ctx(f.bob));
    expect(b.answer.kindResponses[0]?.generationCounter).toBe(held + 1n);
  });

  it('a store on an expired location that names the old counter is refused with the counter Fetch reports (§7.4.1.1)', async () => {
    const f = await storageFixture();
    await f.store.store(storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('first'), 1000n, 60)]), f.ctx(f.alice));
    f.clock.advance(61_000);
    const e = await expectReloadError(f.store.store(storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('second'), 2000n, 60)], 1n), f.ctx(f.alice)), 'Error_Generation_Counter_Too_Low');
    expect(decodeStoreAns(e.info).kindResponses[0]?.generationCounter).toBe(0n);
  });

  it('absorb takes newer values only (§7.4.1.1 resynchronization)', async () => {
    const f = await storageFixture();
    await f.store.store(storeReq(f.aliceUser, K.DICT, [1, 2].map((i) => f.alice.sign(f.aliceUser, K.DICT, dict(Uint8Array.of(i), `mine ${i}`), 5n))), f.ctx(f.alice));
    const n = await f.store.absorb(
      f.aliceUser,
      [
        {
          kind: K.DICT,
          generation: 9n,
          values: [
            f.alice.sign(f.aliceUser, K.DICT, dict(Uint8Array.of(1), 'theirs 1'), 6n),
            f.alice.sign(f.aliceUser, K.DICT, dict(Uint8Array.of(2), 'theirs 2'), 4n),
            { storageTime: 0n, lifetime: 0, value: dict(Uint8Array.of(3), ''), signature: syntheticNonexistentSignature() },
          ],
        },
        { kind: 0xf00d, generation: 1n, values: [] },
      ],
      [],
    );
    expect(n).toBe(1);
    const ans = await fetchAnswer(f.store, { resource: f.aliceUser, specifiers: [{ kind: K.DICT, generation: 0n, modelSpecifier: { model: 'dictionary', keys: [] } }] });
    // Above theirs (9): we hold 'mine 2', which they lack, and a replica Store of the merged data
    // hands them our counter; at 9 a fetcher holding their 9 would not see the change.
    expect(ans.kindResponses[0]?.generation).toBe(10n);
    expect(ans.kindResponses[0]?.values.map(text)).toEqual(['theirs 1', 'mine 2']);
    // Forged values are refused as in a Store.
    await expectReloadError(f.store.absorb(f.aliceUser, [{ kind: K.DICT, generation: 1n, values: [f.bob.sign(f.aliceUser, K.DICT, dict(Uint8Array.of(7), 'x'), 9n)] }], []), 'Error_Forbidden');
  });
});

describe('DataStore Fetch (§7.4.2)', () => {
  async function withArray() {
    const f = await storageFixture();
    await f.store.store(storeReq(f.aliceUser, K.ARRAY, [0, 2, 3].map((i) => f.alice.sign(f.aliceUser, K.ARRAY, entry(i, `a${i}`), 1n))), f.ctx(f.alice));
    return f;
  }
  const arrayFetch = (resource: Uint8Array, indices: { first: number; last: number }[], generation = 0n): FetchReq => ({
    resource,
    specifiers: [{ kind: K.ARRAY, generation, modelSpecifier: { model: 'array', indices } }],
  });

  it.each([
    { name: 'all', indices: [{ first: 0, last: LAST }], expected: ['0:a0', '1:-', '2:a2', '3:a3'] },
    { name: 'final element', indices: [{ first: LAST, last: LAST }], expected: ['3:a3'] },
    { name: 'a gap is synthesized (§7.2.2)', indices: [{ first: 1, last: 1 }], expected: ['1:-'] },
    { name: 'past the end: synthesized', indices: [{ first: 5, last: 6 }], expected: ['5:-', '6:-'] },
    { name: 'two ranges, in order', indices: [{ first: 3, last: LAST }, { first: 0, last: 0 }], expected: ['0:a0', '3:a3'] },
    { name: 'from past the end to the final element: nothing', indices: [{ first: 9, last: LAST }], expected: [] },
    // §7.4.2.1: ranges "MUST NOT overlap"; one that reaches the final element and 0xffffffff name it twice: answered once.
    { name: 'a range through the final element and the final element again: each once', indices: [{ first: 0, last: 5 }, { first: LAST, last: LAST }], expected: ['0:a0', '1:-', '2:a2', '3:a3', '4:-', '5:-'] },
  ])('array ranges: $name', async ({ indices, expected }) => {
    const f = await withArray();
    const ans = await fetchAnswer(f.store, arrayFetch(f.aliceUser, indices));
    expect(ans.kindResponses[0]?.values.map((d) => `${d.value.model === 'array' ? d.value.arrayEntry.index : '?'}:${text(d) ?? '-'}`)).toEqual(expected);
  });

  it('synthesized values carry the §7.4.2.2 empty signature', async () => {
    const f = await withArray();
    const [gap] = (await fetchAnswer(f.store, arrayFetch(f.aliceUser, [{ first: 1, last: 1 }]))).kindResponses[0]?.values ?? [];
    expect(gap).toEqual({ storageTime: 0n, lifetime: 0, value: { model: 'array', arrayEntry: { index: 1, value: { exists: false, value: new Uint8Array(0) } } }, signature: syntheticNonexistentSignature() });
  });

  it('a matching generation returns no values; 0 never matches (§7.4.2.1)', async () => {
    const f = await withArray();
    expect((await fetchAnswer(f.store, arrayFetch(f.aliceUser, [{ first: 0, last: LAST }], 1n))).kindResponses).toEqual([{ kind: K.ARRAY, generation: 1n, values: [] }]);
    expect((await fetchAnswer(f.store, arrayFetch(f.aliceUser, [{ first: 0, last: LAST }], 2n))).kindResponses[0]?.values).toHaveLength(4);
  });

  it('dictionary: wildcard and keys, a missing key synthesized', async () => {
    const f = await storageFixture();
    await f.store.store(storeReq(f.aliceUser, K.DICT, [2, 1].map((i) => f.alice.sign(f.aliceUser, K.DICT, dict(Uint8Array.of(i), `d${i}`), 1n))), f.ctx(f.alice));
    const all = await fetchAnswer(f.store, { resource: f.aliceUser, specifiers: [{ kind: K.DICT, generation: 0n, modelSpecifier: { model: 'dictionary', keys: [] } }] });
    expect(all.kindResponses[0]?.values.map(text)).toEqual(['d1', 'd2']);
    const some = await fetchAnswer(f.store, { resource: f.aliceUser, specifiers: [{ kind: K.DICT, generation: 0n, modelSpecifier: { model: 'dictionary', keys: [Uint8Array.of(2), Uint8Array.of(9)] } }] });
    expect(some.kindResponses[0]?.values.map(text)).toEqual(['d2', null]);
    expect(some.kindResponses[0]?.values[1]?.value).toEqual({ model: 'dictionary', dictionaryEntry: { key: Uint8Array.of(9), value: { exists: false, value: new Uint8Array(0) } } });
  });

  it('one FetchKindResponse per specifier, nothing stored included', async () => {
    const f = await storageFixture();
    const ans = await fetchAnswer(f.store, {
      resource: f.bobUser,
      specifiers: [
        { kind: K.SINGLE, generation: 0n, modelSpecifier: { model: 'single' } },
        { kind: K.DICT, generation: 0n, modelSpecifier: { model: 'dictionary', keys: [] } },
      ],
    });
    expect(ans.kindResponses.map((k) => [k.kind, k.generation, k.values.length])).toEqual([
      [K.SINGLE, 0n, 1],
      [K.DICT, 0n, 0],
    ]);
  });

  it.each([
    { name: 'unknown Kinds', code: 'Error_Unknown_Kind' as const, req: (r: Uint8Array): FetchReq => ({ resource: r, specifiers: [{ kind: 0xf00d, generation: 0n, modelSpecifier: { model: 'single' } }] }) },
    { name: 'a specifier in another model', code: 'Error_Invalid_Message' as const, req: (r: Uint8Array): FetchReq => ({ resource: r, specifiers: [{ kind: K.SINGLE, generation: 0n, modelSpecifier: { model: 'dictionary', keys: [] } }] }) },
    { name: 'first after last', code: 'Error_Invalid_Message' as const, req: (r: Uint8Array) => arrayFetch(r, [{ first: 3, last: 2 }]) },
    { name: 'overlapping ranges', code: 'Error_Invalid_Message' as const, req: (r: Uint8Array) => arrayFetch(r, [{ first: 0, last: 4 }, { first: 4, last: 6 }]) },
    { name: 'a range that would synthesize too many values', code: 'Error_Response_Too_Large' as const, req: (r: Uint8Array) => arrayFetch(r, [{ first: 0, last: 0xfffffffe }]) },
  ])('rejects $name → $code', async ({ code, req }) => {
    const f = await withArray();
    await expectReloadError(fetchAnswer(f.store, req(f.aliceUser)), code);
  });
});

describe('DataStore Stat (§7.4.3)', () => {
  it('metadata with a SHA-256 digest of the value and its 4 length bytes', async () => {
    const f = await storageFixture();
    await f.store.store(storeReq(f.aliceUser, K.DICT, [f.alice.sign(f.aliceUser, K.DICT, dict(Uint8Array.of(1), 'abc'), 77n, 600)]), f.ctx(f.alice));
    const ans = await f.store.stat({ resource: f.aliceUser, specifiers: [{ kind: K.DICT, generation: 0n, modelSpecifier: { model: 'dictionary', keys: [Uint8Array.of(1), Uint8Array.of(2)] } }] });
    const digest = await webHasher.sha256(Uint8Array.of(0, 0, 0, 3, 0x61, 0x62, 0x63));
    expect(ans).toEqual({
      kindResponses: [
        {
          kind: K.DICT,
          generation: 1n,
          values: [
            { storageTime: 77n, lifetime: 600, metadata: { model: 'dictionary', dictionaryEntry: { key: Uint8Array.of(1), value: { exists: true, valueLength: 3, hashAlgorithm: HashAlgorithm.sha256, hashValue: digest } } } },
            { storageTime: 0n, lifetime: 0, metadata: { model: 'dictionary', dictionaryEntry: { key: Uint8Array.of(2), value: { exists: false, valueLength: 0, hashAlgorithm: HashAlgorithm.none, hashValue: new Uint8Array(0) } } } },
          ],
        },
      ],
    });
  });
});

describe('DataStore Find (§7.4.4)', () => {
  async function withResources() {
    const f = await storageFixture();
    // Alice stores her SINGLE value at her own Resource-ID, Bob his; both also a DICT value.
    for (const who of [f.alice, f.bob]) {
      const r = who === f.alice ? f.aliceUser : f.bobUser;
      await f.store.store(storeReq(r, K.SINGLE, [who.sign(r, K.SINGLE, single('s'), 1n)]), f.ctx(who));
    }
    await f.store.store(storeReq(f.bobUser, K.DICT, [f.bob.sign(f.bobUser, K.DICT, dict(Uint8Array.of(1), 'd'), 1n)]), f.ctx(f.bob));
    return f;
  }

  it('per Kind, the closest held Resource-ID at or after the requested one, wrapping; 0 when none', async () => {
    const f = await withResources();
    const [low, high] = [f.aliceUser, f.bobUser].sort((a, b) => Buffer.compare(a, b)) as [Uint8Array, Uint8Array];
    const zero = new Uint8Array(16);
    const at = await f.store.find({ resource: low, kinds: [K.SINGLE, K.DICT, K.ARRAY, 0xf00d] });
    expect(at.results).toEqual([
      { kind: K.SINGLE, closest: low },
      { kind: K.DICT, closest: f.bobUser },
      { kind: K.ARRAY, closest: zero },
      { kind: 0xf00d, closest: zero },
    ]);
    const next = new Uint8Array(high);
    next[15] = (next[15] as number) + 1;
    expect((await f.store.find({ resource: next, kinds: [K.SINGLE] })).results).toEqual([{ kind: K.SINGLE, closest: low }]);
  });

  it('rejects a Kind listed twice, and answers Error_Not_Found when not responsible', async () => {
    const f = await withResources();
    await expectReloadError(f.store.find({ resource: f.aliceUser, kinds: [K.SINGLE, K.SINGLE] }), 'Error_Invalid_Message');
    f.oracle.responsible = () => false;
    await expectReloadError(f.store.find({ resource: f.aliceUser, kinds: [K.SINGLE] }), 'Error_Not_Found');
  });

  it('ignores expired values', async () => {
    const f = await storageFixture();
    await f.store.store(storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('s'), 1n, 5)]), f.ctx(f.alice));
    expect((await f.store.find({ resource: f.aliceUser, kinds: [K.SINGLE] })).results[0]?.closest).toEqual(f.aliceUser);
    f.clock.advance(5000);
    expect((await f.store.find({ resource: f.aliceUser, kinds: [K.SINGLE] })).results[0]?.closest).toEqual(new Uint8Array(16));
  });
});
