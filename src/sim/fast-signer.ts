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
import type { Signer, VerifiedSigner, Verifier } from '../reload/security/signer.js';
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
  let h1 = key >>> 0;
  let h2 = (key ^ 0x9e3779b9) >>> 0;
  let len = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      const b = p[i]!;
      h1 = Math.imul(h1 ^ b, 0x01000193) >>> 0;
      h2 = Math.imul((h2 ^ b) + 0x7f4a7c15, 0xcc9e2d51) >>> 0;
      h2 = ((h2 << 15) | (h2 >>> 17)) >>> 0;
    }
    len += p.length;
  }
  h1 ^= len;
  h2 ^= h1;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b) >>> 0;
  h1 = Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35) >>> 0;
  h1 = (h1 ^ (h1 >>> 16)) >>> 0;
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0x85ebca6b) >>> 0;
  h2 = Math.imul(h2 ^ (h2 >>> 13), 0xc2b2ae35) >>> 0;
  h2 = (h2 ^ (h2 >>> 16) ^ h1) >>> 0;
  return Uint8Array.of(h1 >>> 24, (h1 >>> 16) & 0xff, (h1 >>> 8) & 0xff, h1 & 0xff, h2 >>> 24, (h2 >>> 16) & 0xff, (h2 >>> 8) & 0xff, h2 & 0xff);
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
    return [];
  }

  identity(): SignerIdentity {
    return this.signerIdentity;
  }

  sign(input: Uint8Array, _options?: AbortOptions): Promise<Signature> {
    return Promise.resolve({ algorithm: FAST_SIGNATURE_ALGORITHM, identity: this.signerIdentity, signatureValue: fastMac(this.key, this.id, input) });
  }
}

function forbidden(why: string): Promise<never> {
  return Promise.reject(ReloadError.of('Error_Forbidden', `fast signature: ${why}`));
}

export class FastVerifier implements Verifier {
  constructor(private readonly key: number = DEFAULT_FAST_SIGNER_KEY) {}

  verify(input: Uint8Array, signature: Signature, _certificates: readonly GenericCertificate[], _options?: AbortOptions): Promise<VerifiedSigner> {
    const { algorithm, identity, signatureValue } = signature;
    if (algorithm.hash !== FAST_SIGNATURE_ALGORITHM.hash || algorithm.signature !== FAST_SIGNATURE_ALGORITHM.signature) return forbidden('not a fast signature');
    if (!('hash' in identity) || identity.identityType !== SignerIdentityType.cert_hash || identity.hashAlg !== HashAlgorithm.none) return forbidden('not a fast identity');
    if (identity.hash.length < NODE_ID_LENGTH) return forbidden('identity too short');
    const expected = fastMac(this.key, identity.hash, input);
    let same = signatureValue.length === expected.length;
    for (let i = 0; same && i < expected.length; i++) same = expected[i] === signatureValue[i];
    if (!same) return forbidden('signature does not match');
    const nodeId = identity.hash.slice(0, NODE_ID_LENGTH);
    let userName: string;
    try {
      userName = UTF8.decode(identity.hash.subarray(NODE_ID_LENGTH));
    } catch {
      return forbidden('user name is not UTF-8');
    }
    return Promise.resolve({ nodeId, nodeIds: [nodeId], userName });
  }
}
