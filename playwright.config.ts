import { defineConfig, devices } from '@playwright/test';

/** Port for the e2e server: fixed so a stray server from another run fails loudly instead of being reused. */
const PORT = 4173;
const BASE_URL = `http://127.0.0.1:${PORT}/`;

// End-to-end tests run Debian's Chromium (never a Playwright-downloaded browser) against the real
// `chordphone serve` serving the built dist/ (`npm run test:e2e` builds first).
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
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    command: `node bin/chordphone.mjs serve --port ${PORT}`,
    url: BASE_URL,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
  },
});
