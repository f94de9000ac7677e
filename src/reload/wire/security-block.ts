import type { Reader } from './codec/reader.js';
import type { Writer } from './codec/writer.js';
import { EncodeError } from './codec/decode-error.js';

/** TLS CertificateType registry (RFC 6091), used by GenericCertificate.type (RFC 6940 §6.3.4). */
export const CertificateType = { X509: 0, OpenPGP: 1 } as const;

/** TLS HashAlgorithm registry (RFC 5246 §7.4.1.4.1). */
export const HashAlgorithm = { none: 0, md5: 1, sha1: 2, sha224: 3, sha256: 4, sha384: 5, sha512: 6 } as const;
/** TLS SignatureAlgorithm registry (RFC 5246 §7.4.1.4.1). */
export const SignatureAlgorithm = { anonymous: 0, rsa: 1, dsa: 2, ecdsa: 3 } as const;

/** RFC 6940 §6.3.4 SignerIdentityType. */
export const SignerIdentityType = { invalidSignerIdentityType: 0, cert_hash: 1, cert_hash_node_id: 2, none: 3 } as const;

/** RFC 6940 §6.3.4 GenericCertificate. */
export interface GenericCertificate {
  /** TLS CertificateType (RFC 6091): X.509 is 0 (rfc6940-readings #4). */
  readonly type: number;
  /** DER for X.509. */
  readonly certificate: Uint8Array;
}

/** TLS SignatureAndHashAlgorithm (RFC 5246 §7.4.1.4.1): `{hash, signature}`, SHA-256 + RSA is `04 01`. */
export interface SignatureAndHashAlgorithm {
  readonly hash: number;
  readonly signature: number;
}

/**
 * RFC 6940 §6.3.4 SignerIdentity. `cert_hash` and `cert_hash_node_id` carry `hash_alg` then a
 * one-byte-length hash (rfc6940-readings #3); `none` is empty (used for non-existent values in a
 * Fetch answer, §7.4.2.2); an unknown type is kept opaque ("may be extended with new types").
 */
export type SignerIdentity =
  | { readonly identityType: 1 | 2; readonly hashAlg: number; readonly hash: Uint8Array }
  | { readonly identityType: 3 }
  | { readonly identityType: number; readonly unknown: Uint8Array };

/** RFC 6940 §6.3.4 Signature. */
export interface Signature {
  readonly algorithm: SignatureAndHashAlgorithm;
  readonly identity: SignerIdentity;
  readonly signatureValue: Uint8Array;
}

/** RFC 6940 §6.3.4 SecurityBlock. */
export interface SecurityBlock {
  readonly certificates: readonly GenericCertificate[];
  readonly signature: Signature;
}

export function readGenericCertificate(r: Reader): GenericCertificate {
  return r.scope('GenericCertificate', () => ({
    type: r.u8('type'),
    certificate: r.opaque('certificate', 2),
  }));
}

export function writeGenericCertificate(w: Writer, v: GenericCertificate): void {
  w.u8(v.type, 'GenericCertificate.type').opaque(2, v.certificate, 'GenericCertificate.certificate');
}

export function readSignerIdentity(r: Reader): SignerIdentity {
  return r.scope('SignerIdentity', () => {
    const at = r.offset;
    const identityType = r.u8('identityType');
    if (identityType === SignerIdentityType.invalidSignerIdentityType) r.fail('identityType', 'identity type 0 (invalidSignerIdentityType)', at);
    const length = r.length('length', 2);
    return r.sub('identity', length, (s): SignerIdentity => {
      if (identityType === SignerIdentityType.cert_hash || identityType === SignerIdentityType.cert_hash_node_id) {
        return { identityType, hashAlg: s.u8('hashAlg'), hash: s.opaque(identityType === 1 ? 'certificateHash' : 'certificateNodeIdHash', 1) };
      }
      if (identityType === SignerIdentityType.none) return { identityType };
      return { identityType, unknown: s.rest('identity') };
    });
  });
}

export function writeSignerIdentity(w: Writer, v: SignerIdentity): void {
  // An opaque identity must use a type the decoder keeps opaque (4..255); types 0..3 would decode differently.
  if ('unknown' in v && v.identityType <= SignerIdentityType.none) {
    throw new EncodeError('SignerIdentity.identityType', `type ${v.identityType} cannot carry an opaque identity`);
  }
  w.u8(v.identityType, 'SignerIdentity.identityType');
  w.prefixed(
    2,
    () => {
      if ('hash' in v) w.u8(v.hashAlg, 'SignerIdentity.hashAlg').opaque(1, v.hash, 'SignerIdentity.certificateHash');
      else if ('unknown' in v) w.bytes(v.unknown);
    },
    'SignerIdentity.length',
  );
}

export function readSignature(r: Reader): Signature {
  return r.scope('Signature', () => ({
    algorithm: r.scope('algorithm', () => ({ hash: r.u8('hash'), signature: r.u8('signature') })),
    identity: readSignerIdentity(r),
    signatureValue: r.opaque('signatureValue', 2),
  }));
}

export function writeSignature(w: Writer, v: Signature): void {
  w.u8(v.algorithm.hash, 'Signature.algorithm.hash').u8(v.algorithm.signature, 'Signature.algorithm.signature');
  writeSignerIdentity(w, v.identity);
  w.opaque(2, v.signatureValue, 'Signature.signatureValue');
}

export function readSecurityBlock(r: Reader): SecurityBlock {
  return r.scope('SecurityBlock', () => ({
    certificates: r.vector('certificates', 2, readGenericCertificate),
    signature: readSignature(r),
  }));
}

export function writeSecurityBlock(w: Writer, v: SecurityBlock): void {
  w.prefixed(2, () => v.certificates.forEach((c) => writeGenericCertificate(w, c)), 'SecurityBlock.certificates');
  writeSignature(w, v.signature);
}
