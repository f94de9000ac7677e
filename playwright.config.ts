import { defineConfig, devices } from '@playwright/test';

/** Port for the e2e server: fixed so a stray server from another run fails loudly instead of being reused. */
const PORT = 4173;
const BASE_URL = `http://127.0.0.1:${PORT}/`;

// End-to-end tests run Debian's Chromium (never a Playwright-downloaded browser) against the real
// `chordphone serve` serving the built dist/ (`npm run test:e2e` builds first), with 20 headless
// peers in the overlay (issue 5), HTTP on loopback only, its identity and records in tmp/e2e-data
// (kept between runs, as a real server's are) and its RELOAD traffic captured to tmp/e2e-server.pcap.
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
        // Host ICE candidates with real addresses, as a page that has the microphone gets them:
        // without these Chromium hides them behind mDNS names, which an Attach cannot carry
        // (RFC 6940 §6.5.1.1 IceCandidate addresses are IP addresses).
        '--disable-features=WebRtcHideLocalIpsWithMdns',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
      ],
    },
  },
  webServer: {
    command: `node bin/chordphone.mjs serve --port ${PORT} --https-port off --peers 20 --data tmp/e2e-data --pcap tmp/e2e-server.pcap`,
    url: BASE_URL,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
  },
});
