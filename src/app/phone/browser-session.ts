/**
 * The browser composition of the phone session: the tab's boot overlay, a new overlay per chosen
 * user name (its identity kept in IndexedDB under `<overlay>.user.<name>`, reused next time), the
 * Phone on whichever is in use (browser-phone.ts), one Node-ID per tab of a user name (device-slot.ts), and the
 * window.chordphone debug handle. A name chosen with "Join" is remembered once registered
 * (first-run/last-user.ts); `returningUser` joins with it at once (no guest step).
 */
import { createBrowserOverlay } from '../overlay/browser-overlay.js';
import { claimDeviceSlot, GUEST_DEVICE, userDevice } from '../overlay/device-slot.js';
import type { BootedOverlay } from '../overlay-boot.js';
import { startBrowserPhone } from './browser-phone.js';
import { installDebugHandle } from './debug-handle.js';
import { createPhoneSession, localPart, type PhoneSession } from './phone-session.js';
import { forgetLastUser, readLastUser, rememberUser } from '../first-run/last-user.js';

export function startBrowserPhoneSession(boot: Pick<BootedOverlay, 'overlay' | 'guestSlotReturned'>, pageUrl: string = location.href, returningUser?: string): PhoneSession {
  const session = createPhoneSession({
    overlay: boot.overlay,
    ...(returningUser === undefined ? {} : { userName: returningUser }),
    createOverlay: (name, slot) => createBrowserOverlay(pageUrl, { userName: () => name, credentialsName: (c) => `${c.instanceName}.user.${name}`, nodeIdSlot: slot }),
    startPhone: (joined) => startBrowserPhone(joined),
    claim: (name) => claimDeviceSlot(userDevice(name)),
    // "Try again" as the guest: the boot overlay's identity (browser-overlay.ts defaults) on a guest slot.
    guest: { claim: () => claimDeviceSlot(GUEST_DEVICE), createOverlay: (slot) => createBrowserOverlay(pageUrl, { nodeIdSlot: slot }), slotReturned: boot.guestSlotReturned },
  });
  installDebugHandle(session);
  let registered = false;
  session.subscribe(() => {
    const s = session.getSnapshot();
    if (s.phase === 'ready') registered = true;
    if (s.phase === 'ready' && !s.guest && s.userName) rememberUser(localPart(s.userName));
    // The boot join with the remembered name was refused as taken (the server's data was reset and
    // another key has the name now): the next visit starts with the first run instead of failing again.
    if (s.phase === 'failed' && !registered && returningUser !== undefined && readLastUser() === returningUser && /already taken/i.test(s.error ?? '')) forgetLastUser();
  });
  return session;
}

/** `/?call=bob`: whom the page offers to call in one click. */
export function callTargetOf(pageUrl: string = location.href): string | undefined {
  const target = new URL(pageUrl).searchParams.get('call')?.trim();
  return target ? target : undefined;
}
