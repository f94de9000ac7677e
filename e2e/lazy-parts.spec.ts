/**
 * Issue 7: the overlay, the phone, the ring view and the decoder load behind import() (main.tsx,
 * App.tsx, OverlayPanel.tsx); the overlay status, the ring view and the decoder are on the Overlay
 * view (`#/overlay`). When one of those chunks cannot be loaded (the network went away, or
 * the server was updated under an open tab), only that part says so, in plain words with the fix;
 * the rest of the page keeps working. The chunks are made to fail with a 404 here; the service
 * worker is blocked so every request reaches the test's route.
 */
import { expect, test } from './overlay-log.js';

test.use({ serviceWorkers: 'block' });

test('a ring view that cannot load leaves the overlay and the phone working', async ({ page }) => {
  await page.route(/\/assets\/RingView-[^/]*\.js$/, (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.goto('/#/overlay');
  await expect(page.getByRole('status')).toHaveAttribute('data-phase', 'joined', { timeout: 20_000 });
  await expect(page.getByRole('alert')).toHaveText('Could not load the ring view. Reload the page to get it.');
  await expect(page.getByTestId('phone-status')).toHaveAttribute('data-phase', 'ready', { timeout: 20_000 });
  await expect(page.getByRole('table', { name: 'Link table' })).toBeVisible();
});

test('when the overlay code cannot load, the shell says so and the decoder still works', async ({ page }) => {
  await page.route(/\/assets\/session-boot-[^/]*\.js$/, (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.goto('/#/overlay');
  await expect(page.getByRole('heading', { level: 1, name: 'Chordphone' })).toBeVisible();
  await expect(page.getByRole('status')).toHaveAttribute('data-phase', 'failed');
  await expect(page.getByRole('status')).toContainText('did not load. Reload the page to try again.');
  await expect(page.getByRole('alert')).toHaveText('Could not load the phone. Reload the page to get it.');
  await expect(page.getByRole('button', { name: 'Decode' })).toBeVisible();
  // The navigation still works; the other views say they could not load, once, without a second alert.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Phone' }).click();
  await expect(page.getByRole('main')).toContainText('The app’s code did not load. Reload the page to try again.');
  await expect(page.getByRole('alert')).toHaveCount(1);
});
