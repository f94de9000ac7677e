/**
 * Shared pieces of the benchmarks: the module shape `index.ts` runs, a timer that reports the
 * median of several rounds, and a plain-text table.
 */

/** A named benchmark module, run by `bench/index.ts`. */
export interface BenchModule {
  readonly name: string;
  readonly description: string;
  run(options: BenchOptions): Promise<BenchResult> | BenchResult;
}

export interface BenchOptions {
  /** Length of one timed round in ms (default 1000; BENCH_ROUND_MS overrides). */
  readonly roundMs: number;
  /** Timed rounds per measurement; the median is reported (default 3; BENCH_ROUNDS overrides). */
  readonly rounds: number;
}

/** Whether the module met its goals (index.ts exits non-zero when one did not). */
export interface BenchResult {
  readonly ok: boolean;
}

export function benchOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : d);
  return { roundMs: num(env.BENCH_ROUND_MS, 1000), rounds: num(env.BENCH_ROUNDS, 3) };
}

/** Keeps results alive so the work cannot be optimised away. */
export let sink = 0;

export function consume(n: number): void {
  sink = (sink + n) | 0;
}

/**
 * Operations per second of `op`: a warm-up of a quarter round, then `rounds` rounds of about
 * `roundMs` each; returns the median rate.
 */
export function opsPerSecond(op: () => void, options: BenchOptions): number {
  const round = (ms: number): number => {
    let n = 0;
    let batch = 1;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ms) {
      for (let i = 0; i < batch; i++) op();
      n += batch;
      elapsed = performance.now() - start;
      if (elapsed < ms / 20) batch *= 2;
    }
    return (n * 1000) / elapsed;
  };
  round(options.roundMs / 4);
  const rates: number[] = [];
  for (let i = 0; i < options.rounds; i++) rates.push(round(options.roundMs));
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)] ?? 0;
}

/** Format a number with thousands separators and `digits` decimals. */
export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A plain-text table; numeric-looking cells are right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (/^[\d,.×µ%+-]+\s?\S*$/.test(c) && i > 0 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A whole-number setting from the environment: `dflt` when unset, an error naming it when not a whole number ≥ `min`. */
export function envInteger(name: string, dflt: number, min = 1): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number ≥ ${min}, got "${v}"`);
  return n;
}
