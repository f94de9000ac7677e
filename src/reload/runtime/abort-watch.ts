/**
 * One 'abort' listener per AbortSignal, however many operations share it. A data move hands one
 * signal to dozens of concurrent Stores; a listener each made Node warn of a leak past ten
 * (MaxListenersExceededWarning), and each was one more entry in the signal's own list.
 */

/** What is told of an abort. */
export interface AbortWatcher {
  handleAbort(): void;
}

const watchers = new WeakMap<AbortSignal, Set<AbortWatcher>>();

function onAbort(this: AbortSignal): void {
  const set = watchers.get(this);
  watchers.delete(this);
  if (set) for (const w of [...set]) w.handleAbort();
}

/** Tell `watcher` when `signal` aborts (once), until `unwatchAbort`. An already aborted signal is not told again. */
export function watchAbort(signal: AbortSignal, watcher: AbortWatcher): void {
  let set = watchers.get(signal);
  if (!set) {
    set = new Set();
    watchers.set(signal, set);
    signal.addEventListener('abort', onAbort, { once: true });
  }
  set.add(watcher);
}

export function unwatchAbort(signal: AbortSignal, watcher: AbortWatcher): void {
  const set = watchers.get(signal);
  if (!set) return;
  set.delete(watcher);
  if (set.size === 0) {
    watchers.delete(signal);
    signal.removeEventListener('abort', onAbort);
  }
}
