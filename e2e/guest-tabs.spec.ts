/**
 * Guest tabs of one browser (one browser context: one origin, one IndexedDB, so one stored guest
 * key and certificate): each tab joins the overlay with its own Node-ID of that certificate, as a
 * named user's tabs do (browser-session.ts), never two with one (RFC 6940 §10: each Node-ID has one
 * place on the ring; a second Join with it takes the first's place). The guest enrolls once for
 * every slot's Node-ID (browser-overlay.ts `enrollNodeIds`): a tab opened later reuses what was
 * stored, and the guest keeps its name (its address) and each tab its Node-ID across tabs and
 * reloads (peer-identity.ts). Two tabs opened at once with nothing stored yet both enroll, each
 * under a name of its own: the credentials saved last are the browser's guest from then on (the
 * other tab takes them at its next load). A reloaded tab gets a slot again. When every guest slot
 * of the browser is taken, the tab says what is wrong and what to do, and does not join; once a
 * slot is free, its "Try again" joins.
 */
import { expect, test, type Page } from './overlay-log.js';
import { MAX_DEVICE_SLOTS, deviceSlotLockName, GUEST_DEVICE } from '../src/app/overlay/device-slot.js';
import { overlaySnapshot, phoneReady } from './phone-steps.js';

test.describe.configure({ timeout: 150_000 });

/** The guest tab's Node-ID once its phone is registered (the overlay joined). */
async function guestNodeId(page: Page): Promise<string> {
  await phoneReady(page);
  const s = await overlaySnapshot(page);
  expect(s.phase).toBe('joined');
  expect(s.nodeId).toMatch(/^[0-9a-f]{32}$/);
  return s.nodeId!;
}

test('guest tabs of one browser each join with their own Node-ID: two opened at once, a third later, one reloaded', async ({ browser }) => {
  const context = await browser.newContext();
  const [a, b] = await Promise.all([context.newPage(), context.newPage()]);
  // Opened at once with nothing stored: both make a key and enroll.
  await Promise.all([a.goto('/'), b.goto('/')]);
  const [idA, idB] = await Promise.all([guestNodeId(a), guestNodeId(b)]);
  expect(idA).not.toBe(idB);

  // Opened later: the stored guest key and certificate (one of the two enrolled), another Node-ID of it.
  const c = await context.newPage();
  await c.goto('/');
  const idC = await guestNodeId(c);
  expect([idA, idB]).not.toContain(idC);
  expect((await overlaySnapshot(c)).reusedIdentity).toBe(true);

  // A reload gets a slot again, still none another tab uses.
  await b.reload();
  const idB2 = await guestNodeId(b);
  expect([idA, idC]).not.toContain(idB2);
  await context.close();
});

test('a guest keeps its name and each tab its Node-ID: a tab opened later reuses the stored identity, and tabs reloaded after it keep theirs', async ({ browser }) => {
  const context = await browser.newContext();
  const first = await context.newPage();
  await first.goto('/');
  const id1 = await guestNodeId(first);
  const s1 = await overlaySnapshot(first);
  expect(s1.userName).toMatch(/^guest-[0-9a-f]{6}@/);

  // A second guest tab (slot 1): the stored certificate already carries its Node-ID, same guest.
  const second = await context.newPage();
  await second.goto('/');
  const id2 = await guestNodeId(second);
  const s2 = await overlaySnapshot(second);
  expect(id2).not.toBe(id1);
  expect(s2.reusedIdentity).toBe(true);
  expect(s2.userName).toBe(s1.userName);

  // Reloaded after the second tab opened: the first keeps its Node-ID and address (and so its records).
  await first.reload();
  expect(await guestNodeId(first)).toBe(id1);
  expect((await overlaySnapshot(first)).userName).toBe(s1.userName);
  await second.reload();
  expect(await guestNodeId(second)).toBe(id2);
  expect((await overlaySnapshot(second)).userName).toBe(s1.userName);
  await context.close();
});

test('a guest tab finding every guest slot of the browser taken says so and what to do, joins no slot meanwhile, and joins with Try again once another tab has closed', async ({ browser }) => {
  const context = await browser.newContext();
  const holder = await context.newPage();
  await holder.goto('/');
  await guestNodeId(holder);
  // The holder's page also takes every other guest slot (as that many more guest tabs would).
  const names = Array.from({ length: MAX_DEVICE_SLOTS }, (_, slot) => deviceSlotLockName(GUEST_DEVICE, slot));
  await holder.evaluate(async (lockNames) => {
    for (const name of lockNames) {
      await new Promise<void>((taken) => void navigator.locks.request(name, { ifAvailable: true }, (lock) => (taken(), lock ? new Promise<void>(() => {}) : undefined)));
    }
  }, names);

  const late = await context.newPage();
  await late.goto('/');
  await expect(late.getByTestId('phone-status')).toHaveAttribute('data-phase', 'failed', { timeout: 20_000 });
  await expect(late.getByTestId('phone-error')).toContainText(/already open as a guest in \d+ other tabs of this browser/);
  await expect(late.getByTestId('phone-error')).toContainText('Close another Chordphone tab');
  const s = await overlaySnapshot(late);
  expect(s.phase).toBe('failed');
  expect(s.nodeId).toBeUndefined();

  // Once a tab closes, "Try again" joins, without a reload (phone-session.ts rejoinAsGuest): the
  // browser frees the closed page's locks as it tears the page down, so wait for a free slot first.
  await holder.close();
  await expect
    .poll(
      () =>
        late.evaluate(async (lockNames) => {
          const { held = [] } = await navigator.locks.query();
          return lockNames.some((name) => !held.some((lock) => lock.name === name));
        }, names),
      { timeout: 20_000 },
    )
    .toBe(true);
  await late.getByTestId('guest-retry').click();
  await guestNodeId(late);
  expect((await overlaySnapshot(late)).reusedIdentity).toBe(true);
  await context.close();
});
