import { decodeAll, type Reader } from '../codec/reader.js';
import { encodeWith, type Writer } from '../codec/writer.js';
import { EncodeError } from '../codec/decode-error.js';
import { NODE_ID_LENGTH, readNodeId, writeNodeId, type NodeId } from '../ids.js';

/** RFC 6940 §10.7 ChordUpdateType. */
export const ChordUpdateType = { invalidChordUpdateType: 0, peer_ready: 1, neighbors: 2, full: 3 } as const;

/**
 * RFC 6940 §10.7 ChordUpdate: the whole body of a chord-reload UpdateReq. `uptime` comes first,
 * then `type`, then the lists (rfc6940-readings #6). Each list is `NodeId <0..2^16-1>` (16-byte
 * Node-IDs, §10); RFC 7363 §5.1 lets their lengths vary with the self-tuned table sizes.
 * The select depends on the type, so an unknown type cannot be decoded.
 */
export type ChordUpdate =
  | { readonly uptime: number; readonly type: typeof ChordUpdateType.peer_ready }
  | {
      readonly uptime: number;
      readonly type: typeof ChordUpdateType.neighbors;
      readonly predecessors: readonly NodeId[];
      readonly successors: readonly NodeId[];
    }
  | {
      readonly uptime: number;
      readonly type: typeof ChordUpdateType.full;
      readonly predecessors: readonly NodeId[];
      readonly successors: readonly NodeId[];
      /** The finger table, in numerically ascending order (§10.7). */
      readonly fingers: readonly NodeId[];
    };

/** RFC 6940 §10.8 ChordRouteQueryAns: the body of a chord-reload route_query_ans. */
export interface ChordRouteQueryAns {
  readonly nextPeer: NodeId;
}

/** RFC 6940 §10.9 ChordLeaveType. */
export const ChordLeaveType = { invalidChordLeaveType: 0, from_succ: 1, from_pred: 2 } as const;

/** RFC 6940 §10.9 ChordLeaveData: what a chord-reload LeaveReq carries in overlay_specific_data. */
export type ChordLeaveData =
  | { readonly type: typeof ChordLeaveType.from_succ; /** The sender's successor list. */ readonly successors: readonly NodeId[] }
  | { readonly type: typeof ChordLeaveType.from_pred; /** The sender's predecessor list. */ readonly predecessors: readonly NodeId[] };

/**
 * RFC 7363 §9.1: the `self_tuning_data` MessageExtensionType. It is a message extension (in a
 * Probe request and its answer, §6.5), not a ChordUpdateType; not critical.
 */
export const SELF_TUNING_DATA_EXTENSION = 0x3;

/** RFC 7363 §6.5 SelfTuningData: the extension_contents of a self_tuning_data extension. */
export interface SelfTuningData {
  readonly networkSize: number;
  /** Joins per 24 hours, rounded up. */
  readonly joinRate: number;
  /** Failures per 24 hours, rounded up. */
  readonly leaveRate: number;
}

function readNodeIdList(r: Reader, field: string): NodeId[] {
  // `r.vector(field, 2, readNodeId)`, read without a closure per list (Updates carry two or three).
  return r.fixedVector(field, 2, NODE_ID_LENGTH, 'nodeId');
}

function writeNodeIdList(w: Writer, ids: readonly NodeId[], field: string): void {
  w.prefixed(2, () => ids.forEach((id) => writeNodeId(w, id, field)), field);
}

function chordUpdateFields(r: Reader): ChordUpdate {
  const uptime = r.u32('uptime');
  const typeAt = r.offset;
  const type = r.u8('type');
  if (type === ChordUpdateType.peer_ready) return { uptime, type };
  if (type === ChordUpdateType.neighbors) {
    return { uptime, type, predecessors: readNodeIdList(r, 'predecessors'), successors: readNodeIdList(r, 'successors') };
  }
  if (type === ChordUpdateType.full) {
    const predecessors = readNodeIdList(r, 'predecessors');
    const successors = readNodeIdList(r, 'successors');
    return { uptime, type, predecessors, successors, fingers: readNodeIdList(r, 'fingers') };
  }
  return r.fail('type', type === 0 ? 'update type 0 (invalidChordUpdateType)' : `unknown ChordUpdateType ${type}`, typeAt);
}

export function readChordUpdate(r: Reader): ChordUpdate {
  return r.scope('ChordUpdate', () => chordUpdateFields(r));
}

