import { decodeAll, type Reader } from '../codec/reader.js';
import { encodeWith, type Writer } from '../codec/writer.js';
import { readResourceId, writeResourceId, type ResourceId } from '../ids.js';

/** RFC 6940 §7.4.4.1 FindReq. */
export interface FindReq {
  readonly resource: ResourceId;
  /**
   * `KindId kinds<0..2^8-1>` (at most 63 Kinds). "Each value MUST appear only once": the
   * storage layer rejects duplicates; the codec carries them.
   */
  readonly kinds: readonly number[];
}

/** RFC 6940 §7.4.4.2 FindKindData. */
export interface FindKindData {
  readonly kind: number;
  /** The closest Resource-ID to the requested one; "0" when none is known (§7.4.4.2). */
  readonly closest: ResourceId;
}

/** RFC 6940 §7.4.4.2 FindAns. */
export interface FindAns {
  /** `FindKindData results<0..2^16-1>`. */
  readonly results: readonly FindKindData[];
}

export function readFindReq(r: Reader): FindReq {
  return r.scope('FindReq', () => ({
    resource: readResourceId(r, 'resource'),
    kinds: r.vector('kinds', 1, (s) => s.u32('kind')),
  }));
}

export function writeFindReq(w: Writer, v: FindReq): void {
  writeResourceId(w, v.resource, 'FindReq.resource');
  w.prefixed(1, () => v.kinds.forEach((k) => w.u32(k, 'FindReq.kinds')), 'FindReq.kinds');
}

export function decodeFindReq(bytes: Uint8Array): FindReq {
  return decodeAll(bytes, 'FindReq', readFindReq);
}

export function encodeFindReq(v: FindReq): Uint8Array {
  return encodeWith((w) => writeFindReq(w, v));
}

export function readFindKindData(r: Reader): FindKindData {
  return r.scope('FindKindData', () => ({
    kind: r.u32('kind'),
    closest: readResourceId(r, 'closest'),
  }));
}

export function writeFindKindData(w: Writer, v: FindKindData): void {
  w.u32(v.kind, 'FindKindData.kind');
  writeResourceId(w, v.closest, 'FindKindData.closest');
}

export function readFindAns(r: Reader): FindAns {
  return r.scope('FindAns', () => ({
    results: r.vector('results', 2, readFindKindData),
  }));
}

export function writeFindAns(w: Writer, v: FindAns): void {
  w.prefixed(2, () => v.results.forEach((k) => writeFindKindData(w, k)), 'FindAns.results');
}

export function decodeFindAns(bytes: Uint8Array): FindAns {
  return decodeAll(bytes, 'FindAns', readFindAns);
}

export function encodeFindAns(v: FindAns): Uint8Array {
  return encodeWith((w) => writeFindAns(w, v));
}
