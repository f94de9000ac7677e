/**
 * The error of stored data closed before or under an operation, for every store: the records
 * (storage/: memory, SQLite, IndexedDB), the identity's key store (security/idb-key-store.ts) and
 * the app's own database (app/store). Here, below storage and security, so that each of them
 * rejects with the one class (runtime/idb-closing.ts tells it for the IndexedDB ones).
 */

/**
 * The store was closed (its `close`, or under its user: StorageBackend.closedUnder, IndexedDB
 * closing the connection) before the operation, or under it: nothing it would have written was
 * written. Every operation of every store rejects with it once closed, so that a caller tells a
 * store closed under it (a peer shutting down, the data cleared) from a failure of the store.
 * `message` says who closed it, where not its user; `cause` is IndexedDB's own error, where the
 * closing failed an operation under way.
 */
export class StorageClosedError extends Error {
  override readonly name: string = 'StorageClosedError';
  constructor(message = 'the storage backend is closed', options?: ErrorOptions) {
    super(message, options);
  }
}
