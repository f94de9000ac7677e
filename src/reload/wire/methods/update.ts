import { decodeAll, type Reader } from '../codec/reader.js';
import { encodeWith, type Writer } from '../codec/writer.js';

/**
 * RFC 6940 §6.4.2.3 UpdateReq: "The contents of the UpdateReq message are completely overlay
 * specific", so the whole message body is the topology plug-in's structure, with no length of its
 * own (chord-reload: ChordUpdate, §10.7, in `chord.ts`).
 */
export interface UpdateReq {
  readonly overlaySpecificData: Uint8Array;
}

/**
 * RFC 6940 §6.4.2.3: "The UpdateAns response is expected to be either success or an error": a
 * zero-length body (rfc6940-readings #9).
 */
export type UpdateAns = Record<string, never>;

export function readUpdateReq(r: Reader): UpdateReq {
  return r.scope('UpdateReq', () => ({ overlaySpecificData: r.rest('overlaySpecificData') }));
}

export function writeUpdateReq(w: Writer, v: UpdateReq): void {
  w.bytes(v.overlaySpecificData, 'UpdateReq.overlaySpecificData');
}

export function decodeUpdateReq(bytes: Uint8Array): UpdateReq {
  return decodeAll(bytes, 'UpdateReq', (r) => ({ overlaySpecificData: r.rest('overlaySpecificData') }));
}

export function encodeUpdateReq(v: UpdateReq): Uint8Array {
  return encodeWith((w) => writeUpdateReq(w, v));
}

export function readUpdateAns(r: Reader): UpdateAns {
  return r.scope('UpdateAns', () => ({}));
}

export function writeUpdateAns(_w: Writer, _v: UpdateAns): void {
  // RFC 6940 §6.4.2.3: no contents.
}

/** Any byte in the body is a trailing byte. */
export function decodeUpdateAns(bytes: Uint8Array): UpdateAns {
  return decodeAll(bytes, 'UpdateAns', () => ({}));
}

export function encodeUpdateAns(v: UpdateAns = {}): Uint8Array {
  return encodeWith((w) => writeUpdateAns(w, v));
}
