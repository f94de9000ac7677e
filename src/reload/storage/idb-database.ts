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
import { openDB, type IDBPDatabase, type IDBPTransaction } from 'idb';
import { KEPT, type StorageSchema, type StoreName } from './idb-schema.js';
import { StorageTooNewError } from './storage-backend.js';

/** The current database version (see the file comment). */
export const DATABASE_VERSION = 4;

/**
 * Opens database `name`, made or upgraded to DATABASE_VERSION. `closed` is called when IndexedDB
 * asks for the connection (the database is being deleted, "Clear identity and data" maybe in
 * another tab, or opened at a newer version) or has closed it itself (the browser cleared its
 * storage): it closes the connection, and its owner counts it closed. A database a newer release
 * wrote is refused with StorageTooNewError, left as it was.
 */
export async function openStorageDatabase(name: string, closed: () => void): Promise<IDBPDatabase<StorageSchema>> {
  try {
    return await openDB<StorageSchema>(name, DATABASE_VERSION, {
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
      blocking: closed,
      terminated: closed,
    });
  } catch (e) {
    // W3C Indexed Database API 3.0 "open a database connection": "If version is less than db's
    // version, then return a newly created "VersionError" DOMException". Nothing was opened.
    if (e instanceof Error && e.name === 'VersionError') throw new StorageTooNewError(`the database ${name}`, await storedVersion(name), DATABASE_VERSION);
    throw e;
  }
}

/**
 * The version of database `name` (indexedDB.databases(), which opens nothing), or undefined where
 * the browser does not list its databases. Not an open without a version: that would make the
 * database, empty, were it deleted meanwhile.
 */
async function storedVersion(name: string): Promise<number | undefined> {
  if (typeof indexedDB.databases !== 'function') return undefined;
  try {
    return (await indexedDB.databases()).find((d) => d.name === name)?.version;
  } catch {
    return undefined;
  }
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
