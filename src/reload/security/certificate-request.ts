/**
 * The PKCS#10 certificate signing request of the enrollment protocol (RFC 6940 §11.3: "There MUST
 * be a form parameter of "csr" with a content type of "application/pkcs10" ... that contains the
 * certificate signing request (CSR)").
 *
 * §11.3 speaks of "the requested user name in the CSR". OUR READING: the CSR asks for a user name
 * with an rfc822Name in the subjectAltName of its extensionRequest attribute (PKCS#9), the place
 * a CSR asks for subjectAltNames; the subject is empty like the certificate's. The enrollment
 * server decides the Node-IDs, so the CSR carries none (a URI in it is refused).
 *
 * RFC 2986 §4: CertificationRequest ::= SEQUENCE { certificationRequestInfo, signatureAlgorithm
 * AlgorithmIdentifier, signature BIT STRING }; CertificationRequestInfo ::= SEQUENCE { version
 * INTEGER { v1(0) }, subject Name, subjectPKInfo SubjectPublicKeyInfo, attributes [0] IMPLICIT
 * SET OF Attribute }; Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET OF ANY }.
 * Written and read with der.ts (no ASN.1 library: this module runs in the browser, issue 5).
 */
import { DecodeError } from '../wire/codec/decode-error.js';
import { children, DerTag, derError, objectIdentifier, readAll, readDer, smallInteger, bitString, type DerElement } from './asn1/der.js';
import { derContext, derSequence, derSetOf, derOid, derSmallInteger } from './asn1/der-writer.js';
import { encodeExtension, encodeSubjectAltName, OID_SUBJECT_ALT_NAME, readExtensions, readSubjectAltName, type CertificateExtension } from './certificate-extensions.js';
import { EMPTY_NAME, readNameText } from './certificate-name.js';
import { readAlgorithmIdentifier, readSubjectPublicKeyInfo, signatureAlgorithmOf, signDer, signingAlgorithmIdentifier, verifySignedBy, type SubjectPublicKeyAlgorithm } from './certificate-signature.js';
import { bufferSource, type CryptoDeps } from './security-components.js';
import { keyTypeOf, type SignatureKeyType } from './signature-algorithm.js';
import { certifiedKeyType } from './reload-certificate.js';

/** PKCS#9 extensionRequest (RFC 2985 §5.4.2). */
const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';

export interface CertificateRequestInit {
  readonly keys: CryptoKeyPair;
  /** The user name asked for (rfc822Name); absent to take what the server gives the account. */
  readonly userName?: string;
}

/** A DER PKCS#10 request for `keys`, signed with the private key (proof of possession). */
export async function createCertificateRequest(deps: CryptoDeps, init: CertificateRequestInit): Promise<Uint8Array> {
  if (!keyTypeOf(init.keys.privateKey)) throw new TypeError('the key must be RSASSA-PKCS1-v1_5/SHA-256 or ECDSA P-256');
  const spki = new Uint8Array(await deps.crypto.subtle.exportKey('spki', init.keys.publicKey));
  const extensions: CertificateExtension[] =
    init.userName === undefined ? [] : [{ extnID: OID_SUBJECT_ALT_NAME, critical: false, extnValue: encodeSubjectAltName([{ type: 'rfc822Name', value: init.userName }]) }];
  const attributes = extensions.length === 0 ? [] : [derSequence(derOid(OID_EXTENSION_REQUEST), derSetOf(derSequence(...extensions.map(encodeExtension))))];
  const info = derSequence(derSmallInteger(0), EMPTY_NAME, spki, derContext(0, true, ...attributes));
  return derSequence(info, signingAlgorithmIdentifier(init.keys.privateKey), await signDer(deps.crypto, init.keys.privateKey, info));
}

/** A PKCS#10 request as read (its signature not yet checked). */
export interface CertificationRequest {
  readonly rawData: Uint8Array;
  readonly certificationRequestInfo: Uint8Array;
  readonly subject: string;
  readonly subjectPublicKeyInfo: Uint8Array;
  readonly publicKeyAlgorithm: SubjectPublicKeyAlgorithm;
  /** The extensions of its extensionRequest attribute. */
  readonly extensions: readonly CertificateExtension[];
  readonly signatureAlgorithm: ReturnType<typeof signatureAlgorithmOf>;
  readonly signatureValue: Uint8Array;
}

