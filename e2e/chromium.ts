/**
 * Debian's Chromium as every browser test and bench here launches it (never a Playwright-downloaded
 * browser): one list of flags for playwright.config.ts and bench/call-setup.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Host ICE candidates with real addresses, as a page that has the microphone gets them: without
  // this Chromium hides them behind mDNS names. Attaches carry those too (ice-parameters.ts, a
  // DEVIATION), but mDNS does not leave this machine's loopback in CI.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
];
