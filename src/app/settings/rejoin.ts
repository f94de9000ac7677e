/**
 * Applying a setting that takes a new overlay (client mode, STUN/TURN for data-channel links): the
 * session joins again with the same user name (PhoneSession.join with `again`); a new overlay reads
 * the mode and the servers as it is made (overlay-mode.ts, settings-store.ts). The boot identity (a
 * guest), or a session with no user name yet, is made by the page load: that one reloads, and the
 * returning user (first-run/last-user.ts) or the guest is joined again at boot.
 */
import { localPart, type PhoneSession } from '../phone/phone-session.js';

export type RejoinOutcome = 'rejoined' | 'reloading';

export async function rejoinSession(session: PhoneSession, reload: () => void): Promise<RejoinOutcome> {
  const s = session.getSnapshot();
  if (s.guest || s.userName === undefined || s.phase === 'closed') {
    reload();
    return 'reloading';
  }
  await session.join(localPart(s.userName), { again: true });
  return 'rejoined';
}
