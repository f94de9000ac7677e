/**
 * RFC 6940 §6.3.4: "For signatures over messages, the input to the signature is computed over:
 *     overlay || transaction_id || MessageContents || SignerIdentity
 * where overlay and transaction_id come from the forwarding header and || indicates
 * concatenation." `overlay` is the header's uint32 and `transaction_id` its uint64, both in network
 * byte order as on the wire; MessageContents and SignerIdentity are their encoded structures
 * (§6.3.3, §6.3.4), SignerIdentity with its type and length.
 */
import { allocateBytes } from './codec/byte-slab.js';
import { encodeWith } from './codec/writer.js';
import { writeMessageContents, type MessageContents } from './message-contents.js';
import { SignerIdentityType, writeSignerIdentity, type SignerIdentity } from './security-block.js';

/** overlay (uint32) and transaction_id (uint64): the bytes before MessageContents. */
const PREFIX_SIZE = 12;
/** Where inputFromBytes lays out those 12 bytes (no DataView per message). */
const SCRATCH = new Uint8Array(PREFIX_SIZE);
const SCRATCH_VIEW = new DataView(SCRATCH.buffer);

/**
 * The bytes a message signature signs. `messageContents` is either the structure or its exact
 * encoded bytes (a receiver should pass the bytes it received, so that what it verifies is what
 * was signed).
 */
export function messageSignatureInput(
  overlay: number,
  transactionId: bigint,
  messageContents: MessageContents | Uint8Array,
  signerIdentity: SignerIdentity,
): Uint8Array {
  if (messageContents instanceof Uint8Array) {
    const direct = inputFromBytes(overlay, transactionId, messageContents, signerIdentity);
    if (direct) return direct;
  }
  return encodeWith((w) => {
    w.u32(overlay, 'ForwardingHeader.overlay').u64(transactionId, 'ForwardingHeader.transactionId');
    if (messageContents instanceof Uint8Array) w.bytes(messageContents);
    else writeMessageContents(w, messageContents);
    writeSignerIdentity(w, signerIdentity);
  });
}

/**
 * The signature input of a message this node signs, with its MessageContents encoded once: the
 * input, and `contentsBytes`, the encoded MessageContents as a view of it, to put in the message
 * (what is sent is then exactly what was signed).
 */
export function messageSignatureInputWithContents(
  overlay: number,
  transactionId: bigint,
  messageContents: MessageContents,
  signerIdentity: SignerIdentity,
): { readonly input: Uint8Array; readonly contentsBytes: Uint8Array } {
  let contentsEnd = 0;
  const input = encodeWith((w) => {
    w.u32(overlay, 'ForwardingHeader.overlay').u64(transactionId, 'ForwardingHeader.transactionId');
    writeMessageContents(w, messageContents);
    contentsEnd = w.length;
    writeSignerIdentity(w, signerIdentity);
  });
  return { input, contentsBytes: input.subarray(PREFIX_SIZE, contentsEnd) };
}

/**
 * The input assembled in one exact-size buffer, for the common case of a received message: a
 * certificate-hash identity whose every field is in range (undefined otherwise, and the Writer,
 * with its checks and errors, does it).
 */
function inputFromBytes(overlay: number, transactionId: bigint, contents: Uint8Array, id: SignerIdentity): Uint8Array | undefined {
  if (!('hash' in id) || (id.identityType !== SignerIdentityType.cert_hash && id.identityType !== SignerIdentityType.cert_hash_node_id)) return undefined;
  const hashLength = id.hash.length;
  if (hashLength > 0xff || !isByte(id.hashAlg) || !Number.isInteger(overlay) || overlay < 0 || overlay > 0xffffffff) return undefined;
  if (transactionId < 0n || transactionId > 0xffffffffffffffffn) return undefined;
  const identityAt = PREFIX_SIZE + contents.length;
  const out = allocateBytes(identityAt + 5 + hashLength);
  SCRATCH_VIEW.setUint32(0, overlay);
  SCRATCH_VIEW.setBigUint64(4, transactionId);
  out.set(SCRATCH, 0);
  out.set(contents, PREFIX_SIZE);
  // SignerIdentity: identity_type, uint16 length, then hash_alg and the one-byte-length hash.
  out[identityAt] = id.identityType;
  out[identityAt + 1] = (2 + hashLength) >>> 8;
  out[identityAt + 2] = (2 + hashLength) & 0xff;
  out[identityAt + 3] = id.hashAlg;
  out[identityAt + 4] = hashLength;
  out.set(id.hash, identityAt + 5);
  return out;
}

function isByte(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0xff;
}
