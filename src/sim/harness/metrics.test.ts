import { describe, expect, it } from 'vitest';
import { hopStats, linkStats, percentile, PopulationAverage, successFraction, upkeepBytesPerPeerPerSec } from './metrics.js';
import type { TrafficCounts } from './traffic-meter.js';

describe('metrics', () => {
  it('nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
  });

  it('hop statistics', () => {
    expect(hopStats([3, 1, 2, 2, 7])).toEqual({ mean: 3, p50: 2, p99: 7, count: 5 });
    expect(hopStats([])).toEqual({ mean: 0, p50: 0, p99: 0, count: 0 });
    expect(linkStats([20, 6, 9, 9, 120])).toEqual({ mean: 32.8, p50: 9, p99: 120, max: 120 });
    expect(linkStats([])).toBeNull();
    const many = [...Array.from({ length: 990 }, () => 4), ...Array.from({ length: 10 }, () => 9)];
    expect(hopStats(many)).toMatchObject({ p50: 4, p99: 4, mean: 4.05 });
  });

  it('success fractions, null when nothing was tried', () => {
    expect(successFraction(999, 1000)).toBe(0.999);
    expect(successFraction(0, 5)).toBe(0);
    expect(successFraction(0, 0)).toBeNull();
  });

  it('upkeep bytes per peer per second', () => {
    const f = (bytes: number) => ({ frames: 1, bytes, messages: 1 });
    const window: TrafficCounts = { total: f(1_300_000), byClass: { upkeep: f(1_000_000), workload: f(300_000), other: f(0) }, byCode: {} };
    // 1 MB of upkeep over 100 s among 50 peers: 200 B/s each (workload not counted).
    expect(upkeepBytesPerPeerPerSec(window, 50, 100_000)).toBe(200);
    expect(upkeepBytesPerPeerPerSec(window, 0, 100_000)).toBe(0);
  });

  it('time-averaged population', () => {
    const p = new PopulationAverage(1000, 10);
    expect(p.mean(1000)).toBe(10);
    p.set(2000, 20); // 10 peers for 1 s
    p.set(4000, 0); // 20 peers for 2 s
    expect(p.mean(5000)).toBe((10 * 1 + 20 * 2 + 0 * 1) / 4);
  });
});
