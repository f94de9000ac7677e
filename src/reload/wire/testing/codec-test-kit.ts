/**
 * Helpers shared by the wire codec tests (`*.test.ts` only: they call vitest's `expect`, so keep
 * them out of the arbitraries, which the bundled fuzz bench also loads).
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { DecodeError } from '../codec/decode-error.js';
import { fromHex } from '../codec/hex.js';
import type { KindModels } from '../storage/data-model.js';
import type { WithKinds } from './storage.arb.js';

/**
 * Bytes from hex written out by hand. The parts are joined; whitespace, `:` and `//` comments (to
 * the end of a line) are ignored. Anything else throws, so a typo in a vector fails loudly.
 */
export function hex(...parts: string[]): Uint8Array {
  const bytes = fromHex(parts.map((p) => p.replace(/\/\/[^\n]*/g, '')).join(''));
  if (!bytes) throw new Error(`bad hex vector: ${parts.join('')}`);
  return bytes;
}

/** The bytes of an ASCII string, one a character. */
export function ascii(text: string): Uint8Array {
  if (!/^[\x00-\x7f]*$/.test(text)) throw new Error(`not ASCII: ${text}`);
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/**
 * An RFC 6940 §6.3.4 Signature for StoredData vectors (the codec does not check it): algorithm
 * {sha256(4), rsa(1)}, a cert_hash signer, a 4-byte signature_value. `signatureHex` is its
 * encoding, with comments, to put inside a `hex` vector.
 */
export const signature = {
  algorithm: { hash: 4, signature: 1 },
  identity: { identityType: 1, hashAlg: 4, hash: Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd) },
  signatureValue: Uint8Array.of(0xde, 0xad, 0xbe, 0xef),
} as const;
export const signatureHex = `
  04 01                          // Signature.algorithm: {sha256(4), rsa(1)}
  01 00 06 04 04 aa bb cc dd     // SignerIdentity: cert_hash(1), length 6, hash_alg sha256, certificate_hash<0..255> (4 bytes)
  00 04 de ad be ef              // signature_value<0..2^16-1>
`;

/** The DecodeError `fn` raises; the test fails if it raises anything else or nothing. */
export function decodeFailure(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error('decoded without error');
}

/** The `path` of the DecodeError `fn` raises (see decodeFailure). */
export function decodeErrorPath(fn: () => unknown): string {
  return decodeFailure(fn).path;
}

/** `fn` may decode, but if it throws, it throws a DecodeError. */
export function expectOnlyDecodeError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
  }
}

/** decode(encode(v)) deep-equals v and encode(decode(b)) equals b; returns b. */
export function expectRoundTrip<T>(v: T, encode: (v: T) => Uint8Array, decode: (b: Uint8Array) => T): Uint8Array {
  const b = encode(v);
  expect(decode(b)).toEqual(v);
  expect(encode(decode(b))).toEqual(b);
  return b;
}

/** How a property damages an encoding: `truncate: false` leaves out the truncated copy. */
export interface DamageOptions {
  readonly truncate?: boolean;
}

/** `b` with the byte at `at` (mod its length) set to `byte`, and (unless not `truncate`) `b` cut to `at` (mod its length) bytes. */
export function damaged(b: Uint8Array, at: number, byte: number, { truncate = true }: DamageOptions = {}): Uint8Array[] {
  const mutated = b.slice();
  mutated[at % b.length] = byte;
  return truncate ? [mutated, b.subarray(0, at % b.length)] : [mutated];
}

/**
 * decode(encode(x)) = x and encode(decode(b)) = b for every generated x; unless `damage` is
 * false, in the same property, damaged bytes (see `damaged`) raise only DecodeError.
 */
export function roundTrips<T>(
  arb: fc.Arbitrary<T>,
  encode: (v: T) => Uint8Array,
  decode: (b: Uint8Array) => T,
  { damage = true, ...options }: DamageOptions & { readonly damage?: boolean } = {},
): void {
  if (!damage) {
    fc.assert(
      fc.property(arb, (v) => {
        expectRoundTrip(v, encode, decode);
      }),
    );
    return;
  }
  fc.assert(
    fc.property(arb, fc.nat(), fc.integer({ min: 0, max: 255 }), (v, at, byte) => {
      const b = expectRoundTrip(v, encode, decode);
      for (const input of damaged(b, at, byte, options)) expectOnlyDecodeError(() => decode(input));
    }),
  );
}

/** Damaged encodings (see `damaged`) of every generated x raise only DecodeError. */
export function damageRaisesOnlyDecodeError<T>(arb: fc.Arbitrary<T>, encode: (v: T) => Uint8Array, decode: (b: Uint8Array) => T, options: DamageOptions = {}): void {
  fc.assert(
    fc.property(arb, fc.nat(), fc.integer({ min: 0, max: 255 }), (v, at, byte) => {
      for (const input of damaged(encode(v), at, byte, options)) expectOnlyDecodeError(() => decode(input));
    }),
  );
}

/**
 * For kind-dependent bodies: decode(encode(x, kinds), kinds) = x, and encoding that again
 * without `kinds` gives the same bytes.
 */
export function roundTripsWithKinds<T>(
  arb: fc.Arbitrary<WithKinds<T>>,
  encode: (v: T, kinds?: KindModels) => Uint8Array,
  decode: (b: Uint8Array, kinds: KindModels) => T,
): void {
  fc.assert(
    fc.property(arb, ({ value, kinds }) => {
      const bytes = encode(value, kinds);
      const decoded = decode(bytes, kinds);
      expect(decoded).toEqual(value);
      expect(encode(decoded)).toEqual(bytes);
    }),
  );
}

/**
 * For kind-dependent bodies: with one byte mutated, or cut anywhere from empty to whole, the
 * encoding of every generated x raises only DecodeError.
 */
export function damageWithKindsRaisesOnlyDecodeError<T>(
  arb: fc.Arbitrary<WithKinds<T>>,
  encode: (v: T) => Uint8Array,
  decode: (b: Uint8Array, kinds: KindModels) => T,
): void {
  fc.assert(
    fc.property(arb, fc.nat(), fc.integer({ min: 0, max: 255 }), ({ value, kinds }, pos, byte) => {
      const bytes = encode(value);
      const mutated = bytes.slice();
      if (mutated.length > 0) mutated[pos % mutated.length] = byte;
      for (const input of [mutated, bytes.subarray(0, pos % (bytes.length + 1))]) expectOnlyDecodeError(() => decode(input, kinds));
    }),
  );
}
