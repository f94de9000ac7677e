/**
 * Applying a setting that takes a new overlay (client mode, STUN/TURN for data-channel links): the
 * session joins again as the same identity on a new overlay, which reads the mode and the servers
 * as it is made (overlay-mode.ts, settings-store.ts; browser-network.ts reads the servers when its
 * network is made): a user name with PhoneSession.join and `again`, the guest with
 * PhoneSession.rejoinAsGuest (a guest device slot claimed again once the old overlay has closed).
 * A session with no identity yet (a name's join under way), or closed (the page going away),
 * reloads: the returning user (first-run/last-user.ts) or the guest is joined again at boot.
 */
import { carriesOwnAdvice, describeError } from '../error-text.js';
import { localPart, type PhoneSession } from '../phone/phone-session.js';

export type RejoinOutcome = 'rejoined' | 'reloading';

export async function rejoinSession(session: PhoneSession, reload: () => void): Promise<RejoinOutcome> {
  const s = session.getSnapshot();
  if (s.phase !== 'closed' && s.guest) {
    await session.rejoinAsGuest();
    return 'rejoined';
  }
  if (s.userName === undefined || s.phase === 'closed') {
    reload();
    return 'reloading';
  }
  await session.join(localPart(s.userName), { again: true });
  return 'rejoined';
}

/**
 * What Settings says when joining again to apply a setting failed (ModeSetting, IceSetting).
 * `choiceKept`: the setting was saved before the rejoin and the message says so. Reloading is the
 * advice, except where the error carries its own (carriesOwnAdvice).
 */
export function rejoinFailedText(e: unknown, options: { readonly choiceKept?: boolean } = {}): string {
  const reason = describeError(e);
  // Every guest slot taken, data of a newer release: the line ends with its own advice (a reload
  // cannot help, or is part of it), and nothing more is added but that the choice is kept.
  if (carriesOwnAdvice(e)) return `Could not join again: ${reason}${options.choiceKept ? ' Your choice is kept.' : ''}`;
  return options.choiceKept ? `Could not join again: ${reason}. Your choice is kept: reload the page to try again.` : `Could not join again: ${reason}. Reload the page to try again.`;
}
