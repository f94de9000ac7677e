/**
 * The pending timers and posted tasks of a VirtualClock (virtual-clock.ts), by instant: a bucket
 * per instant holding its work in the order set, and the buckets in an indexed binary heap by
 * time. The clock owns time and the host's job queue; this queue only keeps the order (time, then
 * order set) and runs one instant's bucket when asked.
 */
import type { ClockTask, Timer } from '../reload/runtime/components.js';

const NOOP = () => {};

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
    b.queue.cancelled(b);
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
  /** Position in the queue's heap of buckets. */
  heapIndex = -1;

  constructor(
    readonly at: number,
    readonly queue: TimerQueue,
  ) {}
}

/** A bucket with more empty slots than this (and than live entries) is compacted. */
const COMPACT_AFTER = 32;

/** Timers and posted tasks by instant, run in (time, order set) order. */
export class TimerQueue {
  /** Buckets of pending work by instant, and the same buckets as a binary heap by time (each holds its index). */
  private readonly buckets = new Map<number, Bucket>();
  private readonly heap: Bucket[] = [];
  /** The bucket `runDue` is running (it stays in the queue until done: work set for now joins it). */
  private runningBucket: Bucket | undefined;
  private pending = 0;
  private ran = 0;
  private compacted = 0;

  /** Timers and posted tasks set and not yet run or cancelled. */
  get size(): number {
    return this.pending;
  }

  /** Timers and posted tasks run so far. */
  get runCount(): number {
    return this.ran;
  }

  /** Buckets compacted so far (tests read it to know they reached compaction). */
  get compactions(): number {
    return this.compacted;
  }

  /** Call `fn` at time `at`; the Timer cancels it. */
  add(at: number, fn: () => void): Timer {
    const b = this.bucketAt(at);
    this.pending++;
    return new Entry(fn, b);
  }

  /** Run `task.run()` at time `at`, in the same order as timers, with no Timer made. */
  post(at: number, task: ClockTask): void {
    const b = this.bucketAt(at);
    this.pending++;
    b.entries.push(task);
    b.live++;
  }

  /** Time of the earliest pending work, or undefined when none is pending. */
  nextAt(): number | undefined {
    return this.heap[0]?.at;
  }

  /** The bucket of instant `at`, made if there is none. */
  private bucketAt(at: number): Bucket {
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
    else if (b.entries.length - b.live > COMPACT_AFTER && b.entries.length > 2 * b.live) this.compact(b);
  }

  /**
   * Run the work due at time `at` if it is the earliest (including work it adds for the same
   * instant); returns how much ran.
   */
  runDue(at: number): number {
    const b = this.heap[0];
    if (b === undefined || b.at !== at) return 0;
    this.runningBucket = b;
    const entries = b.entries;
    let n = 0;
    try {
      // Work set for this instant while it runs joins the bucket's end: it runs in this pass.
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        if (e === undefined) continue;
        entries[i] = undefined;
        b.live--;
        this.pending--;
        n++;
        this.ran++;
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
      else this.compact(b);
    }
    return n;
  }

  /** Close up the empty slots of `b` (its live entries keep their order). */
  private compact(b: Bucket): void {
    this.compacted++;
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
