import { decodeAll, type Reader } from '../codec/reader.js';
import { encodeWith, type Writer } from '../codec/writer.js';
import { readNodeId, writeNodeId, type NodeId } from '../ids.js';

/** RFC 6940 §6.4.2.1 JoinReq. */
export interface JoinReq {
  /** The Node-ID the sender wishes to assume (must match the signer, §6.4.2.1). */
  readonly joiningPeerId: NodeId;
  /** `opaque overlay_specific_data<0..2^16-1>` (empty for chord-reload). */
  readonly overlaySpecificData: Uint8Array;
}

/** RFC 6940 §6.4.2.1 JoinAns: an empty one is two zero bytes (rfc6940-readings #9). */
export interface JoinAns {
  readonly overlaySpecificData: Uint8Array;
}

function joinReqFields(r: Reader): JoinReq {
  return { joiningPeerId: readNodeId(r, 'joiningPeerId'), overlaySpecificData: r.opaque('overlaySpecificData', 2) };
}

export function readJoinReq(r: Reader): JoinReq {
  return r.scope('JoinReq', () => joinReqFields(r));
}

export function writeJoinReq(w: Writer, v: JoinReq): void {
  writeNodeId(w, v.joiningPeerId, 'JoinReq.joiningPeerId');
  w.opaque(2, v.overlaySpecificData, 'JoinReq.overlaySpecificData');
}

export function decodeJoinReq(bytes: Uint8Array): JoinReq {
  return decodeAll(bytes, 'JoinReq', joinReqFields);
}

export function encodeJoinReq(v: JoinReq): Uint8Array {
  return encodeWith((w) => writeJoinReq(w, v));
}

function joinAnsFields(r: Reader): JoinAns {
  return { overlaySpecificData: r.opaque('overlaySpecificData', 2) };
}

export function readJoinAns(r: Reader): JoinAns {
  return r.scope('JoinAns', () => joinAnsFields(r));
}

export function writeJoinAns(w: Writer, v: JoinAns): void {
  w.opaque(2, v.overlaySpecificData, 'JoinAns.overlaySpecificData');
}

export function decodeJoinAns(bytes: Uint8Array): JoinAns {
  return decodeAll(bytes, 'JoinAns', joinAnsFields);
}

export function encodeJoinAns(v: JoinAns): Uint8Array {
  return encodeWith((w) => writeJoinAns(w, v));
}
