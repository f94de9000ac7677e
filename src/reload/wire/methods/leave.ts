import { decodeAll, type Reader } from '../codec/reader.js';
import { encodeWith, type Writer } from '../codec/writer.js';
import { readNodeId, writeNodeId, type NodeId } from '../ids.js';

/**
 * RFC 6940 §6.4.2.2 LeaveReq. For chord-reload, `overlaySpecificData` MUST hold a ChordLeaveData
 * (§10.9; see `chord.ts`, rfc6940-readings #9).
 */
export interface LeaveReq {
  readonly leavingPeerId: NodeId;
  /** `opaque overlay_specific_data<0..2^16-1>`. */
  readonly overlaySpecificData: Uint8Array;
}

/** RFC 6940 §6.4.2.2: "LeaveAns is an empty message": a zero-length body (rfc6940-readings #9). */
export type LeaveAns = Record<string, never>;

function leaveReqFields(r: Reader): LeaveReq {
  return { leavingPeerId: readNodeId(r, 'leavingPeerId'), overlaySpecificData: r.opaque('overlaySpecificData', 2) };
}

export function readLeaveReq(r: Reader): LeaveReq {
  return r.scope('LeaveReq', () => leaveReqFields(r));
}

export function writeLeaveReq(w: Writer, v: LeaveReq): void {
  writeNodeId(w, v.leavingPeerId, 'LeaveReq.leavingPeerId');
  w.opaque(2, v.overlaySpecificData, 'LeaveReq.overlaySpecificData');
}

export function decodeLeaveReq(bytes: Uint8Array): LeaveReq {
  return decodeAll(bytes, 'LeaveReq', leaveReqFields);
}

export function encodeLeaveReq(v: LeaveReq): Uint8Array {
  return encodeWith((w) => writeLeaveReq(w, v));
}

export function readLeaveAns(r: Reader): LeaveAns {
  return r.scope('LeaveAns', () => ({}));
}

export function writeLeaveAns(_w: Writer, _v: LeaveAns): void {
  // RFC 6940 §6.4.2.2: empty.
}

/** Any byte in the body is a trailing byte. */
export function decodeLeaveAns(bytes: Uint8Array): LeaveAns {
  return decodeAll(bytes, 'LeaveAns', () => ({}));
}

export function encodeLeaveAns(v: LeaveAns = {}): Uint8Array {
  return encodeWith((w) => writeLeaveAns(w, v));
}
