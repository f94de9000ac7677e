/**
 * Issue 7, "What it must show": a new user walks through the first run to a call and back, then
 * comes back as a returning user. In a fresh browser context (no identity, nothing remembered) the
 * Phone view asks for a user name with the enrollment server's rule shown live (an invalid name is
 * said before "Join"); after "Join" the progress steps configuration → certificate → bootstrap →
 * registered pass one after the other (read from the DOM as they change); once registered the
 * header and the card show the user's AoR, the Share link `/?call=NAME` and its QR code. From the
 * dialer the user calls the server's echo peer, hears audio (inbound RTP bytes through getStats)
 * and hangs up, back at the dialer. Reloading the same context joins with the same name at once:
 * no questions and no guest on the way. Another browser asking for the same name reads, in plain
 * words, that it is taken and what to do. Screenshots of the name picker, the steps and Share, at
 * phone and desktop sizes, go to e2e/screenshots/.
 *
 * The name carries a per-run suffix: the server's data (tmp/e2e-data-PORT) outlives the run.
 */
import { expect, test, type Page } from './overlay-log.js';
import { cumulativeShift, MAX_CLS, watchShifts } from './layout-shifts.js';
import { callIn, inboundAudioBytes, newPage, PHONE, READY_TIMEOUT_MS, runSuffix, shoot } from './phone-steps.js';

const NAME = `newbie-${runSuffix()}`;

/** Screenshots at phone and desktop sizes, then back to the phone size this spec runs at. */
async function shootAtPhone(page: Page, screen: string): Promise<void> {
  await shoot(page, screen);
  await page.setViewportSize(PHONE);
}

