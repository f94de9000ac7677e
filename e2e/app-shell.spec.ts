import { expect, test, type Page } from '@playwright/test';

/** Collects everything that would mean the page is broken: console errors, uncaught errors, failed or 4xx/5xx requests. */
function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}

test('the app shell says what Chordphone is, joins the overlay, and offers the call screen', async ({ page }, testInfo) => {
  const problems = watchForProblems(page);
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

  await expect(page).toHaveTitle('Chordphone');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1, name: 'Chordphone' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('RELOAD overlay (RFC 6940)');
  await expect(page.getByRole('main')).toContainText('calls other people by address');
  // The status view tells the truth: it joins for real (or says why not).
  await expect(page.getByRole('status')).toHaveAttribute('data-phase', 'joined', { timeout: 20_000 });
  await expect(page.getByRole('status')).toContainText('Joined the overlay.');
  await expect(page.getByTestId('node-id')).toHaveText(/^[0-9a-f]{32}$/);
  await expect(page.getByTestId('user-name')).toHaveText(/^guest-[0-9a-f]{6}@chordphone\.local$/);
  await expect(page.getByRole('banner')).toBeVisible();
  await expect(page.getByRole('contentinfo')).toBeVisible();
  // The call screen (issue 6): the guest's address is registered, and calling is offered.
  await expect(page.getByTestId('phone-status')).toHaveAttribute('data-phase', 'ready', { timeout: 20_000 });
  await expect(page.getByRole('button', { name: 'Call', exact: true })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Download capture' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Decode' })).toBeVisible();

  // The favicon is requested by the browser on its own schedule; fetch it so a broken one shows up.
  const favicon = await page.request.get('/favicon.svg');
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()['content-type']).toBe('image/svg+xml');

  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: testInfo.outputPath('app-shell-desktop.png') });
  expect(problems).toEqual([]);
});

test('an app route deep link gets the app too', async ({ page }) => {
  const problems = watchForProblems(page);
  await page.goto('/call/alice');
  await expect(page.getByRole('heading', { level: 1, name: 'Chordphone' })).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(problems).toEqual([]);
});

test.describe('at phone width', () => {
  test.use({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });

  test('fits 390 px without horizontal scrolling', async ({ page }, testInfo) => {
    const problems = watchForProblems(page);
    await page.goto('/');
    await expect(page.getByRole('status')).toHaveAttribute('data-phase', 'joined', { timeout: 20_000 });
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    expect(clientWidth).toBe(390);
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    await page.screenshot({ path: testInfo.outputPath('app-shell-390.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
