import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { allocateBytes, exactBytes } from './byte-slab.js';

/** Whether `b` is the whole of its buffer (holds no other bytes, keeps nothing else alive). */
const ownsBuffer = (b: Uint8Array): boolean => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;

describe('allocateBytes', () => {
  it('gives zeroed arrays of the size asked', () => {
    for (const n of [1, 16, 1024, 1025, 5000]) {
      const b = allocateBytes(n);
      expect(b.length).toBe(n);
      expect(b.every((x) => x === 0)).toBe(true);
    }
  });

  it('gives an empty array that holds no slab', () => {
    expect(allocateBytes(0).buffer.byteLength).toBe(0);
  });
});

describe('exactBytes', () => {
  it('returns an array that is its whole buffer as it is', () => {
    const b = new Uint8Array([1, 2, 3]);
    expect(exactBytes(b)).toBe(b);
  });

  it('copies a view of a slab into a buffer of its own', () => {
    allocateBytes(1);
    const view = allocateBytes(3);
    view.set([1, 2, 3]);
    const own = exactBytes(view);
    expect(ownsBuffer(own)).toBe(true);
    expect([...own]).toEqual([1, 2, 3]);
  });

  it('copies a view that is a Node Buffer (whose own slice is a view) into a buffer of its own', () => {
    const pool = Buffer.from([9, 1, 2, 3, 9]);
    const view = pool.subarray(1, 4);
    const own = exactBytes(view);
    expect(ownsBuffer(own)).toBe(true);
    expect([...own]).toEqual([1, 2, 3]);
    pool[1] = 7;
    expect(own[0]).toBe(1);
  });
});
