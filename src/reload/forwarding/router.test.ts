import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toHex } from '../wire/codec/hex.js';
import { isWildcardNodeId, nodeIdKey, WILDCARD_NODE_ID } from './router.js';

const id = (...head: number[]) => {
  const b = new Uint8Array(16);
  b.set(head);
  return b;
};

describe('nodeIdKey (map keys of Node-IDs)', () => {
  it('is the lowercase hex of the Node-ID, whatever was asked before (random ids, cache slots reused)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 16, maxLength: 16 }), { minLength: 1, maxLength: 50 }), (ids) => {
        for (const x of [...ids, ...ids.reverse()]) expect(nodeIdKey(x)).toBe(toHex(x));
      }),
    );
  });

  it('tells apart Node-IDs that share a cache slot (same first bytes) and keeps the right key for each', () => {
    const a = id(1, 2, 3);
    const b = id(1, 2, 4);
    for (let i = 0; i < 3; i++) {
      expect(nodeIdKey(a)).toBe(toHex(a));
      expect(nodeIdKey(b)).toBe(toHex(b));
    }
  });

  it('stays right while the cache grows: far more Node-IDs than slots, asked in turns', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => id(i & 0xff, (i >> 8) & 0xff, i % 7, 0x5a));
    for (let round = 0; round < 3; round++) for (const x of ids) expect(nodeIdKey(x)).toBe(toHex(x));
  });

  it('does not depend on the buffer the id is a view of, and does not keep it changed', () => {
    const msg = new Uint8Array(40).fill(0xab);
    const view = msg.subarray(4, 20);
    expect(nodeIdKey(view)).toBe('ab'.repeat(16));
    msg.fill(0xcd);
    expect(nodeIdKey(view)).toBe('cd'.repeat(16));
    expect(nodeIdKey(new Uint8Array(16).fill(0xab))).toBe('ab'.repeat(16));
  });

  it('keys ids of other lengths too (not cached)', () => {
    expect(nodeIdKey(Uint8Array.of(0, 255, 16))).toBe('00ff10');
    expect(nodeIdKey(new Uint8Array(0))).toBe('');
  });

  it('knows the wildcard Node-ID (RFC 6940 §6.1.1: all 1s)', () => {
    expect(isWildcardNodeId(WILDCARD_NODE_ID)).toBe(true);
    expect(isWildcardNodeId(id(0xff))).toBe(false);
  });
});
