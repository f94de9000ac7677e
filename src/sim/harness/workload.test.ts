import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../seeded-random.js';
import { VirtualClock } from '../virtual-clock.js';
import { MAX_REISSUES, Workload, type FetchOutcome, type OperationOutcome, type WorkloadTarget } from './workload.js';

/**
 * A toy overlay: a shared map behind a 50 ms answer delay; `lose` names whose stores vanish;
 * `departs` peers that leave during any operation they issue (it fails with an AbortError, as a
 * closed peer's request does) and stay gone.
 */
function toyTarget(
  clock: VirtualClock,
  opts: { lose?: (name: string) => boolean; hang?: (name: string) => boolean; peers?: number; departs?: (peer: number) => boolean; refuse?: (name: string) => boolean; abort?: (name: string) => boolean } = {},
) {
  const map = new Map<string, Uint8Array>();
  const calls: string[] = [];
  const gone = new Set<number>();
  const after = <T>(ms: number, v: () => T) => new Promise<T>((resolve) => clock.setTimer(ms, () => resolve(v())));
  const departed = (peer: number): boolean => {
    if (!opts.departs?.(peer)) return false;
    gone.add(peer);
    return true;
  };
  const aborted = { ok: false, error: 'AbortError' };
  const refused = { ok: false, error: 'Error_Forbidden' };
  const target: WorkloadTarget<number> = {
    pickPeer: (r) => {
      const live = Array.from({ length: opts.peers ?? 10 }, (_, i) => i).filter((i) => !gone.has(i));
      return live.length === 0 ? undefined : live[Math.floor(r.float() * live.length)];
    },
    isLive: (peer) => !gone.has(peer),
    store: (peer, name, value): Promise<OperationOutcome> => {
      calls.push(`store ${name}@${clock.now()} from ${peer}`);
      if (opts.hang?.(name)) return new Promise(() => {});
      if (departed(peer)) return after(50, () => aborted);
      if (!opts.lose?.(name)) map.set(name, value);
      return after(50, () => ({ ok: true, hops: 3 }));
    },
    fetch: (peer, name): Promise<FetchOutcome> => {
      calls.push(`fetch ${name}@${clock.now()} from ${peer}`);
      if (departed(peer)) return after(50, () => aborted);
      if (opts.refuse?.(name)) return after(50, () => refused);
      if (opts.abort?.(name)) return after(50, () => aborted);
      const value = map.get(name);
      return after(50, () => (value ? { ok: true, hops: 2, value } : { ok: true, hops: 4 }));
    },
  };
  return { target, calls };
}

async function run(seed: number, opts: Parameters<typeof toyTarget>[1] = {}) {
  const clock = new VirtualClock();
  const { target, calls } = toyTarget(clock, opts);
  const w = new Workload({ clock, random: new SeededRandom(seed) }, target, {
    stores: 40,
    startMs: 1000,
    windowMs: 60_000,
    fetchDelayMs: [1000, 5000],
    valueSize: 16,
    operationTimeoutMs: 10_000,
  });
  w.start();
  expect(w.pending).toBe(40);
  await clock.runAll();
  expect(w.pending).toBe(0);
  return { w, calls };
}

describe('workload', () => {
  it('stores, then fetches each acknowledged store later, and records the outcomes', async () => {
    const { w, calls } = await run(1);
    const s = w.summary();
    expect(s).toMatchObject({ stores: 40, storesOk: 40, fetches: 40, fetchesOk: 40, lookups: 80, lookupsOk: 80, errors: {} });
    expect(s.hops).toHaveLength(80);
    for (const r of w.log) {
      expect(r.storeAt).toBeGreaterThanOrEqual(1000);
      expect(r.storeAt).toBeLessThan(61_000);
      // Store answered 50 ms after it went out; the fetch 1..5 s after that.
      expect(r.fetchAt! - r.storeAt).toBeGreaterThanOrEqual(1050);
      expect(r.fetchAt! - r.storeAt).toBeLessThanOrEqual(5050);
    }
    expect(calls.filter((c) => c.startsWith('store'))).toHaveLength(40);
  });

  it('same seed, same workload', async () => {
    const a = await run(3);
    const b = await run(3);
    const c = await run(4);
    expect(b.calls).toEqual(a.calls);
    expect(b.w.log).toEqual(a.w.log);
    expect(c.calls).not.toEqual(a.calls);
  });

  it('counts lost values, timeouts and missing peers as failures', async () => {
    const { w } = await run(5, { lose: (n) => n.endsWith('7'), hang: (n) => n === 'sim-3' });
    const s = w.summary();
    expect(s.stores).toBe(40);
    expect(s.storesOk).toBe(39);
    expect(s.fetches).toBe(39);
    // sim-7, sim-17, sim-27, sim-37 were lost.
    expect(s.fetchesOk).toBe(35);
    expect(s.lookupsOk).toBe(78);
    expect(s.errors).toEqual({ 'store: timeout': 1, 'fetch: not found': 4 });

    const none = (await run(6, { peers: 0 })).w.summary();
    expect(none).toMatchObject({ stores: 40, storesOk: 0, fetches: 0, errors: { 'store: no live peer': 40 } });
  });

  it('issues an operation again from another peer when its own departed while it ran, a bounded number of times', async () => {
    // Peer 3 departs during whatever it issues: those operations are issued again elsewhere.
    const { w, calls } = await run(7, { departs: (p) => p === 3 });
    const s = w.summary();
    expect(s).toMatchObject({ stores: 40, storesOk: 40, fetches: 40, fetchesOk: 40, errors: {} });
    const fromThree = calls.filter((c) => c.endsWith(' from 3')).length;
    expect(fromThree).toBeGreaterThan(0);
    expect(s.reissued).toBe(fromThree);
    // Peers keep departing: each operation is tried at most 1 + MAX_REISSUES times, then fails with the error it got.
    const many = await run(8, { peers: 1000, departs: () => true });
    const all = many.w.summary();
    expect(all).toMatchObject({ stores: 40, storesOk: 0, fetches: 0, errors: { 'store: AbortError': 40 } });
    expect(all.reissued).toBe(40 * MAX_REISSUES);
    expect(many.calls).toHaveLength(40 * (1 + MAX_REISSUES));
  });

  it('does not issue again an operation that failed while its peer stayed, nor one that failed otherwise', async () => {
    const { w } = await run(5, { lose: (n) => n.endsWith('7'), refuse: (n) => n.endsWith('3'), abort: (n) => n.endsWith('5') });
    // sim-3, -13, -23, -33 refused; sim-5, -15, … aborted with their peer still there; sim-7, -17, -27,
    // -37 lost: each counted once, none issued again.
    expect(w.summary()).toMatchObject({ fetchesOk: 28, reissued: 0, errors: { 'fetch: not found': 4, 'fetch: Error_Forbidden': 4, 'fetch: AbortError': 4 } });
  });

  it('stop() cancels what has not started', async () => {
    const clock = new VirtualClock();
    const w = new Workload({ clock, random: new SeededRandom(1) }, toyTarget(clock).target, { stores: 10, startMs: 0, windowMs: 10_000, fetchDelayMs: [0, 0], valueSize: 4 });
    w.start();
    await clock.advance(5000);
    w.stop();
    await clock.runAll();
    expect(w.pending).toBe(0);
    expect(w.summary().stores).toBeLessThan(10);
  });
});