/** Records, in the page, every step that was the current one (`aria-current="step"`) and every name the header showed. */
async function recordProgress(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: { steps: string[]; names: string[] } = { steps: [], names: [] };
    (globalThis as unknown as { __progress: typeof seen }).__progress = seen;
    const look = () => {
      const step = document.querySelector('[data-testid="join-steps"] [aria-current="step"]')?.getAttribute('data-step');
      if (step && seen.steps.at(-1) !== step) seen.steps.push(step);
      const name = document.querySelector('[data-testid="phone-status"] strong')?.textContent;
      if (name && seen.names.at(-1) !== name) seen.names.push(name);
    };
    new MutationObserver(look).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

const progress = (page: Page) => page.evaluate(() => (globalThis as unknown as { __progress: { steps: string[]; names: string[] } }).__progress);

test.describe.configure({ timeout: 150_000 });

test('a new user: name, steps, registered, Share and QR, a call to echo and back; then a returning user joins without questions', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  await recordProgress(page);
  await page.goto('/');

  // The first run: the name picker, with the overlay's rule said live.
  const name = page.getByRole('textbox', { name: 'User name', exact: true });
  const join = page.getByRole('button', { name: 'Join', exact: true });
  const hint = page.getByTestId('name-hint');
  await expect(page.getByRole('heading', { name: 'Choose your user name' })).toBeVisible();
  await expect(name).toBeEditable({ timeout: 20_000 });
  await expect(hint).toContainText('Letters a–z, digits and . _ + -');
  await expect(name).toHaveAccessibleDescription(/Letters a–z/);
  for (const bad of ['two words', 'émile', '.dot']) {
    await name.fill(bad);
    await expect(hint).toHaveAttribute('data-state', 'invalid');
    await expect(name).toHaveAttribute('aria-invalid', 'true');
    await expect(join).toBeDisabled();
  }
  await expect(hint).toContainText('is not allowed: use 1–64 letters, digits and . _ + -');
  await name.fill(NAME.toUpperCase());
  // The overlay's domain is known once the configuration has been fetched: the full name is previewed.
  await expect(hint).toHaveText(new RegExp(`^Your address will be ${NAME}@[a-z0-9.-]+\\.$`), { timeout: 20_000 });
  const domain = /@([a-z0-9.-]+)\.$/.exec((await hint.textContent()) ?? '')![1]!;
  await expect(join).toBeEnabled();
  await shootAtPhone(page, 'first-run');

  // Join: the steps pass in order (the overlay enrolls the new name, joins, registers).
  await page.evaluate(() => ((globalThis as unknown as { __progress: { steps: string[] } }).__progress.steps = []));
  await join.click();
  await expect(page.getByRole('heading', { name: new RegExp(`^Joining as ${NAME}(@${domain.replace(/\./g, '\\.')})?$`) })).toBeVisible();
  await page.screenshot({ path: 'e2e/screenshots/first-run-steps-phone.png', fullPage: true });
  const status = page.getByTestId('phone-status');
  await expect(status).toHaveAttribute('data-phase', 'ready', { timeout: READY_TIMEOUT_MS });
  // From the named overlay's first step on (the guest's last step may have been current when Join was pressed).
  const steps = (await progress(page)).steps;
  expect(steps).toContain('configuration');
  expect(steps.slice(steps.indexOf('configuration'))).toEqual(['configuration', 'certificate', 'bootstrap', 'registered']);

  // Registered: the header and the card show the AoR; Share has the link and its QR code.
  const aor = `${NAME}@${domain}`;
  await expect(page.getByTestId('phone-aor')).toHaveText(aor);
  await expect(status).toContainText('Online');
  await expect(page.getByRole('region', { name: 'Your address' })).toContainText(`You are ${aor}`);
  const link = `${new URL(baseURL!).origin}/?call=${NAME}`;
  await expect(page.getByTestId('share-link')).toHaveAttribute('href', link);
  await expect(page.getByTestId('share-link')).toHaveText(link);
  const qr = page.getByRole('img', { name: `QR code of the link ${link}` });
  await expect(qr).toBeVisible();
  expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  await expect(page.getByRole('button', { name: 'Copy link' })).toBeEnabled();
  await shootAtPhone(page, 'first-run-share');

  // A call from the dialer to the server's echo peer (until it has registered: "echo is not online").
  const address = page.getByRole('textbox', { name: 'Call address' });
  await address.fill('echo');
  await expect(async () => {
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await expect(page.locator('[data-testid="call"][data-state="connected"]')).toHaveCount(1, { timeout: 5_000 });
  }).toPass({ timeout: 30_000, intervals: [1_000] });
  const callId = await callIn(page, 'connected');
  const inbound = () => inboundAudioBytes(page, callId);
  await expect.poll(inbound, { timeout: 10_000 }).toBeGreaterThan(0);
  const before = await inbound();
  await expect.poll(inbound, { timeout: 10_000 }).toBeGreaterThan(before);
  await page.getByRole('button', { name: 'Hang up', exact: true }).click();
  await expect(page.getByTestId('call-outcome')).toHaveAttribute('data-state', 'ended', { timeout: 10_000 });
  await expect(page.getByTestId('call')).toHaveCount(0);
  // Back at the dialer.
  await expect(address).toBeEditable();
  await expect(page.getByRole('button', { name: 'Call', exact: true })).toBeEnabled();

  // A returning user: the same browser, reloaded, joins as NAME at once (no guest, no questions),
  // and the first paint already shows their card, so nothing moves while it joins.
  await watchShifts(page);
  await page.reload();
  await expect(page.getByTestId('phone-view')).toHaveAttribute('data-screen', 'joined');
  await expect(status).toHaveAttribute('data-phase', 'ready', { timeout: READY_TIMEOUT_MS });
  await expect(page.getByTestId('phone-aor')).toHaveText(aor);
  await expect(name).toHaveCount(0);
  expect((await progress(page)).names.every((n) => n === NAME || n === aor)).toBe(true);
  await expect(page.getByTestId('share-qr')).toBeVisible();
  expect(await cumulativeShift(page, 'returning user at 390 px')).toBeLessThan(MAX_CLS);
  // Switching user stays reachable.
  await page.getByRole('button', { name: 'Switch user' }).click();
  await expect(name).toBeEditable();
  await expect(name).toBeFocused();
  await expect(join).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('share-link')).toHaveAttribute('href', link);
  await context.close();

  // Someone else (another browser, another key) asking for the same name: taken, in plain words, with the fix.
  const other = await newPage(browser, { viewport: PHONE });
  await other.goto('/');
  await other.getByRole('textbox', { name: 'User name', exact: true }).fill(NAME);
  await expect(other.getByTestId('name-hint')).toContainText('Your address will be', { timeout: 20_000 });
  await other.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(other.getByTestId('phone-error')).toHaveText(`The user name ${aor} is already taken by someone else. Choose another user name and press Join again.`, { timeout: 20_000 });
  await expect(other.locator('[data-testid="join-steps"] [data-state="failed"]')).toHaveAttribute('data-step', 'certificate');
  await expect(other.getByRole('textbox', { name: 'User name', exact: true })).toHaveValue(NAME);
  await other.context().close();
});
