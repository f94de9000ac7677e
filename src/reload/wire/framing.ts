import type { Reader } from './codec/reader.js';
import { decodeAll } from './codec/reader.js';
import type { Writer } from './codec/writer.js';
import { encodeWith } from './codec/writer.js';

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
