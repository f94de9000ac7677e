/**
 * The algorithms of X.509 certificates and PKCS#10 requests and their signatures, through the
 * injected WebCrypto (style.md §4): AlgorithmIdentifier and SubjectPublicKeyInfo (RFC 5280
 * §4.1.1.2, §4.1.2.7), RSA keys and sha*WithRSAEncryption (RFC 3279 §2.2.1, §2.3.1, RFC 4055 §5),
 * EC keys on named curves and ecdsa-with-SHA* (RFC 5480 §2, RFC 5758 §3.2).
 *
 * An ECDSA signature in a certificate is the DER `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER,
 * s INTEGER }` (RFC 3279 §2.2.3); WebCrypto verifies the fixed-length r || s, each left-padded
 * to the curve's scalar size.
 */
import { DecodeError } from '../wire/codec/decode-error.js';
import { children, DerReader, DerTag, derError, objectIdentifier, readDer, smallInteger, unsignedIntegerBytes, bitString, type DerElement } from './asn1/der.js';
import { derBitString, derNull, derOid, derSequence } from './asn1/der-writer.js';
import { bufferSource } from './security-components.js';
import { ecdsaDerToP1363, keyTypeOf, signParams, toWireSignature } from './signature-algorithm.js';

export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';
export type NamedCurve = 'P-256' | 'P-384' | 'P-521';

/** A signature algorithm (RFC 5280 §4.1.1.2); `keyKind` and `hash` are absent for one we do not verify. */
export interface SignatureAlgorithmIdentifier {
  readonly algorithm: string;
  readonly keyKind?: 'rsa' | 'rsa-pss' | 'ecdsa';
  readonly hash?: HashName;
  /** RSASSA-PSS only (RFC 4055 §3.1). */
  readonly saltLength?: number;
}

/** The algorithm of a subjectPublicKeyInfo (RFC 5280 §4.1.2.7). */
export type SubjectPublicKeyAlgorithm =
  | { readonly kind: 'rsa'; readonly algorithm: string; readonly modulusLength: number }
  | { readonly kind: 'ec'; readonly algorithm: string; readonly namedCurve: NamedCurve | undefined }
  | { readonly kind: 'other'; readonly algorithm: string };

export const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const OID_RSAES_OAEP = '1.2.840.113549.1.1.7';
const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';
const OID_MGF1 = '1.2.840.113549.1.1.8';
/** RFC 4055 §2.1 / RFC 3279 §2.2.1 one-way hash function OIDs. */
const HASH_OIDS: Readonly<Record<string, HashName>> = {
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};
export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
export const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
export const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

const SIGNATURE_ALGORITHMS: Readonly<Record<string, { readonly keyKind: 'rsa' | 'ecdsa'; readonly hash: HashName }>> = {
  '1.2.840.113549.1.1.5': { keyKind: 'rsa', hash: 'SHA-1' },
  [OID_SHA256_WITH_RSA]: { keyKind: 'rsa', hash: 'SHA-256' },
  '1.2.840.113549.1.1.12': { keyKind: 'rsa', hash: 'SHA-384' },
  '1.2.840.113549.1.1.13': { keyKind: 'rsa', hash: 'SHA-512' },
  '1.2.840.10045.4.1': { keyKind: 'ecdsa', hash: 'SHA-1' },
  [OID_ECDSA_WITH_SHA256]: { keyKind: 'ecdsa', hash: 'SHA-256' },
  '1.2.840.10045.4.3.3': { keyKind: 'ecdsa', hash: 'SHA-384' },
  '1.2.840.10045.4.3.4': { keyKind: 'ecdsa', hash: 'SHA-512' },
};

/** RFC 5480 §2.1.1.1 namedCurve OIDs, with the curves' scalar sizes in bytes. */
const NAMED_CURVES: Readonly<Record<string, { readonly name: NamedCurve; readonly scalarBytes: number }>> = {
  '1.2.840.10045.3.1.7': { name: 'P-256', scalarBytes: 32 },
  '1.3.132.0.34': { name: 'P-384', scalarBytes: 48 },
  '1.3.132.0.35': { name: 'P-521', scalarBytes: 66 },
};
const SCALAR_BYTES: Readonly<Record<NamedCurve, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

/** The largest RSA key read (bits) and public exponent (octets). */
const MAX_RSA_MODULUS_BITS = 16_384;
const MAX_RSA_EXPONENT_BYTES = 8;

/** AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }. */
export function readAlgorithmIdentifier(r: DerReader, field: string): { readonly algorithm: string; readonly parameters?: DerElement; readonly der: Uint8Array } {
  const el = r.read(field, DerTag.SEQUENCE);
  const seq = children(el);
  const algorithm = objectIdentifier(seq.read('algorithm', DerTag.OBJECT_IDENTIFIER));
  const parameters = seq.done ? undefined : seq.read('parameters');
  seq.end();
  return parameters ? { algorithm, parameters, der: el.der } : { algorithm, der: el.der };
}

