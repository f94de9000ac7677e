import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DecodeError, EncodeError } from './codec/decode-error.js';
import { toHex } from './codec/hex.js';
import { decodeAll } from './codec/reader.js';
import { encodeWith } from './codec/writer.js';
import {
  destinationListSize,
  destinationOpaqueId,
  destinationSize,
  readDestination,
  readDestinationList,
  writeDestination,
  writeDestinationList,
  type Destination,
} from './destination.js';
import { arbDestination } from './testing/envelope.arb.js';
import { damageRaisesOnlyDecodeError, decodeErrorPath, hex } from './testing/codec-test-kit.js';

const NODE = hex('00112233445566778899aabbccddeeff');
const RES16 = hex('0f0e0d0c0b0a09080706050403020100');

const decodeOne = (b: Uint8Array): Destination => decodeAll(b, 'T', (r) => readDestination(r));
const encodeOne = (d: Destination): Uint8Array => encodeWith((w) => writeDestination(w, d));

describe('Destination (RFC 6940 §6.3.2.2) vectors', () => {
  const rows: { name: string; hex: string; value: Destination }[] = [
    {
      name: 'node: type 01, length 0x10, 16-byte Node-ID',
      hex: '01 10 00112233445566778899aabbccddeeff',
      value: { kind: 'node', nodeId: NODE },
    },
    {
      // rfc6940-readings #2: length 0x11 covers the ResourceId's own length byte 0x10 + 16 bytes.
      name: 'resource: type 02, length 0x11, ResourceId<0..2^8-1> = 10 + 16 bytes',
      hex: '02 11 10 0f0e0d0c0b0a09080706050403020100',
      value: { kind: 'resource', resourceId: RES16 },
    },
    {
      name: 'resource with an empty Resource-ID: 02 01 00',
      hex: '02 01 00',
      value: { kind: 'resource', resourceId: new Uint8Array(0) },
    },
    {
      name: 'opaque_id_type long form: type 03, length 03, opaque_id<0..2^8-1> = 02 ab cd',
      hex: '03 03 02 abcd',
      value: { kind: 'opaque', opaqueId: hex('abcd') },
    },
    {
      name: 'compressed 16-bit id, first byte high bit set: 80 05',
      hex: '80 05',
      value: { kind: 'compressed', id: 0x8005 },
    },
    { name: 'compressed 0xffff', hex: 'ff ff', value: { kind: 'compressed', id: 0xffff } },
    {
      name: 'unknown type 5 kept opaque: 05 02 aa bb',
      hex: '05 02 aabb',
      value: { kind: 'unknown', type: 5, data: hex('aabb') },
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const bytes = hex(row.hex);
      expect(decodeOne(bytes)).toEqual(row.value);
      expect(toHex(encodeOne(row.value))).toBe(toHex(bytes));
      expect(destinationSize(row.value)).toBe(bytes.length);
    });
  }

  it('a list of three destinations back to back', () => {
    const bytes = hex('80 01' + '01 10 00112233445566778899aabbccddeeff' + '02 11 10 0f0e0d0c0b0a09080706050403020100');
    const list = decodeAll(bytes, 'T', (r) => readDestinationList(r, 'destinationList', bytes.length));
    expect(list).toEqual([
      { kind: 'compressed', id: 0x8001 },
      { kind: 'node', nodeId: NODE },
      { kind: 'resource', resourceId: RES16 },
    ]);
    expect(destinationListSize(list)).toBe(bytes.length);
    expect(toHex(encodeWith((w) => writeDestinationList(w, list)))).toBe(toHex(bytes));
  });

  it('treats a compressed id as a 2-byte opaque_id (§6.3.2.2)', () => {
    expect([...(destinationOpaqueId({ kind: 'compressed', id: 0x8123 }) ?? [])]).toEqual([0x81, 0x23]);
    expect(destinationOpaqueId({ kind: 'node', nodeId: NODE })).toBeUndefined();
  });
});

describe('Destination failures', () => {
  const rows: { name: string; hex: string; path: string }[] = [
    { name: 'type 0 (invalidDestinationType)', hex: '00 00', path: 'T.Destination.type' },
    { name: 'node with length 15', hex: '01 0f 00112233445566778899aabbccddee', path: 'T.Destination.destinationData' },
    { name: 'node data truncated', hex: '01 10 0011', path: 'T.Destination.length' },
    { name: 'resource whose inner length leaves a byte', hex: '02 11 0f 0f0e0d0c0b0a09080706050403020100', path: 'T.Destination.destinationData' },
    { name: 'resource whose inner length overruns', hex: '02 02 05 aa', path: 'T.Destination.destinationData.resourceId' },
    { name: 'compressed id cut after one byte', hex: '80', path: 'T.Destination.opaqueId' },
    { name: 'empty input', hex: '', path: 'T.Destination.type' },
  ];
  for (const row of rows) {
    it(row.name, () => {
      expect(decodeErrorPath(() => decodeOne(hex(row.hex)))).toBe(row.path);
    });
  }

  it('names the element index in a list', () => {
    const bytes = hex('80 01 00 00');
    try {
      decodeAll(bytes, 'T', (r) => readDestinationList(r, 'viaList', bytes.length));
      expect.unreachable();
    } catch (e) {
      expect((e as DecodeError).path).toBe('T.viaList[1].Destination.type');
    }
  });

  it('refuses values the wire cannot carry', () => {
    expect(() => encodeOne({ kind: 'compressed', id: 0x7fff })).toThrow(EncodeError);
    expect(() => encodeOne({ kind: 'resource', resourceId: new Uint8Array(255) })).toThrow(EncodeError);
    expect(() => encodeOne({ kind: 'opaque', opaqueId: new Uint8Array(255) })).toThrow(EncodeError);
    expect(() => encodeOne({ kind: 'unknown', type: 1, data: new Uint8Array(0) })).toThrow(EncodeError);
    expect(() => encodeOne({ kind: 'unknown', type: 0x80, data: new Uint8Array(0) })).toThrow(EncodeError);
    expect(() => encodeOne({ kind: 'node', nodeId: new Uint8Array(15) })).toThrow(EncodeError);
    // 254 bytes is the most a resource destination holds (1 + 254 = 255 in the one-byte length).
    expect(encodeOne({ kind: 'resource', resourceId: new Uint8Array(254) }).length).toBe(257);
  });
});

describe('Destination properties', () => {
  it('decode(encode(x)) equals x', () => {
    fc.assert(
      fc.property(arbDestination(), (d) => {
        expect(decodeOne(encodeOne(d))).toEqual(d);
      }),
    );
  });

  it('encode(decode(b)) equals b', () => {
    fc.assert(
      fc.property(arbDestination(), (d) => {
        const b = encodeOne(d);
        expect(toHex(encodeOne(decodeOne(b)))).toBe(toHex(b));
      }),
    );
  });

  it('mutated bytes raise only DecodeError', () => {
    damageRaisesOnlyDecodeError(arbDestination(), encodeOne, decodeOne, { truncate: false });
  });
});
