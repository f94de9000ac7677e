import type { Reader } from './codec/reader.js';
import type { Writer } from './codec/writer.js';
import { EncodeError } from './codec/decode-error.js';

/**
 * RFC 6940 §6.3.2: `opaque NodeId[NodeIdLength]`. The length is fixed per overlay;
 * chord-reload (§10) uses 128-bit ids, so every structure here uses 16 bytes.
 */
export type NodeId = Uint8Array;
/** RFC 6940 §6.3.2: `opaque ResourceId<0..2^8-1>`. */
export type ResourceId = Uint8Array;

/** RFC 6940 §10: chord-reload's NodeIdLength (128 bits). */
export const NODE_ID_LENGTH = 16;

export function readNodeId(r: Reader, field = 'nodeId'): NodeId {
  return r.fixed(field, NODE_ID_LENGTH);
}

export function writeNodeId(w: Writer, id: NodeId, field = 'nodeId'): void {
  if (id.length !== NODE_ID_LENGTH) throw new EncodeError(field, `a Node-ID is ${NODE_ID_LENGTH} bytes, got ${id.length}`);
  w.bytes(id);
}

export function readResourceId(r: Reader, field = 'resourceId'): ResourceId {
  return r.opaque(field, 1);
}

export function writeResourceId(w: Writer, id: ResourceId, field = 'resourceId'): void {
  w.opaque(1, id, field);
}
