/**
 * What is used of the Web Locks API (`navigator.locks`, a LockManager): locks by name, shared by the
 * tabs (and workers) of an origin, one holder at a time. The storage's IndexedDB backend orders the
 * Stores of two connections to one database by one (storage/idb-backend.ts); the app gives each tab
 * its own device slot of an identity by them (app/overlay/device-slot.ts), and gets or makes one
 * identity at a time per key store entry (app/overlay/peer-identity.ts). A browser's LockManager
 * is one; tests use testing/fake-web-locks.ts.
 */

/** A granted lock (the browser's `Lock`). */
export interface WebLock {
  readonly name: string;
}

export interface WebLockOptions {
  /** Grant the lock only if it is free now; else the callback gets null at once, never waiting. */
  readonly ifAvailable?: boolean;
  /**
   * Stop waiting for the lock: the request rejects with the signal's reason (once granted, no
   * effect; aborted already, at once). Not with `ifAvailable`, which never waits: the browser
   * refuses the pair (NotSupportedError).
   */
  readonly signal?: AbortSignal;
}

/**
 * Called with the lock once granted (or null: `ifAvailable` and not free). The lock is held until
 * the value it returns settles (at once for a value that is not a promise); `request` resolves
 * with that value.
 */
export type WebLockCallback<T> = (lock: WebLock | null) => T;

export interface WebLocks {
  request<T>(name: string, callback: WebLockCallback<T>): Promise<Awaited<T>>;
  request<T>(name: string, options: WebLockOptions, callback: WebLockCallback<T>): Promise<Awaited<T>>;
}

/** The page's lock manager, or undefined where it has none (an old browser, or a page not in a secure context: https or localhost). */
export function browserWebLocks(): WebLocks | undefined {
  return (globalThis.navigator as Navigator | undefined)?.locks;
}
