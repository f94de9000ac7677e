/**
 * Callers of `Link.probe` waiting for an ack (FramedLink): each waits for the ack of its probe or
 * of any later frame, until its timeout or the link's close. Made only for a link that is probed.
 *
 * A timeout that runs LATE_CHECK_MS or more late (this end was not running) is no verdict: the ack
 * may be waiting to be read (Node runs due timers before it reads input), so the wait goes on for
 * LATE_CHECK_GRACE_MS, as FramedLink's liveness check does.
 */
import type { Clock, Timer } from '../runtime/components.js';
import { LATE_CHECK_GRACE_MS, LATE_CHECK_MS } from './late-check.js';
import { sequenceDistance } from './received-window.js';

interface Waiter {
  readonly sequence: number;
  timer: Timer | undefined;
  readonly resolve: (answered: boolean) => void;
}

export class AckWaiters {
  private waiters: Waiter[] = [];

  constructor(private readonly clock: Clock) {}

  /** Resolves true once `acked` covers `sequence`, false after `timeoutMs` or at `closeAll`. */
  wait(sequence: number, timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = { sequence, timer: undefined, resolve };
      this.arm(waiter, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** An ack for `sequence` arrived: the frame it acks got there and its ack came back. */
  acked(sequence: number): void {
    this.settle((w) => sequenceDistance(sequence, w.sequence) >= 0, true);
  }

  closeAll(): void {
    this.settle(() => true, false);
  }

  private arm(waiter: Waiter, ms: number): void {
    const due = this.clock.now() + ms;
    waiter.timer = this.clock.setTimer(ms, () => {
      if (this.clock.now() - due >= LATE_CHECK_MS) this.arm(waiter, LATE_CHECK_GRACE_MS);
      else this.settle((w) => w === waiter, false);
    });
  }

  private settle(which: (w: Waiter) => boolean, answered: boolean): void {
    // Every ack of a probed link comes here: nothing to do, nothing allocated, when none waits.
    if (this.waiters.length === 0) return;
    const done = this.waiters.filter(which);
    if (done.length === 0) return;
    this.waiters = this.waiters.filter((w) => !which(w));
    for (const w of done) {
      w.timer?.cancel();
      w.resolve(answered);
    }
  }
}
