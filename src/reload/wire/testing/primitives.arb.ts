/**
 * fast-check arbitraries for the RFC 6940 §6.3.1 presentation-language primitives (uint8 … uint64,
 * opaque bytes), shared by the structure arbitraries in this folder.
 */
import fc from 'fast-check';

export const u8: fc.Arbitrary<number> = fc.integer({ min: 0, max: 0xff });
export const u16: fc.Arbitrary<number> = fc.integer({ min: 0, max: 0xffff });
export const u32: fc.Arbitrary<number> = fc.integer({ min: 0, max: 0xffffffff });
export const u64: fc.Arbitrary<bigint> = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });
/** Opaque bytes; sizes stay modest (64 by default) so tests stay fast. */
export const bytes = (maxLength = 64, minLength = 0): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength, maxLength });
