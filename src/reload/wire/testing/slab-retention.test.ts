import { describe, expect, it } from 'vitest';
import { allocateBytes } from '../codec/byte-slab.js';
import { slabKeptBy } from './slab-retention.js';

/** Carves `count` dropped pieces of `size` bytes. */
function carve(count: number, size: number): void {
  for (let i = 0; i < count; i++) allocateBytes(size);
}

describe('slabKeptBy', () => {
  it('is false when the action keeps nothing carved from a slab', async () => {
    expect(await slabKeptBy(() => carve(1, 16))).toBe(false);
    // 5 x 800 bytes: more than one slab's worth (4096), whichever the action starts on.
    expect(await slabKeptBy(() => carve(5, 800))).toBe(false);
  });

  it('is true when the action keeps a piece of a slab', async () => {
    const held: Uint8Array[] = [];
    expect(await slabKeptBy(() => held.push(allocateBytes(16)))).toBe(true);
  });

  it('is true when the piece kept is carved from a later slab than the one the action started on', async () => {
    const held: Uint8Array[] = [];
    expect(
      await slabKeptBy(() => {
        carve(5, 800);
        held.push(allocateBytes(16));
      }),
    ).toBe(true);
  });

  it('is true when the piece kept is of the first slab and the action went on to others', async () => {
    const held: Uint8Array[] = [];
    expect(
      await slabKeptBy(() => {
        held.push(allocateBytes(16));
        carve(5, 800);
      }),
    ).toBe(true);
  });
});
