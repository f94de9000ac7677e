import { describe, expect, it } from 'vitest';
import { DecodeError, EncodeError } from '../../codec/decode-error.js';
import { arbSipRegistration } from '../../testing/storage.arb.js';
import { decodeSipRegistration, encodeSipRegistration, sipResourceName, type SipRegistration } from './sip-registration.js';
import { ascii, decodeFailure, hex, roundTrips } from '../../testing/codec-test-kit.js';

const nodeB = new Uint8Array(16).fill(0x22);

const rows: { name: string; bytes: Uint8Array; value: SipRegistration }[] = [
  {
    name: 'sip_registration_uri: forward to another AOR (RFC 7904 §3.1)',
    bytes: hex(`
      01                         // type: sip_registration_uri
      00 11                      // length: 17, the rest of the PDU
      00 0f                      // uri<0..2^16-1>: 15 bytes
      62 6f 62 40 65 78 61 6d 70 6c 65 2e 63 6f 6d // "bob@example.com"
    `),
    value: { kind: 'uri', uri: ascii('bob@example.com') },
  },
  {
    name: 'sip_registration_route: contact preferences and a destination list',
    bytes: hex(`
      02                         // type: sip_registration_route
      00 2a                      // length: 42
      00 12                      // contact_prefs<0..2^16-1>: 18 bytes
      28 73 69 70 2e 73 63 68 65 6d 65 73 3d 53 49 50 53 29 // "(sip.schemes=SIPS)"
      00 14                      // destination_list<3..2^16-1>: 20 bytes
      01 10 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 // Destination: node, length 16, Node-ID
      80 01                      // Destination: 16-bit compressed id 0x8001
    `),
    value: {
      kind: 'route',
      contactPrefs: ascii('(sip.schemes=SIPS)'),
      destinationList: [
        { kind: 'node', nodeId: nodeB },
        { kind: 'compressed', id: 0x8001 },
      ],
    },
  },
  {
    name: 'an unknown type is kept ("This type can be extended")',
    bytes: hex(`
      07                         // type 7
      00 03 aa bb cc             // length 3, data
    `),
    value: { kind: 'unknown', type: 7, data: hex('aa bb cc') },
  },
];

describe('SipRegistration vectors (RFC 7904 §3.2)', () => {
  it.each(rows)('$name', ({ bytes, value }) => {
    expect(decodeSipRegistration(bytes)).toEqual(value);
    expect(encodeSipRegistration(value)).toEqual(bytes);
  });
});

describe('SipRegistration failures', () => {
  const failure = (bytes: Uint8Array): DecodeError => decodeFailure(() => decodeSipRegistration(bytes));

  it('destination list below its 3-byte minimum (rfc6940-readings #11)', () => {
    const e = failure(hex('02 00 06 00 00 00 02 80 01'));
    expect(e.path).toBe('SipRegistration.data.destinationList');
    expect(e.reason).toMatch(/below the minimum 3/);
  });

  it('length beyond the input', () => {
    const e = failure(hex('01 00 09 00 03 61 40 62'));
    expect(e.path).toBe('SipRegistration.length');
  });

  it('length shorter than the data', () => {
    const e = failure(hex('01 00 04 00 03 61 40 62'));
    expect(e.path).toBe('SipRegistration.data.uri');
  });

  it('data longer than the uri (unread byte inside length)', () => {
    const e = failure(hex('01 00 06 00 03 61 40 62 00'));
    expect(e.path).toBe('SipRegistration.data');
    expect(e.reason).toMatch(/1 unread byte/);
  });

  it('trailing byte', () => {
    expect(failure(hex('01 00 05 00 03 61 40 62 00')).path).toBe('SipRegistration');
  });

  it('encoder refuses an empty destination list and a known type as unknown', () => {
    expect(() => encodeSipRegistration({ kind: 'route', contactPrefs: new Uint8Array(0), destinationList: [] })).toThrow(EncodeError);
    expect(() => encodeSipRegistration({ kind: 'unknown', type: 2, data: new Uint8Array(0) })).toThrow(EncodeError);
  });

  it('properties', () => {
    roundTrips(arbSipRegistration, encodeSipRegistration, decodeSipRegistration, { damage: false });
  });
});

describe('sipResourceName (RFC 7904 §2, §7)', () => {
  it.each([
    ['sip:alice@dht.example.com', 'alice@dht.example.com'],
    ['alice@dht.example.com', 'alice@dht.example.com'],
    ['SIPS:alice@DHT.Example.COM', 'alice@dht.example.com'],
    ['sip:Alice@example.com', 'Alice@example.com'],
    ['sip:j%2Edoe@example.com', 'j.doe@example.com'],
    ['sip:alice@example.com;gr=MDEyMzQ1Njc4OTAxMjM0NTY3ODk~', 'alice@example.com'],
    ['sip:alice@example.com?subject=hi', 'alice@example.com'],
    ['  sip:alice@example.com  ', 'alice@example.com'],
  ])('%j -> %j', (aor, name) => {
    expect(sipResourceName(aor)).toBe(name);
  });

  it.each(['tel:+15551234', 'sip:example.com', 'sip:@example.com', 'sip:alice@', 'sip:al%zzice@example.com', '', 'sip:a b@example.com'])(
    '%j is not an AOR',
    (aor) => {
      expect(sipResourceName(aor)).toBeUndefined();
    },
  );
});
