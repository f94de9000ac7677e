import { describe, expect, it } from 'vitest';
import { Writer } from './writer.js';

describe('Writer.finishOwn', () => {
  it('gives the bytes written in an array that is its whole buffer, where finish gives a slab view', () => {
    const w = new Writer(64).u16(0x0102).bytes(Uint8Array.of(3, 4, 5));
    const own = w.finishOwn();
    expect([...own]).toEqual([1, 2, 3, 4, 5]);
    expect([own.byteOffset, own.byteLength]).toEqual([0, own.buffer.byteLength]);
    // What finishOwn spares: finish's small result is a view of a shared slab (codec/byte-slab.ts).
    const slabbed = w.finish();
    expect(slabbed.byteLength).toBeLessThan(slabbed.buffer.byteLength);
  });

  it('copies: writing on afterwards does not change the array given', () => {
    const w = new Writer(64).u8(7);
    const own = w.finishOwn();
    w.reset().u8(9);
    expect([...own]).toEqual([7]);
  });
});
