/**
 * PreparedRoutes on a manual clock: one lookup per preparation, taken once, dropped after its
 * time; a lookup that fails is dropped at once (so the request looks up afresh), and whoever took
 * a lookup governs its abort from then on.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../reload/testing/manual-clock.js';
import type { Destination } from '../reload/wire/destination.js';
import { PreparedRoutes } from './prepared-routes.js';

const bob: Destination[][] = [[{ kind: 'node', nodeId: new Uint8Array(16).fill(0xb0) }]];

/** A lookup the test settles by hand, with the signal it was given. */
function manualLookup() {
  const calls: { signal: AbortSignal; resolve: (l: Destination[][]) => void; reject: (e: unknown) => void }[] = [];
  const lookup = (signal: AbortSignal) =>
    new Promise<Destination[][]>((resolve, reject) => {
      calls.push({ signal, resolve, reject });
    });
  return { calls, lookup };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('PreparedRoutes', () => {
  it('starts one lookup per key until it is taken; the taker gets its result, once', async () => {
    const routes = new PreparedRoutes(new ManualClock(), 10_000);
    const { calls, lookup } = manualLookup();
    routes.prepare('bob', lookup);
    routes.prepare('bob', lookup);
    expect(calls).toHaveLength(1);
    const taken = routes.take('bob', new AbortController().signal);
    expect(taken).toBeDefined();
    calls[0]!.resolve(bob);
    await expect(taken!).resolves.toEqual(bob);
    expect(routes.take('bob', new AbortController().signal)).toBeUndefined();
    routes.prepare('bob', lookup);
    expect(calls).toHaveLength(2);
  });

  it('keeps a finished lookup until its time is up (a person pausing before the click), then drops and aborts it', async () => {
    const clock = new ManualClock();
    const routes = new PreparedRoutes(clock, 10_000);
    const { calls, lookup } = manualLookup();
    routes.prepare('bob', lookup);
    calls[0]!.resolve(bob);
    await flush();
    clock.advance(9_999);
    expect(calls[0]!.signal.aborted).toBe(false);
    const taken = routes.take('bob', new AbortController().signal);
    await expect(taken!).resolves.toEqual(bob);

    routes.prepare('carol', lookup);
    clock.advance(10_000);
    expect(calls[1]!.signal.aborted).toBe(true);
    expect(routes.take('carol', new AbortController().signal)).toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
  });

  it('drops a lookup that failed at once: the request does its own instead of inheriting the failure', async () => {
    const clock = new ManualClock();
    const routes = new PreparedRoutes(clock, 10_000);
    const { calls, lookup } = manualLookup();
    routes.prepare('bob', lookup);
    calls[0]!.reject(new Error('bob is not registered'));
    await flush();
    expect(routes.take('bob', new AbortController().signal)).toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
    routes.prepare('bob', lookup);
    expect(calls).toHaveLength(2);
  });

  it('a failure seen by the taker stays with the taker', async () => {
    const routes = new PreparedRoutes(new ManualClock(), 10_000);
    const { calls, lookup } = manualLookup();
    routes.prepare('bob', lookup);
    const taken = routes.take('bob', new AbortController().signal)!;
    calls[0]!.reject(new Error('overlay down'));
    await expect(taken).rejects.toThrow('overlay down');
  });

  it('once taken, the taker\'s signal aborts the lookup (and its time no longer does)', () => {
    const clock = new ManualClock();
    const routes = new PreparedRoutes(clock, 1_000);
    const { calls, lookup } = manualLookup();
    routes.prepare('bob', lookup);
    const request = new AbortController();
    void routes.take('bob', request.signal)!.catch(() => {});
    clock.advance(5_000);
    expect(calls[0]!.signal.aborted).toBe(false);
    request.abort();
    expect(calls[0]!.signal.aborted).toBe(true);

    routes.prepare('carol', lookup);
    const gone = new AbortController();
    gone.abort();
    void routes.take('carol', gone.signal)!.catch(() => {});
    expect(calls[1]!.signal.aborted).toBe(true);
  });

  it('close aborts every lookup not taken', () => {
    const clock = new ManualClock();
    const routes = new PreparedRoutes(clock, 10_000);
    const { calls, lookup } = manualLookup();
    routes.prepare('bob', lookup);
    routes.prepare('carol', lookup);
    routes.close();
    expect(calls.map((c) => c.signal.aborted)).toEqual([true, true]);
    expect(routes.take('bob', new AbortController().signal)).toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
  });
});
