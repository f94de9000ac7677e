/**
 * The browser composition of the phone session: the tab's boot overlay, a new overlay per chosen
 * user name (its identity kept in IndexedDB under `<overlay>.user.<name>`, reused next time), the
 * Phone on whichever is in use (browser-phone.ts), one Node-ID per tab of a user name (Web Locks), and the
 * window.chordphone debug handle.
 */
import { createBrowserOverlay } from '../overlay/browser-overlay.js';
import type { Overlay } from '../overlay/overlay.js';
import { startBrowserPhone } from './browser-phone.js';
import { installDebugHandle } from './debug-handle.js';
import { createPhoneSession, type NameClaim, type PhoneSession } from './phone-session.js';

export function startBrowserPhoneSession(overlay: Overlay, pageUrl: string = location.href): PhoneSession {
  const session = createPhoneSession({
    overlay,
    createOverlay: (name, slot) => createBrowserOverlay(pageUrl, { userName: () => name, credentialsName: (c) => `${c.instanceName}.user.${name}`, nodeIdSlot: slot }),
    startPhone: (joined) => startBrowserPhone(joined),
    claim: (name) => claimUserName(name),
  });
  installDebugHandle(session);
  return session;
}

/** `/?call=bob`: whom the page offers to call in one click. */
export function callTargetOf(pageUrl: string = location.href): string | undefined {
  const target = new URL(pageUrl).searchParams.get('call')?.trim();
  return target ? target : undefined;
}

/** Devices (tabs) of one user name per browser; the enrollment server gives up to 8 Node-IDs per certificate. */
const MAX_SLOTS = 4;

/**
 * A device slot of `name` for this tab (Web Locks): tabs share IndexedDB and so the user's key;
 * each takes its own Node-ID of the certificate (slot N = the N+1th Node-ID), else two tabs would
 * join with the same Node-ID. A lock is held until released or the tab goes away, so a reloaded
 * tab gets its slot (and Node-ID) back.
 */
async function claimUserName(name: string): Promise<NameClaim | undefined> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return { slot: 0, release: () => {} };
  for (let slot = 0; slot < MAX_SLOTS; slot++) {
    const release = await new Promise<(() => void) | undefined>((resolve) => {
      void locks.request(`chordphone-user-${name}-${slot}`, { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(undefined);
          return undefined;
        }
        return new Promise<void>((done) => resolve(() => done()));
      });
    });
    if (release) return { slot, release };
  }
  return undefined;
}
