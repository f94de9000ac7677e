/**
 * One piece of work that several callers wait for (a certificate Fetch, an AppAttach to the same
 * peer), each with its own abort signal. The work runs under a signal of its own, not the first
 * caller's: a caller that gives up rejects alone, and the work is aborted only when every caller
 * waiting for it has given up (`onAbandoned` then lets the owner forget it, so that the next
 * caller starts anew). A caller without a signal never gives up.
 */
import { AbortError } from './components.js';

export class SharedAttempt<T> {
  readonly result: Promise<T>;
  private readonly controller = new AbortController();
  /** Callers waiting that may still give up (one without a signal never does: Infinity). */
  private waiting = 0;

  constructor(
    run: (signal: AbortSignal) => Promise<T>,
    private readonly onAbandoned: () => void,
  ) {
    this.result = run(this.controller.signal);
    this.result.catch(() => undefined); // each caller sees the outcome through join
  }

  /** The work's outcome for one caller, who may give up through `signal`. */
  join(signal?: AbortSignal): Promise<T> {
    if (!signal) {
      this.waiting = Infinity;
      return this.result;
    }
    if (signal.aborted) return Promise.reject(new AbortError());
    this.waiting++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (--this.waiting === 0) {
          this.onAbandoned();
          this.controller.abort();
        }
        reject(new AbortError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.result.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }
}
