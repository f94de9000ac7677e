import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RING_SIZE,
  bitLength,
  clockwise,
  fingerIndex,
  fingerRangeStart,
  idAt,
  inHalfOpen,
  inOpen,
  nextId,
  randomInFingerRange,
  ringAdd,
  ringPosition,
  ringShareInPpb,
} from './ring.js';

const pos = fc.bigInt({ min: 0n, max: RING_SIZE - 1n });

describe('ring arithmetic (RFC 6940 §10.1: modulo 2^128)', () => {
  it('reads ids as big-endian positions and writes them back', () => {
    expect(ringPosition(new Uint8Array(16))).toBe(0n);
    expect(ringPosition(new Uint8Array(16).fill(0xff))).toBe(RING_SIZE - 1n);
    expect(ringPosition(Uint8Array.of(1, ...new Uint8Array(15)))).toBe(1n << 120n);
    // A 20-byte SHA-1 digest: only its most significant 128 bits count (§10.2).
    expect(ringPosition(Uint8Array.of(...new Uint8Array(15), 7, 9, 9, 9, 9))).toBe(7n);
    // A shorter id is zero-padded on the right, also after a full id was read (the scratch bytes are reused).
    expect(ringPosition(new Uint8Array(16).fill(0xff))).toBe(RING_SIZE - 1n);
    expect(ringPosition(Uint8Array.of(0xab, 0xcd))).toBe(0xabcdn << 112n);
    expect(ringPosition(Uint8Array.of(1))).toBe(1n << 120n);
    expect(ringPosition(new Uint8Array(0))).toBe(0n);
    // A view at a non-zero offset reads its own bytes, not its buffer's from 0.
    const buffer = Uint8Array.of(0xee, 0xee, 0xee, ...idAt(5n), 0xee).buffer;
    expect(ringPosition(new Uint8Array(buffer, 3, 16))).toBe(5n);
    expect(ringPosition(new Uint8Array(buffer, 3))).toBe(5n); // 17 bytes: the first 16 count
    expect(ringPosition(new Uint8Array(buffer, 1, 2))).toBe(0xeeeen << 112n);
    fc.assert(fc.property(pos, (v) => ringPosition(idAt(v)) === v));
    expect(idAt(RING_SIZE + 5n)).toEqual(idAt(5n));
    expect(idAt(-1n)).toEqual(new Uint8Array(16).fill(0xff));
  });

  it('measures clockwise distances, wrapping through zero', () => {
    expect(clockwise(10n, 15n)).toBe(5n);
    expect(clockwise(15n, 10n)).toBe(RING_SIZE - 5n);
    expect(clockwise(RING_SIZE - 1n, 0n)).toBe(1n);
    expect(ringAdd(RING_SIZE - 1n, 2n)).toBe(1n);
    fc.assert(fc.property(pos, pos, (a, b) => (clockwise(a, b) + clockwise(b, a)) % RING_SIZE === 0n));
  });

  it('tells half-open (a, b] and open (a, b) intervals, wrapping and degenerate', () => {
    expect(inHalfOpen(15n, 10n, 15n)).toBe(true);
    expect(inHalfOpen(10n, 10n, 15n)).toBe(false);
    expect(inHalfOpen(2n, RING_SIZE - 3n, 5n)).toBe(true);
    expect(inHalfOpen(6n, RING_SIZE - 3n, 5n)).toBe(false);
    // (a, a] is the whole ring: a peer alone is responsible for everything (§10.1).
    expect(inHalfOpen(123n, 7n, 7n)).toBe(true);
    expect(inHalfOpen(7n, 7n, 7n)).toBe(true);
    expect(inOpen(15n, 10n, 15n)).toBe(false);
    expect(inOpen(14n, 10n, 15n)).toBe(true);
    expect(inOpen(7n, 7n, 7n)).toBe(false);
    expect(inOpen(8n, 7n, 7n)).toBe(true);
  });

  it('numbers fingers from 1 (halfway round) as §10.7.4.2 does', () => {
    expect(bitLength(0n)).toBe(0);
    expect(bitLength(1n)).toBe(1);
    expect(bitLength((1n << 32n) - 1n)).toBe(32);
    expect(bitLength(1n << 100n)).toBe(101);
    // "the i'th Finger Table entry is valid if it is in the range [x+2^(128-i), x+2^(128-(i-1))-1]".
    expect(fingerIndex(1n << 127n)).toBe(1);
    expect(fingerIndex(RING_SIZE - 1n)).toBe(1);
    expect(fingerIndex((1n << 127n) - 1n)).toBe(2);
    expect(fingerIndex(1n)).toBe(128);
    expect(fingerRangeStart(1)).toBe(1n << 127n);
    expect(fingerRangeStart(128)).toBe(1n);
    expect(() => fingerRangeStart(0)).toThrow(RangeError);
    expect(() => fingerIndex(0n)).toThrow(RangeError);
    for (let i = 1; i <= 128; i++) {
      expect(fingerIndex(fingerRangeStart(i))).toBe(i);
      expect(fingerIndex(2n * fingerRangeStart(i) - 1n)).toBe(i);
    }
  });

  it('picks random finger targets inside the range (§10.7.4.2 "selected randomly from that range")', () => {
    fc.assert(
      fc.property(pos, fc.integer({ min: 1, max: 128 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (self, i, bytes) => {
        const t = randomInFingerRange(self, i, () => bytes);
        return fingerIndex(clockwise(self, t)) === i;
      }),
    );
  });

  it('gives n+1 (§10.5) and shares of the ring in parts per billion (§6.4.2.5.2)', () => {
    expect(ringPosition(nextId(idAt(RING_SIZE - 1n)))).toBe(0n);
    expect(ringShareInPpb(0n, 1n << 127n)).toBe(500_000_000);
    expect(ringShareInPpb(5n, 5n)).toBe(1_000_000_000);
    expect(ringShareInPpb(3n << 126n, 1n << 126n)).toBe(500_000_000);
  });
});
