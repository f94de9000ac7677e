/**
 * Work run one piece at a time, in order of `run`: each after every earlier one has settled,
 * whether it was fulfilled or rejected. The read-check-writes of the DataStores over one backend
 * (storage/data-store.ts), those of the opens of one SQLite file (storage/node/sqlite-files.ts),
 * an enrollment server's registry updates (security/enrollment.ts) and a joined overlay's restarts
 * with newer configurations (app/overlay/overlay-client.ts) take turns through one.
 */
/** What the tail becomes when a run settles, either way. */
const SETTLED = (): void => undefined;

export class SerialQueue {
  /** Settles once the last work queued has; never rejected, so a failure never stops the queue. */
  private tail: Promise<void> = Promise.resolve();

  /** Runs `fn` once the work queued before it has settled; settles as `fn`'s answer does (a throw of `fn` rejects it). */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.then(SETTLED, SETTLED);
    return run;
  }

  /** Fulfilled once all the work queued so far has settled (never rejected). */
  settled(): Promise<void> {
    return this.tail;
  }
}
