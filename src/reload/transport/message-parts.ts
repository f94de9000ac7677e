/**
 * The two parts after the forwarding header (RFC 6940 §6.3): MessageContents, kept with its exact
 * bytes (what the signature covers, §6.3.4), and the SecurityBlock.
 */
import { DecodeError } from '../wire/codec/decode-error.js';
import { Reader } from '../wire/codec/reader.js';
import { readMessagePartsFast } from '../wire/fast-message-parts.js';
import { readMessageContents, type MessageContents } from '../wire/message-contents.js';
import { readSecurityBlock, type SecurityBlock } from '../wire/security-block.js';

export interface MessageParts {
  readonly contents: MessageContents;
  /** The encoded MessageContents as received. */
  readonly contentsBytes: Uint8Array;
  readonly securityBlock: SecurityBlock;
}

/**
 * Split a message's payload — `bytes` from `start` (after a forwarding header of that size) to the
 * end — into its parts; undefined when it is malformed or has trailing bytes. `owned`: the caller
 * owns `bytes` and never changes them, so the parts may be views of them.
 */
export function parseMessageParts(bytes: Uint8Array, owned = false, start = 0): MessageParts | undefined {
  // The common shape straight from the bytes; anything else through the full readers.
  const fast = readMessagePartsFast(bytes, owned, start);
  if (fast) return { contents: fast.contents, contentsBytes: bytes.subarray(start, start + fast.contentsLength), securityBlock: fast.securityBlock };
  const payload = start === 0 ? bytes : bytes.subarray(start);
  try {
    // Untraced: a malformed message is only dropped, nobody reads the error's path.
    const r = new Reader(payload, 0, { trace: false, owned });
    const contents = readMessageContents(r);
    const contentsBytes = payload.subarray(0, r.offset);
    const securityBlock = readSecurityBlock(r);
    if (r.remaining() !== 0) return undefined;
    return { contents, contentsBytes, securityBlock };
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}
