/**
 * Durations as people type them on the command line and in bench overrides: `250ms`, `30s`,
 * `10m`, `1.5h`, or a bare number of milliseconds. Simulator-only helper.
 */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Whole milliseconds of a duration like `10m` (rounded: the simulator keeps virtual time in
 * integers), or undefined when `text` is not one (negative, empty, unknown unit).
 */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) return undefined;
  const value = Math.round(Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] ?? 1));
  return Number.isFinite(value) ? value : undefined;
}

/** A short human form: `850 ms`, `12.5 s`, `10 min`, `2 h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${round(ms)} ms`;
  if (ms < 60_000) return `${round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${round(ms / 60_000)} min`;
  return `${round(ms / 3_600_000)} h`;
}

function round(x: number): string {
  return String(Math.round(x * 10) / 10);
}
