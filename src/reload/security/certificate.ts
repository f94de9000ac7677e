/**
 * An X.509 v3 certificate (RFC 5280 §4.1) read from its DER: the fields the identity layer
 * checks, as plain data, and nothing more. Made for the browser: no ASN.1 schema library, no
 * decorators, no global crypto (issue 5: the overlay's chunk stays small and starts fast).
 *
 *   Certificate ::= SEQUENCE { tbsCertificate TBSCertificate, signatureAlgorithm
 *     AlgorithmIdentifier, signatureValue BIT STRING }
 *   TBSCertificate ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, serialNumber
 *     CertificateSerialNumber, signature AlgorithmIdentifier, issuer Name, validity Validity,
 *     subject Name, subjectPublicKeyInfo SubjectPublicKeyInfo, issuerUniqueID [1] IMPLICIT
 *     UniqueIdentifier OPTIONAL, subjectUniqueID [2] IMPLICIT UniqueIdentifier OPTIONAL,
 *     extensions [3] EXPLICIT Extensions OPTIONAL }
 *
 * Malformed input raises DecodeError only (the reader is strict DER, der.ts).
 */
import { DecodeError } from '../wire/codec/decode-error.js';
import { bytesEqual, toHex } from '../wire/codec/hex.js';
import { bitString, children, DerTag, derError, readDer, smallInteger, timeValue, integerBytes } from './asn1/der.js';
import { OID_BASIC_CONSTRAINTS, OID_KEY_USAGE, OID_SUBJECT_ALT_NAME, readBasicConstraints, readExtensions, readKeyUsage, readSubjectAltName, type BasicConstraints, type CertificateExtension, type GeneralName } from './certificate-extensions.js';
import { readNameText } from './certificate-name.js';
import { readAlgorithmIdentifier, readSubjectPublicKeyInfo, signatureAlgorithmOf, verifySignedBy, type SignatureAlgorithmIdentifier, type SubjectPublicKeyAlgorithm } from './certificate-signature.js';
import { decodePem, PEM_CERTIFICATE } from './pem.js';

export interface Certificate {
  /** The whole DER. */
  readonly rawData: Uint8Array;
  /** The DER of tbsCertificate (what the signature covers). */
  readonly tbsCertificate: Uint8Array;
  /** 1, 2 or 3. */
  readonly version: number;
  /** Hex of the serial number's octets (a sign octet before a high bit dropped), as @peculiar/x509 shows it. */
  readonly serialNumber: string;
  readonly signatureAlgorithm: SignatureAlgorithmIdentifier;
  /** The signatureValue BIT STRING's octets. */
  readonly signatureValue: Uint8Array;
  /** The issuer and subject Name DERs (compared byte for byte) and their text. */
  readonly issuerName: Uint8Array;
  readonly issuer: string;
  readonly subjectName: Uint8Array;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The DER SubjectPublicKeyInfo, and its algorithm. */
  readonly subjectPublicKeyInfo: Uint8Array;
  readonly publicKeyAlgorithm: SubjectPublicKeyAlgorithm;
  readonly extensions: readonly CertificateExtension[];
}

/**
 * Parse a certificate from its DER, the only form RELOAD carries (RFC 6940 §6.3.4, §11.3): one
 * certificate, one encoding, so one cert_hash and one cache entry. Throws DecodeError.
 * (A PEM text: parseCertificatePem.)
 */
