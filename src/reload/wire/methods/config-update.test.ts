import { describe, expect, it } from 'vitest';
import { EncodeError } from '../codec/decode-error.js';
import { ConfigUpdateType, decodeConfigUpdateAns, decodeConfigUpdateReq, encodeConfigUpdateAns, encodeConfigUpdateReq, type ConfigUpdateReq } from './config-update.js';
import { arbConfigUpdateReq } from '../testing/methods.arb.js';
import { ascii, decodeErrorPath, hex as h, roundTrips } from '../testing/codec-test-kit.js';

describe('ConfigUpdateReq (RFC 6940 §6.5.4.1, rfc6940-readings #8)', () => {
  const rows: { name: string; bytes: Uint8Array; value: ConfigUpdateReq }[] = [
    {
      name: 'config: two lengths in a row',
      bytes: h(
        '01', // type: config
        '00000007', // length (uint32): the remainder, 3 + 4 bytes
        '000004', // config_data<0..2^24-1>: its own 24-bit length, 4 bytes
        '3c6f2f3e', // "<o/>"
      ),
      value: { type: ConfigUpdateType.config, configData: ascii('<o/>') },
    },
    {
      name: 'kind: two KindDescriptions',
      bytes: h(
        '02', // type: kind
        '0000000f', // length: 3 + 12 bytes
        '00000c', // kinds<0..2^24-1>: 12 bytes
        '0004 3c6b2f3e', // KindDescription<0..2^16-1> "<k/>"
        '0004 3c6a2f3e', // KindDescription "<j/>"
      ),
      value: { type: ConfigUpdateType.kind, kinds: [ascii('<k/>'), ascii('<j/>')] },
    },
    {
      name: 'an unknown type keeps its length bytes opaque ("may be extended")',
      bytes: h(
        '07', // type 7
        '00000002', // length
        'abcd', // contents
      ),
      value: { type: 7, unknown: h('abcd') },
    },
    { name: 'empty config', bytes: h('01 00000003 000000'), value: { type: 1, configData: new Uint8Array() } },
  ];
  for (const row of rows) {
    it(`${row.name}: decodes and re-encodes byte for byte`, () => {
      expect(decodeConfigUpdateReq(row.bytes)).toEqual(row.value);
      expect(encodeConfigUpdateReq(row.value)).toEqual(row.bytes);
    });
  }

  const failures: { name: string; bytes: Uint8Array; path: string }[] = [
    { name: 'type 0', bytes: h('00 00000000'), path: 'ConfigUpdateReq.type' },
    { name: 'length too small for config_data’s own length', bytes: h('01 00000002 0000'), path: 'ConfigUpdateReq.length' },
    { name: 'length larger than config_data', bytes: h('01 00000008 000004 3c6f2f3e 00'), path: 'ConfigUpdateReq.length' },
    { name: 'config_data longer than length', bytes: h('01 00000007 000005 3c6f2f3e 00'), path: 'ConfigUpdateReq.configData' },
    { name: 'length past the end', bytes: h('01 00000009 000004 3c6f2f3e'), path: 'ConfigUpdateReq.length' },
    { name: 'KindDescription cut short', bytes: h('02 00000006 000003 0004 3c'), path: 'ConfigUpdateReq.kinds[0].kindDescription' },
    { name: 'trailing byte', bytes: h('01 00000003 000000 00'), path: 'ConfigUpdateReq' },
  ];
  for (const row of failures) {
    it(`fails: ${row.name}`, () => expect(decodeErrorPath(() => decodeConfigUpdateReq(row.bytes))).toBe(row.path));
  }

  it('refuses type 0 and a known type given as unknown', () => {
    expect(() => encodeConfigUpdateReq({ type: 0, unknown: new Uint8Array() })).toThrow(EncodeError);
    expect(() => encodeConfigUpdateReq({ type: 1, unknown: new Uint8Array() })).toThrow(EncodeError);
  });

  it('round-trips both ways, and mutations raise only DecodeError', () => {
    roundTrips(arbConfigUpdateReq, encodeConfigUpdateReq, decodeConfigUpdateReq);
  });
});

describe('ConfigUpdateAns (RFC 6940 §6.5.4.2)', () => {
  it('is a zero-length body (rfc6940-readings #9)', () => {
    expect(encodeConfigUpdateAns()).toEqual(new Uint8Array());
    expect(decodeConfigUpdateAns(new Uint8Array())).toEqual({});
    expect(decodeErrorPath(() => decodeConfigUpdateAns(h('00')))).toBe('ConfigUpdateAns');
  });
});
