/**
 * Node only: notes when this process's event loop was blocked (a timer fired late), for the
 * serve log. Every peer of `chordphone serve` runs in this one process, so a blocked loop holds up
 * all of them at once: their links hear nothing meanwhile. The log line says for how long.
 */
import type { Logger } from '../reload/runtime/components.js';

/** Checks every `intervalMs`; a check `thresholdMs` or more late is logged (warn). Returns the stop. */
export function watchEventLoop(logger: Logger, intervalMs = 250, thresholdMs = 500): () => void {
  let expected = performance.now() + intervalMs;
  const timer = setInterval(() => {
    const now = performance.now();
    const late = now - expected;
    expected = now + intervalMs;
    if (late >= thresholdMs) logger.warn('event loop blocked', { ms: Math.round(late) });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
