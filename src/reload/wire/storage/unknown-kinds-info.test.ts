import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, EncodeError } from '../codec/decode-error.js';
import { fromHex } from '../codec/hex.js';
import { arbUnknownKindsInfo } from '../testing/unknown-kinds-info.arb.js';
import { decodeUnknownKindsInfo, encodeUnknownKindsInfo, MAX_UNKNOWN_KINDS } from './unknown-kinds-info.js';

function hex(text: string): Uint8Array {
  const bytes = fromHex(text.replace(/\/\/[^\n]*/g, ''));
  if (!bytes) throw new Error(`bad hex vector: ${text}`);
  return bytes;
}

function decodeFailure(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error('decoded without error');
}

/** RFC 6940 §7.4.1.2: `KindId unknown_kinds<0..2^8-1>` listing Kinds 0xf00d and 0x2000. */
const infoBytes = hex(`
  08                 // unknown_kinds: 8 bytes = 2 KindIds
    00 00 f0 0d      //   0xf00d
    00 00 20 00      //   0x2000
`);

describe('UnknownKindsInfo (Error_Unknown_Kind error_info)', () => {
  it('vector', () => {
    expect(decodeUnknownKindsInfo(infoBytes)).toEqual({ unknownKinds: [0xf00d, 0x2000] });
    expect(encodeUnknownKindsInfo({ unknownKinds: [0xf00d, 0x2000] })).toEqual(infoBytes);
    expect(encodeUnknownKindsInfo({ unknownKinds: [] })).toEqual(hex('00'));
  });

  it('length not a whole number of KindIds', () => {
    expect(decodeFailure(() => decodeUnknownKindsInfo(hex('03 00 00 01'))).path).toBe('UnknownKindsInfo.unknownKinds[0].kind');
  });

  it('length past the end', () => {
    expect(decodeFailure(() => decodeUnknownKindsInfo(hex('08 00 00 00 01'))).path).toBe('UnknownKindsInfo.unknownKinds');
  });

  it('trailing byte', () => {
    expect(decodeFailure(() => decodeUnknownKindsInfo(Uint8Array.from([...infoBytes, 0]))).path).toBe('UnknownKindsInfo');
  });

  it('encoder: more Kinds than 255 bytes hold', () => {
    expect(MAX_UNKNOWN_KINDS).toBe(63);
    expect(() => encodeUnknownKindsInfo({ unknownKinds: Array.from({ length: 64 }, (_, i) => i) })).toThrow(EncodeError);
  });

  it('properties', () => {
    fc.assert(
      fc.property(arbUnknownKindsInfo, (v) => {
        const bytes = encodeUnknownKindsInfo(v);
        expect(decodeUnknownKindsInfo(bytes)).toEqual(v);
        expect(encodeUnknownKindsInfo(decodeUnknownKindsInfo(bytes))).toEqual(bytes);
      }),
    );
  });
});
