/**
 * A Clock (reload/runtime/components.ts) whose time moves only when the simulator or a test runs
 * it. Timers run in time order (ties in the order they were set); between two timers the clock
 * lets the JavaScript job queue drain, so promise chains started by a timer (a handler awaiting a
 * signature, a transport awaiting a verification) settle before virtual time moves on.
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
import type { Clock, Hasher, Timer } from '../reload/runtime/components.js';

const NOOP = () => {};

/**
 * Work for `VirtualClock.post`: an object run at its time, with no Timer handed out (so no entry
 * object and no closure per call; a memory network posts each frame's delivery this way).
 */
export interface ClockTask {
  run(): void;
}

/**
 * A pending timer, and the Timer handed out for it (one object per timer rather than an entry plus
 * a handle and its closure: a simulation sets a few per message it carries). It knows its slot in
 * its instant's bucket, so a cancelled timer lets go of its callback at once and leaves the queue
 * when its bucket empties: most timers of a simulation (retransmission, request lifetime, link
 * liveness) are cancelled long before they are due.
 */
class Entry implements Timer {
  /** The bucket holding it; undefined once run or cancelled. */
  bucket: Bucket | undefined;
  /** Its slot in `bucket.entries`. */
  index: number;

  constructor(
    /** Replaced by NOOP when cancelled or run, so the callback (and all it captured) can be collected at once. */
    public fn: () => void,
    bucket: Bucket,
  ) {
    this.bucket = bucket;
    this.index = bucket.entries.length;
    bucket.entries.push(this);
    bucket.live++;
  }

  cancel(): void {
    const b = this.bucket;
    if (b === undefined) return;
    this.fn = NOOP;
    this.bucket = undefined;
    b.entries[this.index] = undefined;
    b.clock.cancelled(b);
  }
}

/**
 * The timers due at one instant, in the order they were set (a simulation sets dozens for each
 * instant: every frame's delivery is due one link latency after it is sent). Timers of one instant
 * run in the order set, so a bucket is a plain list; only the buckets are kept in time order.
 */
class Bucket {
  /** Pending timers (and posted tasks) in the order set; a cancelled or run one leaves an empty slot. */
  readonly entries: (Entry | ClockTask | undefined)[] = [];
  /** Entries not yet run or cancelled. */
  live = 0;
  /** Position in the clock's heap of buckets. */
  heapIndex = -1;

  constructor(
    readonly at: number,
    readonly clock: VirtualClock,
  ) {}
}

/** A bucket with more empty slots than this (and than live entries) is compacted. */
const COMPACT_AFTER = 32;

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

export class VirtualClock implements Clock {
  private time: number;
  /** Buckets of pending timers by instant, and the same buckets as a binary heap by time (each holds its index). */
  private readonly buckets = new Map<number, Bucket>();
  private readonly heap: Bucket[] = [];
  /** The bucket `runDue` is running (it stays in the queue until done: timers set for now join it). */
  private runningBucket: Bucket | undefined;
  private pending = 0;
  /** Tracked operations in the order tracked, a queue from `trackedHead` (handed-over ones are `done`). */
  private tracked: TrackedOperation[] = [];
  private trackedHead = 0;
  private readonly hostYield: HostYield;
  private running = false;
  /** Timers run so far. */
  timersRun = 0;

  constructor(init: VirtualClockInit = {}) {
    this.time = init.start ?? 0;
    this.hostYield = init.hostYield ?? defaultHostYield;
  }

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const b = this.bucketIn(ms);
    this.pending++;
    return new Entry(fn, b);
  }

  /**
   * Run `task.run()` after `ms` milliseconds, like `setTimer` (in the same order with timers) but
   * with no Timer to cancel it: for the many timers nobody cancels, one allocation less each.
   */
  post(ms: number, task: ClockTask): void {
    const b = this.bucketIn(ms);
    this.pending++;
    b.entries.push(task);
    b.live++;
  }

  /** The bucket of the instant `ms` from now, made if there is none. */
  private bucketIn(ms: number): Bucket {
    const at = this.time + Math.max(0, Number.isFinite(ms) ? ms : 0);
    let b = this.buckets.get(at);
    if (b === undefined) {
      b = new Bucket(at, this);
      this.buckets.set(at, b);
      b.heapIndex = this.heap.length;
      this.heap.push(b);
      this.siftUp(b.heapIndex);
    }
    return b;
  }

  /** @internal An entry of `b` was cancelled (Entry.cancel): drop the bucket once empty, compact it once mostly empty. */
  cancelled(b: Bucket): void {
    this.pending--;
    b.live--;
    if (b === this.runningBucket) return;
    if (b.live === 0) this.removeBucket(b);
    else if (b.entries.length - b.live > COMPACT_AFTER && b.entries.length > 2 * b.live) compact(b);
  }

  /** Timers set and not yet run or cancelled. */
  get pendingTimers(): number {
    return this.pending;
  }

  /** Time of the next timer, or undefined when none is pending. */
  nextTimerAt(): number | undefined {
    return this.heap[0]?.at;
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
        if (budget <= 0) throw new Error(`VirtualClock.runAll: still ${this.pending} timers after ${maxTimers}`);
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
    const b = this.heap[0];
    if (b === undefined || b.at !== at) return 0;
    this.runningBucket = b;
    const entries = b.entries;
    let n = 0;
    try {
      // Timers set for this instant while it runs join the bucket's end: they run in this pass.
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        if (e === undefined) continue;
        entries[i] = undefined;
        b.live--;
        this.pending--;
        n++;
        this.timersRun++;
        if (e instanceof Entry) {
          e.bucket = undefined;
          const fn = e.fn;
          e.fn = NOOP;
          fn();
        } else e.run();
      }
    } finally {
      this.runningBucket = undefined;
      if (b.live === 0) this.removeBucket(b);
      else compact(b);
    }
    return n;
  }

  private removeBucket(b: Bucket): void {
    this.buckets.delete(b.at);
    const h = this.heap;
    const i = b.heapIndex;
    b.heapIndex = -1;
    const last = h.pop()!;
    if (last === b) return;
    h[i] = last;
    last.heapIndex = i;
    this.siftDown(i);
    this.siftUp(last.heapIndex);
  }

  private siftUp(i: number): void {
    const h = this.heap;
    const e = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const q = h[p]!;
      if (!(e.at < q.at)) break;
      h[i] = q;
      q.heapIndex = i;
      i = p;
    }
    h[i] = e;
    e.heapIndex = i;
  }

  private siftDown(i: number): void {
    const h = this.heap;
    const n = h.length;
    const e = h[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let m = l;
      let c = h[l]!;
      if (r < n) {
        const d = h[r]!;
        if (d.at < c.at) {
          m = r;
          c = d;
        }
      }
      if (!(c.at < e.at)) break;
      h[i] = c;
      c.heapIndex = i;
      i = m;
    }
    h[i] = e;
    e.heapIndex = i;
  }
}

/** Close up the empty slots of `b` (its live entries keep their order). */
function compact(b: Bucket): void {
  const entries = b.entries;
  let j = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e === undefined) continue;
    if (e instanceof Entry) e.index = j;
    entries[j++] = e;
  }
  entries.length = j;
}

/** A Hasher whose every operation is tracked by `clock` (so WebCrypto digests fit virtual time). */
export function trackedHasher(hasher: Hasher, clock: VirtualClock): Hasher {
  return {
    sha1: (data) => clock.track(hasher.sha1(data)),
    sha256: (data) => clock.track(hasher.sha256(data)),
  };
}
