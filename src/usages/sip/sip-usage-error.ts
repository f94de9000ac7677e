/**
 * Typed errors of the SIP usage (RFC 7904), each with a `code` the UI maps to a sentence a person
 * understands (style.md §5, §9) and a `message` that already says what is wrong.
 */
export type SipUsageErrorCode =
  /** Nobody has a registration under the AoR (RFC 7904 §4.1 "AOR inaccessible ... the call fails"). */
  | 'not-registered'
  /** `sip_registration_uri` indirections went round in a loop or too deep (§4.2 step 2). */
  | 'registration-loop'
  /** Not an AoR of the form user@host (§2, §7). */
  | 'invalid-aor'
  /** The AoR's domain is not served by this overlay (§3.4, §4.1 "AOR domain not supported by overlay"). */
  | 'foreign-domain'
  /** A GRUU whose `gr` parameter does not hold a destination list (§6). */
  | 'invalid-gruu'
  /** The overlay did not answer (timeout, no route, ...). */
  | 'overlay-failure';

export class SipUsageError extends Error {
  override readonly name: string = 'SipUsageError';

  constructor(
    readonly code: SipUsageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
