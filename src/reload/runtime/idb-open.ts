/**
 * Opening one of the app's IndexedDB databases at the version this build knows, for all of them
 * alike: the records (storage/idb-database.ts), the identity's key store
 * (security/idb-key-store.ts) and the app's contacts, history and chat (app/store/app-store.ts).
 * A database a newer release wrote (a tab of a newer build was open in this browser, then an
 * older one was served again) is refused with StorageTooNewError, naming its version, and left as
 * it was, not IndexedDB's raw VersionError DOMException.
 */
import { openDB, type DBSchema, type IDBPDatabase, type OpenDBCallbacks } from 'idb';
import { StorageTooNewError } from './storage-too-new-error.js';

/**
 * Opens database `name` at `version` (idb's openDB with `callbacks`: made or upgraded by
 * `upgrade`); one at a higher version is refused with StorageTooNewError.
 */
export async function openVersionedDatabase<S extends DBSchema | unknown>(name: string, version: number, callbacks: OpenDBCallbacks<S>): Promise<IDBPDatabase<S>> {
  try {
    return await openDB<S>(name, version, callbacks);
  } catch (e) {
    // W3C Indexed Database API 3.0 "open a database connection": "If version is less than db's
    // version, then return a newly created "VersionError" DOMException". Nothing was opened.
    if (e instanceof Error && e.name === 'VersionError') throw new StorageTooNewError(`the database ${name}`, await storedVersion(name), version);
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