export function parseCertificate(der: Uint8Array): Certificate {
  const outer = children(readDer(der, 'Certificate', DerTag.SEQUENCE));
  const tbsEl = outer.read('tbsCertificate', DerTag.SEQUENCE);
  const outerAlgorithm = readAlgorithmIdentifier(outer, 'signatureAlgorithm');
  const sigEl = outer.read('signatureValue', DerTag.BIT_STRING);
  outer.end();
  const sig = bitString(sigEl);
  if (sig.unusedBits) throw derError(sigEl.path, sigEl.offset, 'a signature is whole octets');

  const tbs = children(tbsEl);
  const versionEl = tbs.readOptional('version', 0xa0);
  let version = 1;
  if (versionEl) {
    const v = children(versionEl);
    version = smallInteger(v.read('version', DerTag.INTEGER)) + 1;
    v.end();
    if (version > 3) throw derError(versionEl.path, versionEl.offset, `version ${version} (RFC 5280 §4.1.2.1: v1, v2 or v3)`);
  }
  const serialEl = tbs.read('serialNumber', DerTag.INTEGER);
  const serial = integerBytes(serialEl);
  const innerAlgorithm = readAlgorithmIdentifier(tbs, 'signature');
  // RFC 5280 §4.1.1.2: signatureAlgorithm "MUST contain the same algorithm identifier as the
  // signature field": the same DER, parameters included (the outer one is not signed).
  if (!bytesEqual(innerAlgorithm.der, outerAlgorithm.der)) throw derError(tbsEl.path, tbsEl.offset, `signature algorithm ${outerAlgorithm.algorithm} differs from the TBSCertificate's ${innerAlgorithm.algorithm}`);
  const issuerEl = tbs.read('issuer', DerTag.SEQUENCE);
  const validity = children(tbs.read('validity', DerTag.SEQUENCE));
  const notBefore = timeValue(validity.read('notBefore'));
  const notAfter = timeValue(validity.read('notAfter'));
  validity.end();
  const subjectEl = tbs.read('subject', DerTag.SEQUENCE);
  const spkiEl = tbs.read('subjectPublicKeyInfo', DerTag.SEQUENCE);
  // RFC 5280 §4.1.2.1: unique identifiers only in v2 or v3, extensions only in v3; X.690 §11.5:
  // the DEFAULT v1 is left out, not written.
  if (versionEl && version === 1) throw derError(versionEl.path, versionEl.offset, 'version v1 must be left out (DER omits a DEFAULT value)');
  for (const [field, tag] of [['issuerUniqueID', 0x81], ['subjectUniqueID', 0x82]] as const) {
    const el = tbs.readOptional(field, tag);
    if (el && version < 2) throw derError(el.path, el.offset, `${field} in a version ${version} certificate (RFC 5280 §4.1.2.8: v2 or v3 only)`);
  }
  const extensionsEl = tbs.readOptional('extensions', 0xa3);
  if (extensionsEl && version !== 3) throw derError(extensionsEl.path, extensionsEl.offset, `extensions in a version ${version} certificate (RFC 5280 §4.1.2.9: v3 only)`);
  let extensions: CertificateExtension[] = [];
  if (extensionsEl) {
    const e = children(extensionsEl);
    extensions = readExtensions(e, 'Extensions');
    e.end();
  }
  tbs.end();

  return {
    rawData: der,
    tbsCertificate: tbsEl.der,
    version,
    serialNumber: toHex(serial.length > 1 && serial[0] === 0 && serial[1]! & 0x80 ? serial.subarray(1) : serial),
    signatureAlgorithm: signatureAlgorithmOf(outerAlgorithm.algorithm, outerAlgorithm.parameters),
    signatureValue: sig.bytes,
    issuerName: issuerEl.der,
    issuer: readNameText(issuerEl),
    subjectName: subjectEl.der,
    subject: readNameText(subjectEl),
    notBefore,
    notAfter,
    subjectPublicKeyInfo: spkiEl.der,
    publicKeyAlgorithm: readSubjectPublicKeyInfo(spkiEl),
    extensions,
  };
}

/** Parse the first CERTIFICATE block of a PEM text (files, tests). Throws DecodeError. */
export function parseCertificatePem(text: string): Certificate {
  const block = decodePem(text).find((b) => b.label === PEM_CERTIFICATE);
  if (!block) throw derError('Certificate', 0, 'no PEM CERTIFICATE block');
  return parseCertificate(block.der);
}

/** The extension `extnID` of `cert`, if present. */
export function findExtension(cert: { readonly extensions: readonly CertificateExtension[] }, extnID: string): CertificateExtension | undefined {
  return cert.extensions.find((e) => e.extnID === extnID);
}

/** The subjectAltName's names, or undefined without one. Throws DecodeError when it is malformed. */
export function subjectAltNames(cert: { readonly extensions: readonly CertificateExtension[] }): GeneralName[] | undefined {
  const e = findExtension(cert, OID_SUBJECT_ALT_NAME);
  return e && readSubjectAltName(e.extnValue);
}

/** basicConstraints, or undefined without one. Throws DecodeError when it is malformed. */
export function basicConstraints(cert: Certificate): BasicConstraints | undefined {
  const e = findExtension(cert, OID_BASIC_CONSTRAINTS);
  return e && readBasicConstraints(e.extnValue);
}

/** keyUsage flags (certificate-extensions.ts KeyUsage), or undefined without one. Throws DecodeError when it is malformed. */
export function keyUsage(cert: Certificate): number | undefined {
  const e = findExtension(cert, OID_KEY_USAGE);
  return e && readKeyUsage(e.extnValue);
}

/** Whether `cert`'s signature verifies with `issuer`'s key (signature only: no name or validity check). */
export function certificateSignedBy(crypto: Crypto, cert: Certificate, issuer: Pick<Certificate, 'subjectPublicKeyInfo'>): Promise<boolean> {
  return verifySignedBy(crypto, { signed: cert.tbsCertificate, signatureAlgorithm: cert.signatureAlgorithm, signatureValue: cert.signatureValue }, issuer.subjectPublicKeyInfo);
}

/** parseCertificate, or undefined for anything that is not a certificate. */
export function tryParseCertificate(input: Uint8Array): Certificate | undefined {
  try {
    return parseCertificate(input);
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}

