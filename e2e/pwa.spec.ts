/**
 * Issue 7, "installable as a PWA (manifest, service worker for the app shell)": index.html links
 * the manifest, theme colour and touch icon; the production build registers public/sw.js
 * (src/app/pwa/register-service-worker.ts from main.tsx), which takes control of the page and
 * precaches the shell, so a reload without the network still paints the app.
 */
import { expect, test } from './overlay-log.js';

test('the app is installable: manifest, icons, and a service worker that serves the shell offline', async ({ page, context }) => {
  await page.goto('/#/overlay');
  await expect(page.locator('meta[name="theme-color"]')).toHaveAttribute('content', '#0b3d91');
  const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(manifestHref).toBe('/manifest.webmanifest');
  const manifest = (await (await page.request.get(manifestHref!)).json()) as { name: string; start_url: string; display: string; icons: { src: string; sizes: string }[] };
  expect(manifest).toMatchObject({ name: 'Chordphone', start_url: '/', display: 'standalone' });
  expect(manifest.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
  const touchIcon = await page.locator('link[rel="apple-touch-icon"]').getAttribute('href');
  for (const src of [touchIcon!, ...manifest.icons.map((i) => i.src)]) expect((await page.request.get(src)).status(), src).toBe(200);

  // The worker installs (its precache of the shell succeeded), activates and controls this page.
  const scriptUrl = await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL);
  expect(scriptUrl).toMatch(/\/sw\.js$/);
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  // The app works with the worker in control: it joins.
  await expect(page.getByRole('status')).toHaveAttribute('data-phase', 'joined', { timeout: 20_000 });

  // Without the network the shell still comes (from the worker's cache); joining then says it cannot.
  await context.setOffline(true);
  try {
    const response = await page.reload();
    expect(response?.fromServiceWorker()).toBe(true);
    await expect(page.getByRole('heading', { level: 1, name: 'Chordphone' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Overlay', exact: true })).toBeVisible();
  } finally {
    await context.setOffline(false);
  }
});
