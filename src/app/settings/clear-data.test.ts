/**
 * "Clear identity and data" against IndexedDB (fake-indexeddb) with the app's real stores open: the
 * key store (with a user's key in it), a records database and an app store are deleted even while
 * this page still holds them open (each closes on `versionchange`), another site's database and
 * localStorage keys stay, and a connection that never lets go is reported, not waited for forever:
 * after DELETE_TIMEOUT_MS of the injected clock (a ManualClock here: no timer runs unless it is
 * advanced, so a slow delete never counts as a blocked one).
 */
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it, vi } from 'vitest';
import { IdbKeyStore, IDENTITY_DATABASE } from '../../reload/security/idb-key-store.js';
import { generateSigningKeys } from '../../reload/security/key-store.js';
import { idbDatabaseName, openIdbBackend } from '../../reload/storage/idb-backend.js';
import { ManualClock } from '../../reload/testing/manual-clock.js';
import { appStoreName, openAppStore } from '../store/app-store.js';
import { clearAppData, DELETE_TIMEOUT_MS, isAppDatabase, isAppStorageKey, type ClearOutcome } from './clear-data.js';

function memoryLocalStorage(entries: Record<string, string>): Pick<Storage, 'length' | 'key' | 'removeItem'> & { readonly items: Map<string, string> } {
  const items = new Map(Object.entries(entries));
  return {
    items,
    get length() {
      return items.size;
    },
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
  };
}

async function databaseNames(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name ?? '').sort();
}

describe('clear identity and data', () => {
  it('tells the app’s databases and keys from others', () => {
    expect(isAppDatabase(IDENTITY_DATABASE)).toBe(true);
    expect(isAppDatabase(idbDatabaseName('chordphone.local', new Uint8Array(16)))).toBe(true);
    expect(isAppDatabase(appStoreName('chordphone.local', 'alice'))).toBe(true);
    expect(isAppDatabase('someone-else')).toBe(false);
    expect(isAppStorageKey('chordphone.overlay-mode')).toBe(true);
    expect(isAppStorageKey('chordphone.user')).toBe(true);
    expect(isAppStorageKey('theme')).toBe(false);
  });

  it('deletes the key store, records and app data while they are open, and the app’s localStorage keys only', async () => {
    const keys = await IdbKeyStore.open();
    const signing = await generateSigningKeys({ crypto: globalThis.crypto }, 'ecdsa-p256');
    await keys.save('chordphone.local.user.alice', { keys: signing, certificates: [new Uint8Array([1, 2, 3])] });
    expect(await keys.load('chordphone.local.user.alice')).toBeDefined();
    // Left open, as a running page leaves them: the deletes must get past these connections.
    await openIdbBackend({ overlay: 'chordphone.local', nodeId: new Uint8Array(16).fill(7) });
    const app = await openAppStore(appStoreName('chordphone.local', 'alice'));
    await app.contacts.put({ aor: 'sip:bob@chordphone.local', displayName: 'Bob', addedAt: Date.now() });
    const other = await openDB('someone-else', 1, { upgrade: (db) => void db.createObjectStore('x') });
    other.close();
    const storage = memoryLocalStorage({ 'chordphone.user': 'alice', 'chordphone.overlay-mode': 'client', 'chordphone.ice-servers': '{}', theme: 'dark' });

    const outcome = await clearAppData({ indexedDB, localStorage: storage, clock: new ManualClock() });

    expect(outcome.failed).toEqual([]);
    expect(outcome.deleted).toEqual([appStoreName('chordphone.local', 'alice'), IDENTITY_DATABASE, idbDatabaseName('chordphone.local', new Uint8Array(16).fill(7))].sort());
    expect(await databaseNames()).toEqual(['someone-else']);
    expect([...storage.items.keys()]).toEqual(['theme']);
    expect(outcome.removedKeys).toEqual(['chordphone.ice-servers', 'chordphone.overlay-mode', 'chordphone.user']);
    // A fresh key store (the next page load) has no key for alice.
    const fresh = await IdbKeyStore.open();
    expect(await fresh.load('chordphone.local.user.alice')).toBeUndefined();
    await clearAppData({ indexedDB, localStorage: undefined, clock: new ManualClock() });
  });

  it(`reports a database another connection keeps open after ${DELETE_TIMEOUT_MS} ms of the injected clock, not before`, async () => {
    const stubborn = await openDB('chordphone-stubborn', 1, { upgrade: (db) => void db.createObjectStore('x') });
    const clock = new ManualClock();
    let outcome: ClearOutcome | undefined;
    void clearAppData({ indexedDB, localStorage: undefined, clock }).then((o) => (outcome = o));
    // Both deletes are under way (each with its timer) and the identity database's is done: the stubborn one waits.
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(1));
    clock.advance(DELETE_TIMEOUT_MS - 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(outcome).toBeUndefined();
    clock.advance(1);
    await vi.waitFor(() => expect(outcome).toBeDefined(), { timeout: 1_000 });
    expect(outcome!.failed.map((f) => f.name)).toEqual(['chordphone-stubborn']);
    expect(outcome!.failed[0]!.reason).toMatch(/another tab of Chordphone keeps it open: close the other tabs/);
    expect(outcome!.deleted).toEqual([IDENTITY_DATABASE]);
    stubborn.close();
  });

  it('still deletes the identity database where the browser cannot list databases', async () => {
    const keys = await IdbKeyStore.open();
    const signing = await generateSigningKeys({ crypto: globalThis.crypto }, 'ecdsa-p256');
    await keys.save('x', { keys: signing, certificates: [] });
    const factory = Object.create(indexedDB, { databases: { value: () => Promise.reject(new Error('not supported')) } }) as IDBFactory;
    const outcome = await clearAppData({ indexedDB: factory, localStorage: undefined, clock: new ManualClock() });
    expect(outcome.deleted).toContain(IDENTITY_DATABASE);
    expect(await (await IdbKeyStore.open()).load('x')).toBeUndefined();
  });
});
