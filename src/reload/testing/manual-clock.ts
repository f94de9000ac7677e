/** A virtual Clock for tests: time moves only when `advance` is called. */
import type { Clock, Timer } from '../runtime/components.js';

export class ManualClock implements Clock {
  private time: number;
  private timers: { at: number; fn: () => void; cancelled: boolean }[] = [];

  constructor(start = 1_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const t = { at: this.time + ms, fn, cancelled: false };
    this.timers.push(t);
    return { cancel: () => void (t.cancelled = true) };
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    this.runUntil(this.time + ms);
  }

  /** Time jumps `ms` with no timer running, as a blocked process's does; then the timers due meanwhile run, late. */
  block(ms: number): void {
    this.time += ms;
    this.runUntil(this.time);
  }

  private runUntil(end: number): void {
    for (;;) {
      const due = this.timers.filter((t) => !t.cancelled && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.fn();
    }
    this.time = end;
  }

  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}
