import { compareBytes } from '../wire/codec/hex.js';
import { itself, upperBound } from '../wire/codec/sorted.js';
import type { ResourceId } from '../wire/ids.js';

/**
 * A half-open interval `(after, upTo]` on the identifier ring, going clockwise from `after`
 * (RFC 6940 §10.1: "all math is modulo 2^128"; a peer is responsible for (predecessor, self]).
 * When `after` is greater than `upTo` the interval wraps through zero; when they are equal it
 * is the whole ring (a ring of one peer is responsible for everything).
 *
 * Ids compare as unsigned big-endian numbers, i.e. byte-wise; chord-reload ids are all 16 bytes.
 * Ids of other lengths compare lexicographically (a prefix sorts first), which is the order every
 * backend keeps (SQLite BLOB order, hex-string order in IndexedDB and memory).
 */
export interface RingRange {
  readonly after: ResourceId;
  readonly upTo: ResourceId;
}

/** Byte-wise comparison: negative, zero or positive. */
export const compareIds: (a: Uint8Array, b: Uint8Array) => number = compareBytes;

/** Whether `id` lies in `(after, upTo]` clockwise. */
export function inRingRange(id: Uint8Array, range: RingRange): boolean {
  const order = compareIds(range.after, range.upTo);
  if (order === 0) return true;
  const afterStart = compareIds(id, range.after) > 0;
  const atOrBeforeEnd = compareIds(id, range.upTo) <= 0;
  return order < 0 ? afterStart && atOrBeforeEnd : afterStart || atOrBeforeEnd;
}

/** One ascending piece `(after, upTo]` of a RingRange; a missing end is the ring's start or end. */
export interface RingRangePart<T = ResourceId> {
  readonly after?: T;
  readonly upTo?: T;
}

/**
 * The clockwise pieces of `range` as plain ascending intervals, for a backend that keeps ids in key
 * order (SQLite BLOBs, IndexedDB hex strings: `key` makes its form, e.g. hexKey): one piece, or,
 * when it wraps through zero, `(after, end]` then `[start, upTo]` (both: the whole ring when after
 * == upTo). No range: the whole ring in one piece.
 */
export function ringRangeParts(range: RingRange | undefined): RingRangePart[];
export function ringRangeParts<T>(range: RingRange | undefined, key: (id: ResourceId) => T): RingRangePart<T>[];
export function ringRangeParts<T>(range: RingRange | undefined, key?: (id: ResourceId) => T): RingRangePart<T | ResourceId>[] {
  const as = key ?? ((id: ResourceId) => id);
  if (!range) return [{}];
  if (compareIds(range.after, range.upTo) < 0) return [{ after: as(range.after), upTo: as(range.upTo) }];
  return [{ after: as(range.after) }, { upTo: as(range.upTo) }];
}

/** `id - 1` modulo 2^(8·length) (the id just before `id` on the ring). */
export function ringDecrement(id: Uint8Array): Uint8Array {
  const out = id.slice();
  for (let i = out.length - 1; i >= 0; i--) {
    const b = out[i] as number;
    out[i] = (b + 0xff) & 0xff;
    if (b !== 0) break;
  }
  return out;
}

/** The range starting at `id` itself and going once round the ring: `[id, id)`. */
export function ringFrom(id: Uint8Array): RingRange {
  const before = ringDecrement(id);
  return { after: before, upTo: before };
}

const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
/** Arguments per String.fromCharCode call (engines cap argument counts). */
const CHUNK = 8192;

/**
 * Lowercase hex; its string order is the byte order of `compareIds`. Built in one piece (a flat
 * string, not a chain of concatenations), since backends keep many of these as keys.
 */
export function hexKey(bytes: Uint8Array, prefix = ''): string {
  const codes = new Array<number>(prefix.length + bytes.length * 2);
  for (let i = 0; i < prefix.length; i++) codes[i] = prefix.charCodeAt(i);
  for (let i = 0, j = prefix.length; i < bytes.length; i++, j += 2) {
    const b = bytes[i] as number;
    codes[j] = HEX_CODES[b >> 4] as number;
    codes[j + 1] = HEX_CODES[b & 15] as number;
  }
  if (codes.length <= CHUNK) return String.fromCharCode.apply(null, codes);
  const parts: string[] = [];
  for (let i = 0; i < codes.length; i += CHUNK) parts.push(String.fromCharCode.apply(null, codes.slice(i, i + CHUNK)));
  return parts.join('');
}

/** Bytes of a `hexKey`. */
export function fromHexKey(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * Sorted keys (ascending, as `hexKey`s) in the clockwise order of `range`: first those after
 * `range.after`, then, when the range wraps, those from the start of the ring up to `upTo`.
 */
export function ringOrder(sortedHex: readonly string[], range: RingRange | undefined): string[] {
  if (!range) return sortedHex.slice();
  const after = hexKey(range.after);
  const upTo = hexKey(range.upTo);
  const start = upperBound(sortedHex, itself, after);
  if (after < upTo) return sortedHex.slice(start, upperBound(sortedHex, itself, upTo));
  // Wraps (or the whole ring when after == upTo): (after, end] then [start, upTo].
  const head = sortedHex.slice(start);
  const tail = sortedHex.slice(0, after === upTo ? start : upperBound(sortedHex, itself, upTo));
  return head.concat(tail);
}
