import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareIds, fromHexKey, hexKey, inRingRange, ringDecrement, ringFrom, ringOrder, ringRangeParts, type RingRangePart } from './ring-range.js';
import { id16 } from './testing/records.js';

describe('ring ranges (RFC 6940 §10.1, modulo 2^128)', () => {
  it.each([
    { name: 'inside (a, b]', id: 0x20, after: 0x10, upTo: 0x30, expected: true },
    { name: 'upTo is included', id: 0x30, after: 0x10, upTo: 0x30, expected: true },
    { name: 'after is excluded', id: 0x10, after: 0x10, upTo: 0x30, expected: false },
    { name: 'outside', id: 0x40, after: 0x10, upTo: 0x30, expected: false },
    { name: 'wrapping, above after', id: 0xf0, after: 0xe0, upTo: 0x10, expected: true },
    { name: 'wrapping, below upTo', id: 0x05, after: 0xe0, upTo: 0x10, expected: true },
    { name: 'wrapping, outside', id: 0x50, after: 0xe0, upTo: 0x10, expected: false },
    { name: 'after == upTo: the whole ring', id: 0x50, after: 0x10, upTo: 0x10, expected: true },
  ])('$name', ({ id, after, upTo, expected }) => {
    expect(inRingRange(id16(id), { after: id16(after), upTo: id16(upTo) })).toBe(expected);
  });

  it('ringDecrement borrows and wraps', () => {
    expect(ringDecrement(Uint8Array.of(1, 0))).toEqual(Uint8Array.of(0, 0xff));
    expect(ringDecrement(Uint8Array.of(0, 0))).toEqual(Uint8Array.of(0xff, 0xff));
    expect(inRingRange(Uint8Array.of(5, 5), ringFrom(Uint8Array.of(5, 5)))).toBe(true);
  });

  it('hexKey order is byte order', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ maxLength: 20 }), (a, b) => {
        expect(Math.sign(compareIds(a, b))).toBe(Math.sign(hexKey(a) < hexKey(b) ? -1 : hexKey(a) > hexKey(b) ? 1 : 0));
        expect(fromHexKey(hexKey(a))).toEqual(a);
      }),
    );
  });

  it('hexKey of a long key (a 64 KiB dictionary key)', () => {
    const key = Uint8Array.from({ length: 0xffff }, (_, i) => i & 0xff);
    const hex = hexKey(key, 'd');
    expect(hex.length).toBe(1 + 2 * 0xffff);
    expect(hex.slice(0, 7)).toBe('d000102');
    expect(fromHexKey(hex.slice(1))).toEqual(key);
  });

  it('ringOrder lists a range clockwise and agrees with inRingRange', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 12 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (ids, a, b) => {
        const sorted = ids.map((i) => hexKey(Uint8Array.of(i))).sort();
        const range = { after: Uint8Array.of(a), upTo: Uint8Array.of(b) };
        const listed = ringOrder(sorted, range);
        expect(new Set(listed)).toEqual(new Set(sorted.filter((h) => inRingRange(fromHexKey(h), range))));
        // Clockwise from `after`: distances increase.
        const dist = (h: string) => ((fromHexKey(h)[0] as number) - a + 256) % 256 || 256;
        expect(listed.map(dist)).toEqual([...listed.map(dist)].sort((x, y) => x - y));
      }),
    );
  });
  it('ringRangeParts splits a range into ascending pieces that hold exactly its ids, in bytes or in hex keys', () => {
    const inPart = (id: Uint8Array, p: RingRangePart) => (p.after === undefined || compareIds(id, p.after) > 0) && (p.upTo === undefined || compareIds(id, p.upTo) <= 0);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (a, b, i) => {
        const range = { after: Uint8Array.of(a), upTo: Uint8Array.of(b) };
        const parts = ringRangeParts(range);
        // One piece when it does not wrap; a wrapping range (or the whole ring, a == b) in two.
        expect(parts.length).toBe(a < b ? 1 : 2);
        const id = Uint8Array.of(i);
        expect(parts.filter((p) => inPart(id, p)).length).toBe(inRingRange(id, range) ? 1 : 0);
        expect(ringRangeParts(range, hexKey)).toEqual(parts.map((p) => ({ ...(p.after ? { after: hexKey(p.after) } : {}), ...(p.upTo ? { upTo: hexKey(p.upTo) } : {}) })));
      }),
    );
    expect(ringRangeParts(undefined)).toEqual([{}]);
    // Parts of another form only with the key that makes it (checked by tsc): no Uint8Arrays typed as strings.
    // @ts-expect-error no key, so no string parts
    expect(ringRangeParts<string>(undefined)).toEqual([{}]);
  });
});
