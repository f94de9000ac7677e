import { decodeAll, type Reader } from '../codec/reader.js';
import { encodeWith, type Writer } from '../codec/writer.js';
import { EncodeError } from '../codec/decode-error.js';

/**
 * DEVIATION: a private MessageExtensionType of our own (ARCHITECTURE.md "Attach over WebRTC"), not
 * registered with IANA. RFC 6940 §6.3.3 makes MessageExtensionType a uint16; the §14.14 registry
 * holds 0x0 (invalid), 0x1 (exp-ext), RFC 7851 added 0x2 (Diagnostic_Ping) and RFC 7363 0x3
 * (self_tuning_data), and it registers 8-bit values only, so 0xC001 cannot clash with it.
 * It is not critical (§6.3.3 `critical` = False): a peer that does not know it ignores it.
 */
export const DTLS_FINGERPRINT_EXTENSION = 0xc001;

/**
 * The DTLS setup role of the sender's side of the data channel (RFC 4145 / RFC 8842 `a=setup`).
 * Private enum (see DTLS_FINGERPRINT_EXTENSION).
 */
export const DtlsSetupRole = { invalidDtlsSetupRole: 0, actpass: 1, active: 2, passive: 3 } as const;

/**
 * DEVIATION (private extension, see DTLS_FINGERPRINT_EXTENSION): the `extension_contents` of the
 * DTLS-fingerprint MessageExtension, carried in a signed Attach/AppAttach (request or answer) so
 * the receiver can rebuild the remote SDP and bind the data channel's DTLS certificate to the
 * sender's certificate and Node-ID. In RFC 6940 §6.3.1 presentation language:
 *
 *     enum { invalidDtlsSetupRole(0), actpass(1), active(2), passive(3), (255) } DtlsSetupRole;
 *
 *     struct {
 *       opaque          hash_function<0..2^8-1>;   // RFC 8122 hash name, e.g. "sha-256"
 *       opaque          fingerprint<0..2^8-1>;     // the digest bytes (not hex)
 *       DtlsSetupRole   setup;
 *       Boolean         has_sctp_port;
 *       select (has_sctp_port) { case True: uint16 sctp_port; case False: ; };
 *       Boolean         has_max_message_size;
 *       select (has_max_message_size) { case True: uint32 max_message_size; case False: ; };
 *     } DtlsFingerprint;
 *
 * `sctp_port` and `max_message_size` are RFC 8841's `a=sctp-port` and `a=max-message-size`
 * (0 there means "any size", hence a presence flag rather than a 0 sentinel).
 */
export interface DtlsFingerprint {
  readonly hashFunction: Uint8Array;
  readonly fingerprint: Uint8Array;
  /** DtlsSetupRole. */
  readonly setup: number;
  readonly sctpPort?: number;
  readonly maxMessageSize?: number;
}

function isKnownRole(v: number): boolean {
  return v === DtlsSetupRole.actpass || v === DtlsSetupRole.active || v === DtlsSetupRole.passive;
}

function fields(r: Reader): DtlsFingerprint {
  const hashFunction = r.opaque('hashFunction', 1);
  const fingerprint = r.opaque('fingerprint', 1);
  const setupAt = r.offset;
  const setup = r.u8('setup');
  if (!isKnownRole(setup)) r.fail('setup', `unknown DtlsSetupRole ${setup}`, setupAt);
  const sctpPort = r.bool('hasSctpPort') ? r.u16('sctpPort') : undefined;
  const maxMessageSize = r.bool('hasMaxMessageSize') ? r.u32('maxMessageSize') : undefined;
  return {
    hashFunction,
    fingerprint,
    setup,
    ...(sctpPort === undefined ? {} : { sctpPort }),
    ...(maxMessageSize === undefined ? {} : { maxMessageSize }),
  };
}

export function readDtlsFingerprint(r: Reader): DtlsFingerprint {
  return r.scope('DtlsFingerprint', () => fields(r));
}

export function writeDtlsFingerprint(w: Writer, v: DtlsFingerprint): void {
  w.opaque(1, v.hashFunction, 'DtlsFingerprint.hashFunction').opaque(1, v.fingerprint, 'DtlsFingerprint.fingerprint');
  if (!isKnownRole(v.setup)) throw new EncodeError('DtlsFingerprint.setup', `unknown DtlsSetupRole ${v.setup}`);
  w.u8(v.setup, 'DtlsFingerprint.setup');
  w.bool(v.sctpPort !== undefined);
  if (v.sctpPort !== undefined) w.u16(v.sctpPort, 'DtlsFingerprint.sctpPort');
  w.bool(v.maxMessageSize !== undefined);
  if (v.maxMessageSize !== undefined) w.u32(v.maxMessageSize, 'DtlsFingerprint.maxMessageSize');
}

export function decodeDtlsFingerprint(bytes: Uint8Array): DtlsFingerprint {
  return decodeAll(bytes, 'DtlsFingerprint', fields);
}

export function encodeDtlsFingerprint(v: DtlsFingerprint): Uint8Array {
  return encodeWith((w) => writeDtlsFingerprint(w, v));
}

// SDP helpers (RFC 8122 §5 `a=fingerprint`, RFC 4145 §4 `a=setup`), for rebuilding a remote SDP.

const setupNames: Record<number, string> = { 1: 'actpass', 2: 'active', 3: 'passive' };

/** The `a=setup` value for a DtlsSetupRole (`actpass`, `active`, `passive`), or undefined. */
export function sdpSetupValue(setup: number): string | undefined {
  return setupNames[setup];
}

/** The DtlsSetupRole for an `a=setup` value (`holdconn` and others have none). */
export function dtlsSetupRoleFromSdp(value: string): number | undefined {
  const v = value.trim().toLowerCase();
  return v === 'actpass' ? DtlsSetupRole.actpass : v === 'active' ? DtlsSetupRole.active : v === 'passive' ? DtlsSetupRole.passive : undefined;
}

/**
 * The `a=fingerprint` value (RFC 8122 §5: `hash-func SP fingerprint`, upper-case hex pairs joined
 * by colons), e.g. `sha-256 AB:CD:…`. Throws EncodeError when hashFunction is not a token.
 */
export function sdpFingerprintValue(v: Pick<DtlsFingerprint, 'hashFunction' | 'fingerprint'>): string {
  let hash = '';
  for (const c of v.hashFunction) hash += String.fromCharCode(c);
  if (!/^[A-Za-z0-9\-.!%*_+`'~]+$/.test(hash)) throw new EncodeError('DtlsFingerprint.hashFunction', 'not an SDP token');
  const hex = Array.from(v.fingerprint, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':');
  return `${hash} ${hex}`;
}

/** Parse an `a=fingerprint` value (with or without `a=fingerprint:`); undefined when malformed. */
export function dtlsFingerprintFromSdp(text: string): Pick<DtlsFingerprint, 'hashFunction' | 'fingerprint'> | undefined {
  const m = /^(?:a=fingerprint:)?\s*([A-Za-z0-9\-.!%*_+`'~]+)\s+([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})*)\s*$/.exec(text.trim());
  if (!m) return undefined;
  const hash = (m[1] ?? '').toLowerCase();
  const pairs = (m[2] ?? '').split(':');
  if (hash.length > 255 || pairs.length > 255) return undefined;
  return { hashFunction: Uint8Array.from(hash, (c) => c.charCodeAt(0)), fingerprint: Uint8Array.from(pairs, (p) => parseInt(p, 16)) };
}
