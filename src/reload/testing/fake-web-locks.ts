/**
 * Tests' stand-in for the Web Locks of one origin (runtime/web-locks.ts), with tabs that can go
 * away. As the browser's: a name has one holder at a time, the others waiting in order of request;
 * `ifAvailable` gets null at once when the name is held or waited for; a request with both a
 * `signal` and `ifAvailable` is refused (NotSupportedError); one whose signal has aborted is
 * rejected with its reason, and a waiting one whose signal aborts leaves the queue, rejected
 * likewise; the callback is called after the request returns (a microtask later, or
 * `answerAfterTasks` tasks later); a lock is held until the value its callback returned settles
 * (at once when that is not a promise), or the tab holding it goes away (`closeTab`).
 */
import type { WebLock, WebLockCallback, WebLockOptions, WebLocks } from '../runtime/web-locks.js';

interface Grant {
  readonly tab: string;
  readonly lock: WebLock;
}

interface Waiter {
  readonly tab: string;
  readonly grant: () => void;
}

export interface FakeWebLocksOptions {
  /**
   * Call back only after this many tasks (setTimeout 0 each), as a browser's lock manager answers
   * on a task of its own, and maybe not the next one; default 0: after a microtask.
   */
  readonly answerAfterTasks?: number;
}

export class FakeWebLocks implements WebLocks {
  private readonly held = new Map<string, Grant>();
  private readonly waiting = new Map<string, Waiter[]>();
  /** Names requested, in order, by every tab. */
  readonly requested: string[] = [];
  /** Settles when a callback is to be called (`answerAfterTasks`). */
  private readonly later: () => Promise<void>;

  constructor(options: FakeWebLocksOptions = {}) {
    const tasks = options.answerAfterTasks ?? 0;
    this.later = async () => {
      for (let i = 0; i < tasks; i++) await new Promise<void>((resolve) => setTimeout(resolve, 0));
    };
  }

  /** The LockManager of tab `id` of the origin (`request` on the FakeWebLocks itself is tab ''). */
  tab(id: string): WebLocks {
    return { request: <T>(name: string, a: WebLockOptions | WebLockCallback<T>, b?: WebLockCallback<T>) => this.requestIn(id, name, a, b) };
  }

  request<T>(name: string, callback: WebLockCallback<T>): Promise<Awaited<T>>;
  request<T>(name: string, options: WebLockOptions, callback: WebLockCallback<T>): Promise<Awaited<T>>;
  request<T>(name: string, a: WebLockOptions | WebLockCallback<T>, b?: WebLockCallback<T>): Promise<Awaited<T>> {
    return this.requestIn('', name, a, b);
  }

  /** The tab is closed or reloaded: the browser lets go of its locks and drops its requests. */
  closeTab(id: string): void {
    for (const [name, queue] of this.waiting) this.waiting.set(name, queue.filter((w) => w.tab !== id));
    for (const [name, grant] of [...this.held]) if (grant.tab === id) this.release(name, grant);
  }

  /** The names held, sorted. */
  names(): string[] {
    return [...this.held.keys()].sort();
  }

  /** `request(name, callback)` or `request(name, options, callback)` from tab `tab`. */
  private requestIn<T>(tab: string, name: string, a: WebLockOptions | WebLockCallback<T>, b: WebLockCallback<T> | undefined): Promise<Awaited<T>> {
    const [options, callback] = typeof a === 'function' ? [{}, a] : [a, b];
    if (!callback) return Promise.reject(new TypeError('a Web Lock request needs a callback'));
    this.requested.push(name);
    const { signal } = options;
    // Web Locks API, LockManager request() step 8: "If options["signal"] exists, and either of
    // options["steal"] or options["ifAvailable"] is true, then return a promise rejected with a
    // "NotSupportedError" DOMException"; step 9 then rejects an aborted signal with its reason.
    // Both before the lock is looked at: an aborted signal never gets ifAvailable's null.
    if (signal && options.ifAvailable) return Promise.reject(new DOMException('a Web Lock request cannot have both a signal and ifAvailable', 'NotSupportedError'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const queue = this.waiting.get(name) ?? [];
    if (options.ifAvailable && (this.held.has(name) || queue.length > 0)) return this.later().then(async (): Promise<Awaited<T>> => await callback(null));
    return new Promise<Awaited<T>>((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', stopWaiting);
        const granted: Grant = { tab, lock: { name } };
        this.held.set(name, granted);
        // Called later (a microtask, or tasks later: `answerAfterTasks`), as the browser calls it on a task of its own.
        const holding = this.later().then(async (): Promise<Awaited<T>> => await callback(granted.lock));
        holding.finally(() => this.release(name, granted)).then(resolve, reject);
      };
      const waiter: Waiter = { tab, grant };
      // A waiting request given up (the browser's `signal`): out of the queue, rejected with the reason.
      const stopWaiting = (): void => {
        this.waiting.set(name, (this.waiting.get(name) ?? []).filter((w) => w !== waiter));
        reject(signal?.reason);
      };
      if (this.held.has(name)) {
        this.waiting.set(name, [...queue, waiter]);
        signal?.addEventListener('abort', stopWaiting, { once: true });
      } else grant();
    });
  }

  /** Lets go of `grant` (unless it went already, with its tab) and grants the next waiter. */
  private release(name: string, grant: Grant): void {
    if (this.held.get(name) !== grant) return;
    this.held.delete(name);
    const [next, ...rest] = this.waiting.get(name) ?? [];
    if (rest.length > 0) this.waiting.set(name, rest);
    else this.waiting.delete(name);
    next?.grant();
  }
}
