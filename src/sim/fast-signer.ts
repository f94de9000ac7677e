/**
 * A fast, NON-CRYPTOGRAPHIC Signer/Verifier (reload/security/signer.ts) for the simulator only,
 * where thousands of peers sign every message and real RSA would dominate the run time.
 *
 * SIMULATOR ONLY: nothing under src/reload, src/server, src/usages, src/phone, src/app or
 * src/platform may import this file (fast-signer.test.ts greps the tree to enforce it), so
 * production code has no way to pick it.
 *
 * Scheme: the SignerIdentity is `cert_hash` with hash_alg `none` (0) and, in place of a
 * certificate hash, the signer's Node-ID followed by its user name (UTF-8); no certificate is sent.
 * The signature value is a 64-bit keyed hash of that identity and the signed input, under a key
 * shared by the simulated overlay. Anyone holding the key can forge; a peer without it (or a
 * tampered message) fails verification with Error_Forbidden, which is what the tests need.
 */
import type { AbortOptions } from '../reload/runtime/components.js';
import { ReloadError } from '../reload/runtime/reload-error.js';
import type { Signer, VerifiedSigner, Verifier, VerifyOptions } from '../reload/security/signer.js';
import { NODE_ID_LENGTH, type NodeId } from '../reload/wire/ids.js';
import { HashAlgorithm, SignerIdentityType, type GenericCertificate, type Signature, type SignerIdentity } from '../reload/wire/security-block.js';

/**
 * The algorithm pair of fast signatures: a private-use hash and signature algorithm (RFC 5246
 * §7.4.1.4.1: "Values within the range 224-255 (decimal) inclusive are reserved for Private Use").
 * Not {none, anonymous}: RFC 6940 §7.4.1.1 reserves {0, 0} for synthesized values and storage
 * rejects StoredData signed with it.
 */
export const FAST_SIGNATURE_ALGORITHM = { hash: 224, signature: 224 } as const;

/** The default overlay key of the simulator. */
export const DEFAULT_FAST_SIGNER_KEY = 0x5eed5eed;

/** 64-bit keyed hash (two murmur3-style 32-bit lanes) of `parts`, as 8 bytes. */
export function fastMac(key: number, ...parts: Uint8Array[]): Uint8Array {
  macBegin(key);
  for (const p of parts) macAbsorb(p);
  macEnd();
  return macBytes();
}

// The MAC's state: two lanes and the length absorbed. Module-level so that signing and verifying
// (once per message) allocate nothing but the 8-byte signature value.
let lane1 = 0;
let lane2 = 0;
let absorbed = 0;

function macBegin(key: number): void {
  lane1 = key >>> 0;
  lane2 = (key ^ 0x9e3779b9) >>> 0;
  absorbed = 0;
}

function macAbsorb(p: Uint8Array): void {
  let h1 = lane1;
  let h2 = lane2;
  for (let i = 0; i < p.length; i++) {
    const b = p[i]!;
    h1 = Math.imul(h1 ^ b, 0x01000193) >>> 0;
    h2 = Math.imul((h2 ^ b) + 0x7f4a7c15, 0xcc9e2d51) >>> 0;
    h2 = ((h2 << 15) | (h2 >>> 17)) >>> 0;
  }
  lane1 = h1;
  lane2 = h2;
  absorbed += p.length;
}

function macEnd(): void {
  let h1 = lane1 ^ absorbed;
  let h2 = lane2 ^ h1;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b) >>> 0;
  h1 = Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35) >>> 0;
  h1 = (h1 ^ (h1 >>> 16)) >>> 0;
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0x85ebca6b) >>> 0;
  h2 = Math.imul(h2 ^ (h2 >>> 13), 0xc2b2ae35) >>> 0;
  h2 = (h2 ^ (h2 >>> 16) ^ h1) >>> 0;
  lane1 = h1;
  lane2 = h2;
}

/** The finished MAC as 8 bytes (big-endian lanes). */
function macBytes(): Uint8Array {
  const out = new Uint8Array(8);
  writeLane(out, 0, lane1);
  writeLane(out, 4, lane2);
  return out;
}

function writeLane(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}

/** Whether `value` is the finished MAC (compared without making its bytes). */
function macEquals(value: Uint8Array): boolean {
  if (value.length !== 8) return false;
  const v1 = ((value[0]! << 24) | (value[1]! << 16) | (value[2]! << 8) | value[3]!) >>> 0;
  const v2 = ((value[4]! << 24) | (value[5]! << 16) | (value[6]! << 8) | value[7]!) >>> 0;
  return v1 === lane1 && v2 === lane2;
}

/** One strict UTF-8 decoder for every verification (constructing one per message costs more than the MAC). */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function identityBytes(nodeId: NodeId, userName: string): Uint8Array {
  const name = new TextEncoder().encode(userName);
  if (nodeId.length !== NODE_ID_LENGTH) throw new RangeError(`a Node-ID is ${NODE_ID_LENGTH} bytes`);
  if (name.length > 255 - NODE_ID_LENGTH) throw new RangeError('user name too long for a fast identity');
  const out = new Uint8Array(NODE_ID_LENGTH + name.length);
  out.set(nodeId, 0);
  out.set(name, NODE_ID_LENGTH);
  return out;
}