/** The algorithm an AlgorithmIdentifier names. Throws DecodeError when RSASSA-PSS parameters are malformed. */
export function signatureAlgorithmOf(algorithm: string, parameters?: DerElement): SignatureAlgorithmIdentifier {
  if (algorithm === OID_RSASSA_PSS) return { algorithm, ...rsaPssParameters(parameters) };
  const known = SIGNATURE_ALGORITHMS[algorithm];
  if (!known) return { algorithm };
  // RFC 4055 §5: PKCS#1 v1.5 parameters are NULL (or absent); RFC 5758 §3.2: ECDSA's are absent.
  // Anything else is not the algorithm we know: unverifiable (no keyKind).
  const allowed = parameters === undefined || (known.keyKind === 'rsa' && parameters.tag === DerTag.NULL && parameters.value.length === 0);
  return allowed ? { algorithm, ...known } : { algorithm };
}

/**
 * RFC 4055 §3.1: RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] HashAlgorithm DEFAULT sha1,
 * maskGenAlgorithm [1] MaskGenAlgorithm DEFAULT mgf1SHA1, saltLength [2] INTEGER DEFAULT 20,
 * trailerField [3] TrailerField DEFAULT trailerFieldBC }. WebCrypto's RSA-PSS uses MGF1 with the
 * message hash, so other combinations are not verified (no keyKind).
 */
function rsaPssParameters(parameters: DerElement | undefined): Pick<SignatureAlgorithmIdentifier, 'keyKind' | 'hash' | 'saltLength'> {
  if (!parameters) return {};
  const r = children(parameters);
  const explicit = (tag: number, field: string) => {
    const el = r.readOptional(field, tag);
    if (!el) return undefined;
    const inner = children(el);
    return { inner, el };
  };
  let hash: HashName | undefined = 'SHA-1';
  let mgfHash: HashName | undefined = 'SHA-1';
  let saltLength = 20;
  const h = explicit(0xa0, 'hashAlgorithm');
  if (h) {
    hash = HASH_OIDS[readAlgorithmIdentifier(h.inner, 'hashAlgorithm').algorithm];
    h.inner.end();
  }
  const m = explicit(0xa1, 'maskGenAlgorithm');
  if (m) {
    const mgf = readAlgorithmIdentifier(m.inner, 'maskGenAlgorithm');
    m.inner.end();
    if (mgf.algorithm !== OID_MGF1 || !mgf.parameters) return {};
    const p = new DerReader(mgf.parameters.der, m.el.path, mgf.parameters.offset);
    mgfHash = HASH_OIDS[readAlgorithmIdentifier(p, 'mgf1Hash').algorithm];
    p.end();
  }
  const sl = explicit(0xa2, 'saltLength');
  if (sl) {
    saltLength = smallInteger(sl.inner.read('saltLength', DerTag.INTEGER), 0xffff);
    sl.inner.end();
  }
  const t = explicit(0xa3, 'trailerField');
  if (t) {
    const trailer = smallInteger(t.inner.read('trailerField', DerTag.INTEGER));
    t.inner.end();
    if (trailer !== 1) return {};
  }
  r.end();
  return hash && hash === mgfHash ? { keyKind: 'rsa-pss', hash, saltLength } : {};
}

/** SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }. */
export function readSubjectPublicKeyInfo(el: DerElement): SubjectPublicKeyAlgorithm {
  const r = children(el);
  const { algorithm, parameters } = readAlgorithmIdentifier(r, 'algorithm');
  const key = r.read('subjectPublicKey', DerTag.BIT_STRING);
  r.end();
  const bits = bitString(key);
  if (algorithm === OID_RSA_ENCRYPTION || algorithm === OID_RSASSA_PSS || algorithm === OID_RSAES_OAEP) {
    // RFC 3279 §2.3.1: RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }.
    if (bits.unusedBits) throw derError(key.path, key.offset, 'an RSA public key is whole octets');
    const rsa = children(readDer(bits.bytes, `${key.path}.RSAPublicKey`, DerTag.SEQUENCE));
    const modulusEl = rsa.read('modulus', DerTag.INTEGER);
    const modulus = unsignedIntegerBytes(modulusEl);
    const exponentEl = rsa.read('publicExponent', DerTag.INTEGER);
    const exponent = unsignedIntegerBytes(exponentEl);
    rsa.end();
    // The size in bits, not whole octets: a 2041-bit modulus is not a 2048-bit key.
    const modulusLength = modulus.length === 0 ? 0 : (modulus.length - 1) * 8 + 32 - Math.clz32(modulus[0]!);
    // Bounded work for keys from the network: WebCrypto keys are at most 16384 bits, exponents small.
    if (modulusLength > MAX_RSA_MODULUS_BITS) throw derError(modulusEl.path, modulusEl.offset, `an RSA modulus of ${modulusLength} bits (at most ${MAX_RSA_MODULUS_BITS})`);
    if (exponent.length > MAX_RSA_EXPONENT_BYTES) throw derError(exponentEl.path, exponentEl.offset, `an RSA public exponent of ${exponent.length} octets (at most ${MAX_RSA_EXPONENT_BYTES})`);
    return { kind: 'rsa', algorithm, modulusLength };
  }
  if (algorithm === OID_EC_PUBLIC_KEY) {
    const curve = parameters?.tag === DerTag.OBJECT_IDENTIFIER ? NAMED_CURVES[objectIdentifier(parameters)]?.name : undefined;
    return { kind: 'ec', algorithm, namedCurve: curve };
  }
  return { kind: 'other', algorithm };
}

