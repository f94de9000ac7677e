/**
 * System under test "Kamailio": two JsSIP pages (`kamailio-agent.ts`) registered as alice and bob
 * to a Kamailio started on loopback for the run (`kamailio.ts`).
 */
import type { Browser, Page } from 'playwright-core';
import { bundleKamailioAgent } from './bundles.js';
import { probedContext } from './browser.js';
import { findKamailio, startKamailio } from './kamailio.js';
import type { SystemStart } from './measure.js';
import { servePage } from './page-server.js';

async function joinAs(page: Page, user: string): Promise<void> {
  await page.getByRole('textbox', { name: 'User name', exact: true }).fill(user);
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await page.locator('[role=status][data-phase=registered]').waitFor({ timeout: 15_000 });
}

/** `quietMs`: the ICE readiness rule of the JsSIP pages (undefined: ready() at the first candidate). */
export async function startKamailioSystem(browser: Browser, probeScript: string, quietMs: number | undefined): Promise<SystemStart> {
  const install = findKamailio();
  if ('missing' in install) return { unavailable: install.missing };
  const cleanups: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  };
  try {
    const kamailio = await startKamailio(install);
    cleanups.push(() => kamailio.stop());
    const pages = await servePage(await bundleKamailioAgent());
    cleanups.push(() => pages.close());
    const url = `${pages.url}?ws=${encodeURIComponent(kamailio.wsUrl)}${quietMs === undefined ? '' : `&quietMs=${quietMs}`}`;
    const open = async (user: string) => {
      const context = await probedContext(browser, probeScript);
      cleanups.push(() => context.close());
      const page = await context.newPage();
      await page.goto(url);
      await joinAs(page, user);
      return page;
    };
    const caller = await open('alice');
    const callee = await open('bob');
    return { pair: { caller, callee, calleeAddress: 'bob' }, close };
  } catch (e) {
    await close();
    throw e;
  }
}
