import { defineConfig, devices } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './e2e/chromium.js';

/**
 * Port for the e2e server: fixed (4173, or E2E_PORT to run two suites side by side) so a stray
 * server from another run fails loudly instead of being reused.
 */
const PORT = Number(process.env.E2E_PORT ?? 4173);
/** The built app to serve: `dist/` (`npm run test:e2e` builds it), or E2E_DIST for a build of its own. */
const APP = process.env.E2E_DIST ? ` --app ${process.env.E2E_DIST}` : '';
const BASE_URL = `http://127.0.0.1:${PORT}/`;

// End-to-end tests run Debian's Chromium (never a Playwright-downloaded browser) against the real
// `chordphone serve` serving the built dist/ (`npm run test:e2e` builds first), with 20 headless
// peers in the overlay (issue 5), HTTP on loopback only, its identity and records in tmp/e2e-data-PORT
// (kept between runs, as a real server's are), its RELOAD traffic captured to tmp/e2e-server-PORT.pcap
// and its peers' log written to tmp/e2e-server-PORT.log (attached to a failed test by e2e/overlay-log.ts).
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: 'list',
  timeout: 30_000,
  use: {
    ...devices['Desktop Chrome'],
    baseURL: BASE_URL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: [...CHROMIUM_ARGS],
    },
  },
  webServer: {
    command: `node bin/chordphone.mjs serve --port ${PORT} --https-port off --peers 20 --data tmp/e2e-data-${PORT} --pcap tmp/e2e-server-${PORT}.pcap --log-file tmp/e2e-server-${PORT}.log${APP}`,
    url: BASE_URL,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
  },
});
