/**
 * Layout-shift measurement for e2e specs (issue 7: "no layout shift while joining"): the browser's
 * own Layout Instability API, every shift from the first paint on (none caused by input), summed
 * into the Cumulative Layout Shift. Used by layout-shift.spec.ts and first-run.spec.ts (a returning
 * user's boot).
 */
import type { Page } from '@playwright/test';

export const MAX_CLS = 0.05;

/** Collects every layout shift (and what moved) from the first paint on, in the page. */
export async function watchShifts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen = { shifts: [] as number[], sources: [] as string[] };
    (globalThis as unknown as { __layoutShifts: typeof seen }).__layoutShifts = seen;
    type Shift = PerformanceEntry & { value: number; hadRecentInput: boolean; sources?: { node?: Node; previousRect: DOMRectReadOnly; currentRect: DOMRectReadOnly }[] };
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as Shift[]) {
        if (entry.hadRecentInput) continue;
        seen.shifts.push(entry.value);
        for (const s of entry.sources ?? []) {
          const what = s.node instanceof Element ? s.node.outerHTML.slice(0, 80) : (s.node?.nodeName ?? '?');
          seen.sources.push(`${entry.value.toFixed(4)} ${what}: y ${Math.round(s.previousRect.y)} → ${Math.round(s.currentRect.y)}, height ${Math.round(s.previousRect.height)} → ${Math.round(s.currentRect.height)}`);
        }
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

/** The Cumulative Layout Shift so far; what moved is printed when it is over the bar. */
export async function cumulativeShift(page: Page, what: string): Promise<number> {
  const { shifts, sources } = await page.evaluate(() => (globalThis as unknown as { __layoutShifts: { shifts: number[]; sources: string[] } }).__layoutShifts);
  const total = shifts.reduce((a, b) => a + b, 0);
  console.log(`layout shift while joining, ${what}: ${total.toFixed(4)} (${shifts.length} shift(s))`);
  if (total >= MAX_CLS) console.log(sources.join('\n'));
  return total;
}

