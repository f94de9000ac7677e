/**
 * The browser composition of the phone session: the tab's boot overlay, a new overlay per chosen
 * user name (its identity kept in IndexedDB under `<overlay>.user.<name>`, reused next time), the
 * Phone on whichever is in use (browser-phone.ts), one Node-ID per tab of a user name (Web Locks), and the
 * window.chordphone debug handle. A name chosen with "Join" is remembered once registered
 * (first-run/last-user.ts); `returningUser` joins with it at once (no guest step).
 */
import { createBrowserOverlay } from '../overlay/browser-overlay.js';
import type { Overlay } from '../overlay/overlay.js';
import { startBrowserPhone } from './browser-phone.js';
import { installDebugHandle } from './debug-handle.js';
import { createPhoneSession, localPart, type NameClaim, type PhoneSession } from './phone-session.js';
import { forgetLastUser, readLastUser, rememberUser } from '../first-run/last-user.js';

export function startBrowserPhoneSession(overlay: Overlay, pageUrl: string = location.href, returningUser?: string): PhoneSession {
  const session = createPhoneSession({
    overlay,
    ...(returningUser === undefined ? {} : { userName: returningUser }),
    createOverlay: (name, slot) => createBrowserOverlay(pageUrl, { userName: () => name, credentialsName: (c) => `${c.instanceName}.user.${name}`, nodeIdSlot: slot }),
    startPhone: (joined) => startBrowserPhone(joined),
    claim: (name) => claimUserName(name),
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
