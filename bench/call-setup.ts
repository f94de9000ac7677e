/**
 * Issue 6, "What it must show" 2 (`npm run bench -- call-setup`): call setup between two browser
 * UAs (Debian's Chromium, fake media devices, two contexts), click on "Call" → ringing at the
 * caller, → call confirmed, → first inbound RTP bytes; median and p95 of `BENCH_CALLS` calls
 * (default 20) after one warm-up, timed in the caller's page (call-setup/probe.ts). Two systems
 * under test, driven the same way and taking turns call by call (call-setup/measure.ts):
 * - overlay: the product, `chordphone serve` with `BENCH_CALL_PEERS` headless peers (default 20),
 *   calling by AoR through the RELOAD overlay (call-setup/overlay-system.ts);
 * - Kamailio: the baseline, JsSIP pages registered over WebSocket to Debian's Kamailio, configured
 *   on loopback by the bench (call-setup/kamailio-system.ts), ready() at the first ICE candidate;
 *   BENCH_KAMAILIO_QUIET_MS=N applies a slower rule instead (ready once host candidates stop
 *   coming for N ms; the Phone used 10 ms before it too went at the first UDP host candidate).
 * Each call is placed as a person does: the address typed key by key (BENCH_CALL_KEY_MS apart,
 * default 80), a pause (BENCH_CALL_PAUSE_MS, default 400), then the click; the same for both
 * systems (a dialer may look the address up while it is typed: Phone.prepare).
 * Goal (issue 6): ≤ 400 ms median from click to ringing, and each median ≤ 1.5× Kamailio's.
 */
import type { Browser } from 'playwright-core';
import { envInteger, fmt, table, type BenchModule, type BenchResult } from './bench.js';
import { launchBrowser } from './call-setup/browser.js';
import { bundleProbe } from './call-setup/bundles.js';
import { startKamailioSystem } from './call-setup/kamailio-system.js';
import { DEFAULT_TYPING, measureCalls, summarize, type PairOutcome, type RunningSystem, type Summary, type SystemStart } from './call-setup/measure.js';
import { startOverlaySystem } from './call-setup/overlay-system.js';
import type { CallTiming } from './call-setup/probe.js';

const GOAL_RINGING_MS = 400;
const GOAL_RATIO = 1.5;

const INTERVALS: readonly { key: keyof CallTiming; label: string }[] = [
  { key: 'ringing', label: 'click → ringing' },
  { key: 'confirmed', label: 'click → confirmed' },
  { key: 'rtp', label: 'click → first RTP in' },
];

/** `unavailable` says how a system that cannot run yet is reported ("not available yet", "skipped"). */
async function startSystem(unavailable: string, start: () => Promise<SystemStart>): Promise<RunningSystem | { readonly problem: string }> {
  try {
    const system = await start();
    return 'unavailable' in system ? { problem: `${unavailable} — ${system.unavailable}` } : system;
  } catch (e) {
    return { problem: `failed to start — ${e instanceof Error ? e.message : String(e)}` };
  }
}

export const callSetupBench: BenchModule = {
  name: 'call-setup',
  description: 'browser call setup: overlay (chordphone serve) vs Kamailio over WebSocket, click → ringing / confirmed / RTP',
  async run(): Promise<BenchResult> {
    const calls = envInteger('BENCH_CALLS', 20, 1);
    const peers = envInteger('BENCH_CALL_PEERS', 20, 0);
    const typing = { keyMs: envInteger('BENCH_CALL_KEY_MS', DEFAULT_TYPING.keyMs, 0), pauseMs: envInteger('BENCH_CALL_PAUSE_MS', DEFAULT_TYPING.pauseMs, 0) };
    const quiet = process.env.BENCH_KAMAILIO_QUIET_MS;
    const quietMs = quiet !== undefined && /^\d+$/.test(quiet) ? Number(quiet) : undefined;
    const launched = await launchBrowser();
    if ('missing' in launched) {
      console.log(`skipped: ${launched.missing}`);
      return { ok: true };
    }
    const browser: Browser = launched;
    let overlay: PairOutcome = { problem: 'not run' };
    let kamailio: PairOutcome = { problem: 'not run' };
    const systems: { name: string; system: RunningSystem | { readonly problem: string } }[] = [];
    try {
      const probe = await bundleProbe();
      console.log(`${calls} calls per system after a warm-up, the two systems taking turns; overlay with ${peers} headless peers; Kamailio pages ready() ${quietMs === undefined ? 'at the first ICE candidate' : `${quietMs} ms after the last host candidate`}`);
      console.log(`each call: the address typed ${typing.keyMs} ms a key, ${typing.pauseMs} ms pause, click on Call (both systems)`);
      systems.push({ name: 'overlay', system: await startSystem('not available yet', () => startOverlaySystem(browser, probe, peers)) });
      systems.push({ name: 'Kamailio', system: await startSystem('skipped', () => startKamailioSystem(browser, probe, quietMs)) });
      const running = systems.flatMap((s) => ('pair' in s.system ? [s.system] : []));
      const t0 = performance.now();
      const measured = await measureCalls(running.map((s) => s.pair), calls, typing);
      if (running.length > 0) console.log(`${running.length * (calls + 1)} calls in ${fmt((performance.now() - t0) / 1000, 1)} s`);
      const outcome = (name: string): PairOutcome => {
        const s = systems.find((x) => x.name === name)?.system;
        if (!s) return { problem: 'not run' };
        if ('problem' in s) return s;
        return measured[running.indexOf(s)] ?? { problem: 'not run' };
      };
      overlay = outcome('overlay');
      kamailio = outcome('Kamailio');
    } finally {
      for (const s of systems) if ('close' in s.system) await s.system.close();
      await browser.close();
    }
    if ('problem' in overlay) console.log(`overlay calls: ${overlay.problem}`);
    if ('problem' in kamailio) console.log(`Kamailio calls: ${kamailio.problem}`);

    const ms = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? 'n/a' : `${fmt(x, 1)} ms`);
    const of = (o: PairOutcome, key: keyof CallTiming): Summary | undefined => ('timings' in o ? summarize(o.timings.map((t) => t[key])) : undefined);
    let ok = 'timings' in overlay && 'timings' in kamailio;
    const rows = INTERVALS.map(({ key, label }) => {
      const o = of(overlay, key);
      const k = of(kamailio, key);
      const ratio = o && k ? o.median / k.median : undefined;
      const goal = key === 'ringing' ? `≤ ${GOAL_RINGING_MS} ms, ≤ ${GOAL_RATIO}×` : `≤ ${GOAL_RATIO}×`;
      const absolute = key !== 'ringing' || (o !== undefined && o.median <= GOAL_RINGING_MS);
      const relative = ratio !== undefined && ratio <= GOAL_RATIO;
      ok &&= absolute && relative;
      const verdict = !o ? 'not measured' : !absolute ? 'NOT met' : !k ? 'no baseline' : relative ? 'met' : 'NOT met';
      return [label, ms(o?.median), ms(o?.p95), ms(k?.median), ms(k?.p95), ratio === undefined ? 'n/a' : `${fmt(ratio, 2)}×`, goal, verdict];
    });
    console.log(table(['interval', 'overlay median', 'overlay p95', 'Kamailio median', 'Kamailio p95', 'ratio', 'goal', ''], rows));
    return { ok };
  },
};

