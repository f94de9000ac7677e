/**
 * Issue 7's quality bar "no layout shift while joining": the first paint (main.tsx) shows the shell
 * with placeholders in reserved slots (App.tsx, boot-slots.css; the Phone view's placeholder is the
 * first run's own markup, BootPlaceholders.tsx) while the overlay and phone code loads behind
 * import(), then the real parts; the join's steps keep their height as they change; the ring
 * view's room is kept before it draws. The browser's own Layout Instability API adds up every
 * shift from the first paint until the phone is ready (the Phone view, where a new visitor lands)
 * and until the ring is drawn (the Overlay view); each total (the Cumulative Layout Shift of the
 * join) must stay under 0.05 ("good" is under 0.1) at desktop and phone sizes.
 */
import { expect, test } from './overlay-log.js';
import { cumulativeShift, MAX_CLS, watchShifts } from './layout-shifts.js';

for (const viewport of [
  { width: 1280, height: 720 },
  { width: 390, height: 844 },
]) {
  test(`joining does not move the page at ${viewport.width} px`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await watchShifts(page);
    // The Phone view (a new visitor's first run): from the first paint until the phone is registered.
    await page.goto('/');
    await expect(page.getByTestId('phone-status')).toHaveAttribute('data-phase', 'ready', { timeout: 20_000 });
    await expect(page.locator('[data-testid="join-steps"] [data-step="registered"]')).toHaveAttribute('data-state', 'done');
    expect(await cumulativeShift(page, `Phone view at ${viewport.width} px`)).toBeLessThan(MAX_CLS);

    // The Overlay view: until joined and the ring view is drawn.
    await page.goto('/#/overlay');
    await page.reload();
    await expect(page.getByRole('status')).toHaveAttribute('data-phase', 'joined', { timeout: 20_000 });
    await expect(page.getByTestId('phone-status')).toHaveAttribute('data-phase', 'ready', { timeout: 20_000 });
    await expect(page.getByRole('table', { name: /Neighbours of this peer/ })).toBeAttached();
    expect(await cumulativeShift(page, `Overlay view at ${viewport.width} px`)).toBeLessThan(MAX_CLS);
  });
}
