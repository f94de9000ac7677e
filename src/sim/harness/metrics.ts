/**
 * The figures a simulation reports (issue 3's `chordphone sim --json` keys): hop counts, success
 * fractions, upkeep traffic per peer and second, build time and heap. Pure arithmetic, apart
 * from `measureHeapMB` (Node only, like the rest of src/sim).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { TrafficCounts } from './traffic-meter.js';

export interface HopStats {
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  /** Lookups the figures are drawn from. */
  readonly count: number;
}

/**
 * The nearest-rank percentile (the smallest value with at least p % of the values at or below
 * it) of ascending `sorted`; undefined for an empty list.
 */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** Links per peer: mean, median, 99th percentile and largest. */
export interface LinkStats {
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Mean, median, 99th percentile and largest of non-empty `values`. */
function distribution(values: readonly number[]): { mean: number; p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  let sum = 0;
  for (const v of sorted) sum += v;
  return { mean: sum / sorted.length, p50: percentile(sorted, 50) ?? 0, p99: percentile(sorted, 99) ?? 0, max: sorted[sorted.length - 1] ?? 0 };
}

/** LinkStats of each peer's link count (null when there are no peers). */
export function linkStats(counts: readonly number[]): LinkStats | null {
  if (counts.length === 0) return null;
  const d = distribution(counts);
  return { ...d, mean: roundTo(d.mean, 1) };
}

/** Mean, median and 99th percentile of hop counts (all 0 when there are none). */
export function hopStats(hops: readonly number[]): HopStats {
  if (hops.length === 0) return { mean: 0, p50: 0, p99: 0, count: 0 };
  const { mean, p50, p99 } = distribution(hops);
  return { mean, p50, p99, count: hops.length };
}

/** ok / total as a fraction 0..1; null when nothing was attempted (no figure, rather than a made-up one). */
export function successFraction(ok: number, total: number): number | null {
  if (total <= 0) return null;
  return ok / total;
}

/**
 * Upkeep bytes sent per live peer and second over a window: the `upkeep` class of the traffic
 * counted in the window, divided by the time-averaged population and the window's length.
 */
export function upkeepBytesPerPeerPerSec(window: TrafficCounts, meanPeers: number, windowMs: number): number {
  if (meanPeers <= 0 || windowMs <= 0) return 0;
  return window.byClass.upkeep.bytes / meanPeers / (windowMs / 1000);
}

/** Integrates a population over virtual time, for the time-averaged number of live peers. */
export class PopulationAverage {
  private area = 0;
  private since: number;
  private count: number;
  private readonly start: number;

  constructor(start: number, count: number) {
    this.start = start;
    this.since = start;
    this.count = count;
  }

  /** The population changed to `count` at time `at`. */
  set(at: number, count: number): void {
    this.area += this.count * (at - this.since);
    this.since = at;
    this.count = count;
  }

  /** Time-averaged population from the start to `at` (the current count if no time has passed). */
  mean(at: number): number {
    const span = at - this.start;
    if (span <= 0) return this.count;
    return (this.area + this.count * (at - this.since)) / span;
  }
}

/**
 * A full garbage collection: `global.gc` when the process runs with --expose-gc, else V8's gc
 * made reachable the usual way (enable the flag at run time, take `gc` from a fresh context).
 */
export function collectGarbage(): void {
  const g = globalThis as { gc?: () => void };
  if (typeof g.gc !== 'function') {
    setFlagsFromString('--expose-gc');
    g.gc = runInNewContext('gc') as () => void;
  }
  g.gc?.();
}

/** Heap in use (MB) after a full GC (so garbage of the build does not count). */
export function measureHeapMB(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed / (1024 * 1024);
}

/** Rounds for reports: keeps `digits` decimals. */
export function roundTo(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
