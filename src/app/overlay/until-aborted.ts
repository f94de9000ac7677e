/**
 * A wait that ends with the caller's signal: the work itself goes on (a request already sent, a
 * key store save), but whoever waits for it stops when the signal aborts (the overlay closed).
 * Light: part of the initial JavaScript (configuration-prefetch.ts).
 */

/** `work`'s outcome, or a rejection with `signal`'s reason once it aborts, whichever comes first. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}
