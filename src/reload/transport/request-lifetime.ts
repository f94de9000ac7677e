/**
 * The deadline of each received request being processed (RFC 6940 §6.2.1: a requester gives up
 * after "the maximum request lifetime (15 seconds)"), kept with one timer for all of them instead
 * of one per request: requests start in time order and all live equally long, so they end in the
 * order they started, and the timer only ever waits for the oldest. When a deadline passes,
 * `onExpired` is told (message transport then drops the request and frees its slot).
 *
 * The requests form a list through their own `older`/`newer` fields (no Set: adding and removing
 * one, once per request received, allocates nothing and hashes nothing).
 */
import type { Clock, Timer } from '../runtime/components.js';

/** A request in progress: when its lifetime ends. `older`, `newer` and `watched` belong to RequestLifetimes. */
export interface Expiring {
  readonly deadline: number;
  older?: Expiring | undefined;
  newer?: Expiring | undefined;
  watched?: boolean;
}

export class RequestLifetimes<T extends Expiring> {
  /** The oldest and newest watched requests (deadline order = insertion order: now + a constant lifetime). */
  private oldest: T | undefined;
  private newest: T | undefined;
  private count = 0;
  private timer: Timer | undefined;
  /** The timer's callback, made once. */
  private readonly fire = () => this.expire();

  constructor(
    private readonly clock: Clock,
    private readonly onExpired: (entry: T) => void,
  ) {}

  get size(): number {
    return this.count;
  }

  /** Watch `entry` until `remove` (or its deadline, which must not precede any watched one's). */
  add(entry: T): void {
    if (entry.watched) return;
    entry.watched = true;
    entry.older = this.newest;
    entry.newer = undefined;
    if (this.newest) this.newest.newer = entry;
    else this.oldest = entry;
    this.newest = entry;
    this.count++;
    if (!this.timer) this.arm(entry.deadline);
  }

  /** The request is done (removing one not watched does nothing); the timer stays armed for the deadline it was set for. */
  remove(entry: T): void {
    if (!entry.watched) return;
    entry.watched = false;
    const { older, newer } = entry;
    if (older) older.newer = newer;
    else this.oldest = newer as T | undefined;
    if (newer) newer.older = older;
    else this.newest = older as T | undefined;
    entry.older = entry.newer = undefined;
    this.count--;
  }

  /** Stop watching everything. */
  clear(): void {
    while (this.oldest) this.remove(this.oldest);
    this.timer?.cancel();
    this.timer = undefined;
  }

  private arm(deadline: number): void {
    this.timer = this.clock.setTimer(Math.max(0, deadline - this.clock.now()), this.fire);
  }

  private expire(): void {
    this.timer = undefined;
    const now = this.clock.now();
    for (let entry = this.oldest; entry; entry = this.oldest) {
      if (entry.deadline > now) {
        this.arm(entry.deadline);
        return;
      }
      this.remove(entry);
      this.onExpired(entry);
    }
  }
}
