/**
 * Callers of `Link.probe` waiting for an ack (FramedLink): each waits for the ack of its probe or
 * of any later frame, until its timeout or the link's close. Made only for a link that is probed.
 */
import type { Clock, Timer } from '../runtime/components.js';
import { sequenceDistance } from './received-window.js';

interface Waiter {
  readonly sequence: number;
  readonly timer: Timer;
  readonly resolve: (answered: boolean) => void;
}

export class AckWaiters {
  private waiters: Waiter[] = [];

  constructor(private readonly clock: Clock) {}

  /** Resolves true once `acked` covers `sequence`, false after `timeoutMs` or at `closeAll`. */
  wait(sequence: number, timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = this.clock.setTimer(timeoutMs, () => this.settle((w) => w.timer === timer, false));
      this.waiters.push({ sequence, timer, resolve });
    });
  }

  /** An ack for `sequence` arrived: the frame it acks got there and its ack came back. */
  acked(sequence: number): void {
    this.settle((w) => sequenceDistance(sequence, w.sequence) >= 0, true);
  }

  closeAll(): void {
    this.settle(() => true, false);
  }

  private settle(which: (w: Waiter) => boolean, answered: boolean): void {
    const done = this.waiters.filter(which);
    if (done.length === 0) return;
    this.waiters = this.waiters.filter((w) => !which(w));
    for (const w of done) {
      w.timer.cancel();
      w.resolve(answered);
    }
  }
}
