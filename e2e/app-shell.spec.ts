import { expect, test, type Page } from './overlay-log.js';

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

const VIEW_LABELS = ['Phone', 'Contacts', 'History', 'Chat', 'Overlay', 'Settings'];

test('the app shell says what Chordphone is, joins the overlay, and navigates between its views', async ({ page }) => {
  const problems = watchForProblems(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

  await expect(page).toHaveTitle('Chordphone');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1, name: 'Chordphone' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('RELOAD overlay (RFC 6940)');
  await expect(page.getByRole('main')).toContainText('calls other people by address');
  await expect(page.getByRole('banner')).toBeVisible();
  await expect(page.getByRole('contentinfo')).toBeVisible();

  // The main navigation: one link per view, the open one marked.
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link')).toHaveText(VIEW_LABELS);
  await expect(nav.getByRole('link', { name: 'Phone' })).toHaveAttribute('aria-current', 'page');

  // The phone (issue 6): the guest's address is registered; the header says so; the first run asks for a name.
  await expect(page.getByTestId('phone-status')).toHaveAttribute('data-phase', 'ready', { timeout: 20_000 });
  await expect(page.getByRole('banner').getByTestId('phone-aor')).toHaveText(/^guest-[0-9a-f]{6}@chordphone\.local$/);
  await expect(page.getByRole('textbox', { name: 'User name', exact: true })).toBeEditable();
  await expect(page.getByRole('button', { name: 'Join', exact: true })).toBeVisible();
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: 'e2e/screenshots/app-shell-desktop.png', fullPage: true });

  // The Overlay view, by keyboard: the status view tells the truth (it joins for real, or says why not).
  await nav.getByRole('link', { name: 'Overlay' }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/overlay$/);
  await expect(nav.getByRole('link', { name: 'Overlay' })).toHaveAttribute('aria-current', 'page');
  await expect(nav.getByRole('link', { name: 'Phone' })).not.toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('status')).toHaveAttribute('data-phase', 'joined', { timeout: 20_000 });
  await expect(page.getByRole('status')).toContainText('Joined the overlay.');
  await expect(page.getByTestId('node-id')).toHaveText(/^[0-9a-f]{32}$/);
  await expect(page.getByTestId('user-name')).toHaveText(/^guest-[0-9a-f]{6}@chordphone\.local$/);
  await expect(page.getByRole('button', { name: 'Download capture' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Decode' })).toBeVisible();
  // Only the open view is on the page.
  await expect(page.getByRole('textbox', { name: 'User name', exact: true })).toHaveCount(0);

  // Every view has its route; Back returns to the view before.
  for (const label of ['Contacts', 'History', 'Chat', 'Settings']) {
    await nav.getByRole('link', { name: label }).click();
    await expect(page).toHaveURL(new RegExp(`#/${label.toLowerCase()}$`));
    await expect(nav.getByRole('link', { name: label })).toHaveAttribute('aria-current', 'page');
    await expect(page.getByRole('main').getByRole('heading', { level: 2 }).first()).toBeVisible();
  }
  await page.goBack();
  await expect(nav.getByRole('link', { name: 'Chat' })).toHaveAttribute('aria-current', 'page');
  // The phone stays registered while the views change (one session for the page).
  await expect(page.getByTestId('phone-status')).toHaveAttribute('data-phase', 'ready');

  // The favicon is requested by the browser on its own schedule; fetch it so a broken one shows up.
  const favicon = await page.request.get('/favicon.svg');
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()['content-type']).toBe('image/svg+xml');
  expect(problems).toEqual([]);
});

test('an app route deep link gets the app too', async ({ page }) => {
  const problems = watchForProblems(page);
  await page.goto('/call/alice');
  await expect(page.getByRole('heading', { level: 1, name: 'Chordphone' })).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(problems).toEqual([]);
});

test('a hash route opens its view at once', async ({ page }) => {
  await page.goto('/#/history');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('main').getByRole('heading', { name: 'History' }).first()).toBeVisible();
});

test.describe('at phone width', () => {
  test.use({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });

  test('fits 390 px without horizontal scrolling, the navigation at the bottom', async ({ page }) => {
    const problems = watchForProblems(page);
    await page.goto('/');
    await expect(page.getByTestId('phone-status')).toHaveAttribute('data-phase', 'ready', { timeout: 20_000 });
    const nav = page.getByRole('navigation', { name: 'Main' });
    // A bottom bar: every view one tap away, inside the screen.
    const box = (await nav.boundingBox())!;
    expect(box.y + box.height).toBeCloseTo(844, 0);
    expect(box.width).toBe(390);
    const noScroll = async () => {
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
      expect(clientWidth).toBe(390);
      expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    };
    await noScroll();
    await page.screenshot({ path: 'e2e/screenshots/app-shell-phone.png', fullPage: true });
    await nav.getByRole('link', { name: 'Overlay' }).tap();
    await expect(page.getByRole('status')).toHaveAttribute('data-phase', 'joined', { timeout: 20_000 });
    await noScroll();
    await page.screenshot({ path: 'e2e/screenshots/overlay-phone.png', fullPage: true });
    expect(problems).toEqual([]);
  });
});
