/**
 * The measurement both systems under test share: a caller and a callee page (each with the
 * probe, `probe.ts`, and the call-screen controls); per call, as a person does it:
 * clear "Call address" and type the callee into it key by key (`TypingPace.keyMs` apart), pause
 * (`TypingPace.pauseMs`, the move to the button), click "Call", read the probe's intervals, click
 * "Hang up", wait until both pages have closed their media peer connections. Both systems get the
 * same typing and the same pause; the intervals start at the click.
 */
import type { Page } from 'playwright-core';
import type { CallSetupProbe, CallTiming } from './probe.js';

export interface CallPair {
  readonly caller: Page;
  readonly callee: Page;
  /** What the caller types into "Call address". */
  readonly calleeAddress: string;
}

/** A system under test, started with its two pages joined. */
export interface RunningSystem {
  readonly pair: CallPair;
  close(): Promise<void>;
}

/** What starting a system gives: running, or why it cannot run here (said, not thrown). */
export type SystemStart = RunningSystem | { readonly unavailable: string };

const CALL_TIMEOUT_MS = 15_000;

/** How the address is typed before each call, the same for every system. */
export interface TypingPace {
  /** Between two keys, ms. */
  readonly keyMs: number;
  /** After the last key, before the click on Call, ms. */
  readonly pauseMs: number;
}

/** A brisk typist: 80 ms a key, 400 ms from the last key to the click. */
export const DEFAULT_TYPING: TypingPace = { keyMs: 80, pauseMs: 400 };

type ProbeWindow = { __callSetup: CallSetupProbe };

async function oneCall(pair: CallPair, typing: TypingPace): Promise<CallTiming> {
  const { caller, callee } = pair;
  const address = caller.getByRole('textbox', { name: 'Call address', exact: true });
  await address.fill('');
  await address.pressSequentially(pair.calleeAddress, { delay: typing.keyMs });
  await new Promise((r) => setTimeout(r, typing.pauseMs));
  await caller.getByRole('button', { name: 'Call', exact: true }).click();
  const timing = await caller.evaluate((ms) => (globalThis as unknown as ProbeWindow).__callSetup.result(ms), CALL_TIMEOUT_MS);
  await caller.getByRole('button', { name: 'Hang up', exact: true }).click();
  const ended = () => (globalThis as unknown as ProbeWindow).__callSetup.openMediaConnections() === 0;
  await caller.waitForFunction(ended, undefined, { timeout: CALL_TIMEOUT_MS });
  await callee.waitForFunction(ended, undefined, { timeout: CALL_TIMEOUT_MS });
  return timing;
}

export type PairOutcome = { readonly timings: readonly CallTiming[] } | { readonly problem: string };

/**
 * One warm-up call per pair (not counted), then `calls` measured calls per pair, taking turns
 * (pair 1, pair 2, pair 1, …) so that a busy machine slows every system alike. A pair whose call
 * fails drops out with the reason; the others go on.
 */
export async function measureCalls(pairs: readonly CallPair[], calls: number, typing: TypingPace = DEFAULT_TYPING): Promise<PairOutcome[]> {
  const timings: CallTiming[][] = pairs.map(() => []);
  const problems: (string | undefined)[] = pairs.map(() => undefined);
  const attempt = async (j: number, record: boolean) => {
    const pair = pairs[j];
    if (!pair || problems[j] !== undefined) return;
    try {
      const t = await oneCall(pair, typing);
      if (record) timings[j]?.push(t);
    } catch (e) {
      problems[j] = `failed — ${e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)}`;
    }
  };
  for (let j = 0; j < pairs.length; j++) await attempt(j, false);
  for (let i = 0; i < calls; i++) {
    for (let j = 0; j < pairs.length; j++) {
      // Let the previous call's teardown (BYE transaction, PC close) settle on both sides.
      await new Promise((r) => setTimeout(r, 150));
      await attempt(j, true);
    }
  }
  return pairs.map((_, j) => {
    const problem = problems[j];
    return problem !== undefined ? { problem } : { timings: timings[j] ?? [] };
  });
}

export interface Summary {
  readonly median: number;
  readonly p95: number;
}

/** Median and 95th percentile (nearest rank). */
export function summarize(xs: readonly number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const rank = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? Number.NaN;
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? Number.NaN) + (s[mid] ?? Number.NaN)) / 2;
  return { median, p95: rank(0.95) };
}
