/**
 * IndexedDB's failures of a connection closed under its operations, told as StorageClosedError for
 * all of the app's databases alike: the records (storage/idb-backend.ts), the identity's key store
 * (security/idb-key-store.ts) and the app's contacts, history and chat (app/store/app-store.ts);
 * and their one read in a transaction of its own (`readInTransaction`).
 */
import { unwrap, type DBSchema, type IDBPDatabase, type IDBPObjectStore, type StoreNames } from 'idb';
import { StorageClosedError } from './storage-closed-error.js';

/**
 * Whether connection `db` is closing or closed: by its owner's `close` (also when another
 * connection asked for it, `blocking`), or by the browser under it (`terminated`). W3C Indexed
 * Database API 3.0 "close a database connection": "Set connection's close pending flag to true.
 * If forced is true, then for each transaction created using connection run abort a transaction
 * [...]", so the flag is set before the aborted operations hear of it, and `transaction()`: "If
 * this's close pending flag is true, then throw an "InvalidStateError" DOMException". OUR CHOICE:
 * asked so, by a transaction that is made and left empty (it commits at once, touching nothing):
 * IndexedDB has no other way to ask, and the `close` event comes only after the aborts.
 */
function closing(db: IDBDatabase): boolean {
  const store = db.objectStoreNames[0];
  if (store === undefined) return false;
  try {
    db.transaction(store, 'readonly');
    return false;
  } catch (e) {
    return e instanceof DOMException && e.name === 'InvalidStateError';
  }
}

/**
 * The failures a closing causes: AbortError of a transaction aborted by the browser's close,
 * InvalidStateError of a transaction asked of a closed connection, UnknownError (a backing store
 * gone, as Chromium tells it).
 */
const CLOSING_FAILURES: ReadonlySet<string> = new Set(['AbortError', 'InvalidStateError', 'UnknownError']);

/**
 * `operation` over connection `db`. A failure of IndexedDB's own that a closing causes
 * (CLOSING_FAILURES) while the connection is closing or closed is the closing's, not the
 * operation's: it rejects with `closed(cause)`, IndexedDB's error kept as its `cause`. Any other
 * failure keeps its own error: on an open connection every one, and also on a closing one a
 * genuine failure that lands while the close is pending (a full disk's QuotaExceededError, a
 * DataError of bad input), which the caller must hear as what it is.
 */
export async function failsAsClosed<S, T>(db: IDBPDatabase<S>, operation: () => Promise<T>, closed: (cause: DOMException) => StorageClosedError): Promise<T> {
  try {
    return await operation();
  } catch (e) {
    if (e instanceof DOMException && CLOSING_FAILURES.has(e.name) && closing(unwrap(db))) throw closed(e);
    throw e;
  }
}

/**
 * `tx`, its `done` handled too: an operation that fails on a request first (the browser aborting
 * the transaction as it closes the connection) leaves `done` unawaited, and idb rejects it all the
 * same, an unhandled rejection. Awaiting it still rejects.
 */
export function doneHandled<T extends { readonly done: Promise<void> }>(tx: T): T {
  tx.done.catch(() => undefined);
  return tx;
}

/**
 * One read on store `name`, in a readonly transaction of its own (as idb's `db.get` and the like),
 * its `done` handled (`doneHandled`: idb's `db.get` leaves an aborted one's unhandled) and awaited.
 */
export async function readInTransaction<S extends DBSchema, N extends StoreNames<S>, T>(
  db: IDBPDatabase<S>,
  name: N,
  read: (store: IDBPObjectStore<S, [N], N, 'readonly'>) => Promise<T>,
): Promise<T> {
  const tx = doneHandled(db.transaction(name, 'readonly'));
  const [value] = await Promise.all([read(tx.store), tx.done]);
  return value;
}
