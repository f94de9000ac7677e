import { describe, expect, it } from 'vitest';
import { EncodeError } from '../codec/decode-error.js';
import { MessageExtensionType } from '../message-codes.js';
import {
  DTLS_FINGERPRINT_EXTENSION,
  DtlsSetupRole,
  decodeDtlsFingerprint,
  dtlsFingerprintFromSdp,
  dtlsSetupRoleFromSdp,
  encodeDtlsFingerprint,
  sdpFingerprintValue,
  sdpSetupValue,
  type DtlsFingerprint,
} from './dtls-fingerprint.js';
import { arbDtlsFingerprint } from '../testing/methods.arb.js';
import { ascii, damageRaisesOnlyDecodeError, decodeErrorPath, hex as h, roundTrips } from '../testing/codec-test-kit.js';

const digest = Uint8Array.from({ length: 32 }, (_, i) => i);

const full = h(
  '07 7368612d323536', // hash_function<0..2^8-1> = "sha-256"
  '20 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', // fingerprint<0..2^8-1>: 32 bytes
  '01', // setup: actpass
  '01 1388', // has_sctp_port True, sctp_port 5000
  '01 00040000', // has_max_message_size True, max_message_size 262144
);

const bare = h(
  '07 7368612d323536', // hash_function = "sha-256"
  '00', // fingerprint: empty
  '03', // setup: passive
  '00', // has_sctp_port False
  '00', // has_max_message_size False
);

describe('DtlsFingerprint (private extension)', () => {
  it('uses a type outside the IANA registry', () => {
    expect(DTLS_FINGERPRINT_EXTENSION).toBe(0xc001);
    expect(Object.values(MessageExtensionType)).not.toContain(DTLS_FINGERPRINT_EXTENSION);
  });

  const rows: { name: string; bytes: Uint8Array; value: DtlsFingerprint }[] = [
    {
      name: 'with SCTP port and max-message-size',
      bytes: full,
      value: { hashFunction: ascii('sha-256'), fingerprint: digest, setup: DtlsSetupRole.actpass, sctpPort: 5000, maxMessageSize: 262144 },
    },
    { name: 'without optional fields', bytes: bare, value: { hashFunction: ascii('sha-256'), fingerprint: new Uint8Array(), setup: DtlsSetupRole.passive } },
  ];
  for (const row of rows) {
    it(`${row.name}: decodes and re-encodes byte for byte`, () => {
      expect(decodeDtlsFingerprint(row.bytes)).toEqual(row.value);
      expect(encodeDtlsFingerprint(row.value)).toEqual(row.bytes);
    });
  }

  const failures: { name: string; bytes: Uint8Array; path: string }[] = [
    { name: 'setup 0', bytes: h('00 00 00 00 00'), path: 'DtlsFingerprint.setup' },
    { name: 'setup 4', bytes: h('00 00 04 00 00'), path: 'DtlsFingerprint.setup' },
    { name: 'has_sctp_port 2', bytes: h('00 00 01 02 00'), path: 'DtlsFingerprint.hasSctpPort' },
    { name: 'sctp_port cut short', bytes: h('00 00 01 01 13'), path: 'DtlsFingerprint.sctpPort' },
    { name: 'max_message_size missing', bytes: h('00 00 01 00 01'), path: 'DtlsFingerprint.maxMessageSize' },
    { name: 'fingerprint past the end', bytes: h('00 20 00'), path: 'DtlsFingerprint.fingerprint' },
    { name: 'trailing byte', bytes: h('00 00 01 00 00 00'), path: 'DtlsFingerprint' },
  ];
  for (const row of failures) {
    it(`fails: ${row.name}`, () => expect(decodeErrorPath(() => decodeDtlsFingerprint(row.bytes))).toBe(row.path));
  }

  it('refuses to encode an unknown role', () => {
    expect(() => encodeDtlsFingerprint({ hashFunction: new Uint8Array(), fingerprint: new Uint8Array(), setup: 7 })).toThrow(EncodeError);
  });

  it('round-trips both ways', () => {
    roundTrips(arbDtlsFingerprint, encodeDtlsFingerprint, decodeDtlsFingerprint, { damage: false });
  });

  it('mutated or truncated bytes raise only DecodeError', () => {
    damageRaisesOnlyDecodeError(arbDtlsFingerprint, encodeDtlsFingerprint, decodeDtlsFingerprint);
  });
});

describe('SDP helpers (RFC 8122 a=fingerprint, RFC 4145 a=setup)', () => {
  it('formats and parses a=fingerprint', () => {
    const text = sdpFingerprintValue({ hashFunction: ascii('sha-256'), fingerprint: Uint8Array.of(0xab, 0x0c, 0xff) });
    expect(text).toBe('sha-256 AB:0C:FF');
    expect(dtlsFingerprintFromSdp(`a=fingerprint:${text}`)).toEqual({ hashFunction: ascii('sha-256'), fingerprint: Uint8Array.of(0xab, 0x0c, 0xff) });
    expect(dtlsFingerprintFromSdp('SHA-256 ab:0c')).toEqual({ hashFunction: ascii('sha-256'), fingerprint: Uint8Array.of(0xab, 0x0c) });
    expect(dtlsFingerprintFromSdp('sha-256 AB:C')).toBeUndefined();
    expect(dtlsFingerprintFromSdp('sha-256')).toBeUndefined();
  });

  it('maps a=setup values', () => {
    expect(sdpSetupValue(DtlsSetupRole.active)).toBe('active');
    expect(dtlsSetupRoleFromSdp('passive')).toBe(DtlsSetupRole.passive);
    expect(dtlsSetupRoleFromSdp('holdconn')).toBeUndefined();
  });
});
