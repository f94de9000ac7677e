import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EncodeError } from '../codec/decode-error.js';
import { decodePingAns, decodePingReq, encodePingAns, encodePingReq } from './ping.js';
import { arbPingAns, arbPingReq } from '../testing/methods.arb.js';
import { decodeErrorPath, expectRoundTrip, hex as h } from '../testing/codec-test-kit.js';

describe('PingReq / PingAns (RFC 6940 §6.5.3)', () => {
  it('PingReq: padding<0..2^16-1>', () => {
    const bytes = h(
      '0004', // padding length
      '00000000', // padding
    );
    expect(decodePingReq(bytes)).toEqual({ padding: new Uint8Array(4) });
    expect(encodePingReq({ padding: new Uint8Array(4) })).toEqual(bytes);
    expect(encodePingReq({ padding: new Uint8Array() })).toEqual(h('0000'));
  });

  it('PingAns: response_id and time, two uint64', () => {
    const bytes = h(
      '0123456789abcdef', // response_id
      '0000018bcfe56800', // time: 1700000000000 ms (storage_time form, §7)
    );
    const value = { responseId: 0x0123456789abcdefn, time: 1_700_000_000_000n };
    expect(decodePingAns(bytes)).toEqual(value);
    expect(encodePingAns(value)).toEqual(bytes);
  });

  const failures: { name: string; run: () => unknown; path: string }[] = [
    { name: 'PingAns of 15 bytes', run: () => decodePingAns(h('0123456789abcdef 00000000000000')), path: 'PingAns.time' },
    { name: 'PingAns with a trailing byte', run: () => decodePingAns(h('0123456789abcdef 0000018bcfe56800 ff')), path: 'PingAns' },
    { name: 'padding past the end', run: () => decodePingReq(h('0005 00000000')), path: 'PingReq.padding' },
  ];
  for (const row of failures) {
    it(`fails: ${row.name}`, () => expect(decodeErrorPath(row.run)).toBe(row.path));
  }

  it('refuses padding over 65535 bytes and a negative time', () => {
    expect(() => encodePingReq({ padding: new Uint8Array(65536) })).toThrow(EncodeError);
    expect(() => encodePingAns({ responseId: 0n, time: -1n })).toThrow(EncodeError);
  });

  it('round-trips both ways', () => {
    fc.assert(
      fc.property(arbPingReq, arbPingAns, (req, ans) => {
        expectRoundTrip(req, encodePingReq, decodePingReq);
        expectRoundTrip(ans, encodePingAns, decodePingAns);
      }),
    );
  });
});
