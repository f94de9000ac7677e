import 'fake-indexeddb/auto';
import { deleteDB, openDB, type IDBPDatabase } from 'idb';
import { describe, expect, it, vi } from 'vitest';
import { idbDatabaseName, openIdbBackend } from './idb-backend.js';
import { encodeWith } from '../wire/codec/writer.js';
import { toHex } from '../wire/codec/hex.js';
import type { StorageSchema } from './idb-schema.js';
import { encodeStoredDataBytes, MODEL_CODES } from './record-encoding.js';
import { hexKey } from './ring-range.js';
import { StorageClosedError, StorageTooNewError } from './storage-backend.js';
import { describeStorageBackendContract } from './storage-backend.contract.js';
import { expectCountersKeptByUpgrade } from './storage-backend-counters.contract.js';
import { heldCertificate, hexes, id16, NODE_A, record, single } from './testing/records.js';
import { raceStoresWithOneGeneration } from './testing/two-writers.js';
import { FakeWebLocks } from '../testing/fake-web-locks.js';
import { watchNextConnection } from '../testing/idb-terminate.js';

let n = 0;

/** The stores of versions 1 and 2, as they were written. */
function createVersion1Stores(db: IDBPDatabase): void {
  const records = db.createObjectStore('records', { keyPath: ['r', 'k', 'x'] });
  records.createIndex('expiry', 'e');
  records.createIndex('kindResource', ['k', 'r']);
  db.createObjectStore('kinds', { keyPath: ['r', 'k'] });
  db.createObjectStore('users', { keyPath: 'u' });
  db.createObjectStore('meta');
}

describeStorageBackendContract('indexeddb (fake-indexeddb)', async () => openIdbBackend({ overlay: `contract-${n++}.example`, nodeId: NODE_A }));

