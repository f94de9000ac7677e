/**
 * The IndexedDB backend's database (idb-backend.ts): opened, made or upgraded to the current
 * version, or refused when a newer release wrote it.
 *
 * Database versions: 1, times on the tab's monotonic clock (performance.now(), from 0 in each page
 * load); 2, times on the epoch clock (StorageBackend). The upgrade from 1 deletes the records and
 * keeps the generation counters, for the reason the SQLite backend gives (storage/node); 3, the
 * certificates of the stored values (the records of version 2 name none, as in the SQLite backend);
 * 4, the `idle` index of kinds holding only a counter, for forgetCounters, and its tally.
 */
import type { IDBPDatabase, IDBPTransaction } from 'idb';
import { openVersionedDatabase } from '../runtime/idb-open.js';
import { KEPT, type StorageSchema, type StoreName } from './idb-schema.js';

/** The current database version (see the file comment). */
export const DATABASE_VERSION = 4;

/** Why the records were closed, when the browser closed the connection itself (its `close` event, idb's `terminated`). */
export const BROWSER_CLOSED = 'the browser closed this records database';

/**
 * Opens database `name`, made or upgraded to DATABASE_VERSION. `closed` is called, with why in
 * words, when IndexedDB asks for the connection (the database is being deleted, "Clear identity and data" maybe in
 * another tab, or opened at a newer version) or has closed it itself (the browser cleared its
 * storage): it closes the connection, and its owner counts it closed. A database a newer release
 * wrote is refused with StorageTooNewError, left as it was (runtime/idb-open.ts).
 */
export async function openStorageDatabase(name: string, closed: (why: string) => void): Promise<IDBPDatabase<StorageSchema>> {
  return openVersionedDatabase<StorageSchema>(name, DATABASE_VERSION, {
    upgrade(database, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) {
        const records = database.createObjectStore('records', { keyPath: ['r', 'k', 'x'] });
        records.createIndex('expiry', 'e');
        records.createIndex('kindResource', ['k', 'r']);
        database.createObjectStore('kinds', { keyPath: ['r', 'k'] }).createIndex('idle', 'i');
        database.createObjectStore('users', { keyPath: 'u' });
        database.createObjectStore('meta');
      } else {
        // Version 4: kinds holding only a counter, in the order they lost their last record (forgetCounters).
        if (oldVersion < 4) tx.objectStore('kinds').createIndex('idle', 'i');
        // On the upgrade transaction, which commits after these requests and before the open resolves;
        // a request that fails aborts it, and the open rejects with that error.
        upgradeData(tx, oldVersion).catch(() => undefined);
      }
      // Version 3: the certificates of the stored values (the records of version 2 name none).
      if (oldVersion < 3) database.createObjectStore('certificates', { keyPath: 'h' });
    },
    blocking: () => closed('another tab is deleting this records database or opening it at a newer version'),
    terminated: () => closed(BROWSER_CLOSED),
  });
}

/** The data of an older version made current (see the file comment). */
async function upgradeData(tx: IDBPTransaction<StorageSchema, StoreName[], 'versionchange'>, oldVersion: number): Promise<void> {
  if (oldVersion < 2) await dropMonotonicRecords(tx);
  if (oldVersion < 4) await markKeptCounters(tx);
}

/** Version 4: the kinds holding only a counter get their `i` (all alike: which emptied first is not known) and their tally. */
async function markKeptCounters(tx: IDBPTransaction<StorageSchema, StoreName[], 'versionchange'>): Promise<void> {
  let count = 0;
  for (let c = await tx.objectStore('kinds').openCursor(); c; c = await c.continue()) {
    if (c.value.c !== 0) continue;
    await c.update({ ...c.value, i: 0 });
    count++;
  }
  await tx.objectStore('meta').put({ u: KEPT, c: count, b: 1 }, KEPT);
}

/** Version 1 to 2: delete the records (their times are on a dead page's clock) and their tallies; keep the counters. */
async function dropMonotonicRecords(tx: IDBPTransaction<StorageSchema, StoreName[], 'versionchange'>): Promise<void> {
  await Promise.all([tx.objectStore('records').clear(), tx.objectStore('users').clear(), tx.objectStore('meta').clear()]);
  for (let c = await tx.objectStore('kinds').openCursor(); c; c = await c.continue()) {
    if (c.value.g === '0') await c.delete();
    else await c.update({ ...c.value, c: 0, b: 0 });
  }
}
