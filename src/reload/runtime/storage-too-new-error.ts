/**
 * The error of stored data a newer chordphone wrote, for every store that has a schema version: the
 * records (storage/: a SQLite file, an IndexedDB database), the identity's key store
 * (security/idb-key-store.ts) and the app's own database (app/store). Here, below storage and
 * security, so that each of them throws the one class (runtime/idb-open.ts opens the IndexedDB ones).
 */

/**
 * The stored data was written by a newer chordphone, at a schema version this build does not know
 * (the SQLite file's user_version, the IndexedDB database's version): refused at open, the data
 * left as it was and let go. Its tables or stores may fit this build's and still mean other
 * things, and it has no way down: an older build reading and writing them by its rules could
 * spoil what the newer one kept.
 */
export class StorageTooNewError extends Error {
  override readonly name: string = 'StorageTooNewError';
  constructor(
    /** What was opened, as the message names it: "the records file …", "the database …". */
    readonly store: string,
    /** Its schema version; undefined where the store does not say (a newer IndexedDB database whose version could not be read). */
    readonly version: number | undefined,
    /** The newest this build knows. */
    readonly known: number,
    /** What else the user can do, after "upgrade, or ". */
    alternative?: string,
  ) {
    super(`${store} was written by a newer chordphone (schema ${version ?? 'newer'}, this build knows up to ${known}): upgrade${alternative === undefined ? '' : `, or ${alternative}`}`);
  }
}
