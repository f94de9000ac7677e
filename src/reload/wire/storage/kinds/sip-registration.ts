import { EncodeError } from '../../codec/decode-error.js';
import { decodeAll, type Reader } from '../../codec/reader.js';
import { encodeWith, type Writer } from '../../codec/writer.js';
import { readDestination, writeDestination, type Destination } from '../../destination.js';

/** RFC 7904 §3.2 SipRegistrationType. */
export const SipRegistrationType = {
  sip_registration_uri: 1,
  sip_registration_route: 2,
} as const;

/**
 * RFC 7904 §3.2 SipRegistration: the value (DataValue.value) of a SIP-REGISTRATION (Kind 0x1)
 * dictionary entry, whose key is the storing peer's Node-ID (§7, rfc6940-readings #11).
 * On the wire: `type` (uint8), `length` (uint16, "the length of the rest of the PDU"; computed on
 * encode, checked on decode), then the SipRegistrationData arm.
 *
 * - `uri` (sip_registration_uri): another AOR to dereference (forwarding), `opaque uri<0..2^16-1>`.
 * - `route` (sip_registration_route): contact preferences (an RFC 3840 feature predicate such as
 *   `(sip.schemes=SIPS)`) and the destination list to the registering peer.
 * - `unknown`: "This type can be extended": any other type, kept opaque so it re-encodes.
 */
export type SipRegistration =
  | { readonly kind: 'uri'; readonly uri: Uint8Array }
  | { readonly kind: 'route'; readonly contactPrefs: Uint8Array; readonly destinationList: readonly Destination[] }
  | { readonly kind: 'unknown'; readonly type: number; readonly data: Uint8Array };

/** RFC 7904 §3.2 (rfc6940-readings #11): `Destination destination_list<3..2^16-1>`. */
const DESTINATION_LIST_MIN = 3;

export function readSipRegistration(r: Reader): SipRegistration {
  return r.scope('SipRegistration', () => {
    const type = r.u8('type');
    const length = r.length('length', 2);
    return r.sub('data', length, (s): SipRegistration => {
      switch (type) {
        case SipRegistrationType.sip_registration_uri:
          return { kind: 'uri', uri: s.opaque('uri', 2) };
        case SipRegistrationType.sip_registration_route:
          return {
            kind: 'route',
            contactPrefs: s.opaque('contactPrefs', 2),
            destinationList: s.vector('destinationList', 2, readDestination, DESTINATION_LIST_MIN),
          };
        default:
          return { kind: 'unknown', type, data: s.rest('data') };
      }
    });
  });
}

export function writeSipRegistration(w: Writer, v: SipRegistration): void {
  switch (v.kind) {
    case 'uri':
      w.u8(SipRegistrationType.sip_registration_uri);
      w.prefixed(2, () => w.opaque(2, v.uri, 'SipRegistration.uri'), 'SipRegistration.length');
      return;
    case 'route':
      w.u8(SipRegistrationType.sip_registration_route);
      w.prefixed(
        2,
        () => {
          w.opaque(2, v.contactPrefs, 'SipRegistration.contactPrefs');
          w.prefixed(2, () => v.destinationList.forEach((d) => writeDestination(w, d)), 'SipRegistration.destinationList', DESTINATION_LIST_MIN);
        },
        'SipRegistration.length',
      );
      return;
    case 'unknown':
      if (v.type === SipRegistrationType.sip_registration_uri || v.type === SipRegistrationType.sip_registration_route) {
        throw new EncodeError('SipRegistration.type', `type ${v.type} is not an unknown type`);
      }
      w.u8(v.type, 'SipRegistration.type');
      w.opaque(2, v.data, 'SipRegistration.length');
      return;
  }
}

/** A SIP-REGISTRATION DataValue.value: exactly one SipRegistration. */
export function decodeSipRegistration(bytes: Uint8Array): SipRegistration {
  return decodeAll(bytes, 'SipRegistration', readSipRegistration);
}

export function encodeSipRegistration(v: SipRegistration): Uint8Array {
  return encodeWith((w) => writeSipRegistration(w, v));
}

/**
 * The SIP-REGISTRATION Resource Name for an AOR (RFC 7904 §7: "the AOR of the user as specified
 * in Section 2"; §2: the AOR does not include the scheme; rfc6940-readings #11), in the form that
 * must equal the certificate's rfc822Name user name (USER-NODE-MATCH, §3.3):
 * - a leading `sip:` or `sips:` is removed (SIP and SIPS differ by Application-ID, not by AOR);
 * - URI parameters and headers after the host (`;gr=…`, `?…`) are dropped;
 * - `%` escapes in the user part are decoded ("Escaped characters ... need to be decoded prior
 *   to matching", §7);
 * - the host is lower-cased (host names compare case-insensitively, RFC 3261 §19.1.4).
 * Returns undefined for anything that is not `user@host` with an optional sip/sips scheme.
 */
export function sipResourceName(aor: string): string | undefined {
  let s = aor.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(s);
  if (scheme) {
    const name = (scheme[1] ?? '').toLowerCase();
    if (name !== 'sip' && name !== 'sips') return undefined;
    s = s.slice(scheme[0].length);
  }
  const at = s.indexOf('@');
  if (at <= 0) return undefined;
  const userPart = s.slice(0, at);
  const host = (s.slice(at + 1).split(/[;?]/, 1)[0] ?? '').toLowerCase();
  if (host === '' || /[\s@<>]/.test(host) || /[\s<>]/.test(userPart)) return undefined;
  let user: string;
  try {
    user = decodeURIComponent(userPart);
  } catch {
    return undefined; // a malformed % escape
  }
  return `${user}@${host}`;
}