/** What a signature covers and the signature, as a certificate or a request carries them. */
export interface SignedData {
  /** The DER of the signed part (tbsCertificate, certificationRequestInfo). */
  readonly signed: Uint8Array;
  readonly signatureAlgorithm: SignatureAlgorithmIdentifier;
  /** The signature BIT STRING's octets. */
  readonly signatureValue: Uint8Array;
}

/**
 * Whether `data`'s signature verifies with the key of `subjectPublicKeyInfo` (DER). False for an
 * algorithm we do not verify, a key of another kind, or a malformed key or signature.
 */
export async function verifySignedBy(crypto: Crypto, data: SignedData, subjectPublicKeyInfo: Uint8Array): Promise<boolean> {
  const { keyKind, hash } = data.signatureAlgorithm;
  if (!keyKind || !hash) return false;
  let key: SubjectPublicKeyAlgorithm;
  try {
    key = readSubjectPublicKeyInfo(readDer(subjectPublicKeyInfo, 'SubjectPublicKeyInfo', DerTag.SEQUENCE));
  } catch (e) {
    if (e instanceof DecodeError) return false;
    throw e;
  }
  try {
    if (keyKind === 'rsa' && key.kind === 'rsa' && key.algorithm === OID_RSA_ENCRYPTION) {
      const publicKey = await crypto.subtle.importKey('spki', bufferSource(subjectPublicKeyInfo), { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['verify']);
      return await crypto.subtle.verify({ name: 'RSASSA-PKCS1-v1_5' }, publicKey, bufferSource(data.signatureValue), bufferSource(data.signed));
    }
    if (keyKind === 'rsa-pss' && key.kind === 'rsa' && data.signatureAlgorithm.saltLength !== undefined) {
      const publicKey = await crypto.subtle.importKey('spki', bufferSource(subjectPublicKeyInfo), { name: 'RSA-PSS', hash }, false, ['verify']);
      return await crypto.subtle.verify({ name: 'RSA-PSS', saltLength: data.signatureAlgorithm.saltLength }, publicKey, bufferSource(data.signatureValue), bufferSource(data.signed));
    }
    if (keyKind === 'ecdsa' && key.kind === 'ec' && key.namedCurve) {
      const rs = ecdsaDerToP1363(data.signatureValue, SCALAR_BYTES[key.namedCurve]);
      if (!rs) return false;
      const publicKey = await crypto.subtle.importKey('spki', bufferSource(subjectPublicKeyInfo), { name: 'ECDSA', namedCurve: key.namedCurve }, false, ['verify']);
      return await crypto.subtle.verify({ name: 'ECDSA', hash }, publicKey, bufferSource(rs), bufferSource(data.signed));
    }
  } catch {
    // A key WebCrypto will not import (e.g. an invalid point) verifies nothing.
  }
  return false;
}

/**
 * The AlgorithmIdentifier of signatures by `privateKey` (RSA or ECDSA P-256, with SHA-256): RFC 4055
 * §5, sha256WithRSAEncryption's parameters are NULL; RFC 5758 §3.2, ecdsa-with-SHA256's are absent.
 */
export function signingAlgorithmIdentifier(privateKey: CryptoKey): Uint8Array {
  const type = keyTypeOf(privateKey);
  if (!type) throw new TypeError('the key must be RSASSA-PKCS1-v1_5/SHA-256 or ECDSA P-256');
  return type === 'rsa' ? derSequence(derOid(OID_SHA256_WITH_RSA), derNull()) : derSequence(derOid(OID_ECDSA_WITH_SHA256));
}

/** The signature BIT STRING over `signed` by `privateKey` (an ECDSA one as DER Ecdsa-Sig-Value). */
export async function signDer(crypto: Crypto, privateKey: CryptoKey, signed: Uint8Array): Promise<Uint8Array> {
  const type = keyTypeOf(privateKey);
  if (!type) throw new TypeError('the key must be RSASSA-PKCS1-v1_5/SHA-256 or ECDSA P-256');
  const web = new Uint8Array(await crypto.subtle.sign(signParams(type), privateKey, bufferSource(signed)));
  return derBitString(toWireSignature(type, web));
}
