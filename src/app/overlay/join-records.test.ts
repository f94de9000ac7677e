/**
 * A join's records (join-records.ts): `ready` waits for the records' lock once before the join
 * goes on, and says it waits only when another holder has it, from the lock manager's answer. The
 * real IndexedDB backend (fake-indexeddb) under fake Web Locks that answer tasks later, as a
 * browser's lock manager may.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { idbDatabaseName, openIdbBackend } from '../../reload/storage/idb-backend.js';
import { FakeWebLocks } from '../../reload/testing/fake-web-locks.js';
import { joinRecords } from './join-records.js';

const NODE = new Uint8Array(16).fill(9);
let n = 0;

/** Records of a fresh overlay under `locks` (tab 'this'), and the name of their lock. */
function records(locks: FakeWebLocks) {
  const overlay = `join-records-${n++}.example`;
  return { records: joinRecords(openIdbBackend({ overlay, nodeId: NODE, locks: locks.tab('this') })), lock: idbDatabaseName(overlay, NODE) };
}

describe('join records', () => {
  it('a lock that is free says no wait, however late the lock manager answers', async () => {
    const locks = new FakeWebLocks({ answerAfterTasks: 3 });
    const { records: r } = records(locks);
    let waits = 0;
    const backend = await r.ready(new AbortController().signal, () => waits++);
    expect(waits).toBe(0);
    expect(locks.names()).toEqual([]);
    await backend.close();
  });

  it('a lock held by an operation of an earlier overlay is waited for, said once, and the join goes on once it is free', async () => {
    const locks = new FakeWebLocks({ answerAfterTasks: 2 });
    const { records: r, lock } = records(locks);
    let end!: () => void;
    const earlier = locks.tab('other').request(lock, () => new Promise<void>((resolve) => (end = resolve)));
    let waits = 0;
    let ready = false;
    const waiting = r.ready(new AbortController().signal, () => waits++).then((b) => ((ready = true), b));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect({ waits, ready }).toEqual({ waits: 1, ready: false });
    end();
    await earlier;
    const backend = await waiting;
    expect(waits).toBe(1);
    await r.release();
    await expect(backend.kinds(NODE)).rejects.toThrow();
  });

  it('a wait ended by the signal rejects with its reason, and leaves the lock queue: the next gets the lock as soon as the earlier holder lets go', async () => {
    const locks = new FakeWebLocks({ answerAfterTasks: 1 });
    const { records: r, lock } = records(locks);
    let end!: () => void;
    const earlier = locks.tab('other').request(lock, () => new Promise<void>((resolve) => (end = resolve)));
    const stop = new AbortController();
    let waited!: () => void;
    const told = new Promise<void>((resolve) => (waited = resolve));
    const waiting = r.ready(stop.signal, waited);
    await told;
    stop.abort(new Error('the overlay was closed'));
    await expect(waiting).rejects.toThrow('the overlay was closed');
    end();
    await earlier;
    // Free for the next at once: no request of the closed join's was left to be granted it.
    expect(locks.names()).toEqual([]);
    expect(await locks.tab('next').request(lock, { ifAvailable: true }, (l) => l !== null)).toBe(true);
    await r.release();
  });
});
