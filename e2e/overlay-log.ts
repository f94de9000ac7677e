/**
 * `test` for every spec: Playwright's, with the overlay's log of the test kept for a failure. Every
 * browser context the test opens (the `page` fixture's and `browser.newContext()`'s) turns the
 * tabs' overlay log on (localStorage `chordphone.debug`, browser-overlay.ts) and records each tab's
 * console and page errors; the server (playwright.config.ts: `chordphone serve --log debug`) writes
 * its peers' log to tmp/e2e-server-PORT.log. When a test fails, both logs of that test — the tabs'
 * (each line marked with its tab and that tab's Node-ID) and the server's lines written during the
 * test — are attached to its result (test-results/…/browser-console.txt, server-log.txt), so a tab
 * whose join or lookup never finished shows which request it sent, to which Node-ID, and what came
 * back.
 */
import { closeSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { test as base, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { OVERLAY_DEBUG_KEY } from '../src/app/overlay/overlay-debug-key.js';

// Everything else as Playwright has it (a spec imports `test`, `expect` and types from here).
export * from '@playwright/test';

/** The server's log file (playwright.config.ts writes it there). */
export function serverLogFile(port: number | string = process.env.E2E_PORT ?? 4173): string {
  return `tmp/e2e-server-${port}.log`;
}


/** Most of the server log attached for one test (its last bytes). */
const MAX_SERVER_LOG_BYTES = 20_000_000;

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The bytes of `path` from `from` on (at most MAX_SERVER_LOG_BYTES, the last ones). */
function readFrom(path: string, from: number): string {
  const size = fileSize(path);
  if (size <= from) return '';
  const start = Math.max(from, size - MAX_SERVER_LOG_BYTES);
  const buffer = Buffer.alloc(size - start);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, start);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}

/** Records the console of every page of the contexts it watches, each line marked with its tab. */
class ConsoleRecorder {
  readonly lines: string[] = [];
  private readonly tabs = new Map<Page, number>();
  private readonly watched = new WeakSet<BrowserContext>();

  async watch(context: BrowserContext): Promise<void> {
    if (this.watched.has(context)) return;
    this.watched.add(context);
    await context.addInitScript((key) => {
      try {
        localStorage.setItem(key, '1');
      } catch {
        // no storage (an opaque origin): no log from this page
      }
    }, OVERLAY_DEBUG_KEY);
    context.on('console', (m) => this.add(m.page(), `${m.type()} ${m.text()}`));
    context.on('weberror', (e) => this.add(e.page(), `pageerror ${e.error().stack ?? e.error().message}`));
    context.on('page', (p) => {
      this.tab(p);
      p.on('framenavigated', (f) => {
        if (f === p.mainFrame()) this.add(p, `navigated to ${f.url()}`);
      });
      p.on('close', () => this.add(p, 'closed'));
    });
  }

  private tab(page: Page | null): number {
    if (!page) return 0;
    let n = this.tabs.get(page);
    if (n === undefined) {
      n = this.tabs.size + 1;
      this.tabs.set(page, n);
    }
    return n;
  }

  private add(page: Page | null, text: string): void {
    this.lines.push(`${new Date().toISOString()} [tab ${this.tab(page)}] ${text}`);
  }

  /** What describeTabs found for each tab while it was open. */
  private readonly described = new Map<number, string>();

  /** Each tab's URL and overlay status (Node-ID, phase), as far as the page still answers; a closed tab's as last described. */
  async describeTabs(): Promise<string[]> {
    for (const [page, n] of this.tabs) {
      if (page.isClosed()) continue;
      const status = await Promise.race([
        page.evaluate(() => {
          const handle = (globalThis as { chordphone?: { overlay?: { getSnapshot(): unknown } } }).chordphone;
          return JSON.stringify(handle?.overlay?.getSnapshot() ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
        }),
        new Promise<string>((resolve) => setTimeout(() => resolve('(no answer within 2 s)'), 2_000)),
      ]).catch((e: unknown) => `(no answer: ${String(e)})`);
      this.described.set(n, `tab ${n}: ${page.url()} ${status.slice(0, 4_000)}`);
    }
    return [...this.tabs.values()].map((n) => this.described.get(n) ?? `tab ${n}: closed`);
  }
}

/** `browser.newContext` watched by `recorder` while the test runs; returns the undo. */
function watchNewContexts(browser: Browser, recorder: ConsoleRecorder): () => void {
  const original = browser.newContext;
  browser.newContext = async function (this: Browser, ...args: Parameters<Browser['newContext']>) {
    const context = await original.apply(this, args);
    await recorder.watch(context);
    return context;
  };
  return () => {
    browser.newContext = original;
  };
}

export const test = base.extend<{ overlayLog: ConsoleRecorder }>({
  overlayLog: [
    async ({ browser }, use, testInfo) => {
      const recorder = new ConsoleRecorder();
      const logFile = serverLogFile();
      const serverFrom = fileSize(logFile);
      const undo = watchNewContexts(browser, recorder);
      try {
        await use(recorder);
      } finally {
        undo();
      }
      if (testInfo.status === testInfo.expectedStatus) return;
      const tabs = await recorder.describeTabs();
      // Files in the test's output directory (kept beside trace.zip), listed in the report.
      const files: [string, string][] = [
        ['browser-console.txt', [...tabs, '', ...recorder.lines].join('\n')],
        ['server-log.txt', readFrom(logFile, serverFrom)],
      ];
      for (const [name, text] of files) {
        const path = testInfo.outputPath(name);
        writeFileSync(path, text);
        await testInfo.attach(name, { path, contentType: 'text/plain' });
      }
    },
    { auto: true },
  ],
  // The `page` fixture's context is made by Playwright itself: watched here before its page opens.
  context: async ({ context, overlayLog }, use, testInfo) => {
    await overlayLog.watch(context);
    await use(context);
    // Before Playwright closes this context's pages: how they stand.
    if (testInfo.status !== testInfo.expectedStatus) await overlayLog.describeTabs();
  },
});
