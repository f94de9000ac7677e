import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EncodeError } from '../codec/decode-error.js';
import { decodeJoinAns, decodeJoinReq, encodeJoinAns, encodeJoinReq } from './join.js';
import { arbJoinAns, arbJoinReq } from '../testing/methods.arb.js';
import { decodeErrorPath, expectRoundTrip, hex as h } from '../testing/codec-test-kit.js';

const NODE = '0102030405060708090a0b0c0d0e0f10';

describe('JoinReq / JoinAns (RFC 6940 §6.4.2.1)', () => {
  it('JoinReq: the Node-ID, then overlay_specific_data<0..2^16-1>', () => {
    const bytes = h(
      NODE, // joining_peer_id: 16 bytes (chord-reload's 128-bit Node-ID)
      '0000', // overlay_specific_data: empty (chord-reload adds nothing)
    );
    const value = { joiningPeerId: h(NODE), overlaySpecificData: new Uint8Array() };
    expect(decodeJoinReq(bytes)).toEqual(value);
    expect(encodeJoinReq(value)).toEqual(bytes);
  });

  it('an empty JoinAns is two zero bytes (rfc6940-readings #9)', () => {
    expect(encodeJoinAns({ overlaySpecificData: new Uint8Array() })).toEqual(h('0000'));
    expect(decodeJoinAns(h('0000'))).toEqual({ overlaySpecificData: new Uint8Array() });
    expect(decodeJoinAns(h('0002 abcd'))).toEqual({ overlaySpecificData: h('abcd') });
  });

  const failures: { name: string; run: () => unknown; path: string }[] = [
    { name: 'JoinReq with a 15-byte Node-ID', run: () => decodeJoinReq(h(NODE.slice(2))), path: 'JoinReq.joiningPeerId' },
    { name: 'JoinReq without overlay_specific_data', run: () => decodeJoinReq(h(NODE)), path: 'JoinReq.overlaySpecificData' },
    { name: 'JoinAns of zero bytes', run: () => decodeJoinAns(new Uint8Array()), path: 'JoinAns.overlaySpecificData' },
    { name: 'JoinAns with a trailing byte', run: () => decodeJoinAns(h('0000 00')), path: 'JoinAns' },
  ];
  for (const row of failures) {
    it(`fails: ${row.name}`, () => expect(decodeErrorPath(row.run)).toBe(row.path));
  }

  it('refuses a Node-ID that is not 16 bytes', () => {
    expect(() => encodeJoinReq({ joiningPeerId: new Uint8Array(20), overlaySpecificData: new Uint8Array() })).toThrow(EncodeError);
  });

  it('round-trips both ways', () => {
    fc.assert(
      fc.property(arbJoinReq, arbJoinAns, (req, ans) => {
        expectRoundTrip(req, encodeJoinReq, decodeJoinReq);
        expectRoundTrip(ans, encodeJoinAns, decodeJoinAns);
      }),
    );
  });
});
