/**
 * Node only: notes when this process's event loop was blocked (a timer fired late), for the
 * serve log. Every peer of `chordphone serve` runs in this one process, so a blocked loop holds up
 * all of them at once: their links hear nothing meanwhile. The log line says for how long (`ms`),
 * and how much CPU the process used (`cpuMs`, all its threads) since the check before, which was
 * `ms` + one interval ago: near that, the loop was busy with our own work (or GC); far below it,
 * the process was waiting, not running: descheduled by a busy machine, or in a synchronous wait.
 */
import type { Logger } from '../reload/runtime/components.js';

/** Checks every `intervalMs`; a check `thresholdMs` or more late is logged (warn). Returns the stop. */
export function watchEventLoop(logger: Logger, intervalMs = 250, thresholdMs = 500): () => void {
  let expected = performance.now() + intervalMs;
  let cpuAt = process.cpuUsage();
  const timer = setInterval(() => {
    const now = performance.now();
    const late = now - expected;
    expected = now + intervalMs;
    const cpu = process.cpuUsage(cpuAt);
    cpuAt = process.cpuUsage();
    if (late >= thresholdMs) logger.warn('event loop blocked', { ms: Math.round(late), cpuMs: Math.round((cpu.user + cpu.system) / 1000) });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
