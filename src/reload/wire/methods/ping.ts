import { decodeAll, type Reader } from '../codec/reader.js';
import { encodeWith, type Writer } from '../codec/writer.js';

/** RFC 6940 §6.5.3.1 PingReq: up to 65535 bytes of padding, "empty of meaningful contents". */
export interface PingReq {
  readonly padding: Uint8Array;
}

/** RFC 6940 §6.5.3.2 PingAns. */
export interface PingAns {
  /** A random 64-bit value distinguishing Ping responses. */
  readonly responseId: bigint;
  /** When the answer was made, as storage_time (§7: milliseconds since the Unix epoch). */
  readonly time: bigint;
}

function pingReqFields(r: Reader): PingReq {
  return { padding: r.opaque('padding', 2) };
}

export function readPingReq(r: Reader): PingReq {
  return r.scope('PingReq', () => pingReqFields(r));
}

export function writePingReq(w: Writer, v: PingReq): void {
  w.opaque(2, v.padding, 'PingReq.padding');
}

export function decodePingReq(bytes: Uint8Array): PingReq {
  return decodeAll(bytes, 'PingReq', pingReqFields);
}

export function encodePingReq(v: PingReq): Uint8Array {
  return encodeWith((w) => writePingReq(w, v));
}

function pingAnsFields(r: Reader): PingAns {
  return { responseId: r.u64('responseId'), time: r.u64('time') };
}

export function readPingAns(r: Reader): PingAns {
  return r.scope('PingAns', () => pingAnsFields(r));
}

export function writePingAns(w: Writer, v: PingAns): void {
  w.u64(v.responseId, 'PingAns.responseId').u64(v.time, 'PingAns.time');
}

export function decodePingAns(bytes: Uint8Array): PingAns {
  return decodeAll(bytes, 'PingAns', pingAnsFields);
}

export function encodePingAns(v: PingAns): Uint8Array {
  return encodeWith((w) => writePingAns(w, v));
}