describe('indexeddb backend', () => {
  it('names one database per overlay and Node-ID', () => {
    expect(idbDatabaseName('chordphone.example', id16(0xab, 1))).toBe('chordphone-storage/chordphone.example/ab000000000000000000000000000001');
  });

  it('writes to disk exactly a record’s bytes, never the rest of the byte slab its encoding is a view of', async () => {
    const backend = await openIdbBackend({ overlay: 'exact.example', nodeId: NODE_A });
    // Another message encoded just before: its bytes share the slab with the record's encoding.
    const secret = encodeWith((w) => w.bytes(new TextEncoder().encode('another peer’s message')));
    expect(secret.buffer.byteLength).toBeGreaterThan(secret.byteLength);
    await backend.put(record({ resourceId: id16(1), value: single('kept'), node: new Uint8Array(secret.buffer, 0, 16) }));
    await backend.close();
    const db = await openDB<StorageSchema>(idbDatabaseName('exact.example', NODE_A));
    const [v] = await db.getAll('records');
    db.close();
    expect(v?.d.buffer.byteLength).toBe(v?.d.byteLength);
    expect(v?.n.buffer.byteLength).toBe(16);
    expect(toHex(new Uint8Array(v?.d.buffer ?? new ArrayBuffer(0)))).not.toContain(toHex(secret));
  });

  // "Clear identity and data" (maybe in another tab) deletes the database: the open connection lets it go (`blocking`).
  it('a connection let go for the deletion of its database is closed: its operations reject with StorageClosedError, not IndexedDB’s InvalidStateError', async () => {
    const backend = await openIdbBackend({ overlay: 'deleted.example', nodeId: NODE_A });
    await backend.put(record({ resourceId: id16(1), value: single('v') }));
    await deleteDB(idbDatabaseName('deleted.example', NODE_A));
    await expect(backend.get(id16(1), 7, { model: 'single' })).rejects.toThrow(StorageClosedError);
    await expect(backend.write({ puts: [record({ resourceId: id16(2), value: single('w') })] })).rejects.toThrow(StorageClosedError);
    await expect(backend.close()).resolves.toBeUndefined();
  });

  // Its user (the peer over it) must stop answering for records it can no longer read or write.
  it('a connection IndexedDB closes under its backend tells closedUnder once, saying why; a close by its user does not', async () => {
    const lost = await openIdbBackend({ overlay: 'lost.example', nodeId: NODE_A });
    const told = vi.fn();
    void lost.closedUnder?.then(told);
    // Another tab opens the database at a newer version (a newer release): this connection is asked for it.
    const newer = await openDB(idbDatabaseName('lost.example', NODE_A), 99);
    await vi.waitFor(() => expect(told).toHaveBeenCalledTimes(1));
    expect(told.mock.calls[0]?.[0]).toEqual(new StorageClosedError('the records were closed under this peer: another tab is deleting this records database or opening it at a newer version'));
    await expect(lost.get(id16(1), 7, { model: 'single' })).rejects.toThrow(/closed under this peer: another tab/);
    await lost.close();
    newer.close();

    const closed = await openIdbBackend({ overlay: 'closed.example', nodeId: NODE_A });
    const notTold = vi.fn();
    void closed.closedUnder?.then(notTold);
    await closed.close();
    await deleteDB(idbDatabaseName('closed.example', NODE_A));
    await new Promise((r) => setTimeout(r, 0));
    expect(notTold).not.toHaveBeenCalled();
    expect(closed.closedUnder).toBeInstanceOf(Promise);
  });

  // The browser closes the connection itself (its storage cleared in the settings or DevTools):
  // what was running fails in IndexedDB (the transactions aborted), then `terminated`.
  it('an operation under way when the browser closes the connection rejects with StorageClosedError, IndexedDB’s error its cause, and closedUnder is told', async () => {
    const connection = watchNextConnection();
    const backend = await openIdbBackend({ overlay: 'terminated.example', nodeId: NODE_A });
    const told = vi.fn();
    void backend.closedUnder?.then(told);
    await backend.put(record({ resourceId: id16(1), value: single('v') }));
    const under = [backend.write({ puts: [record({ resourceId: id16(2), value: single('w') })] }), backend.kindState(id16(1), 7), backend.resources()].map((p) => p.catch((e: unknown) => e));
    connection.terminate();
    for (const failure of await Promise.all(under)) {
      expect(failure).toBeInstanceOf(StorageClosedError);
      expect((failure as Error).cause).toMatchObject({ name: 'AbortError' });
    }
    await vi.waitFor(() => expect(told).toHaveBeenCalledTimes(1));
    expect(told.mock.calls[0]?.[0]).toEqual(new StorageClosedError('the records were closed under this peer: the browser closed this records database'));
    await expect(backend.get(id16(1), 7, { model: 'single' })).rejects.toThrow(StorageClosedError);
    await backend.close();
    const again = await openIdbBackend({ overlay: 'terminated.example', nodeId: NODE_A });
    expect(await again.get(id16(2), 7, { model: 'single' })).toBeUndefined();
    await again.close();
  });

  // An operation of several transactions (delete: the count, then the write) finds the connection closing between them.
  it('an operation whose next transaction finds the connection closing under it rejects with StorageClosedError, not IndexedDB’s InvalidStateError', async () => {
    const connection = watchNextConnection();
    const backend = await openIdbBackend({ overlay: 'terminated-between.example', nodeId: NODE_A });
    await backend.put(record({ resourceId: id16(1), value: single('v') }));
    // After the count's transaction has completed, before the write's is made.
    connection.afterNextTransaction(() => connection.terminate());
    const failure = await backend.delete(id16(1), 7, { model: 'single' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StorageClosedError);
    expect((failure as Error).cause).toMatchObject({ name: 'InvalidStateError' });
    await backend.close();
  });

  it('keeps records and their certificates across close and reopen', async () => {
    const r = record({ resourceId: id16(1), value: single('kept'), certificates: ['a1'] });
    const first = await openIdbBackend({ overlay: 'persist.example', nodeId: NODE_A });
    await first.write({ puts: [r], generations: [{ resourceId: id16(1), kind: 7, generation: 12n }], certificates: [heldCertificate('a1')] });
    await first.write({ generations: [{ resourceId: id16(2), kind: 7, generation: 30n }] });
    expect(await first.forgetCounters(0)).toBe(1);
    await first.close();
    const second = await openIdbBackend({ overlay: 'persist.example', nodeId: NODE_A });
    expect(await second.kindState(id16(1), 7)).toEqual({ generation: 12n, records: [r] });
    // The floor outlives a restart (StorageBackend.forgetCounters).
    expect((await second.kindState(id16(2), 7)).generation).toBe(30n);
    expect(await second.usage()).toEqual({ count: 1, bytes: r.size });
    expect(await second.certificates(['a1'])).toEqual([heldCertificate('a1')]);
    expect(await second.certificateUsage()).toEqual({ count: 1, bytes: 100 });
    await second.close();
  });

  it('a database of version 2 keeps its records, which name no certificates, and its counters, and then keeps certificates', async () => {
    const name = idbDatabaseName('v2.example', NODE_A);
    const old = record({ resourceId: id16(1), value: single('old') });
    const v2 = await openDB(name, 2, { upgrade: (db) => createVersion1Stores(db) });
    const rh = hexKey(old.resourceId);
    await v2.put('records', { r: rh, k: 7, x: 's', m: MODEL_CODES.single, d: encodeStoredDataBytes(old.data), s: old.storedAt, e: old.expiresAt, u: old.storerUser, n: old.storerNode, z: old.size });
    await v2.put('kinds', { r: rh, k: 7, g: '3', c: 1, b: old.size });
    // A location holding only a counter.
    await v2.put('kinds', { r: hexKey(id16(3)), k: 7, g: '20', c: 0, b: 0 });
    v2.close();

    const upgraded = await openIdbBackend({ overlay: 'v2.example', nodeId: NODE_A });
    expect(await upgraded.kindState(id16(1), 7)).toEqual({ generation: 3n, records: [old] });
    const r = record({ resourceId: id16(2), value: single('new'), certificates: ['a1'] });
    await upgraded.write({ puts: [r], certificates: [heldCertificate('a1')] });
    expect(await upgraded.get(id16(2), 7, { model: 'single' })).toEqual(r);
    expect(await upgraded.certificateUsage()).toEqual({ count: 1, bytes: 100 });
    // Version 4: the counter-only location is among those forgetCounters can forget, the others are not.
    expect(await upgraded.forgetCounters(0)).toBe(1);
    expect(await upgraded.kindState(id16(3), 7)).toEqual({ generation: 20n, records: [] });
    expect(hexes(await upgraded.resources({ withCounters: true }))).toEqual(hexes([id16(1), id16(2)]));
    await upgraded.close();
  });

  it('a database of version 3 keeps its records, certificates and counters, and counts the counter-only locations once', async () => {
    const name = idbDatabaseName('v3.example', NODE_A);
    const old = record({ resourceId: id16(1), value: single('old'), certificates: ['a1'] });
    const v3 = await openDB(name, 3, {
      upgrade: (db) => {
        createVersion1Stores(db);
        db.createObjectStore('certificates', { keyPath: 'h' });
      },
    });
    const rh = hexKey(old.resourceId);
    const a1 = heldCertificate('a1');
    await v3.put('records', { r: rh, k: 7, x: 's', m: MODEL_CODES.single, d: encodeStoredDataBytes(old.data), s: old.storedAt, e: old.expiresAt, u: old.storerUser, n: old.storerNode, z: old.size, c: ['a1'] });
    await v3.put('certificates', { h: 'a1', t: a1.certificate.type, d: a1.certificate.certificate, n: 1 });
    await v3.put('meta', { u: 'certificates', c: 1, b: 100 }, 'certificates');
    await v3.put('kinds', { r: rh, k: 7, g: '4', c: 1, b: old.size });
    await v3.put('kinds', { r: hexKey(id16(3)), k: 7, g: '20', c: 0, b: 0 });
    await v3.put('kinds', { r: hexKey(id16(4)), k: 7, g: '9', c: 0, b: 0 });
    await v3.put('users', { u: old.storerUser, c: 1, b: old.size });
    await v3.put('meta', { u: 'total', c: 1, b: old.size }, 'total');
    v3.close();

    const upgraded = await openIdbBackend({ overlay: 'v3.example', nodeId: NODE_A });
    await expectCountersKeptByUpgrade(upgraded, old);
    await upgraded.close();
  });

  it('a database of version 1 (times on a gone page clock) loses its records and their tallies, and keeps its counters', async () => {
    const name = idbDatabaseName('legacy.example', NODE_A);
    const r = record({ resourceId: id16(1), value: single('old'), expiresAt: 5_000_000 });
    // Version 1 as it was written: the same stores, a record and its tallies.
    const v1 = await openDB(name, 1, { upgrade: (db) => createVersion1Stores(db) });
    const rh = hexKey(r.resourceId);
    await v1.put('records', { r: rh, k: 7, x: 's', m: MODEL_CODES.single, d: encodeStoredDataBytes(r.data), s: r.storedAt, e: r.expiresAt, u: r.storerUser, n: r.storerNode, z: r.size });
    await v1.put('kinds', { r: rh, k: 7, g: '12', c: 1, b: r.size });
    await v1.put('kinds', { r: hexKey(id16(2)), k: 7, g: '0', c: 0, b: 0 });
    await v1.put('users', { u: r.storerUser, c: 1, b: r.size });
    await v1.put('meta', { u: 'total', c: 1, b: r.size }, 'total');
    v1.close();

    const upgraded = await openIdbBackend({ overlay: 'legacy.example', nodeId: NODE_A });
    expect(await upgraded.kindState(id16(1), 7)).toEqual({ generation: 12n, records: [] });
    expect(await upgraded.usage()).toEqual({ count: 0, bytes: 0 });
    expect(await upgraded.usage({ user: r.storerUser })).toEqual({ count: 0, bytes: 0 });
    expect((await upgraded.resources({ withCounters: true })).map((id) => hexKey(id))).toEqual([rh]);
    // Version 4: the kept counter is among those forgetCounters can forget.
    expect(await upgraded.forgetCounters(0)).toBe(1);
    expect(await upgraded.resources({ withCounters: true })).toEqual([]);
    expect((await upgraded.kindState(id16(1), 7)).generation).toBe(12n);
    await upgraded.close();
  });

  // A newer chordphone in this browser (a newer build of the app, then an older one served again).
  it('a database a newer release wrote is refused at open with StorageTooNewError, not IndexedDB’s VersionError, and left as it was', async () => {
    const name = idbDatabaseName('newer.example', NODE_A);
    const newer = await openDB(name, 5, { upgrade: (db) => db.createObjectStore('records-of-tomorrow') });
    newer.close();
    const failure = await openIdbBackend({ overlay: 'newer.example', nodeId: NODE_A }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StorageTooNewError);
    expect(failure).toMatchObject({ version: 5, known: 4, message: `the database ${name} was written by a newer chordphone (schema 5, this build knows up to 4): upgrade` });
    const after = await openDB(name);
    expect([after.version, [...after.objectStoreNames]]).toEqual([5, ['records-of-tomorrow']]);
    after.close();
  });

  // Two connections to the database of one Node-ID: a tab that joins again under the same name
  // opens it while the old overlay, its connection still open, closes (idb-backend.ts `exclusively`).
  it('two connections over one database take turns: of two Stores with the same generation counter one is stored, the other is too low (RFC 6940 §7.4.1.1)', async () => {
    const locks = new FakeWebLocks();
    const [tabA, tabB] = await Promise.all([0, 1].map(() => openIdbBackend({ overlay: 'tabs.example', nodeId: NODE_A, locks })));
    expect((await raceStoresWithOneGeneration(tabA!, tabB!)).sort()).toEqual(['Error_Generation_Counter_Too_Low', 'stored']);
    expect(new Set(locks.requested)).toEqual(new Set([idbDatabaseName('tabs.example', NODE_A)]));
    await Promise.all([tabA!.close(), tabB!.close()]);
  });
});
