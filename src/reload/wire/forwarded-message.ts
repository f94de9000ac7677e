import { allocateBytes } from './codec/byte-slab.js';
import { decodeAll, readRetracing } from './codec/reader.js';
import { encodeWith, withPooledWriter, type Writer } from './codec/writer.js';
import { EncodeError } from './codec/decode-error.js';
import { readU16 } from './codec/network-order.js';
import { DestinationType } from './destination.js';
import { NODE_ID_LENGTH } from './ids.js';
import {
  FORWARDING_HEADER_FIXED_SIZE,
  FRAGMENT_FIELD_OFFSET,
  LENGTH_FIELD_OFFSET,
  UNFRAGMENTED,
  forwardingHeaderSize,
  isUnfragmented,
  readForwardingHeader,
  writeForwardingHeader,
  type ForwardingHeader,
} from './forwarding-header.js';
import { readForwardingHeaderFast } from './fast-forwarding-header.js';
import { readMessageContents, writeMessageContents, type MessageContents } from './message-contents.js';
import { readSecurityBlock, writeSecurityBlock, type SecurityBlock } from './security-block.js';

export { MessageTooLargeError } from './forwarding-header.js';

/** RFC 6940 §11.1 max-message-size: "If this value is not present, the default is 5000." */
export const DEFAULT_MAX_MESSAGE_SIZE = 5000;

/**
 * RFC 6940 §6.3: a whole RELOAD message, the three parts concatenated. The header's `length` is
 * the total message length: `encodeForwardedMessage` computes it (the value given is ignored) and
 * `decodeForwardedMessage` checks it against the input.
 */
export interface ForwardedMessage {
  readonly forwardingHeader: ForwardingHeader;
  readonly messageContents: MessageContents;
  readonly securityBlock: SecurityBlock;
}

/** Limits taken from the overlay configuration (§11.1). */
export interface ForwardedMessageLimits {
  /** max-message-size in bytes; default DEFAULT_MAX_MESSAGE_SIZE (5000). */
  readonly maxMessageSize?: number;
}

/**
 * Encode a whole message. `forwardingHeader.length` is replaced by the encoded size (RFC 6940
 * §6.3.2: "The count in bytes of the size of the message, including the header") and the three
 * list lengths are computed from the lists. `fragment` must describe a whole message
 * (UNFRAGMENTED; fragments are made from the encoded bytes by `fragmentMessage`).
 * With `limits.maxMessageSize`, a larger result throws EncodeError.
 */
export function encodeForwardedMessage(msg: ForwardedMessage, limits?: ForwardedMessageLimits): Uint8Array {
  return encodeMessageParts(msg.forwardingHeader, (w) => writeMessageContents(w, msg.messageContents), msg.securityBlock, limits);
}

/**
 * The one place a whole message is laid out: forwarding header, then whatever `writeContents`
 * writes (a MessageContents), then the security block; `length` is patched in at the end.
 * Used by `encodeForwardedMessage` and by encoders that write the body straight in.
 */
export function encodeMessageParts(
  forwardingHeader: ForwardingHeader,
  writeContents: (w: Writer) => void,
  securityBlock: SecurityBlock,
  limits?: ForwardedMessageLimits,
): Uint8Array {
  if (!isUnfragmented(forwardingHeader.fragment)) {
    throw new EncodeError('ForwardedMessage.forwardingHeader.fragment', `a whole message has fragment 0x${UNFRAGMENTED.toString(16)} (last, offset 0)`);
  }
  return withPooledWriter((w) => {
    // The length is patched in below: a header given with length 0 (as senders build them) is
    // written as it is, without a copy.
    writeForwardingHeader(w, forwardingHeader.length === 0 ? forwardingHeader : { ...forwardingHeader, length: 0 });
    writeContents(w);
    writeSecurityBlock(w, securityBlock);
    const total = w.length;
    if (total > 0xffffffff) throw new EncodeError('ForwardedMessage.forwardingHeader.length', `message of ${total} bytes does not fit a uint32 length`);
    if (limits?.maxMessageSize !== undefined && total > limits.maxMessageSize) {
      throw new EncodeError('ForwardedMessage', `message of ${total} bytes exceeds max-message-size ${limits.maxMessageSize}`);
    }
    w.patchU32(LENGTH_FIELD_OFFSET, total);
    return w.finish();
  });
}

/**
 * Decode a whole (unfragmented or reassembled) message. Checks: relo_token, `length` equal to the
 * input's size and at most max-message-size (a larger one throws MessageTooLargeError, a
 * DecodeError), the fragment field describing a whole message, every vector bound, no trailing bytes.
 */
export function decodeForwardedMessage(bytes: Uint8Array, limits?: ForwardedMessageLimits): ForwardedMessage {
  const maxMessageSize = limits?.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  return decodeAll(bytes, 'ForwardedMessage', (r) => {
    const forwardingHeader = readForwardingHeader(r, { totalLength: bytes.length, maxMessageSize });
    if (!isUnfragmented(forwardingHeader.fragment)) {
      r.scope('ForwardingHeader', () => r.fail('fragment', 'this is a fragment (RFC 6940 §6.7): reassemble it before decoding', FRAGMENT_FIELD_OFFSET));
    }
    const messageContents = readMessageContents(r);
    const securityBlock = readSecurityBlock(r);
    return { forwardingHeader, messageContents, securityBlock };
  });
}

/** A forwarding header read on its own, with the bytes that follow it. */
export interface ForwardingHeaderOnly {
  readonly header: ForwardingHeader;
  /** Encoded size of the header: where MessageContents (or a fragment's piece) starts. */
  readonly headerLength: number;
  /**
   * Everything after the header: MessageContents + SecurityBlock, or a fragment's piece. A copy,
   * or with `owned` a view of the input (as are the header's Node-IDs).
   */
  readonly payload: Uint8Array;
}

