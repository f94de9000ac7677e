import { describe, expect, it } from 'vitest';
import type { Logger } from '../reload/runtime/components.js';
import { watchEventLoop } from './event-loop-watch.js';

interface Warn {
  readonly message: string;
  readonly fields: { readonly ms: number; readonly cpuMs: number };
}

function recorder(): { logger: Logger; warns: Warn[] } {
  const warns: Warn[] = [];
  const none = () => {};
  return { warns, logger: { debug: none, info: none, error: none, warn: (message, fields) => warns.push({ message, fields: fields as Warn['fields'] }) } };
}

const nextTicks = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Blocks the event loop for `ms`: spinning (CPU) or asleep in a synchronous wait (no CPU). A spin
 * lasts until the process has used `ms` of CPU as well: on a loaded machine a spin of `ms` wall
 * time may get only a small share of a core.
 */
function block(ms: number, how: 'spin' | 'sleep'): void {
  if (how === 'sleep') {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    return;
  }
  const end = performance.now() + ms;
  const cpuAt = process.cpuUsage();
  const cpuMs = () => {
    const used = process.cpuUsage(cpuAt);
    return (used.user + used.system) / 1000;
  };
  while (performance.now() < end || cpuMs() < ms);
}

describe('watchEventLoop', () => {
  it('logs a block with its length and the CPU spent, which tells busy from waiting', async () => {
    const { logger, warns } = recorder();
    const stop = watchEventLoop(logger, 50, 300);
    try {
      await nextTicks(120);
      block(600, 'spin');
      await nextTicks(120);
      block(600, 'sleep');
      await nextTicks(120);
    } finally {
      stop();
    }
    expect(warns.map((w) => w.message)).toEqual(['event loop blocked', 'event loop blocked']);
    const [spun, slept] = warns.map((w) => w.fields);
    expect(spun!.ms).toBeGreaterThanOrEqual(450);
    expect(slept!.ms).toBeGreaterThanOrEqual(450);
    // Spinning burns CPU for the block (600 ms of it, however loaded the machine); sleeping spends next to none.
    expect(spun!.cpuMs).toBeGreaterThanOrEqual(590);
    expect(slept!.cpuMs).toBeLessThan(spun!.cpuMs / 2);
  });

  it('says nothing when the loop keeps up', async () => {
    const { logger, warns } = recorder();
    const stop = watchEventLoop(logger, 20, 300);
    await nextTicks(200);
    stop();
    expect(warns).toEqual([]);
  });
});
