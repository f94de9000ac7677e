/**
 * Debian's Chromium for the call-setup bench, with fake media devices and real host ICE addresses
 * (the flags of e2e/chromium.ts, as the e2e tests use them), and browser contexts that carry the probe.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../e2e/chromium.js';

export async function launchBrowser(): Promise<Browser | { readonly missing: string }> {
  if (!existsSync(CHROMIUM_PATH)) return { missing: `${CHROMIUM_PATH} is missing: apt-get install -y chromium` };
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
}

/** A fresh context (its own profile: one user) with the probe installed before every page script. */
export async function probedContext(browser: Browser, probeScript: string): Promise<BrowserContext> {
  const context = await browser.newContext({ permissions: ['microphone'] });
  await context.addInitScript({ content: probeScript });
  return context;
}
