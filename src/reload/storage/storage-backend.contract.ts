/**
 * The one contract every StorageBackend passes (like libp2p's shared compliance suites): call
 * `describeStorageBackendContract` from a `*.test.ts` with a factory of fresh, empty backends. This
 * file holds its cases about records (reads, writes and batches, resources, expiry, usage) and a
 * backend's lifecycle (close); storage-backend-counters.contract.ts those about generation
 * counters and certificates, run with these.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageClosedError, type StorageBackend } from './storage-backend.js';
import { describeCountersAndCertificatesContract } from './storage-backend-counters.contract.js';
import { type BackendFactory, dict, entry, hexes, id16, NODE_B, R1, R2, R3, R4, record, single } from './testing/records.js';

export function describeStorageBackendContract(name: string, factory: BackendFactory): void {
  describe(`StorageBackend contract: ${name}`, () => {
    let b: StorageBackend;
    beforeEach(async () => {
      b = await factory();
    });
    afterEach(async () => {
      await b.close();
    });

    it('starts empty', async () => {
      expect(await b.get(R1, 7, { model: 'single' })).toBeUndefined();
      expect(await b.kindState(R1, 7)).toEqual({ generation: 0n, records: [] });
      expect(await b.kinds(R1)).toEqual([]);
      expect(await b.resources()).toEqual([]);
      expect(await b.usage()).toEqual({ count: 0, bytes: 0 });
      expect(await b.deleteExpired(1e12)).toBe(0);
    });

    it('put then get returns the same record, for each data model', async () => {
      const records = [
        record({ resourceId: R1, kind: 1, value: single('abc'), storageTime: 0xfedcba9876543210n, storedAt: 12.5, expiresAt: 99_000.25 }),
        record({ resourceId: R1, kind: 2, value: entry(0xfffffffe, 'x'), user: 'bob@example.com', node: NODE_B }),
        record({ resourceId: R1, kind: 3, value: dict(Uint8Array.of(1, 2), 'y') }),
        record({ resourceId: R1, kind: 4, value: single('', false) }),
      ];
      for (const r of records) await b.put(r);
      expect(await b.get(R1, 1, { model: 'single' })).toEqual(records[0]);
      expect(await b.get(R1, 2, { model: 'array', index: 0xfffffffe })).toEqual(records[1]);
      expect(await b.get(R1, 3, { model: 'dictionary', key: Uint8Array.of(1, 2) })).toEqual(records[2]);
      expect(await b.get(R1, 4, { model: 'single' })).toEqual(records[3]);
      expect(await b.get(R1, 2, { model: 'array', index: 0 })).toBeUndefined();
      expect(await b.get(R1, 3, { model: 'dictionary', key: Uint8Array.of(1) })).toBeUndefined();
      expect(await b.kinds(R1)).toEqual([1, 2, 3, 4]);
    });

    it('keeps exactly the storer Node-ID’s bytes when it comes as a view into a larger buffer (a received message)', async () => {
      const frame = new Uint8Array(4096).fill(0xee);
      frame.set(NODE_B, 100);
      const r = record({ resourceId: R1, value: single('abc'), node: frame.subarray(100, 100 + NODE_B.length) });
      await b.put(r);
      frame.fill(0); // the receive buffer is reused
      const node = (await b.get(R1, 7, { model: 'single' }))?.storerNode;
      expect(node).toEqual(NODE_B);
      expect(node?.buffer.byteLength).toBe(NODE_B.length);
    });

    it('kindState lists records in key order', async () => {
      for (const i of [0x100, 2, 10]) await b.put(record({ resourceId: R1, kind: 5, value: entry(i, `v${i}`) }));
      for (const k of [[2], [1, 0xff], [1], []]) await b.put(record({ resourceId: R1, kind: 6, value: dict(Uint8Array.from(k), 'd') }));
      const arr = await b.kindState(R1, 5);
      expect(arr.records.map((r) => (r.data.value.model === 'array' ? r.data.value.arrayEntry.index : -1))).toEqual([2, 10, 0x100]);
      const d = await b.kindState(R1, 6);
      expect(d.records.map((r) => (r.data.value.model === 'dictionary' ? [...r.data.value.dictionaryEntry.key] : []))).toEqual([[], [1], [1, 0xff], [2]]);
    });

    it('put at an existing key replaces it and moves the usage', async () => {
      await b.put(record({ resourceId: R1, value: single('short') }));
      const replacement = record({ resourceId: R1, value: single('a much longer value'), user: 'bob@example.com' });
      await b.put(replacement);
      expect(await b.get(R1, 7, { model: 'single' })).toEqual(replacement);
      expect(await b.usage()).toEqual({ count: 1, bytes: replacement.size });
      expect(await b.usage({ user: 'alice@example.com' })).toEqual({ count: 0, bytes: 0 });
      expect(await b.usage({ user: 'bob@example.com' })).toEqual({ count: 1, bytes: replacement.size });
      expect(await b.usage({ resourceId: R1, kind: 7 })).toEqual({ count: 1, bytes: replacement.size });
    });

    it('delete removes one record and says whether there was one', async () => {
      await b.put(record({ resourceId: R1, value: entry(1, 'a') }));
      await b.put(record({ resourceId: R1, value: entry(2, 'b') }));
      expect(await b.delete(R1, 7, { model: 'array', index: 1 })).toBe(true);
      expect(await b.delete(R1, 7, { model: 'array', index: 1 })).toBe(false);
      expect((await b.kindState(R1, 7)).records).toHaveLength(1);
      expect((await b.usage()).count).toBe(1);
    });

    it('a batch that fails leaves nothing behind', async () => {
      const before = record({ resourceId: R1, value: single('before') });
      await b.write({ puts: [before], generations: [{ resourceId: R1, kind: 7, generation: 2n }] });
      await expect(
        b.write({
          deletes: [{ resourceId: R1, kind: 7, key: { model: 'single' } }],
          puts: [record({ resourceId: R2, value: single('new') })],
          generations: [
            { resourceId: R2, kind: 7, generation: 1n },
            { resourceId: R2, kind: 7, generation: 0n },
          ],
        }),
      ).rejects.toThrow(RangeError);
      expect(await b.kindState(R1, 7)).toEqual({ generation: 2n, records: [before] });
      expect(await b.kindState(R2, 7)).toEqual({ generation: 0n, records: [] });
      expect(await b.usage()).toEqual({ count: 1, bytes: before.size });
      expect(hexes(await b.resources())).toEqual(hexes([R1]));
    });

    it('a batch applies drops, deletes, puts and generations together', async () => {
      await b.put(record({ resourceId: R1, kind: 1, value: single('x') }));
      await b.put(record({ resourceId: R1, kind: 2, value: single('y') }));
      await b.put(record({ resourceId: R2, value: entry(0, 'z') }));
      const r3 = record({ resourceId: R3, value: single('w') });
      await b.write({
        dropResources: [R1],
        deletes: [{ resourceId: R2, kind: 7, key: { model: 'array', index: 0 } }],
        puts: [r3],
        generations: [{ resourceId: R3, kind: 7, generation: 9n }],
      });
      expect(await b.kinds(R1)).toEqual([]);
      expect(await b.kindState(R2, 7)).toEqual({ generation: 0n, records: [] });
      expect(await b.kindState(R3, 7)).toEqual({ generation: 9n, records: [r3] });
      expect(await b.usage()).toEqual({ count: 1, bytes: r3.size });
      expect(hexes(await b.resources())).toEqual(hexes([R3]));
    });

    it('resources: ascending, and clockwise within a ring range', async () => {
      for (const id of [R3, R1, R4, R2]) await b.put(record({ resourceId: id, value: single('v') }));
      expect(hexes(await b.resources())).toEqual(hexes([R1, R2, R3, R4]));
      // (R1, R3]
      expect(hexes(await b.resources({ range: { after: R1, upTo: R3 } }))).toEqual(hexes([R2, R3]));
      // (R3, R1] wraps through zero
      expect(hexes(await b.resources({ range: { after: R3, upTo: R1 } }))).toEqual(hexes([R4, R1]));
      // (R2, R2] is the whole ring, starting after R2
      expect(hexes(await b.resources({ range: { after: R2, upTo: R2 } }))).toEqual(hexes([R3, R4, R1, R2]));
      // bounds between stored ids
      expect(hexes(await b.resources({ range: { after: id16(0x35), upTo: id16(0x15) } }))).toEqual(hexes([R4, R1]));
      expect(hexes(await b.resources({ range: { after: R2, upTo: R2 }, limit: 3 }))).toEqual(hexes([R3, R4, R1]));
      expect(await b.resources({ limit: 0 })).toEqual([]);
    });

    it('resources: filtered by kind and by liveness', async () => {
      await b.put(record({ resourceId: R1, kind: 1, value: single('a'), expiresAt: 100 }));
      await b.put(record({ resourceId: R2, kind: 2, value: single('b'), expiresAt: 100 }));
      await b.put(record({ resourceId: R3, kind: 1, value: single('c'), expiresAt: 500 }));
      await b.put(record({ resourceId: R3, kind: 2, value: single('d'), expiresAt: 50 }));
      expect(hexes(await b.resources({ kind: 1 }))).toEqual(hexes([R1, R3]));
      expect(hexes(await b.resources({ kind: 2, range: { after: R2, upTo: R2 } }))).toEqual(hexes([R3, R2]));
      expect(hexes(await b.resources({ aliveAt: 100 }))).toEqual(hexes([R3]));
      expect(hexes(await b.resources({ kind: 2, aliveAt: 60 }))).toEqual(hexes([R2]));
      expect(hexes(await b.resources({ kind: 9 }))).toEqual([]);
    });

    it('deleteExpired removes what expired at or before now, with its tallies, keeping the counters', async () => {
      await b.write({
        puts: [
          record({ resourceId: R1, value: entry(0, 'old'), expiresAt: 1000 }),
          record({ resourceId: R1, value: entry(1, 'new'), expiresAt: 3000 }),
          record({ resourceId: R2, value: single('old'), expiresAt: 2000, user: 'bob@example.com' }),
        ],
        generations: [
          { resourceId: R1, kind: 7, generation: 4n },
          { resourceId: R2, kind: 7, generation: 6n },
        ],
      });
      expect(await b.deleteExpired(999)).toBe(0);
      expect(await b.deleteExpired(2000)).toBe(2);
      expect(await b.deleteExpired(2000)).toBe(0);
      const s1 = await b.kindState(R1, 7);
      expect(s1.generation).toBe(4n);
      expect(s1.records.map((r) => r.expiresAt)).toEqual([3000]);
      expect(await b.kindState(R2, 7)).toEqual({ generation: 6n, records: [] });
      expect(await b.usage({ user: 'bob@example.com' })).toEqual({ count: 0, bytes: 0 });
      expect((await b.usage()).count).toBe(1);
      expect(hexes(await b.resources())).toEqual(hexes([R1]));
      expect(await b.deleteExpired(3000)).toBe(1);
      expect(await b.resources()).toEqual([]);
    });

    it('usage per location, per user and in total', async () => {
      const a1 = record({ resourceId: R1, value: dict(Uint8Array.of(1), 'a') });
      const a2 = record({ resourceId: R2, value: dict(Uint8Array.of(2), 'bb') });
      const b1 = record({ resourceId: R1, value: dict(Uint8Array.of(3), 'ccc'), user: 'bob@example.com' });
      await b.write({ puts: [a1, a2, b1] });
      expect(await b.usage({ user: 'alice@example.com' })).toEqual({ count: 2, bytes: a1.size + a2.size });
      expect(await b.usage({ user: 'bob@example.com' })).toEqual({ count: 1, bytes: b1.size });
      expect(await b.usage({ user: 'carol@example.com' })).toEqual({ count: 0, bytes: 0 });
      expect(await b.usage({ resourceId: R1, kind: 7 })).toEqual({ count: 2, bytes: a1.size + b1.size });
      expect(await b.usage()).toEqual({ count: 3, bytes: a1.size + a2.size + b1.size });
    });

    it('holds many records', async () => {
      const puts = Array.from({ length: 400 }, (_, i) => record({ resourceId: id16(i & 0xff, i >> 8), value: single(`value ${i}`) }));
      await b.write({ puts });
      expect((await b.usage()).count).toBe(400);
      expect((await b.resources()).length).toBe(400);
      expect(await b.get(id16(3, 1), 7, { model: 'single' })).toEqual(puts[259]);
    });

    // StorageBackend's operations return promises: a caller awaits (or .catch()es) one, so a closed
    // backend says so by a rejection, never a synchronous throw its caller's chain does not see.
    it('an operation on a closed backend rejects with StorageClosedError, and a second close does nothing', async () => {
      await b.close();
      const operations: ReadonlyArray<readonly [string, () => Promise<unknown>]> = [
        ['get', () => b.get(R1, 7, { model: 'single' })],
        ['put', () => b.put(record({ resourceId: R1, value: single('a') }))],
        ['delete', () => b.delete(R1, 7, { model: 'single' })],
        ['kindState', () => b.kindState(R1, 7)],
        ['kinds', () => b.kinds(R1)],
        ['resources', () => b.resources()],
        ['write', () => b.write({ puts: [record({ resourceId: R1, value: single('a') })] })],
        ['deleteExpired', () => b.deleteExpired(1e12)],
        ['usage', () => b.usage()],
        ['certificates', () => b.certificates(['a1'])],
        ['certificateUsage', () => b.certificateUsage()],
        ['forgetCounters', () => b.forgetCounters(0)],
        ...(b.exclusively ? [['exclusively', () => b.exclusively?.(async () => 1) ?? Promise.resolve()] as const] : []),
      ];
      for (const [name, operation] of operations) {
        let answer: Promise<unknown> | undefined;
        expect(() => (answer = operation()), `${name} throws at once`).not.toThrow();
        await expect(answer, name).rejects.toThrow(StorageClosedError);
      }
      await expect(b.close()).resolves.toBeUndefined();
    });
  });
  describeCountersAndCertificatesContract(name, factory);
}