/** Parse a DER PKCS#10 request. Throws DecodeError. */
export function parseCertificationRequest(der: Uint8Array): CertificationRequest {
  const outer = children(readDer(der, 'CertificationRequest', DerTag.SEQUENCE));
  const infoEl = outer.read('certificationRequestInfo', DerTag.SEQUENCE);
  const { algorithm, parameters } = readAlgorithmIdentifier(outer, 'signatureAlgorithm');
  const sigEl = outer.read('signature', DerTag.BIT_STRING);
  outer.end();
  const sig = bitString(sigEl);
  if (sig.unusedBits) throw derError(sigEl.path, sigEl.offset, 'a signature is whole octets');
  const info = children(infoEl);
  const versionEl = info.read('version', DerTag.INTEGER);
  if (smallInteger(versionEl) !== 0) throw derError(versionEl.path, versionEl.offset, 'RFC 2986 §4.1: version is 0');
  const subjectEl = info.read('subject', DerTag.SEQUENCE);
  const spkiEl = info.read('subjectPKInfo', DerTag.SEQUENCE);
  const attributesEl = info.read('attributes', 0xa0);
  info.end();
  const extensions: CertificateExtension[] = [];
  readAll(attributesEl, 'attribute', (r, field) => {
    const a = children(r.read(field, DerTag.SEQUENCE));
    const type = objectIdentifier(a.read('type', DerTag.OBJECT_IDENTIFIER));
    const values = a.read('values', DerTag.SET);
    a.end();
    if (type === OID_EXTENSION_REQUEST) extensions.push(...extensionRequest(values));
  });
  return {
    rawData: der,
    certificationRequestInfo: infoEl.der,
    subject: readNameText(subjectEl),
    subjectPublicKeyInfo: spkiEl.der,
    publicKeyAlgorithm: readSubjectPublicKeyInfo(spkiEl),
    extensions,
    signatureAlgorithm: signatureAlgorithmOf(algorithm, parameters),
    signatureValue: sig.bytes,
  };
}

/** extensionRequest's single value: Extensions. */
function extensionRequest(values: DerElement): CertificateExtension[] {
  const r = children(values);
  const list = readExtensions(r, 'extensionRequest');
  if (!r.done) throw derError(values.path, values.offset, 'extensionRequest has one value');
  return list;
}

/** What the enrollment server takes from a request. */
export interface CertificateRequestContents {
  /** DER subjectPublicKeyInfo. */
  readonly subjectPublicKeyInfo: Uint8Array;
  readonly keyType: SignatureKeyType;
  /** The rfc822Name asked for, if any. */
  readonly requestedUserName?: string;
}

/**
 * Read and check a CSR: well-formed, self-signature valid, a usable key (RSA ≥ 2048 or ECDSA
 * P-256), at most one rfc822Name and no other subjectAltName. Returns the reason otherwise.
 */
export async function readCertificateRequest(deps: CryptoDeps, der: Uint8Array): Promise<CertificateRequestContents | { readonly error: string }> {
  let csr: CertificationRequest;
  try {
    csr = parseCertificationRequest(der);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return { error: `not a PKCS#10 request: ${e.message}` };
  }
  const signed = await verifySignedBy(deps.crypto, { signed: csr.certificationRequestInfo, signatureAlgorithm: csr.signatureAlgorithm, signatureValue: csr.signatureValue }, csr.subjectPublicKeyInfo);
  if (!signed) return { error: 'the request is not signed by the key it carries' };
  const keyType = certifiedKeyType(csr);
  if (!keyType) return { error: 'the key must be RSA of at least 2048 bits or ECDSA P-256' };
  let requestedUserName: string | undefined;
  for (const ext of csr.extensions) {
    if (ext.extnID !== OID_SUBJECT_ALT_NAME) continue;
    let names;
    try {
      names = readSubjectAltName(ext.extnValue);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      return { error: 'the requested subjectAltName cannot be read' };
    }
    for (const n of names) {
      if (n.type !== 'rfc822Name') return { error: `a request may ask only for a user name (rfc822Name), not a ${n.type === 'other' ? n.name : n.type} name: the server chooses the Node-IDs` };
      if (requestedUserName !== undefined) return { error: 'a request may ask for one user name' };
      requestedUserName = n.value;
    }
  }
  return { subjectPublicKeyInfo: csr.subjectPublicKeyInfo.slice(), keyType, ...(requestedUserName === undefined ? {} : { requestedUserName }) };
}
