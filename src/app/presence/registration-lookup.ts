/**
 * The real presence test for PresenceScheduler: an AoR is online when its SIP-REGISTRATION
 * resolves to at least one device (RFC 7904 §4.2, `lookupAor`). "Nobody registered" (and AoRs that
 * can never resolve) is `false`; an overlay that did not answer rejects, so the scheduler keeps
 * the last known state and backs off instead of showing the contact offline.
 */
import type { OverlayPeer } from '../../reload/overlay/index.js';
import { lookupAor, SipUsageError, type SipUsageErrorCode } from '../../usages/sip/index.js';

/** Answers that mean "not reachable under this AoR", as opposed to "could not find out". */
const OFFLINE_CODES: ReadonlySet<SipUsageErrorCode> = new Set(['not-registered', 'registration-loop', 'invalid-aor', 'foreign-domain', 'invalid-gruu']);

export function registrationLookup(overlay: Pick<OverlayPeer, 'fetch'>): (aor: string, options: { signal: AbortSignal }) => Promise<boolean> {
  return async (aor, options) => {
    try {
      const contacts = await lookupAor(overlay, aor, { signal: options.signal });
      return contacts.length > 0;
    } catch (e) {
      if (e instanceof SipUsageError && OFFLINE_CODES.has(e.code)) return false;
      throw e;
    }
  };
}
