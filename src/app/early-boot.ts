/**
 * What a page does first (issue 5: page load → joined ≤ 1 s): main.tsx imports this module before
 * anything else, so it runs before React's code is even evaluated. It asks for the overlay's own
 * chunk (overlay-boot.ts) and, for a guest's first join, for the overlay configuration (RFC 6940
 * §11.2) at once: both arrive while the shell is painted. Light: part of the initial JavaScript.
 */
import { readLastUser } from './first-run/last-user.js';
import { prefetchConfiguration } from './overlay/configuration-prefetch.js';
import { claimDeviceSlot, GUEST_DEVICE } from './overlay/device-slot.js';
import type { BootedOverlay } from './overlay-boot.js';

/** The name this browser last joined with (first-run/last-user.ts); undefined for a guest. */
export const returningUser: string | undefined = readLastUser();

// A returning user's session joins with its own overlay (phone-session.ts), made later: only the
// guest's boot overlay, which starts at once, takes the early answer.
const configuration = returningUser === undefined ? prefetchConfiguration(location.href) : undefined;
// The guest tab's Node-ID slot (device-slot.ts: a Web Lock, answered at once), claimed while the overlay's chunk loads.
const guestSlot = returningUser === undefined ? claimDeviceSlot(GUEST_DEVICE) : undefined;
// A failure shows through the overlay's start (overlay-boot.ts), never as unhandled.
guestSlot?.catch(() => undefined);

/** The tab's boot overlay (overlay-boot.ts), a guest's already joining, and when to run the session code. */
export const overlayBooting: Promise<BootedOverlay> = import('./overlay-boot.js').then(({ bootOverlay }) => bootOverlay(returningUser, location.href, configuration, guestSlot));
