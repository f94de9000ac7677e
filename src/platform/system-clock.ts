/**
 * The real Clock for the browser and Node (reload/runtime/components.ts): monotonic time from
 * `performance.now()` and timers from `setTimeout`. With web-crypto.ts, the one place allowed to
 * call the platform's clock and timers; everything under reload/ gets them injected.
 */
import type { Clock, Timer } from '../reload/runtime/components.js';

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(handle) };
  },
};
