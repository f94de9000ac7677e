/**
 * The signature algorithms of a RELOAD identity and how they map between WebCrypto, X.509 and
 * the TLS SignatureAndHashAlgorithm a Signature carries (RFC 6940 §6.3.4).
 *
 * RFC 6940 §6.3.4: "All implementations MUST support RSASSA-PKCS1-v1_5 [RFC3447] signatures with
 * SHA-256 hashes" — TLS {hash: sha256 (4), signature: rsa (1)}. ECDSA P-256 with SHA-256 —
 * {sha256 (4), ecdsa (3)} — is used only where the overlay allows it (trust-policy.ts).
 *
 * WebCrypto's ECDSA signature is the IEEE P1363 form r || s; TLS, whose registries the Signature
 * uses, carries ECDSA signatures as the DER `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`
 * (RFC 4492 §5.4, RFC 5246 §4.7). OUR READING: `signature_value` of an ecdsa Signature is that DER.
 * The converters below are strict (canonical DER only), so a signature has one encoding.
 */
import { HashAlgorithm, SignatureAlgorithm, type SignatureAndHashAlgorithm } from '../wire/security-block.js';

/** The key types a RELOAD identity may have. */
export type SignatureKeyType = 'rsa' | 'ecdsa-p256';

export const SIGNATURE_KEY_TYPES: readonly SignatureKeyType[] = ['rsa', 'ecdsa-p256'];

/** The RSA modulus we generate, and the smallest we accept in a certificate request. */
export const RSA_MODULUS_BITS = 2048;

/** WebCrypto parameters to generate a key pair of `type`. */
export function keyGenParams(type: SignatureKeyType): RsaHashedKeyGenParams | EcKeyGenParams {
  return type === 'rsa'
    ? { name: 'RSASSA-PKCS1-v1_5', modulusLength: RSA_MODULUS_BITS, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
    : { name: 'ECDSA', namedCurve: 'P-256' };
}

/** WebCrypto parameters to import a key of `type` (spki / pkcs8). */
export function keyImportParams(type: SignatureKeyType): RsaHashedImportParams | EcKeyImportParams {
  return type === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: 'P-256' };
}

/** WebCrypto parameters to sign or verify with a key of `type` (always SHA-256). */
export function signParams(type: SignatureKeyType): Algorithm | EcdsaParams {
  return type === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5' } : { name: 'ECDSA', hash: 'SHA-256' };
}

/** The algorithm to sign certificates and requests with a key of `type` (SHA-256 with RSA or ECDSA). */
export function x509SigningAlgorithm(type: SignatureKeyType): RsaHashedImportParams | EcdsaParams {
  return type === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', hash: 'SHA-256' };
}

/** The TLS SignatureAndHashAlgorithm of a signature made with a key of `type` (§6.3.4). */
export function tlsSignatureAlgorithm(type: SignatureKeyType): SignatureAndHashAlgorithm {
  return { hash: HashAlgorithm.sha256, signature: type === 'rsa' ? SignatureAlgorithm.rsa : SignatureAlgorithm.ecdsa };
}

/** The key type a TLS SignatureAndHashAlgorithm names, or undefined for one we do not verify. */
export function keyTypeOfTlsAlgorithm(algorithm: SignatureAndHashAlgorithm): SignatureKeyType | undefined {
  if (algorithm.hash !== HashAlgorithm.sha256) return undefined;
  if (algorithm.signature === SignatureAlgorithm.rsa) return 'rsa';
  if (algorithm.signature === SignatureAlgorithm.ecdsa) return 'ecdsa-p256';
  return undefined;
}

/** The key type of a WebCrypto key, or undefined for any other kind of key. */
export function keyTypeOf(key: CryptoKey): SignatureKeyType | undefined {
  const a = key.algorithm as Partial<RsaHashedKeyAlgorithm & EcKeyAlgorithm>;
  if (a.name === 'RSASSA-PKCS1-v1_5' && a.hash?.name === 'SHA-256') return 'rsa';
  if (a.name === 'ECDSA' && a.namedCurve === 'P-256') return 'ecdsa-p256';
  return undefined;
}

/** The WebCrypto signature of `type` in the form a RELOAD Signature carries. */
export function toWireSignature(type: SignatureKeyType, webSignature: Uint8Array): Uint8Array {
  return type === 'rsa' ? webSignature : ecdsaP1363ToDer(webSignature);
}

/** The wire signature_value in the form WebCrypto verifies, or undefined if it is malformed. */
export function fromWireSignature(type: SignatureKeyType, wireSignature: Uint8Array): Uint8Array | undefined {
  return type === 'rsa' ? wireSignature : ecdsaDerToP1363(wireSignature);
}

const P256_SCALAR_BYTES = 32;

/** r || s (32 bytes each) → DER Ecdsa-Sig-Value. */
export function ecdsaP1363ToDer(rs: Uint8Array): Uint8Array {
  if (rs.length !== 2 * P256_SCALAR_BYTES) throw new RangeError(`a P-256 signature is ${2 * P256_SCALAR_BYTES} bytes, got ${rs.length}`);
  const r = derInteger(rs.subarray(0, P256_SCALAR_BYTES));
  const s = derInteger(rs.subarray(P256_SCALAR_BYTES));
  // At most 2 × (2 + 33) = 70 content bytes: the short length form always suffices.
  const out = new Uint8Array(2 + r.length + s.length);
  out[0] = 0x30;
  out[1] = r.length + s.length;
  out.set(r, 2);
  out.set(s, 2 + r.length);
  return out;
}

/** DER Ecdsa-Sig-Value (RFC 3279 §2.2.3) → r || s, each left-padded to `scalarBytes` (P-256's by default), or undefined unless it is canonical DER with values that fit. */
export function ecdsaDerToP1363(der: Uint8Array, scalarBytes: number = P256_SCALAR_BYTES): Uint8Array | undefined {
  // SEQUENCE, its length in one octet, or in two for P-521 (X.690 §8.1.3: long form only from 128).
  if (der.length < 8 || der[0] !== 0x30) return undefined;
  let at: number;
  if (der[1]! < 0x80) at = 2;
  else if (der[1] === 0x81 && der[2]! >= 0x80) at = 3;
  else return undefined;
  if (der[at - 1] !== der.length - at) return undefined;
  const out = new Uint8Array(2 * scalarBytes);
  for (let i = 0; i < 2; i++) {
    if (der[at] !== 0x02) return undefined;
    const len = der[at + 1]!;
    const start = at + 2;
    if (len === 0 || len > scalarBytes + 1 || start + len > der.length) return undefined;
    const value = der.subarray(start, start + len);
    // Canonical: positive, minimal (a leading zero only before a byte with the high bit set).
    if (value[0]! & 0x80) return undefined;
    if (value[0] === 0 && (len === 1 || !(value[1]! & 0x80))) return undefined;
    const digits = value[0] === 0 ? value.subarray(1) : value;
    if (digits.length > scalarBytes) return undefined;
    out.set(digits, (i + 1) * scalarBytes - digits.length);
    at = start + len;
  }
  return at === der.length ? out : undefined;
}

function derInteger(unsigned: Uint8Array): Uint8Array {
  let i = 0;
  while (i < unsigned.length - 1 && unsigned[i] === 0) i++;
  const digits = unsigned.subarray(i);
  const pad = digits[0]! & 0x80 ? 1 : 0;
  const out = new Uint8Array(2 + pad + digits.length);
  out[0] = 0x02;
  out[1] = pad + digits.length;
  out.set(digits, 2 + pad);
  return out;
}
