import { allocateBytes } from './codec/byte-slab.js';
import type { Reader } from './codec/reader.js';
import { decodeAll } from './codec/reader.js';
import type { Writer } from './codec/writer.js';
import { encodeWith } from './codec/writer.js';
import { readU32 } from './codec/network-order.js';

/** RFC 6940 §6.6.2 FramedMessageType: `enum { data(128), ack(129), (255) }`. */
export const FramedMessageType = { data: 128, ack: 129 } as const;

/** RFC 6940 §6.6.2: a data frame's `message` is `opaque message<0..2^24-1>`. */
export const MAX_FRAMED_MESSAGE_SIZE = 0xffffff;

/**
 * RFC 6940 §6.6.2 FramedMessage, the per-hop framing on every overlay link.
 * - `data`: `sequence` (uint32, +1 per frame sent on the connection, starting at 0) and the
 *   RELOAD message (or fragment) bytes.
 * - `ack`: `ackSequence` (uint32, the sequence acknowledged) and `received` (uint32 bitmask of
 *   which of the 32 previous sequence numbers were among the 32 most recently received).
 * The select has no length, so an unknown type cannot be skipped: it is a decode error.
 */
export type FramedMessage =
  | { readonly kind: 'data'; readonly sequence: number; readonly message: Uint8Array }
  | { readonly kind: 'ack'; readonly ackSequence: number; readonly received: number };

export function readFramedMessage(r: Reader): FramedMessage {
  return r.scope('FramedMessage', (): FramedMessage => {
    const at = r.offset;
    const type = r.u8('type');
    switch (type) {
      case FramedMessageType.data:
        return { kind: 'data', sequence: r.u32('sequence'), message: r.opaque('message', 3) };
      case FramedMessageType.ack:
        return { kind: 'ack', ackSequence: r.u32('ackSequence'), received: r.u32('received') };
      default:
        return r.fail('type', `unknown FramedMessageType ${type} (data is 128, ack is 129)`, at);
    }
  });
}

export function writeFramedMessage(w: Writer, v: FramedMessage): void {
  if (v.kind === 'data') {
    w.u8(FramedMessageType.data).u32(v.sequence, 'FramedMessage.sequence').opaque(3, v.message, 'FramedMessage.message');
  } else {
    w.u8(FramedMessageType.ack).u32(v.ackSequence, 'FramedMessage.ackSequence').u32(v.received, 'FramedMessage.received');
  }
}

/** Decode one link message (one FramedMessage exactly, no trailing bytes). */
export function decodeFramedMessage(bytes: Uint8Array): FramedMessage {
  return decodeAll(bytes, 'FramedMessage', (r) => readFramedMessage(r));
}

export function encodeFramedMessage(v: FramedMessage): Uint8Array {
  return encodeWith((w) => writeFramedMessage(w, v));
}

/** Size of a data frame's fixed part: type (1), sequence (4), message length (3). */
export const DATA_FRAME_HEADER_SIZE = 8;
/** Size of an ack frame: type (1), ack_sequence (4), received (4). */
const ACK_FRAME_SIZE = 9;

/**
 * The FramedMessageType of `bytes` (`data` or `ack`) when it is plainly a valid FramedMessage: a
 * `data` frame whose message length is the rest of the bytes, or an `ack` of exactly 9 bytes.
 * Undefined for anything else, which `decodeFramedMessage` rejects with its DecodeError. With
 * `frameSequence`, the per-frame path of a link (framed-link.ts) reads frames without decoding
 * them into objects; a data frame's message is `bytes.subarray(DATA_FRAME_HEADER_SIZE)`.
 */
export function plainFrameType(bytes: Uint8Array): number | undefined {
  const n = bytes.length;
  if (n === 0) return undefined;
  const type = bytes[0];
  if (type === FramedMessageType.data) {
    return n >= DATA_FRAME_HEADER_SIZE && ((bytes[5]! << 16) | (bytes[6]! << 8) | bytes[7]!) === n - DATA_FRAME_HEADER_SIZE ? type : undefined;
  }
  return type === FramedMessageType.ack && n === ACK_FRAME_SIZE ? type : undefined;
}

/** A plainly valid frame's `sequence` (data) or `ack_sequence` (ack): both follow the type byte. */
export function frameSequence(bytes: Uint8Array): number {
  return readU32(bytes, 1);
}

/**
 * `encodeFramedMessage({ kind: 'data', sequence, message })` written straight into a buffer of
 * the frame's size (no intermediate writer): the per-frame path of every link.
 */
export function encodeDataFrame(sequence: number, message: Uint8Array): Uint8Array {
  if (!isU32(sequence) || message.length > MAX_FRAMED_MESSAGE_SIZE) return encodeFramedMessage({ kind: 'data', sequence, message });
  const out = allocateBytes(DATA_FRAME_HEADER_SIZE + message.length);
  out[0] = FramedMessageType.data;
  writeU32(out, 1, sequence);
  out[5] = message.length >>> 16;
  out[6] = (message.length >>> 8) & 0xff;
  out[7] = message.length & 0xff;
  out.set(message, DATA_FRAME_HEADER_SIZE);
  return out;
}

/** `encodeFramedMessage({ kind: 'ack', ackSequence, received })` without an intermediate writer. */
export function encodeAckFrame(ackSequence: number, received: number): Uint8Array {
  if (!isU32(ackSequence) || !isU32(received)) return encodeFramedMessage({ kind: 'ack', ackSequence, received });
  const out = new Uint8Array(ACK_FRAME_SIZE);
  out[0] = FramedMessageType.ack;
  writeU32(out, 1, ackSequence);
  writeU32(out, 5, received);
  return out;
}

function isU32(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}
