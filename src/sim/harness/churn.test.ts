import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../seeded-random.js';
import { churnCounts, churnSchedule, exponentialSessionMs } from './churn.js';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

describe('churn model', () => {
  it('session times are exponential with the configured median', () => {
    const r = new SeededRandom(7);
    const xs = Array.from({ length: 20_000 }, () => exponentialSessionMs(r, 600_000));
    // The sample median of 20 000 draws lies within ±3 % of the true median with overwhelming probability.
    expect(median(xs) / 600_000).toBeGreaterThan(0.97);
    expect(median(xs) / 600_000).toBeLessThan(1.03);
    // Exponential: mean = median / ln 2.
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean / (600_000 / Math.LN2)).toBeGreaterThan(0.97);
    expect(mean / (600_000 / Math.LN2)).toBeLessThan(1.03);
    expect(xs.every((x) => x >= 0 && Number.isFinite(x))).toBe(true);
  });

  it('same seed, same schedule; different seeds differ', () => {
    const init = { initialPeers: 100, medianSessionMs: 600_000, durationMs: 1_800_000 };
    const a = churnSchedule(new SeededRandom(1), init);
    expect(churnSchedule(new SeededRandom(1), init)).toEqual(a);
    expect(churnSchedule(new SeededRandom(2), init)).not.toEqual(a);
  });

  it('events are sorted, within the duration, and each peer departs at most once after it joined', () => {
    const events = churnSchedule(new SeededRandom(3), { initialPeers: 200, medianSessionMs: 300_000, durationMs: 3_600_000 });
    const joinedAt = new Map<number, number>(Array.from({ length: 200 }, (_, i) => [i, 0]));
    const departed = new Set<number>();
    let last = 0;
    for (const e of events) {
      expect(e.at).toBeGreaterThanOrEqual(last);
      expect(e.at).toBeLessThanOrEqual(3_600_000);
      last = e.at;
      if (e.kind === 'join') {
        expect(joinedAt.has(e.peer)).toBe(false);
        joinedAt.set(e.peer, e.at);
      } else {
        expect(joinedAt.has(e.peer)).toBe(true);
        expect(departed.has(e.peer)).toBe(false);
        departed.add(e.peer);
      }
    }
  });

  it('arrivals keep the population around its target', () => {
    const n = 1000;
    const events = churnSchedule(new SeededRandom(4), { initialPeers: n, medianSessionMs: 600_000, durationMs: 7_200_000 });
    let live = n;
    let min = n;
    let max = n;
    for (const e of events) {
      live += e.kind === 'join' ? 1 : -1;
      min = Math.min(min, live);
      max = Math.max(max, live);
    }
    // M/M/∞: the population is Poisson-like around n (standard deviation ≈ √n ≈ 32).
    expect(min).toBeGreaterThan(n * 0.85);
    expect(max).toBeLessThan(n * 1.15);
    // Over 2 h with a 10 min median (mean 14.4 min), most of the first peers have left.
    const { joins, fails, leaves } = churnCounts(events);
    expect(fails + leaves).toBeGreaterThan(n * 0.9);
    expect(joins).toBeGreaterThan(n * 7);
  });

  it('the failure fraction splits departures', () => {
    const count = (failFraction: number) => churnCounts(churnSchedule(new SeededRandom(5), { initialPeers: 2000, medianSessionMs: 60_000, durationMs: 600_000, failFraction }));
    expect(count(0).fails).toBe(0);
    expect(count(1).leaves).toBe(0);
    const { fails, leaves } = count(0.25);
    expect(fails / (fails + leaves)).toBeGreaterThan(0.22);
    expect(fails / (fails + leaves)).toBeLessThan(0.28);
  });

  it('rejects nonsense', () => {
    const r = new SeededRandom(1);
    expect(() => churnSchedule(r, { initialPeers: 10, medianSessionMs: 0, durationMs: 1 })).toThrow(RangeError);
    expect(() => churnSchedule(r, { initialPeers: -1, medianSessionMs: 1, durationMs: 1 })).toThrow(RangeError);
    expect(() => churnSchedule(r, { initialPeers: 1, medianSessionMs: 1, durationMs: 1, failFraction: 2 })).toThrow(RangeError);
  });
});
