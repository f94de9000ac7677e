/**
 * A PostingClock (reload/runtime/components.ts) whose time moves only when the simulator or a test
 * runs it. Timers and posted tasks run in time order, ties in the order they were set (the queue
 * that keeps them is timer-queue.ts); between two timers the clock lets the JavaScript job queue
 * drain, so promise chains started by a timer (a handler awaiting a signature, a transport awaiting
 * a verification) settle before virtual time moves on.
 *
 * How asynchronous work is made to fit virtual time:
 * - Pure promise chains (microtasks) always settle: after each batch of timers due at the same
 *   instant the clock yields one host macrotask (`setImmediate` in Node), and the host drains the
 *   whole microtask queue before running it.
 * - Work that completes outside the microtask queue — WebCrypto (`crypto.subtle` runs on a thread
 *   pool), IndexedDB, I/O — must be registered with `track(promise)` (or wrap the provider with
 *   `trackedHasher`). While any tracked promise is pending, virtual time stands still: the clock
 *   waits (in real time) for it to settle, then drains the job queue again. So a WebCrypto
 *   signature takes zero virtual time and its result is seen before any later timer fires.
 * - Tracked results are handed over in the order the operations were tracked, one at a time with
 *   the job queue drained in between, never in the order the thread pool finishes them: two
 *   signatures started at the same instant finish in an order that depends on machine load, and
 *   the code that awaits them would send, set timers and draw random numbers in that order. So
 *   same seed, same code ⇒ same run, however loaded the machine. (Outside `advance`/`run`/`runAll`
 *   a tracked result is handed over as soon as it is ready.) Track only leaf operations: one whose
 *   completion waited on a later tracked result would never be handed over.
 * The simulator's composition root tracks its crypto provider; tests that use real WebCrypto do
 * the same. Nothing under reload/ knows this clock exists.
 */
import type { ClockTask, Hasher, PostingClock, Timer } from '../reload/runtime/components.js';
import { TimerQueue } from './timer-queue.js';

/** An operation registered with `VirtualClock.track`. */
interface TrackedOperation {
  /** Fulfils once the operation has settled (never rejects); `handOver` is set by then. */
  readonly ready: Promise<void>;
  /** Settle the promise `track` returned with the operation's outcome. */
  handOver?: () => void;
  /** Handed over already (out of order only while the clock is not running). */
  done?: boolean;
}

/** Yield one host macrotask (the microtask queue drains first). */
export type HostYield = () => Promise<void>;

const defaultHostYield: HostYield = () => new Promise((resolve) => setImmediate(resolve));

export interface VirtualClockInit {
  /** Start time (ms); default 0. */
  readonly start?: number;
  /** How to yield to the host between timers; default `setImmediate`. */
  readonly hostYield?: HostYield;
}

export class VirtualClock implements PostingClock {
  private time: number;
  /** Pending timers and posted tasks in (time, order set) order. */
  private readonly queue = new TimerQueue();
  /** Tracked operations in the order tracked, a queue from `trackedHead` (handed-over ones are `done`). */
  private tracked: TrackedOperation[] = [];
  private trackedHead = 0;
  private readonly hostYield: HostYield;
  private running = false;

