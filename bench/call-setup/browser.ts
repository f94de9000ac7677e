/**
 * Debian's Chromium for the call-setup bench, with fake media devices and real host ICE addresses
 * (the flags of playwright.config.ts), and browser contexts that carry the probe.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
];

export async function launchBrowser(): Promise<Browser | { readonly missing: string }> {
  if (!existsSync(CHROMIUM)) return { missing: `${CHROMIUM} is missing: apt-get install -y chromium` };
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** A fresh context (its own profile: one user) with the probe installed before every page script. */
export async function probedContext(browser: Browser, probeScript: string): Promise<BrowserContext> {
  const context = await browser.newContext({ permissions: ['microphone'] });
  await context.addInitScript({ content: probeScript });
  return context;
}
