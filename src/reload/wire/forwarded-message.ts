import { decodeAll, readRetracing, type Reader } from './codec/reader.js';
import { encodeWith, withPooledWriter, type Writer } from './codec/writer.js';
import { EncodeError } from './codec/decode-error.js';
import {
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
    writeForwardingHeader(w, { ...forwardingHeader, length: 0 });
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
  const maxMessageSize = limits?.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const read = (r: Reader): ForwardingHeaderOnly => {
    const header = readForwardingHeader(r, { totalLength: bytes.length, maxMessageSize });
    const headerLength = r.offset;
    return { header, headerLength, payload: r.rest('payload') };
  };
  if (owned) {
    // The per-hop path: plainly valid headers straight from the bytes (views of them).
    const fast = readForwardingHeaderFast(bytes, { totalLength: bytes.length, maxMessageSize });
    if (fast) return { header: fast.header, headerLength: fast.headerLength, payload: bytes.subarray(fast.headerLength) };
  }
  return readRetracing(bytes, 0, owned, read);
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
