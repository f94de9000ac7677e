/**
 * The two parts after the forwarding header (RFC 6940 §6.3): MessageContents (§6.3.3) and the
 * SecurityBlock (§6.3.4), read straight from bytes for the path every message for a node takes.
 * It accepts only plainly valid parts — a message code other than 0, no message extensions — and
 * answers undefined for anything else, so the caller falls back to `readMessageContents` and
 * `readSecurityBlock`, which raise the exact DecodeError. On what it accepts it gives the values
 * those readers give (fast-message-parts.test.ts checks both against random and damaged input):
 * views of `bytes` when `owned`, copies otherwise.
 */
import { readU16, readU32 } from './codec/network-order.js';
import type { MessageContents } from './message-contents.js';
import { SignerIdentityType, type GenericCertificate, type SecurityBlock, type SignerIdentity } from './security-block.js';

export interface MessagePartsFast {
  readonly contents: MessageContents;
  /** Encoded size of MessageContents: the security block starts there. */
  readonly contentsLength: number;
  readonly securityBlock: SecurityBlock;
}

/**
 * MessageContents then a SecurityBlock filling `bytes` from `start` (a message's payload, after its
 * forwarding header) to the end exactly, or undefined (use the full readers).
 */
export function readMessagePartsFast(bytes: Uint8Array, owned: boolean, start = 0): MessagePartsFast | undefined {
  const n = bytes.length;
  // MessageContents: message_code, message_body<0..2^32-1>, extensions<0..2^32-1>.
  if (n - start < 10) return undefined;
  const messageCode = readU16(bytes, start);
  if (messageCode === 0) return undefined;
  const bodyLength = readU32(bytes, start + 2);
  const bodyEnd = start + 6 + bodyLength;
  if (bodyEnd + 4 > n || readU32(bytes, bodyEnd) !== 0) return undefined;
  const contentsEnd = bodyEnd + 4;
  // SecurityBlock: certificates<0..2^16-1>, then Signature.
  let at = contentsEnd;
  if (at + 2 > n) return undefined;
  const certificatesEnd = at + 2 + readU16(bytes, at);
  if (certificatesEnd > n) return undefined;
  at += 2;
  const certificates: GenericCertificate[] = [];
  while (at < certificatesEnd) {
    if (at + 3 > certificatesEnd) return undefined;
    const end = at + 3 + readU16(bytes, at + 1);
    if (end > certificatesEnd) return undefined;
    certificates.push({ type: bytes[at]!, certificate: part(bytes, at + 3, end, owned) });
    at = end;
  }
  // Signature: algorithm {hash, signature}, SignerIdentity {type, length<2>, identity}, signature_value<0..2^16-1>.
  if (at + 5 > n) return undefined;
  const algorithm = { hash: bytes[at]!, signature: bytes[at + 1]! };
  const identityType = bytes[at + 2]!;
  const identityStart = at + 5;
  const identityEnd = identityStart + readU16(bytes, at + 3);
  if (identityType === SignerIdentityType.invalidSignerIdentityType || identityEnd > n) return undefined;
  let identity: SignerIdentity;
  if (identityType === SignerIdentityType.cert_hash || identityType === SignerIdentityType.cert_hash_node_id) {
    // hash_alg, then the hash with its one-byte length (rfc6940-readings #3), filling the identity.
    if (identityEnd - identityStart < 2 || identityStart + 2 + bytes[identityStart + 1]! !== identityEnd) return undefined;
    identity = { identityType, hashAlg: bytes[identityStart]!, hash: part(bytes, identityStart + 2, identityEnd, owned) };
  } else if (identityType === SignerIdentityType.none) {
    if (identityEnd !== identityStart) return undefined;
    identity = { identityType };
  } else {
    identity = { identityType, unknown: part(bytes, identityStart, identityEnd, owned) };
  }
  if (identityEnd + 2 > n || identityEnd + 2 + readU16(bytes, identityEnd) !== n) return undefined;
  const signatureValue = part(bytes, identityEnd + 2, n, owned);
  return {
    contents: { messageCode, messageBody: part(bytes, start + 6, bodyEnd, owned), extensions: [] },
    contentsLength: contentsEnd - start,
    securityBlock: { certificates, signature: { algorithm, identity, signatureValue } },
  };
}

function part(bytes: Uint8Array, start: number, end: number, owned: boolean): Uint8Array {
  return owned ? bytes.subarray(start, end) : bytes.slice(start, end);
}
