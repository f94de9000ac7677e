/**
 * IndexedDB's failures of a connection closed under its operations, told as StorageClosedError for
 * all of the app's databases alike: the records (storage/idb-backend.ts), the identity's key store
 * (security/idb-key-store.ts) and the app's contacts, history and chat (app/store/app-store.ts).
 */
import { unwrap, type IDBPDatabase } from 'idb';
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
 * `operation` over connection `db`. A failure of IndexedDB's own (a DOMException: AbortError of a
 * transaction aborted by the browser's close, InvalidStateError of a transaction asked of a closed
 * connection, UnknownError) while the connection is closing or closed is the closing's, not the
 * operation's: it rejects with `closed(cause)`, IndexedDB's error kept as its `cause`. Any other
 * failure, and every failure on an open connection (a full disk's QuotaExceededError, bad input),
 * keeps its own error.
 */
export async function failsAsClosed<S, T>(db: IDBPDatabase<S>, operation: () => Promise<T>, closed: (cause: DOMException) => StorageClosedError): Promise<T> {
  try {
    return await operation();
  } catch (e) {
    if (e instanceof DOMException && closing(unwrap(db))) throw closed(e);
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
