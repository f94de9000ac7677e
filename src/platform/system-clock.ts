/**
 * The real Clock for the browser and Node (reload/runtime/components.ts): monotonic time from
 * `performance.now()` and timers from `setTimeout`; and the calendar WallClock of
 * reload/security from `Date.now()`. With web-crypto.ts, the one place allowed to call the
 * platform's clock and timers; everything under reload/ gets them injected.
 */
import type { Clock, Timer } from '../reload/runtime/components.js';
import type { WallClock } from '../reload/security/security-components.js';

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(handle) };
  },
};

/** Calendar time for certificate validity (reload/security WallClock). */
export const systemWallClock: WallClock = {
  epochMs: () => Date.now(),
};
