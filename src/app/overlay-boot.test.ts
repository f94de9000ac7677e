/**
 * The overlay half of the boot (overlay-boot.ts, issue 5): a guest's boot overlay starts joining
 * at once and is `window.chordphone.overlay` from then on; a returning user's is never started.
 * `sessionCodeDue` (when main.tsx runs the session code) waits while the overlay's own start works
 * (configuration, identity, join), and no longer than SESSION_CODE_MAX_WAIT_MS.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OVERLAY_CODE_MARK } from './boot-marks.js';
import { bootOverlay, SESSION_CODE_MAX_WAIT_MS } from './overlay-boot.js';
import { prefetchConfiguration } from './overlay/configuration-prefetch.js';
import { claimDeviceSlot, GUEST_DEVICE, GuestSlotsTakenError, MAX_DEVICE_SLOTS } from './overlay/device-slot.js';
import { FakeWebLocks } from '../reload/testing/fake-web-locks.js';
import { ManualClock } from '../reload/testing/manual-clock.js';
import { createBrowserOverlay, type BrowserOverlayOptions } from './overlay/browser-overlay.js';
import type { Overlay } from './overlay/overlay.js';

const PAGE = 'http://127.0.0.1:9/';
const g = globalThis as { chordphone?: { overlay?: Overlay } };
const made: Overlay[] = [];

afterEach(() => {
  for (const o of made.splice(0)) o.close();
  delete g.chordphone;
});

/** Whether `p` settles within `ms`. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void p.then(() => (settled = true));
  await new Promise((r) => setTimeout(r, ms));
  return settled;
}

describe('bootOverlay', () => {
  it('leaves a returning user’s overlay unstarted, and the session code is due at once', async () => {
    const { overlay, sessionCodeDue } = bootOverlay('alice', PAGE);
    made.push(overlay);
    expect(overlay.getSnapshot().phase).toBe('idle');
    expect(await settlesWithin(sessionCodeDue, 20)).toBe(true);
    expect(g.chordphone?.overlay).toBeUndefined();
  });

  it('starts a guest’s overlay with the early configuration request, and holds the session code until that start has ended', async () => {
    let answer!: (r: Response) => void;
    const asked: string[] = [];
    const prefetch = prefetchConfiguration(PAGE, (url) => {
      asked.push(url);
      return new Promise<Response>((resolve) => (answer = resolve));
    });
    // This test's own stand-in for the origin's Web Locks (Node has navigator.locks from 22 on).
    const { overlay, sessionCodeDue } = bootOverlay(undefined, PAGE, prefetch, claimDeviceSlot(GUEST_DEVICE, new FakeWebLocks().tab('this')));
    made.push(overlay);
    expect(g.chordphone?.overlay).toBe(overlay);
    expect(performance.getEntriesByName(OVERLAY_CODE_MARK, 'mark').length).toBeGreaterThan(0);
    // Once the tab's guest slot is claimed (at once: slot 0, free).
    await vi.waitFor(() => expect(overlay.getSnapshot().phase).toBe('configuring'));
    expect(await settlesWithin(sessionCodeDue, 50)).toBe(false);
    // The server answers something that is not a configuration: the start fails, the session code (which shows why) is due.
    answer(new Response('not here', { status: 404 }));
    await sessionCodeDue;
    expect(overlay.getSnapshot().phase).toBe('failed');
    expect(overlay.getSnapshot().error).toContain('HTTP 404');
    // The overlay took the early answer: it asked nothing else.
    expect(asked).toEqual(['http://127.0.0.1:9/.well-known/reload-config']);
  });

  it('a guest tab finding every guest slot of the browser held does not join, and says why and what to do', async () => {
    const locks = new FakeWebLocks();
    for (let tab = 0; tab < MAX_DEVICE_SLOTS; tab++) await claimDeviceSlot(GUEST_DEVICE, locks.tab(`other-${tab}`));
    const asked: string[] = [];
    const prefetch = prefetchConfiguration(PAGE, async (url) => (asked.push(url), new Response('not here', { status: 404 })));
    const { overlay, sessionCodeDue } = bootOverlay(undefined, PAGE, prefetch, claimDeviceSlot(GUEST_DEVICE, locks.tab('this')));
    made.push(overlay);
    await expect(overlay.start()).rejects.toBeInstanceOf(GuestSlotsTakenError);
    await sessionCodeDue;
    const s = overlay.getSnapshot();
    expect(s.phase).toBe('failed');
    expect(s.error).toBe(new GuestSlotsTakenError().message);
    expect(s.error).toMatch(/already open as a guest in \d+ other tabs of this browser.*Close another Chordphone tab/);
    expect(s.nodeId).toBeUndefined();
  });

  it('gives the guest slot back when the guest’s overlay closes (a switch to a user name, the tab going away), once that close has ended', async () => {
    const locks = new FakeWebLocks();
    let answer!: (r: Response) => void;
    const prefetch = prefetchConfiguration(PAGE, () => new Promise<Response>((resolve) => (answer = resolve)));
    // The browser's overlay, whose close ends once its peer has left (RFC 6940 §10.9) and its
    // records are closed: here held open by the test, as a leave that waits for its answer.
    let left!: () => void;
    const leaving = new Promise<void>((resolve) => (left = resolve));
    const withSlowLeave = (url: string, options: BrowserOverlayOptions): Overlay => {
      const real = createBrowserOverlay(url, options);
      const close = real.close.bind(real);
      return Object.assign(real, { close: () => close().then(() => leaving) });
    };
    const { overlay, guestSlotReturned } = bootOverlay(undefined, PAGE, prefetch, claimDeviceSlot(GUEST_DEVICE, locks.tab('this')), withSlowLeave);
    made.push(overlay);
    await vi.waitFor(() => expect(overlay.getSnapshot().phase).toBe('configuring'));
    expect(locks.names()).toEqual(['chordphone-guest-0']);
    const closed = overlay.close();
    expect(overlay.getSnapshot().phase).toBe('closed');
    // The early configuration request hangs: the close ends the start's wait for it (the start's
    // signal), so the start ends without the server's answer.
    await expect(overlay.start()).rejects.toThrow();
    // Still closing: the peer may still be on the ring with slot 0's Node-ID, so a tab loading now gets another.
    await new Promise((r) => setTimeout(r, 20));
    expect(locks.names()).toEqual(['chordphone-guest-0']);
    expect((await claimDeviceSlot(GUEST_DEVICE, locks.tab('next')))?.slot).toBe(1);
    expect(await settlesWithin(guestSlotReturned, 0)).toBe(false);
    left();
    await closed;
    // Settled once the slot is free (the phone session's "Try again" as the guest claims then).
    await guestSlotReturned;
    expect(locks.names()).toEqual(['chordphone-guest-1']);
    expect(overlay.getSnapshot().phase).toBe('closed');
    expect((await claimDeviceSlot(GUEST_DEVICE, locks.tab('third')))?.slot).toBe(0);
    // Its late answer changes nothing.
    answer(new Response('not here', { status: 404 }));
    await new Promise((r) => setTimeout(r, 0));
    expect(overlay.getSnapshot().phase).toBe('closed');
  });

  it(`does not hold the session code longer than ${SESSION_CODE_MAX_WAIT_MS} ms of its clock`, async () => {
    // The cap is counted on the injected clock, not in a loaded machine's time.
    const clock = new ManualClock();
    const prefetch = prefetchConfiguration(PAGE, () => new Promise<Response>(() => {}));
    const { overlay, sessionCodeDue } = bootOverlay(undefined, PAGE, prefetch, claimDeviceSlot(GUEST_DEVICE, new FakeWebLocks().tab('this')), createBrowserOverlay, clock);
    made.push(overlay);
    let due = false;
    void sessionCodeDue.then(() => (due = true));
    clock.advance(SESSION_CODE_MAX_WAIT_MS - 1);
    await new Promise((r) => setTimeout(r, 0));
    expect(due).toBe(false);
    clock.advance(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(due).toBe(true);
    expect(overlay.getSnapshot().phase).toBe('configuring');
  });
});
