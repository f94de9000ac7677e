import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredData, StoredDataValue } from '../wire/storage/stored-data.js';
import { createMemoryBackend } from './memory-backend.js';
import { openSqliteBackend } from './node/index.js';
import type { StorageBackend } from './storage-backend.js';
import { expectReloadError } from '../testing/reload-error-assert.js';
import { fetchAnswer, K, storageFixture, storeReq } from './testing/storage-fixture.js';

type TestKind = typeof K.SINGLE | typeof K.DICT | typeof K.ARRAY;

interface Op {
  readonly kind: TestKind;
  readonly key: number;
  readonly text: string;
  readonly exists: boolean;
  /** Re-store with a storage_time before the stored one (must fail, Error_Data_Too_Old). */
  readonly stale: boolean;
  /** Send the current generation counter instead of 0 (must succeed). */
  readonly withGeneration: boolean;
}

const arbOp: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom<TestKind>(K.SINGLE, K.DICT, K.ARRAY),
  key: fc.integer({ min: 0, max: 3 }),
  text: fc.string({ maxLength: 12 }),
  exists: fc.integer({ min: 0, max: 9 }).map((n) => n < 7),
  stale: fc.boolean(),
  withGeneration: fc.boolean(),
});

function valueOf(op: Op): StoredDataValue {
  const v = { exists: op.exists, value: new TextEncoder().encode(op.exists ? op.text : '') };
  if (op.kind === K.SINGLE) return { model: 'single', singleValueEntry: v };
  if (op.kind === K.DICT) return { model: 'dictionary', dictionaryEntry: { key: Uint8Array.of(op.key), value: v } };
  return { model: 'array', arrayEntry: { index: op.key, value: v } };
}

function describeValue(d: StoredData): string {
  const v = d.value;
  const [key, dv] = v.model === 'single' ? ['s', v.singleValueEntry] : v.model === 'array' ? [`a${v.arrayEntry.index}`, v.arrayEntry.value] : [`d${v.dictionaryEntry.key[0]}`, v.dictionaryEntry.value];
  return `${key}=${dv.exists ? new TextDecoder().decode(dv.value) : '∅'}@${d.storageTime}`;
}

async function run(backend: () => Promise<StorageBackend>, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(arbOp, { minLength: 1, maxLength: 25 }), async (ops) => {
      const f = await storageFixture({ backend: await backend() });
      // The model: latest value per (kind, key), and each Kind's generation counter.
      const latest = new Map<TestKind, Map<number, StoredData>>([K.SINGLE, K.DICT, K.ARRAY].map((k) => [k as TestKind, new Map()]));
      const generation = new Map<TestKind, bigint>();
      let time = 100n;
      for (const op of ops) {
        const key = op.kind === K.SINGLE ? 0 : op.key;
        const slot = latest.get(op.kind) as Map<number, StoredData>;
        const existing = slot.get(key);
        const gen = generation.get(op.kind) ?? 0n;
        if (op.stale && existing) {
          const d = f.alice.sign(f.aliceUser, op.kind, valueOf(op), existing.storageTime - 1n);
          await expectReloadError(f.store.store(storeReq(f.aliceUser, op.kind, [d]), f.ctx(f.alice)), 'Error_Data_Too_Old');
          continue;
        }
        const d = f.alice.sign(f.aliceUser, op.kind, valueOf(op), time++);
        const r = await f.store.store(storeReq(f.aliceUser, op.kind, [d], op.withGeneration ? gen : 0n), f.ctx(f.alice));
        slot.set(key, d);
        generation.set(op.kind, gen + 1n);
        expect(r.answer.kindResponses[0]?.generationCounter).toBe(gen + 1n);
      }
      const ans = await fetchAnswer(f.store, {
        resource: f.aliceUser,
        specifiers: [
          { kind: K.SINGLE, generation: 0n, modelSpecifier: { model: 'single' } },
          { kind: K.DICT, generation: 0n, modelSpecifier: { model: 'dictionary', keys: [] } },
          { kind: K.ARRAY, generation: 0n, modelSpecifier: { model: 'array', indices: [{ first: 0, last: 3 }] } },
        ],
      });
      const [s, dict, arr] = ans.kindResponses;
      const single = latest.get(K.SINGLE)?.get(0);
      expect(s?.values.map(describeValue)).toEqual(single ? [describeValue(single)] : ['s=∅@0']);
      expect(dict?.values.map(describeValue)).toEqual([...(latest.get(K.DICT) as Map<number, StoredData>)].sort(([a], [b]) => a - b).map(([, d]) => describeValue(d)));
      const arrays = latest.get(K.ARRAY) as Map<number, StoredData>;
      expect(arr?.values.map(describeValue)).toEqual([0, 1, 2, 3].map((i) => (arrays.get(i) ? describeValue(arrays.get(i) as StoredData) : `a${i}=∅@0`)));
      expect(ans.kindResponses.map((k) => k.generation)).toEqual([K.SINGLE, K.DICT, K.ARRAY].map((k) => generation.get(k as TestKind) ?? 0n));
      // Fetched values keep the signatures they were stored with.
      for (const k of ans.kindResponses) for (const v of k.values) if (v.storageTime > 0n) expect(v.signature.signatureValue.length).toBe(4);
      await f.backend.close();
    }),
    { numRuns },
  );
}

describe('DataStore property: after random valid Stores, Fetch returns the latest values', () => {
  it('memory backend', async () => run(async () => createMemoryBackend(), 150));
  it('sqlite backend', async () => run(async () => openSqliteBackend({ filename: ':memory:' }), 25));
});
