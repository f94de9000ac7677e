/**
 * The steps the phone specs share (calls, contacts-history-chat, settings, first-run, overlay):
 * joining under a user name, waiting for the phone to be registered, opening a view, finding a
 * button, a call in a given state and its inbound audio, the overlay's status snapshot, figures of
 * the run and screenshots at phone and desktop sizes. Chromium's fake media comes from the launch
 * flags (chromium.ts), so every new browser context has the fake microphone and camera.
 */
import { randomBytes } from 'node:crypto';
import { expect, type Browser, type BrowserContextOptions, type Page, type TestInfo } from '@playwright/test';
import type { OverlaySnapshot } from '../src/app/overlay/overlay.js';
import type { ChordphoneDebugHandle } from '../src/app/phone/debug-handle.js';

/** Enrollment, join and registration of a new user on the loaded machine. */
export const READY_TIMEOUT_MS = 40_000;
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

/**
 * A per-run suffix for user names: open enrollment keeps each name for the key that took it, and
 * the server's data (tmp/e2e-data-PORT) outlives a run while the browser contexts do not.
 */
export function runSuffix(): string {
  return randomBytes(3).toString('hex');
}

/** A page in a new browser context (its own identity and storage). */
export async function newPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  return (await browser.newContext(options)).newPage();
}

/** A figure of the run: in the report's annotations and on the console. */
export function figure(testInfo: TestInfo, what: string, value: string): void {
  testInfo.annotations.push({ type: what, description: value });
  console.log(`${what}: ${value}`);
}

/**
 * Full-page screenshots at phone and desktop sizes (e2e/screenshots/<screen>-<size>.png); the page
 * ends at desktop size. `noSidewaysScroll` also checks, at each size, that the page does not scroll
 * sideways.
 */
export async function shoot(page: Page, screen: string, { noSidewaysScroll = false } = {}): Promise<void> {
  for (const [size, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    await page.setViewportSize(viewport);
    if (noSidewaysScroll) {
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
      expect(scrollWidth, `no sideways scrolling at ${size} size`).toBeLessThanOrEqual(clientWidth);
    }
    await page.screenshot({ path: `e2e/screenshots/${screen}-${size}.png`, fullPage: true });
  }
}

/**
 * Waits for the phone to be registered (as `name`, when given); returns the full user name
 * (`name@domain`) the header shows.
 */
export async function phoneReady(page: Page, name?: string): Promise<string> {
  if (name !== undefined) await expect(page.getByTestId('phone-aor')).toHaveText(new RegExp(`^${name}@`), { timeout: READY_TIMEOUT_MS });
  const status = page.getByTestId('phone-status');
  try {
    await expect(status).toHaveAttribute('data-phase', 'ready', { timeout: READY_TIMEOUT_MS });
  } catch (e) {
    // What the page told the user, so a failure in CI says why the phone did not register.
    const shown = await page.getByTestId('phone-error').allTextContents().catch(() => []);
    const phase = await status.getAttribute('data-phase').catch(() => null);
    throw new Error(`the phone is ${phase ?? 'not shown'}, not ready; the page says: ${shown.join(' | ') || '(no error shown)'}`, { cause: e });
  }
  return (await page.getByTestId('phone-aor').textContent()) ?? '';
}

/** The first run: the user name, "Join", registered, the dialer usable; returns the full user name. */
export async function joinAs(page: Page, name: string): Promise<string> {
  await page.goto('/');
  const box = page.getByRole('textbox', { name: 'User name', exact: true });
  await expect(box).toBeEditable({ timeout: 20_000 });
  await box.fill(name);
  await button(page, 'Join').click();
  const aor = await phoneReady(page, name);
  await expect(page.getByRole('textbox', { name: 'Call address' })).toBeEditable();
  return aor;
}

/** Opens a view through the address bar's hash (no reload). */
export async function openView(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash);
}

export const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });

/** The one call on the page that is in `state`, and its id. */
export async function callIn(page: Page, state: string, timeout = 20_000): Promise<string> {
  const call = page.locator(`[data-testid="call"][data-state="${state}"]`);
  await expect(call).toHaveCount(1, { timeout });
  return (await call.getAttribute('data-call-id'))!;
}

type DebugWindow = { chordphone: ChordphoneDebugHandle };

/** The call's inbound RTP audio bytes so far (getStats, window.chordphone.inboundAudioBytes). */
export function inboundAudioBytes(page: Page, callId: string): Promise<number> {
  return page.evaluate((id) => (globalThis as unknown as DebugWindow).chordphone.inboundAudioBytes(id), callId);
}

/** The status API's snapshot (window.chordphone.overlay, src/app/phone/debug-handle.ts). */
export function overlaySnapshot(page: Page): Promise<OverlaySnapshot> {
  return page.evaluate(() => (globalThis as unknown as DebugWindow).chordphone.overlay.getSnapshot());
}
