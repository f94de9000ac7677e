/**
 * Why a call or a message failed, in words a person understands (issue 6 "Errors a person
 * understands"): each PhoneError has a `code` for the UI's table and a ready `message`.
 */
import { acceptsNoAorDomain, describeAorDomains, SipUsageError, type AorDomains, type SipUsageErrorCode } from '../usages/sip/index.js';

export type PhoneErrorCode =
  | 'not-online'
  | 'busy'
  | 'declined'
  | 'no-answer'
  | 'unreachable'
  | 'not-found'
  | 'microphone-denied'
  | 'bad-address'
  | 'cancelled'
  | 'not-started'
  | 'failed';

export class PhoneError extends Error {
  override readonly name: string = 'PhoneError';

  constructor(
    readonly code: PhoneErrorCode,
    message: string,
    /** The SIP status behind it, when there was one. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** What JsSIP reports of a failure: its cause and the response, when one came. */
export interface SipFailure {
  readonly cause: string;
  readonly status?: number;
  /** The Warning header of the response (OverlaySocket puts the routing failure there). */
  readonly warning?: string;
}

/** The PhoneError for a failed call or MESSAGE to `who` (a user name such as "bob"). */
export function phoneErrorFor(who: string, f: SipFailure): PhoneError {
  const s = f.status;
  // OverlaySocket answers 480 with a Warning when the AoR has no registration (RFC 7904 §4.1).
  if (s === 480 && /not registered|no device/.test(f.warning ?? '')) return new PhoneError('not-online', `${who} is not online.`, s);
  if (s === 408 || f.cause === 'Request Timeout') return new PhoneError('unreachable', `${who} could not be reached: the overlay did not answer in time. Try again.`, s);
  if (s === 486 || s === 600 || f.cause === 'Busy') return new PhoneError('busy', `${who} is busy.`, s);
  if (s === 603 || s === 403 || f.cause === 'Rejected') return new PhoneError('declined', `${who} declined the call.`, s);
  if (f.cause === 'No Answer') return new PhoneError('no-answer', `${who} did not answer.`, s);
  if (s === 480 || f.cause === 'Unavailable') return new PhoneError('not-online', `${who} is not online.`, s);
  if (s === 404 || s === 604 || f.cause === 'Not Found') return new PhoneError('not-found', `There is no ${who} on this overlay.`, s);
  if (s === 482) return new PhoneError('unreachable', `${who}'s call forwarding goes round in a loop.`, s);
  if (f.cause === 'Canceled') return new PhoneError('cancelled', 'The call was cancelled.', s);
  if (f.cause === 'User Denied Media Access') return microphoneDenied();
  if (f.cause === 'Connection Error') return new PhoneError('unreachable', `The connection to ${who} was lost.`, s);
  return new PhoneError('failed', `The call to ${who} failed (${f.cause}${s ? `, SIP ${s}` : ''}).`, s);
}

export function microphoneDenied(): PhoneError {
  return new PhoneError(
    'microphone-denied',
    'The microphone is blocked. Allow it for this site (the camera/microphone icon in the address bar, or the browser\'s site settings), then try again.',
  );
}

/**
 * What a person reads when the overlay accepts no address at all (RFC 7904 §3.4 domain-restriction
 * enabled without patterns, usages/sip acceptsNoAorDomain); `cannot` says what no one can do.
 */
export function noAorDomainText(cannot: string): string {
  return `No one can ${cannot}: its configuration accepts no address domain at all; ask whoever runs the overlay to fix its domain restriction.`;
}

/**
 * What a person reads when `user`'s registration failed, by the SipUsageError's code; the usage's
 * own text (a diagnostic citing the RFC) only for failures without one here.
 */
const REGISTRATION_FAILURE: Partial<Record<SipUsageErrorCode, (user: string, domains: AorDomains) => string>> = {
  // RFC 7904 §3.4: the overlay's domain-restriction leaves the user's own domain out.
  'foreign-domain': (user, domains) =>
    acceptsNoAorDomain(domains)
      ? noAorDomainText("join this overlay's phone")
      : `${user} cannot be used on this overlay: it serves only addresses in ${describeAorDomains(domains)}. Join with a user name in one of those domains.`,
  'invalid-aor': (user) => `${user} is not an address this phone can register (user@domain).`,
};

/** The PhoneError for a failed registration of `user` in an overlay serving `domains`. */
export function registrationFailure(user: string, e: unknown, domains: AorDomains): PhoneError {
  const text = e instanceof SipUsageError ? REGISTRATION_FAILURE[e.code] : undefined;
  return new PhoneError('failed', text ? text(user, domains) : `Could not register ${user} in the overlay: ${e instanceof Error ? e.message : String(e)}`);
}
