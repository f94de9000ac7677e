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

/** How a request that may wait for its lock is told of the wait, and ended (requestTellingWait). */
export interface LockWait {
  /** Stops a wait for the lock: the request rejects with the signal's reason; checked again when the lock comes (the callback then never runs). */
  readonly signal?: AbortSignal;
  /** Told when the lock is not free at once (another holder has it or waits for it): the request then waits. */
  readonly onWait?: () => void;
  /** Told once the lock is had after `onWait`. */
  readonly onWaitEnded?: () => void;
}

/**
 * Runs `callback` holding lock `name` of `locks`, telling `wait` whether it had to wait. Asked for
 * first without waiting (Web Locks refuse `ifAvailable` with a `signal`), so that a wait is known
 * from the lock manager's answer, whenever it comes (a task of its own in a browser: no timer can
 * tell), and told; then queued behind the holder, with the signal. A caller that gave up meanwhile
 * is told nothing and its callback never runs.
 */
export function requestTellingWait<T>(locks: WebLocks, name: string, wait: LockWait, callback: () => Promise<T>): Promise<T> {
  const { signal } = wait;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return locks.request(name, { ifAvailable: true }, async (lock): Promise<T> => {
    signal?.throwIfAborted();
    if (lock) return callback();
    wait.onWait?.();
    return locks.request(name, signal ? { signal } : {}, async (): Promise<T> => {
      signal?.throwIfAborted();
      wait.onWaitEnded?.();
      return callback();
    });
  });
}

/** The page's lock manager, or undefined where it has none (an old browser, or a page not in a secure context: https or localhost). */
export function browserWebLocks(): WebLocks | undefined {
  return (globalThis.navigator as Navigator | undefined)?.locks;
}
