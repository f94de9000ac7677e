/**
 * The overlay half of the boot (issue 5: page load → joined ≤ 1 s), loaded by early-boot.ts behind
 * its own `import()` as the page's first request for code: the tab's overlay code without the
 * phone (JsSIP), the views or React parts, so a first visit starts joining as soon as this smaller
 * chunk has run instead of after the whole session chunk. session-boot.tsx takes the overlay from here.
 */
import { systemClock } from '../platform/system-clock.js';
import type { Clock } from '../reload/runtime/components.js';
import { OVERLAY_CODE_MARK } from './boot-marks.js';
import { createBrowserOverlay, type BrowserOverlayOptions } from './overlay/browser-overlay.js';
import type { ConfigurationPrefetch } from './overlay/configuration-prefetch.js';
import { claimDeviceSlot, GUEST_DEVICE, GuestSlotsTakenError, releaseWhenClosed, type DeviceSlot } from './overlay/device-slot.js';
import type { Overlay } from './overlay/overlay.js';
import type { ChordphoneDebugHandle } from './phone/debug-handle.js';

/**
 * The longest the session code waits for the boot overlay's join (`sessionCodeDue`): a slow
 * enrollment server or overlay must not keep the live first-run view away for long.
 */
export const SESSION_CODE_MAX_WAIT_MS = 1_000;

export interface BootedOverlay {
  readonly overlay: Overlay;
  /**
   * When to run the session code (session-boot.tsx: the phone, JsSIP, the views; 100–250 ms of
   * script on a first visit): once the overlay has joined (its Phone registers right after, as
   * before) or failed, at once when it is not starting (a returning user's), or after
   * SESSION_CODE_MAX_WAIT_MS. Running it earlier would delay the join (issue 5); until then the
   * shell shows the first run's placeholder (BootPlaceholders.tsx).
   */
  readonly sessionCodeDue: Promise<void>;
  /**
   * Settles once the guest device slot the boot overlay joined with is free again (its overlay
   * closed: releaseWhenClosed); at once for a returning user (no guest slot). The phone session's
   * "Try again" as the guest claims a guest slot after it (phone-session.ts).
   */
  readonly guestSlotReturned: Promise<void>;
}

/**
 * The tab's boot overlay. A guest (no `returningUser`, first-run/last-user.ts) starts joining at
 * once; a returning user's boot overlay is never started (phone-session.ts joins with the
 * remembered name instead). A failure is shown by the phone session, which waits on the same start.
 * `configuration`: the configuration document already asked for (early-boot.ts).
 *
 * The guest's identity (key and certificate under the overlay's instance-name) is shared by the
 * browser's tabs: the tab joins with the Node-ID of the guest device slot it holds (`guestSlot`,
 * claimed by early-boot.ts; device-slot.ts), as a named user's tabs do, and gives the slot back
 * when its overlay has closed (a switch to a user name, the tab going away). With every slot taken
 * the start fails with GuestSlotsTakenError, shown by the phone session. `makeOverlay`: the
 * browser's overlay (tests give one whose close they hold open); `clock`: what times
 * SESSION_CODE_MAX_WAIT_MS (tests give a virtual one).
 */
export function bootOverlay(
  returningUser: string | undefined,
  pageUrl: string = location.href,
  configuration?: ConfigurationPrefetch,
  guestSlot?: Promise<DeviceSlot | undefined>,
  makeOverlay: (pageUrl: string, options: BrowserOverlayOptions) => Overlay = createBrowserOverlay,
  clock: Pick<Clock, 'setTimer'> = systemClock,
): BootedOverlay {
  // When the overlay's code had arrived and run (bench/overlay-join.ts reports it).
  performance.mark(OVERLAY_CODE_MARK);
  if (returningUser === undefined) {
    const claim = guestSlot ?? claimDeviceSlot(GUEST_DEVICE);
    const nodeIdSlot = claim.then((held) => {
      if (!held) throw new GuestSlotsTakenError();
      return held.slot;
    });
    // Handled by the start (a failed overlay), never as unhandled.
    nodeIdSlot.catch(() => undefined);
    const overlay = makeOverlay(pageUrl, { ...(configuration ? { configuration } : {}), nodeIdSlot });
    let returned!: (done: Promise<void>) => void;
    const guestSlotReturned = new Promise<void>((resolve) => (returned = resolve));
    const unsubscribe = overlay.subscribe(() => {
      if (overlay.getSnapshot().phase !== 'closed') return;
      unsubscribe();
      // Once the close has finished (`closed` shows at once), as a user name's (phone-session.ts).
      returned(releaseWhenClosed(overlay.close(), claim));
    });
    // Verifying, making a key, enrolling and the join's signatures and WebRTC set-ups all run on
    // this thread; the session code (100–250 ms of script) waits for that start to end, joined or
    // failed, at most SESSION_CODE_MAX_WAIT_MS (measured: run meanwhile, it slowed the join ~200 ms).
    const started = overlay.start().catch(() => undefined);
    // A tab closed before the session code has run (that closes the session, session-boot.tsx)
    // still closes its peer, so its links go down at once and its neighbours repair (§10.7.1).
    globalThis.addEventListener?.('pagehide', () => overlay.close(), { once: true });
    // `window.chordphone.overlay` (debug-handle.ts) from now on, not only once the phone session has loaded.
    const g = globalThis as { chordphone?: Partial<ChordphoneDebugHandle> };
    (g.chordphone ??= {}).overlay = overlay;
    return { overlay, sessionCodeDue: Promise.race([started, new Promise<void>((r) => clock.setTimer(SESSION_CODE_MAX_WAIT_MS, r))]), guestSlotReturned };
  }
  return { overlay: makeOverlay(pageUrl, configuration ? { configuration } : {}), sessionCodeDue: Promise.resolve(), guestSlotReturned: Promise.resolve() };
}
