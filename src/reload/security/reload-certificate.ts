/**
 * A RELOAD certificate read from its DER (RFC 6940 §11.3): what the identity layer needs of it.
 *
 * §11.3: "The SubjectAltName field in the certificate MUST contain the following values: One or
 * more Node-IDs ... Each is placed in the subjectAltName using the uniformResourceIdentifier type,
 * each MUST contain RELOAD URI ... A single name (the "user name") ... using type rfc822Name."
 * "The SubjectAltName field in the certificate MUST NOT contain any identities other than those
 * listed above." A certificate that breaks these is refused (Error_Forbidden): a peer identity
 * must be unambiguous. Every Node-ID URI must name this overlay.
 */
import { ReloadError } from '../runtime/reload-error.js';
import { bytesEqual, toHex } from '../wire/codec/hex.js';
import type { NodeId } from '../wire/ids.js';
import { parseReloadNodeUri, sameOverlay } from './reload-uri.js';
import { RSA_MODULUS_BITS, type SignatureKeyType } from './signature-algorithm.js';
import { isPlausibleUserName } from './user-name.js';
import { DecodeError } from '../wire/codec/decode-error.js';
import { DerTag, readDer } from './asn1/der.js';
import { parseCertificate, subjectAltNames, type Certificate } from './certificate.js';
import type { GeneralName } from './certificate-extensions.js';
import { readSubjectPublicKeyInfo, type SubjectPublicKeyAlgorithm } from './certificate-signature.js';

/** The subjectAltName extension (RFC 5280 §4.2.1.6). */
export { OID_SUBJECT_ALT_NAME } from './certificate-extensions.js';

/** A certificate with the RELOAD identities it binds (§11.3). */
export interface ReloadCertificate {
  /** The DER, exactly as received (GenericCertificate.certificate, §6.3.4). */
  readonly der: Uint8Array;
  readonly x509: Certificate;
  /** The Node-IDs of the certificate's RELOAD URIs, in subjectAltName order. */
  readonly nodeIds: readonly NodeId[];
  /** The rfc822Name. */
  readonly userName: string;
  /** The certified key's type, or undefined for a key no RELOAD signature can use. */
  readonly keyType: SignatureKeyType | undefined;
  /** The DER subjectPublicKeyInfo (self-generated Node-IDs are computed over it, §11.3.1). */
  readonly subjectPublicKeyInfo: Uint8Array;
}

/** Refuse a certificate: Error_Forbidden with the reason (§6.3.4 "MUST verify ... the authorizing certificate"). */
export function forbidden(reason: string): ReloadError {
  return ReloadError.of('Error_Forbidden', reason);
}

/** Parse any X.509 certificate (DER, or PEM text), refusing a malformed one with Error_Forbidden. */
export function readX509(der: Uint8Array, what = 'certificate'): Certificate {
  try {
    return parseCertificate(der);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    throw forbidden(`${what} is not a valid X.509 certificate: ${e.message}`);
  }
}

/**
 * Read a peer certificate of `overlay` and the identities it binds. Throws Error_Forbidden when
 * it does not have the §11.3 form. (Its chain and validity are checked by chain-validator.ts.)
 */
export function parseReloadCertificate(received: Uint8Array, overlay: string): ReloadCertificate {
  // An own copy: a cached certificate must not keep a whole received message alive.
  const der = received.slice();
  const x509 = readX509(der);
  const id = describe(x509);
  let san: GeneralName[] | undefined;
  try {
    san = subjectAltNames(x509);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    throw forbidden(`${id}: its subjectAltName cannot be read (${e.message}); only RELOAD URIs and one rfc822Name are allowed (§11.3)`);
  }
  if (!san) throw forbidden(`${id} has no subjectAltName, so it binds no Node-ID or user name (§11.3)`);
  const nodeIds: NodeId[] = [];
  const userNames: string[] = [];
  for (const name of san) {
    if (name.type === 'uniformResourceIdentifier') {
      const parsed = parseReloadNodeUri(name.value);
      if ('error' in parsed) throw forbidden(`${id}: subjectAltName URI ${name.value} is not a RELOAD Node-ID URI: ${parsed.error}`);
      if (!sameOverlay(parsed.overlay, overlay)) throw forbidden(`${id} is for overlay ${parsed.overlay}, not ${overlay}`);
      if (nodeIds.some((n) => bytesEqual(n, parsed.nodeId))) throw forbidden(`${id} lists Node-ID ${toHex(parsed.nodeId)} twice`);
      nodeIds.push(parsed.nodeId);
    } else if (name.type === 'rfc822Name') {
      userNames.push(name.value);
    } else {
      throw forbidden(`${id}: a subjectAltName of type ${name.name} is not allowed (§11.3: only RELOAD URIs and one rfc822Name)`);
    }
  }
  if (nodeIds.length === 0) throw forbidden(`${id} has no RELOAD Node-ID URI (§11.3)`);
  const userName = userNames[0];
  if (userNames.length !== 1 || userName === undefined) throw forbidden(`${id} must have exactly one rfc822Name user name, has ${userNames.length} (§11.3)`);
  if (!isPlausibleUserName(userName)) throw forbidden(`${id}: user name "${userName}" is not a valid rfc822Name`);
  return {
    der,
    x509,
    nodeIds,
    userName,
    keyType: certifiedKeyType(x509),
    subjectPublicKeyInfo: x509.subjectPublicKeyInfo,
  };
}

/** The type of the key a certificate (or request) certifies: RSA of at least 2048 bits, or ECDSA P-256. */
export function certifiedKeyType(holder: { readonly publicKeyAlgorithm: SubjectPublicKeyAlgorithm }): SignatureKeyType | undefined {
  const a = holder.publicKeyAlgorithm;
  if (a.kind === 'rsa') return a.modulusLength >= RSA_MODULUS_BITS ? 'rsa' : undefined;
  if (a.kind === 'ec' && a.namedCurve === 'P-256') return 'ecdsa-p256';
  return undefined;
}

/** The key type of a DER subjectPublicKeyInfo (certifiedKeyType), or undefined when it is malformed. */
export function keyTypeOfSubjectPublicKeyInfo(spki: Uint8Array): SignatureKeyType | undefined {
  try {
    return certifiedKeyType({ publicKeyAlgorithm: readSubjectPublicKeyInfo(readDer(spki, 'SubjectPublicKeyInfo', DerTag.SEQUENCE)) });
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}

/** A short description of a certificate for error texts. */
export function describe(x509: Pick<Certificate, 'serialNumber' | 'subject'>): string {
  return `certificate ${x509.serialNumber}${x509.subject ? ` (${x509.subject})` : ''}`;
}
