/**
 * The Kinds of a Chordphone overlay's configuration (RFC 6940 §11.1 required-kinds), shared by
 * the server that writes the configuration and the peers that use it.
 *
 * - SIP-REGISTRATION (RFC 7904 §7): where a user's AoR points to its Node-ID (the softphone issue).
 *   With `<sip:domain-restriction enable="false"/>` (RFC 7904 §3.4: "the overlay MUST only accept
 *   AORs that match the domain name of the overlay"): the enrollment server issues only
 *   `user@<overlay>` (chordphone-server.ts userNameDomain), and storing peers then refuse a
 *   registration under any other domain, whatever certificate signs it (§8.2.3 "Misuse of AORs").
 * - CERTIFICATE_BY_NODE, CERTIFICATE_BY_USER (RFC 6940 §8): where each peer publishes its
 *   certificate, so a verifier can fetch one a signer left out of a SecurityBlock (§6.3.4).
 * - NOTE: Chordphone's own small text value, one per user, stored at the Resource-ID of the
 *   user name (USER-MATCH, §7.3.1): what the status view's "store / fetch" uses to show the
 *   overlay working. Its Kind-ID is from the private-use range (§14.6: 0xf0000000-0xfffffffe).
 */
import type { Kind, KindBlock } from '../../reload/wire/config/overlay-configuration.js';
import { certificateKindBlocks } from '../../usages/certificates/certificate-kinds.js';
import { sipRegistrationKindBlock } from '../../usages/sip/sip-registration-kind.js';

export const CHORDPHONE_KINDS = {
  /** RFC 7904 §7 SIP-REGISTRATION. */
  sipRegistration: 0x1,
  /** Chordphone NOTE: SINGLE, USER-MATCH, one value of at most 1024 bytes. */
  note: 0xf000_0001,
} as const;

/** Largest NOTE value in bytes (its kind's max-size). */
export const NOTE_MAX_SIZE = 1024;

const kinds: readonly Kind[] = [
  sipRegistrationKindBlock({ maxCount: 8, maxSize: 2048, domainRestriction: { enable: false, patterns: [] } }).kind,
  { id: CHORDPHONE_KINDS.note, dataModel: 'SINGLE', accessControl: 'USER-MATCH', maxCount: 1, maxSize: NOTE_MAX_SIZE, extensions: [] },
];

/** The required-kinds of a Chordphone configuration, unsigned (the configuration signer adds kind-signatures). */
export function chordphoneKindBlocks(): KindBlock[] {
  return [...kinds.map((kind) => ({ kind })), ...certificateKindBlocks()];
}
