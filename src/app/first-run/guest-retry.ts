/**
 * "Try again" of the first run (PhoneView.tsx): a guest whose overlay failed (a restart that could
 * not join again, every guest slot taken) has no name to correct, so it joins again as the guest
 * (PhoneSession.rejoinAsGuest). Apart from the view so that what the button does is tested.
 */
import type { PhoneSession, PhoneSessionSnapshot } from '../phone/phone-session.js';

/** What "Try again" does for the session in state `s`; undefined (no button) unless a guest's join failed. */
export function guestRetry(session: PhoneSession, s: Pick<PhoneSessionSnapshot, 'guest' | 'phase'>): (() => void) | undefined {
  if (!s.guest || s.phase !== 'failed') return undefined;
  // A rejoin that fails ends the session `failed` with the reason (phone-session.ts), which the
  // first run shows with "Try again" again: nothing more to do with the rejection here.
  return () => void session.rejoinAsGuest().catch(() => undefined);
}