export function writeChordUpdate(w: Writer, v: ChordUpdate): void {
  w.u32(v.uptime, 'ChordUpdate.uptime').u8(v.type, 'ChordUpdate.type');
  if (v.type === ChordUpdateType.peer_ready) return;
  if (v.type !== ChordUpdateType.neighbors && v.type !== ChordUpdateType.full) {
    throw new EncodeError('ChordUpdate.type', `unknown ChordUpdateType ${String((v as { type: unknown }).type)}`);
  }
  writeNodeIdList(w, v.predecessors, 'ChordUpdate.predecessors');
  writeNodeIdList(w, v.successors, 'ChordUpdate.successors');
  if (v.type === ChordUpdateType.full) writeNodeIdList(w, v.fingers, 'ChordUpdate.fingers');
}

export function decodeChordUpdate(bytes: Uint8Array): ChordUpdate {
  return decodeAll(bytes, 'ChordUpdate', chordUpdateFields);
}

export function encodeChordUpdate(v: ChordUpdate): Uint8Array {
  return encodeWith((w) => writeChordUpdate(w, v));
}

function chordRouteQueryAnsFields(r: Reader): ChordRouteQueryAns {
  return { nextPeer: readNodeId(r, 'nextPeer') };
}

export function readChordRouteQueryAns(r: Reader): ChordRouteQueryAns {
  return r.scope('ChordRouteQueryAns', () => chordRouteQueryAnsFields(r));
}

export function writeChordRouteQueryAns(w: Writer, v: ChordRouteQueryAns): void {
  writeNodeId(w, v.nextPeer, 'ChordRouteQueryAns.nextPeer');
}

export function decodeChordRouteQueryAns(bytes: Uint8Array): ChordRouteQueryAns {
  return decodeAll(bytes, 'ChordRouteQueryAns', chordRouteQueryAnsFields);
}

export function encodeChordRouteQueryAns(v: ChordRouteQueryAns): Uint8Array {
  return encodeWith((w) => writeChordRouteQueryAns(w, v));
}

function chordLeaveDataFields(r: Reader): ChordLeaveData {
  const typeAt = r.offset;
  const type = r.u8('type');
  if (type === ChordLeaveType.from_succ) return { type, successors: readNodeIdList(r, 'successors') };
  if (type === ChordLeaveType.from_pred) return { type, predecessors: readNodeIdList(r, 'predecessors') };
  return r.fail('type', type === 0 ? 'leave type 0 (invalidChordLeaveType)' : `unknown ChordLeaveType ${type}`, typeAt);
}

export function readChordLeaveData(r: Reader): ChordLeaveData {
  return r.scope('ChordLeaveData', () => chordLeaveDataFields(r));
}

export function writeChordLeaveData(w: Writer, v: ChordLeaveData): void {
  w.u8(v.type, 'ChordLeaveData.type');
  if (v.type === ChordLeaveType.from_succ) writeNodeIdList(w, v.successors, 'ChordLeaveData.successors');
  else if (v.type === ChordLeaveType.from_pred) writeNodeIdList(w, v.predecessors, 'ChordLeaveData.predecessors');
  else throw new EncodeError('ChordLeaveData.type', `unknown ChordLeaveType ${String((v as { type: unknown }).type)}`);
}

/** Decode a LeaveReq's overlay_specific_data (§10.9). */
export function decodeChordLeaveData(bytes: Uint8Array): ChordLeaveData {
  return decodeAll(bytes, 'ChordLeaveData', chordLeaveDataFields);
}

export function encodeChordLeaveData(v: ChordLeaveData): Uint8Array {
  return encodeWith((w) => writeChordLeaveData(w, v));
}

function selfTuningDataFields(r: Reader): SelfTuningData {
  return { networkSize: r.u32('networkSize'), joinRate: r.u32('joinRate'), leaveRate: r.u32('leaveRate') };
}

export function readSelfTuningData(r: Reader): SelfTuningData {
  return r.scope('SelfTuningData', () => selfTuningDataFields(r));
}

export function writeSelfTuningData(w: Writer, v: SelfTuningData): void {
  w.u32(v.networkSize, 'SelfTuningData.networkSize').u32(v.joinRate, 'SelfTuningData.joinRate').u32(v.leaveRate, 'SelfTuningData.leaveRate');
}

export function decodeSelfTuningData(bytes: Uint8Array): SelfTuningData {
  return decodeAll(bytes, 'SelfTuningData', selfTuningDataFields);
}

export function encodeSelfTuningData(v: SelfTuningData): Uint8Array {
  return encodeWith((w) => writeSelfTuningData(w, v));
}
