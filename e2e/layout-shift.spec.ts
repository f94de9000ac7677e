/**
 * Issue 7's quality bar "no layout shift while joining": the first paint (main.tsx) shows the shell
 * with placeholders in reserved slots (App.tsx, boot-slots.css) while the overlay and phone code
 * loads behind import(), then the real panels; the ring view's room is kept before it draws. The
 * browser's own Layout Instability API adds up every shift from the first paint until the phone is
 * ready; the total (the Cumulative Layout Shift of the join) must stay under 0.05 ("good" is
 * under 0.1) at desktop and phone sizes.
 */
import { expect, test } from '@playwright/test';

const MAX_CLS = 0.05;

for (const viewport of [
  { width: 1280, height: 720 },
  { width: 390, height: 844 },
]) {
  test(`joining does not move the page at ${viewport.width} px`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await page.addInitScript(() => {
      const shifts: number[] = [];
      (globalThis as unknown as { __layoutShifts: number[] }).__layoutShifts = shifts;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) if (!entry.hadRecentInput) shifts.push(entry.value);
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.goto('/');
    await expect(page.getByRole('status')).toHaveAttribute('data-phase', 'joined', { timeout: 20_000 });
    await expect(page.getByTestId('phone-status')).toHaveAttribute('data-phase', 'ready', { timeout: 20_000 });
    await expect(page.getByRole('table', { name: /Neighbours of this peer/ })).toBeAttached();
    const shifts = await page.evaluate(() => (globalThis as unknown as { __layoutShifts: number[] }).__layoutShifts);
    const cls = shifts.reduce((a, b) => a + b, 0);
    console.log(`layout shift while joining at ${viewport.width} px: ${cls.toFixed(4)} (${shifts.length} shift(s))`);
    expect(cls).toBeLessThan(MAX_CLS);
  });
}