/**
 * What an intermediate peer needs (RFC 6940 §6.3: the forwarding header "is the only information
 * that an intermediate peer ... needs to examine"): decode only the header of a message or
 * fragment, checking relo_token, `length` = input size, max-message-size and the lists; the rest
 * is returned unparsed. `owned`: the caller owns `bytes` and never changes them (a message it
 * received or encoded itself), so values may be views of them rather than copies.
 */
export function decodeForwardingHeaderOnly(bytes: Uint8Array, limits?: ForwardedMessageLimits, owned = false): ForwardingHeaderOnly {
  const { header, headerLength } = decodeForwardingHeaderAndLength(bytes, limits, owned);
  return { header, headerLength, payload: owned ? bytes.subarray(headerLength) : bytes.slice(headerLength) };
}

/**
 * `decodeForwardingHeaderOnly` without the payload: the header (values views of `bytes` when
 * `owned`, else copies) and its encoded size, where the payload starts. For the per-hop path,
 * which needs the payload only when it re-encodes or delivers the message.
 */
export function decodeForwardingHeaderAndLength(bytes: Uint8Array, limits?: ForwardedMessageLimits, owned = false): { readonly header: ForwardingHeader; readonly headerLength: number } {
  const maxMessageSize = limits?.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  if (owned) {
    // The per-hop path: plainly valid headers straight from the bytes (views of them).
    const fast = readForwardingHeaderFast(bytes, { totalLength: bytes.length, maxMessageSize });
    if (fast) return fast;
  }
  return readRetracing(bytes, 0, owned, (r) => {
    const header = readForwardingHeader(r, { totalLength: bytes.length, maxMessageSize });
    return { header, headerLength: r.offset };
  });
}

/**
 * Re-encode a message (or fragment) with a new forwarding header and the unparsed `payload`
 * from `decodeForwardingHeaderOnly`, e.g. after an intermediate changed the TTL, via list or
 * destination list. `length` is set to the new total size.
 */
export function encodeWithForwardingHeader(header: ForwardingHeader, payload: Uint8Array): Uint8Array {
  const total = forwardingHeaderSize(header) + payload.length;
  if (total > 0xffffffff) throw new EncodeError('ForwardingHeader.length', `message of ${total} bytes does not fit a uint32 length`);
  return encodeWith((w) => {
    writeForwardingHeader(w, { ...header, length: total });
    w.bytes(payload);
  });
}

/** Offsets in the fixed part of a forwarding header (RFC 6940 §6.3.2). */
const TTL_OFFSET = 11;
const VIA_LIST_LENGTH_OFFSET = 32;
const DESTINATION_LIST_LENGTH_OFFSET = 34;
/** An encoded Node-ID destination: type, length, the Node-ID (§6.3.2.2). */
export const NODE_DESTINATION_SIZE = 2 + NODE_ID_LENGTH;

/**
 * RFC 6940 §6.1.2 relaying, done on the bytes: `bytes` (a message or fragment whose forwarding
 * header is `headerLength` bytes long, with TTL `ttl`) with the TTL decremented, the Node-ID `hop`
 * appended to the via list, and the first `popped` entries of the destination list removed. The
 * result is byte for byte `encodeWithForwardingHeader` of the changed header and the same payload
 * (every field and list entry is copied as received, as re-encoding the decoded header writes it),
 * without building or encoding the lists. Undefined when the via list would outgrow its uint16
 * length or `hop` is no Node-ID (the caller then encodes the header, which reports the problem).
 */
export function encodeRelayedMessage(bytes: Uint8Array, headerLength: number, ttl: number, hop: Uint8Array, popped: number): Uint8Array | undefined {
  if (hop.length !== NODE_ID_LENGTH || ttl < 1 || headerLength > bytes.length) return undefined;
  const viaLength = readU16(bytes, VIA_LIST_LENGTH_OFFSET);
  const destinationLength = readU16(bytes, DESTINATION_LIST_LENGTH_OFFSET);
  if (viaLength + NODE_DESTINATION_SIZE > 0xffff) return undefined;
  const viaEnd = FORWARDING_HEADER_FIXED_SIZE + viaLength;
  // The popped entries' encoded size (§6.3.2.2: a 16-bit compressed id has its top bit set; any
  // other destination is type, length, data).
  let at = viaEnd;
  for (let i = 0; i < popped; i++) {
    if (at + 2 > viaEnd + destinationLength) return undefined;
    at += (bytes[at]! & 0x80) !== 0 ? 2 : 2 + bytes[at + 1]!;
  }
  const poppedBytes = at - viaEnd;
  if (poppedBytes > destinationLength) return undefined;
  const total = bytes.length + NODE_DESTINATION_SIZE - poppedBytes;
  const out = allocateBytes(total);
  out.set(bytes.subarray(0, viaEnd), 0);
  out[TTL_OFFSET] = ttl - 1;
  writeU32(out, LENGTH_FIELD_OFFSET, total);
  writeU16(out, VIA_LIST_LENGTH_OFFSET, viaLength + NODE_DESTINATION_SIZE);
  writeU16(out, DESTINATION_LIST_LENGTH_OFFSET, destinationLength - poppedBytes);
  out[viaEnd] = DestinationType.node;
  out[viaEnd + 1] = NODE_ID_LENGTH;
  out.set(hop, viaEnd + 2);
  // The rest of the destination list, the options and the payload, as received.
  out.set(bytes.subarray(at), viaEnd + NODE_DESTINATION_SIZE);
  return out;
}

function writeU16(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 8;
  b[at + 1] = v & 0xff;
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}
