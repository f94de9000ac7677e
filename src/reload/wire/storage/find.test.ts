import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EncodeError } from '../codec/decode-error.js';
import { arbFindAns, arbFindReq } from '../testing/storage.arb.js';
import { decodeFindAns, decodeFindReq, encodeFindAns, encodeFindReq, type FindAns, type FindReq } from './find.js';
import { decodeFailure, expectRoundTrip, hex } from '../testing/codec-test-kit.js';

/** RFC 6940 §7.4.4.1 FindReq for TURN-SERVICE and REDIR. */
const findReqBytes = hex(`
  02 ab cd                       // resource: 2 bytes
  08                             // kinds<0..2^8-1>: 8 bytes = 2 KindIds
    00 00 00 02                  //   TURN-SERVICE
    00 00 01 04                  //   REDIR
`);
const findReq: FindReq = { resource: Uint8Array.of(0xab, 0xcd), kinds: [2, 0x104] };

/** RFC 6940 §7.4.4.2 FindAns: one closest Resource-ID, and "0" (here an empty id) for the other Kind. */
const findAnsBytes = hex(`
  00 0e                          // results<0..2^16-1>: 14 bytes
    00 00 00 02                  //   kind: TURN-SERVICE
    04 ab ce 00 01               //   closest: 4-byte Resource-ID
    00 00 01 04                  //   kind: REDIR
    00                           //   closest: empty (none known)
`);
const findAns: FindAns = {
  results: [
    { kind: 2, closest: Uint8Array.of(0xab, 0xce, 0x00, 0x01) },
    { kind: 0x104, closest: new Uint8Array(0) },
  ],
};

describe('FindReq / FindAns', () => {
  it('vectors', () => {
    expect(decodeFindReq(findReqBytes)).toEqual(findReq);
    expect(encodeFindReq(findReq)).toEqual(findReqBytes);
    expect(decodeFindAns(findAnsBytes)).toEqual(findAns);
    expect(encodeFindAns(findAns)).toEqual(findAnsBytes);
  });

  it('kinds not a whole number of KindIds', () => {
    const e = decodeFailure(() => decodeFindReq(hex('00 03 00 00 01')));
    expect(e.path).toBe('FindReq.kinds[0].kind');
  });

  it('closest longer than the results', () => {
    const bytes = findAnsBytes.slice();
    bytes[6] = 0x20; // closest: 32 bytes, but only 9 remain in results
    const e = decodeFailure(() => decodeFindAns(bytes));
    expect(e.path).toBe('FindAns.results[0].FindKindData.closest');
  });

  it('trailing byte', () => {
    expect(decodeFailure(() => decodeFindReq(Uint8Array.from([...findReqBytes, 0]))).path).toBe('FindReq');
    expect(decodeFailure(() => decodeFindAns(Uint8Array.from([...findAnsBytes, 0]))).path).toBe('FindAns');
  });

  it('encoder: more Kinds than kinds<0..2^8-1> holds', () => {
    expect(() => encodeFindReq({ resource: new Uint8Array(0), kinds: Array.from({ length: 64 }, (_, i) => i) })).toThrow(EncodeError);
  });

  it('properties', () => {
    fc.assert(
      fc.property(arbFindReq, arbFindAns, (req, ans) => {
        expectRoundTrip(req, encodeFindReq, decodeFindReq);
        expectRoundTrip(ans, encodeFindAns, decodeFindAns);
      }),
    );
  });
});
