import { decodeAll, type Reader } from '../codec/reader.js';
import { encodeWith, type Writer } from '../codec/writer.js';

/**
 * RFC 6940 §7.4.1.2: the `error_info` of Error_Unknown_Kind, `KindId unknown_kinds<0..2^8-1>`,
 * "which lists all the Kinds that were unrecognized". At most 63 Kind-IDs fit in the 255 bytes.
 */
export interface UnknownKindsInfo {
  readonly unknownKinds: readonly number[];
}

/** The most Kind-IDs (uint32) that `unknown_kinds<0..2^8-1>` can carry. */
export const MAX_UNKNOWN_KINDS = Math.floor(0xff / 4);

export function readUnknownKindsInfo(r: Reader): UnknownKindsInfo {
  return r.scope('UnknownKindsInfo', () => ({
    unknownKinds: r.vector('unknownKinds', 1, (s) => s.u32('kind')),
  }));
}

export function writeUnknownKindsInfo(w: Writer, v: UnknownKindsInfo): void {
  w.prefixed(1, () => v.unknownKinds.forEach((k) => w.u32(k, 'UnknownKindsInfo.unknownKinds')), 'UnknownKindsInfo.unknownKinds');
}

export function decodeUnknownKindsInfo(bytes: Uint8Array): UnknownKindsInfo {
  return decodeAll(bytes, 'UnknownKindsInfo', readUnknownKindsInfo);
}

export function encodeUnknownKindsInfo(v: UnknownKindsInfo): Uint8Array {
  return encodeWith((w) => writeUnknownKindsInfo(w, v));
}
