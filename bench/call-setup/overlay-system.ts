/**
 * System under test "overlay": the product itself. `chordphone serve` (a child process, with
 * `--peers` headless peers; the app from BENCH_CALL_DIST, default dist/; `vite build` into it first
 * when its index.html is missing or BENCH_CALL_BUILD=1) and two
 * browser contexts on its app, joined as alice and bob through the call screen ("User name",
 * "Join"). Ringing and confirmed come from the product's Phone, which the probe needs at
 * `window.chordphone.phone`; the callee answers through `phone.onIncomingCall` at once, as the
 * baseline's callee does. When the app cannot place a call yet this says what is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { probedContext } from './browser.js';
import type { SystemStart } from './measure.js';

type ProbeWindow = { __callSetup: { phoneState(): string | undefined; autoAnswer(): void } };

class NotAvailable extends Error {}

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.once('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${command} ${args.join(' ')} failed (${code}): ${err.trim()}`))));
  });
}

interface Served {
  readonly url: string;
  stop(): Promise<void>;
}

async function serve(peers: number, appDir: string): Promise<Served> {
  const dataDir = await mkdtemp(join(tmpdir(), 'chordphone-call-bench-'));
  const args = ['bin/chordphone.mjs', 'serve', '--port', '0', '--https-port', 'off', '--data', dataDir, '--peers', String(peers), '--app', appDir];
  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = false;
  const exit = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    await Promise.race([exit, new Promise((r) => setTimeout(r, 5000))]);
    if (!exited) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  };
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const url = await new Promise<string | undefined>((r) => {
    const timer = setTimeout(() => r(undefined), 120_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /being served at (http:\/\/\S+)/.exec(out);
      if (m?.[1]) (clearTimeout(timer), r(m[1]));
    });
    void exit.then(() => (clearTimeout(timer), r(undefined)));
  });
  if (!url) {
    await stop();
    throw new Error(`chordphone serve did not start: ${(err || out).trim().split('\n').slice(-5).join(' | ')}`);
  }
  return { url, stop };
}

async function joinAs(page: Page, user: string): Promise<void> {
  const name = page.getByRole('textbox', { name: 'User name', exact: true });
  const join = page.getByRole('button', { name: 'Join', exact: true });
  try {
    await name.waitFor({ timeout: 15_000 });
    await join.waitFor({ timeout: 1_000 });
  } catch {
    throw new NotAvailable('the app has no "User name" box and "Join" button (the call screen of issue 6)');
  }
  await name.fill(user);
  await join.click();
  const phoneState = () => page.evaluate(() => (globalThis as unknown as ProbeWindow).__callSetup.phoneState());
  const deadline = Date.now() + 30_000;
  let state = await phoneState();
  while (state !== 'ready' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    state = await phoneState();
  }
  if (state === undefined) throw new NotAvailable('the page exposes no Phone at window.chordphone.phone (the probe reads ringing / connected from it)');
  if (state !== 'ready') throw new Error(`${user}'s Phone is "${state}" 30 s after Join, not "ready"`);
  if ((await page.getByRole('button', { name: 'Call', exact: true }).count()) === 0) throw new NotAvailable('the app has no "Call" button');
}

export async function startOverlaySystem(browser: Browser, probeScript: string, peers: number): Promise<SystemStart> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  };
  try {
    const appDir = resolve(process.env.BENCH_CALL_DIST || 'dist');
    if (!existsSync(join(appDir, 'index.html')) || process.env.BENCH_CALL_BUILD === '1') {
      console.log(`building the app (vite build --outDir ${appDir})…`);
      await run(process.execPath, [resolve('node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', appDir, '--emptyOutDir']);
    }
    const served = await serve(peers, appDir);
    cleanups.push(() => served.stop());
    const open = async (user: string) => {
      const context = await probedContext(browser, probeScript);
      cleanups.push(() => context.close());
      const page = await context.newPage();
      await page.goto(served.url);
      await joinAs(page, user);
      return page;
    };
    const caller = await open('alice');
    const callee = await open('bob');
    await callee.evaluate(() => (globalThis as unknown as ProbeWindow).__callSetup.autoAnswer());
    return { pair: { caller, callee, calleeAddress: 'bob' }, close };
  } catch (e) {
    await close();
    if (e instanceof NotAvailable) return { unavailable: e.message };
    throw e;
  }
}
