/**
 * Issue 5, "What it must show" 3: how long a browser tab takes to join a 20-peer overlay on
 * loopback, page load → joined (goal ≤ 1 s). Starts `chordphone serve` in-process (the real
 * network: WebSocket bootstrap, WebRTC data channels) with 20 headless peers on a fresh data
 * directory, then opens the app in Debian's Chromium (playwright-core) again and again:
 * - first visit: a fresh browser context, so the page makes a key, enrolls and joins;
 * - reload: the same context reloaded, so the page reuses its stored identity and joins.
 * Measured from `page.goto` / `page.reload` to the status view saying joined (the page's own
 * figure, overlay.start() → joined, is reported beside it). Needs `dist/` (`npm run build`) and
 * /usr/bin/chromium; BENCH_JOIN_RUNS sets how many of each (default 7).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startChordphoneServer } from '../src/server/chordphone-server.js';
import { nodeNetwork } from '../src/server/node-network.js';
import type { BenchModule, BenchResult } from './bench.js';

const GOAL_MS = 1_000;
const CHROMIUM = '/usr/bin/chromium';

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

interface Timing {
  /** page.goto / reload → joined shown. */
  readonly wall: number;
  /** The page's own overlay.start() → joined. */
  readonly page: number;
  /** overlay.start() → start of each phase. */
  readonly phases: Readonly<Record<string, number>>;
}

async function timeToJoined(page: Page, navigate: () => Promise<unknown>): Promise<Timing> {
  const t0 = performance.now();
  await navigate();
  await page.locator('[role=status][data-phase=joined]').waitFor({ timeout: 30_000 });
  const wall = performance.now() - t0;
  const s = await page.evaluate(() => (globalThis as unknown as { chordphone: { overlay: { getSnapshot(): { joinMs?: number; phaseMs: Record<string, number> } } } }).chordphone.overlay.getSnapshot());
  return { wall, page: s.joinMs ?? Number.NaN, phases: s.phaseMs };
}

export const overlayJoinBench: BenchModule = {
  name: 'overlay-join',
  description: 'browser tab: page load → joined, in a 20-peer overlay on loopback (real WebSocket + WebRTC)',
  async run(): Promise<BenchResult> {
    const dist = resolve('dist');
    if (!existsSync(join(dist, 'index.html')) || !existsSync(CHROMIUM)) {
      console.log(`skipped: needs ${join(dist, 'index.html')} (npm run build) and ${CHROMIUM}`);
      return { ok: true };
    }
    const runs = Math.max(1, Number(process.env.BENCH_JOIN_RUNS ?? 7) || 7);
    const dataDir = await mkdtemp(join(tmpdir(), 'chordphone-join-bench-'));
    const t0 = performance.now();
    const server = await startChordphoneServer({ distDir: dist, dataDir, port: 0, extraPeers: 20, network: nodeNetwork });
    console.log(`server and 20 peers up in ${Math.round(performance.now() - t0)} ms`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'] });
    const first: Timing[] = [];
    const again: Timing[] = [];
    try {
      for (let i = 0; i < runs; i++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        first.push(await timeToJoined(page, () => page.goto(server.localUrl)));
        again.push(await timeToJoined(page, () => page.reload()));
        await context.close();
      }
    } finally {
      await browser.close();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
    const row = (label: string, xs: readonly Timing[]) => {
      const phases = ['enrolling', 'joining', 'joined']
        .filter((p) => xs.some((x) => x.phases[p] !== undefined))
        .map((p) => `${p} at ${Math.round(median(xs.map((x) => x.phases[p] ?? Number.NaN).filter((v) => !Number.isNaN(v))))}`)
        .join(', ');
      return `${label.padEnd(34)} median ${Math.round(median(xs.map((x) => x.wall)))} ms, max ${Math.round(Math.max(...xs.map((x) => x.wall)))} ms, ${xs.length} runs; in the page from overlay.start(): ${phases} ms`;
    };
    console.log(row('first visit (key + enroll + join)', first));
    console.log(row('reload (stored identity + join)', again));
    const ok = median(again.map((x) => x.wall)) <= GOAL_MS;
    console.log(`goal: reload → joined ≤ ${GOAL_MS} ms: ${ok ? 'met' : 'NOT met'}`);
    return { ok };
  },
};