  constructor(init: VirtualClockInit = {}) {
    this.time = init.start ?? 0;
    this.hostYield = init.hostYield ?? defaultHostYield;
  }

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): Timer {
    return this.queue.add(this.timeIn(ms), fn);
  }

  /**
   * Run `task.run()` after `ms` milliseconds, like `setTimer` (in the same order with timers) but
   * with no Timer to cancel it: for the many timers nobody cancels, one allocation less each.
   */
  post(ms: number, task: ClockTask): void {
    this.queue.post(this.timeIn(ms), task);
  }

  /** The instant `ms` from now (never in the past). */
  private timeIn(ms: number): number {
    return this.time + Math.max(0, Number.isFinite(ms) ? ms : 0);
  }

  /** Timers run so far, posted tasks included. */
  get timersRun(): number {
    return this.queue.runCount;
  }

  /**
   * Buckets of an instant compacted (timer-queue.ts): after most of their timers were cancelled, and
   * also when a run of the instant ended with timers of it left (a callback threw: runDue's
   * `finally` closes up the slots already run). For tests that must reach compaction.
   */
  get bucketCompactions(): number {
    return this.queue.compactions;
  }

  /** Timers set and not yet run or cancelled, posted tasks not yet run included. */
  get pendingTimers(): number {
    return this.queue.size;
  }

  /** Time of the next timer, or undefined when none is pending. */
  nextTimerAt(): number | undefined {
    return this.queue.nextAt();
  }

  /**
   * Register asynchronous work that completes outside the microtask queue (WebCrypto, IndexedDB):
   * virtual time does not advance while it is pending. Returns a promise of the same outcome,
   * settled by the running clock in the order operations were tracked (see the file comment).
   */
  track<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const op: TrackedOperation = {
        ready: promise.then(
          (value) => this.ready(op, () => resolve(value)),
          (error: unknown) => this.ready(op, () => reject(error)),
        ),
      };
      this.tracked.push(op);
    });
  }

  private ready(op: TrackedOperation, handOver: () => void): void {
    op.handOver = handOver;
    // Not running: no timer can fire before it, so its order does not matter.
    if (!this.running) this.handOver(op);
  }

  private handOver(op: TrackedOperation): void {
    if (op.done) return;
    op.done = true;
    op.handOver?.();
  }

  /** The oldest operation not handed over yet, dropping handed-over ones from the queue's front. */
  private oldestTracked(): TrackedOperation | undefined {
    const q = this.tracked;
    while (this.trackedHead < q.length && q[this.trackedHead]!.done) this.trackedHead++;
    if (this.trackedHead === q.length) {
      this.tracked = [];
      this.trackedHead = 0;
      return undefined;
    }
    return q[this.trackedHead];
  }

  /** Let the job queue drain and every tracked operation finish (no virtual time passes). */
  async settle(): Promise<void> {
    for (;;) {
      await this.hostYield();
      const first = this.oldestTracked();
      if (!first) return;
      // The oldest operation, whatever finished first; then drain its continuations before the next.
      await first.ready;
      this.handOver(first);
    }
  }

  /** Run every timer due within the next `ms` milliseconds, then leave the clock at now + ms. */
  async advance(ms: number): Promise<void> {
    await this.runUntilTime(this.time + Math.max(0, ms));
  }

  /** Run timers up to and including time `t`, then set the clock to `t` (if later than now). */
  async runUntilTime(t: number): Promise<void> {
    this.enter();
    try {
      await this.settle();
      for (;;) {
        const at = this.nextTimerAt();
        if (at === undefined || at > t) break;
        this.runDue(at);
        await this.settle();
      }
      if (t > this.time) this.time = t;
    } finally {
      this.running = false;
    }
  }

  /**
   * Run timers until `promise` settles and return its outcome (rejections are rethrown). Fails if
   * it has not settled after `maxMs` of virtual time or when no timer is left to run.
   */
  async run<T>(promise: Promise<T>, maxMs = 24 * 3600_000): Promise<T> {
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    promise.then(
      (value) => (outcome = { ok: true, value }),
      (error: unknown) => (outcome = { ok: false, error }),
    );
    const deadline = this.time + maxMs;
    this.enter();
    try {
      await this.settle();
      while (!outcome) {
        const at = this.nextTimerAt();
        if (at === undefined) throw new Error(`VirtualClock.run: nothing left to run at ${this.time} ms and the promise is still pending`);
        if (at > deadline) throw new Error(`VirtualClock.run: the promise is still pending after ${maxMs} ms of virtual time`);
        this.runDue(at);
        await this.settle();
      }
    } finally {
      this.running = false;
    }
    if (outcome.ok) return outcome.value;
    throw outcome.error;
  }

  /** Run every pending timer (and those they set) until none is left, at most `maxTimers`. */
  async runAll(maxTimers = 1_000_000): Promise<void> {
    this.enter();
    try {
      await this.settle();
      let budget = maxTimers;
      for (;;) {
        const at = this.nextTimerAt();
        if (at === undefined) return;
        if (budget <= 0) throw new Error(`VirtualClock.runAll: still ${this.queue.size} timers after ${maxTimers}`);
        budget -= this.runDue(at);
        await this.settle();
      }
    } finally {
      this.running = false;
    }
  }

  private enter(): void {
    if (this.running) throw new Error('VirtualClock: already running (advance/run/runAll do not nest)');
    this.running = true;
  }

  /** Run every timer due at time `at` (including ones they add for the same instant); returns how many ran. */
  private runDue(at: number): number {
    this.time = at;
    return this.queue.runDue(at);
  }
}

/** A Hasher whose every operation is tracked by `clock` (so WebCrypto digests fit virtual time). */
export function trackedHasher(hasher: Hasher, clock: VirtualClock): Hasher {
  return {
    sha1: (data) => clock.track(hasher.sha1(data)),
    sha256: (data) => clock.track(hasher.sha256(data)),
  };
}
