/**
 * RFC 6940 §6.3.4: "For signatures over messages, the input to the signature is computed over:
 *     overlay || transaction_id || MessageContents || SignerIdentity
 * where overlay and transaction_id come from the forwarding header and || indicates
 * concatenation." `overlay` is the header's uint32 and `transaction_id` its uint64, both in network
 * byte order as on the wire; MessageContents and SignerIdentity are their encoded structures
 * (§6.3.3, §6.3.4), SignerIdentity with its type and length.
 */
import { encodeWith } from './codec/writer.js';
import { writeMessageContents, type MessageContents } from './message-contents.js';
import { writeSignerIdentity, type SignerIdentity } from './security-block.js';

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
  return encodeWith((w) => {
    w.u32(overlay, 'ForwardingHeader.overlay').u64(transactionId, 'ForwardingHeader.transactionId');
    if (messageContents instanceof Uint8Array) w.bytes(messageContents);
    else writeMessageContents(w, messageContents);
    writeSignerIdentity(w, signerIdentity);
  });
}
