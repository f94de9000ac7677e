import { describe, expect, it } from 'vitest';
import { DecodeError } from './decode-error.js';
import { Reader, decodeAll, readRetracing } from './reader.js';
import { Writer } from './writer.js';

describe('Reader', () => {
  it('reads integers big-endian', () => {
    const r = new Reader(Uint8Array.from([1, 0, 2, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 5, 6]));
    expect([r.u8('a'), r.u16('b'), r.u24('c'), r.u32('d'), r.u64('e'), r.u8('f')]).toEqual([1, 2, 3, 4, 5n, 6]);
  });

  it('names path, field and offset when a length overruns', () => {
    const bytes = Uint8Array.from([0, 9, 1, 2]);
    try {
      decodeAll(bytes, 'Thing', (r) => r.scope('inner', () => r.opaque('data', 2)));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      const d = e as DecodeError;
      expect(d.path).toBe('Thing.inner.data');
      expect(d.structure).toBe('Thing');
      expect(d.field).toBe('data');
      expect(d.offset).toBe(0);
      expect(d.message).toMatch(/length 9 exceeds the 2 bytes that remain/);
    }
  });

  it('rejects trailing bytes and unconsumed sub-structures', () => {
    expect(() => decodeAll(Uint8Array.from([1, 2]), 'X', (r) => r.u8('a'))).toThrow(/1 trailing byte/);
    expect(() => decodeAll(Uint8Array.from([2, 1, 2]), 'X', (r) => r.prefixed('body', 1, (s) => s.u8('a')))).toThrow(
      /X\.body: 1 unread byte/,
    );
  });

  it('indexes vector elements in the path', () => {
    const w = new Writer();
    w.prefixed(2, (w) => w.u8(1).u8(2).u8(3));
    try {
      decodeAll(w.finish(), 'V', (r) => r.vector('items', 2, (r) => r.u16('pair')));
      expect.unreachable();
    } catch (e) {
      expect((e as DecodeError).path).toBe('V.items[1].pair');
      expect((e as DecodeError).offset).toBe(4);
    }
  });

  it('fixedVector gives the values and errors of vector with fixed elements', () => {
    const viaVector = (r: Reader) => r.vector('ids', 2, (s) => s.fixed('id', 3));
    const viaFixed = (r: Reader) => r.fixedVector('ids', 2, 3, 'id');
    const outcome = (bytes: Uint8Array, read: (r: Reader) => Uint8Array[], owned: boolean) => {
      try {
        const value = readRetracing(bytes, 0, owned, (r) => r.scope('L', () => ({ ids: read(r), next: r.u8('next') })));
        return { ids: value.ids.map((id) => [...id]), views: value.ids.every((id) => id.buffer === bytes.buffer), next: value.next };
      } catch (e) {
        const d = e as DecodeError;
        return { path: d.path, offset: d.offset, message: d.message };
      }
    };
    const cases = [
      [0, 0, 9], // empty
      [0, 6, 1, 2, 3, 4, 5, 6, 9], // two elements
      [0, 5, 1, 2, 3, 4, 5, 9], // a partial last element
      [0, 9, 1, 2, 3], // a length past the end
      [0, 3, 1, 2, 3], // no byte after the list
    ].map((b) => Uint8Array.from(b));
    for (const bytes of cases) {
      for (const owned of [false, true]) expect(outcome(bytes, viaFixed, owned)).toEqual(outcome(bytes, viaVector, owned));
    }
    expect(outcome(cases[1]!, viaFixed, true)).toEqual({ ids: [[1, 2, 3], [4, 5, 6]], views: true, next: 9 });
    expect(outcome(cases[2]!, viaFixed, false)).toMatchObject({ path: 'L.ids[1].id', offset: 5 });
  });

  it('rejects a Boolean other than 0 or 1', () => {
    expect(() => decodeAll(Uint8Array.from([2]), 'B', (r) => r.bool('flag'))).toThrow(DecodeError);
  });

  it('readRetracing reads untraced, and only after a DecodeError again traced to name the path', () => {
    const bytes = Uint8Array.from([0, 9, 1, 2]);
    const runs: boolean[] = [];
    const read = (r: Reader) => {
      runs.push(r.tracing);
      return r.scope('Thing', () => r.opaque('data', 2));
    };
    expect(() => readRetracing(bytes, 10, false, read)).toThrow(expect.objectContaining({ path: 'Thing.data', offset: 10 }));
    expect(runs).toEqual([false, true]);
    runs.length = 0;
    // A good input is read once, untraced; `owned` makes values views of the input.
    const good = Uint8Array.from([0, 2, 7, 8]);
    const value = readRetracing(good, 0, true, read);
    expect(runs).toEqual([false]);
    expect(value.buffer).toBe(good.buffer);
    // Anything but a DecodeError is a bug, passed on as it is without a second run.
    runs.length = 0;
    const bug = new TypeError('bug');
    expect(() =>
      readRetracing(good, 0, false, (r) => {
        runs.push(r.tracing);
        throw bug;
      }),
    ).toThrow(bug);
    expect(runs).toEqual([false]);
  });
});

describe('Writer', () => {
  it('back-patches prefixed lengths and grows', () => {
    const w = new Writer(1);
    w.prefixed(3, (w) => w.bytes(new Uint8Array(300)));
    const out = w.finish();
    expect(out.length).toBe(303);
    expect([...out.slice(0, 3)]).toEqual([0, 1, 44]);
  });

  it('refuses values the wire cannot carry', () => {
    expect(() => new Writer().u8(256)).toThrow(/0\.\.255/);
    expect(() => new Writer().opaque(1, new Uint8Array(256))).toThrow(/outside/);
  });
});