/** A fast identity sends no certificate (one frozen empty list for every message). */
const NO_CERTIFICATES: readonly GenericCertificate[] = Object.freeze([]);

export class FastSigner implements Signer {
  private readonly id: Uint8Array;
  /** The identity never changes: one frozen value for every signature (signing is per message). */
  private readonly signerIdentity: SignerIdentity;

  constructor(
    readonly nodeId: NodeId,
    readonly userName: string,
    private readonly key: number = DEFAULT_FAST_SIGNER_KEY,
  ) {
    this.id = identityBytes(nodeId, userName);
    this.signerIdentity = Object.freeze({ identityType: SignerIdentityType.cert_hash, hashAlg: HashAlgorithm.none, hash: this.id });
  }

  certificates(): readonly GenericCertificate[] {
    return NO_CERTIFICATES;
  }

  identity(): SignerIdentity {
    return this.signerIdentity;
  }

  sign(input: Uint8Array, _options?: AbortOptions): Signature {
    macBegin(this.key);
    macAbsorb(this.id);
    macAbsorb(input);
    macEnd();
    return { algorithm: FAST_SIGNATURE_ALGORITHM, identity: this.signerIdentity, signatureValue: macBytes() };
  }
}

function forbidden(why: string): never {
  throw ReloadError.of('Error_Forbidden', `fast signature: ${why}`);
}

export class FastVerifier implements Verifier {
  constructor(private readonly key: number = DEFAULT_FAST_SIGNER_KEY) {}

  /** The signer at once (a MAC needs no wait), or Error_Forbidden thrown. */
  verify(input: Uint8Array, signature: Signature, _certificates: readonly GenericCertificate[], options?: VerifyOptions): VerifiedSigner {
    const { algorithm, identity, signatureValue } = signature;
    if (algorithm.hash !== FAST_SIGNATURE_ALGORITHM.hash || algorithm.signature !== FAST_SIGNATURE_ALGORITHM.signature) return forbidden('not a fast signature');
    if (!('hash' in identity) || identity.identityType !== SignerIdentityType.cert_hash || identity.hashAlg !== HashAlgorithm.none) return forbidden('not a fast identity');
    if (identity.hash.length < NODE_ID_LENGTH) return forbidden('identity too short');
    macBegin(this.key);
    macAbsorb(identity.hash);
    macAbsorb(input);
    macEnd();
    if (!macEquals(signatureValue)) return forbidden('signature does not match');
    // §6.3.4 (VerifyOptions.claimedNodeId): a signature made for another Node-ID than the one the
    // message claims to come from is refused.
    const claimed = options?.claimedNodeId;
    if (claimed && !sameNodeId(claimed, identity.hash)) return forbidden('signed for another Node-ID than the claimed one');
    const signer = verifiedSigner(identity.hash);
    return signer ?? forbidden('user name is not UTF-8');
  }
}

/**
 * The signer a fast identity names (Node-ID, then the user name in UTF-8), undefined when the
 * name is not UTF-8. Made once per identity seen recently: a direct-mapped cache, shared by every
 * verifier (what it holds depends on the identity alone, and only identities whose MAC matched
 * get here), picked by the Node-ID's first bytes and checked against the whole identity.
 */
function verifiedSigner(identity: Uint8Array): VerifiedSigner | undefined {
  // The top bits of the first two bytes (see nodeIdKey's cache): evenly spread Node-IDs differ there.
  const slot = ((identity[0]! << 8) | identity[1]!) >>> (16 - SIGNER_SLOT_BITS);
  const known = signerCache[slot];
  if (known && sameBytes(known.identity, identity)) return known.signer;
  const nodeId = identity.slice(0, NODE_ID_LENGTH);
  let userName: string;
  try {
    userName = UTF8.decode(identity.subarray(NODE_ID_LENGTH));
  } catch {
    return undefined;
  }
  const signer: VerifiedSigner = Object.freeze({ nodeId, nodeIds: Object.freeze([nodeId]), userName });
  signerCache[slot] = { identity: identity.slice(), signer };
  return signer;
}

const SIGNER_SLOT_BITS = 14;
const SIGNER_SLOTS = 1 << SIGNER_SLOT_BITS;
const signerCache: ({ readonly identity: Uint8Array; readonly signer: VerifiedSigner } | undefined)[] = new Array<undefined>(SIGNER_SLOTS).fill(undefined);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether `nodeId` is the Node-ID at the start of a fast identity. */
function sameNodeId(nodeId: NodeId, identity: Uint8Array): boolean {
  if (nodeId.length !== NODE_ID_LENGTH) return false;
  for (let i = 0; i < NODE_ID_LENGTH; i++) if (nodeId[i] !== identity[i]) return false;
  return true;
}
