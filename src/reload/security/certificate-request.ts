/**
 * The PKCS#10 certificate signing request of the enrollment protocol (RFC 6940 §11.3: "There MUST
 * be a form parameter of "csr" with a content type of "application/pkcs10" ... that contains the
 * certificate signing request (CSR)").
 *
 * §11.3 speaks of "the requested user name in the CSR". OUR READING: the CSR asks for a user name
 * with an rfc822Name in the subjectAltName of its extensionRequest attribute (PKCS#9), the place
 * a CSR asks for subjectAltNames; the subject is empty like the certificate's. The enrollment
 * server decides the Node-IDs, so the CSR carries none (a URI in it is refused).
 */
import { bufferSource, type CryptoDeps } from './security-components.js';
import { keyTypeOf, x509SigningAlgorithm, type SignatureKeyType } from './signature-algorithm.js';
import { Pkcs10CertificateRequest, Pkcs10CertificateRequestGenerator, SubjectAlternativeNameExtension } from './x509.js';
import { certifiedKeyType, OID_SUBJECT_ALT_NAME } from './reload-certificate.js';

export interface CertificateRequestInit {
  readonly keys: CryptoKeyPair;
  /** The user name asked for (rfc822Name); absent to take what the server gives the account. */
  readonly userName?: string;
}

/** A DER PKCS#10 request for `keys`, signed with the private key (proof of possession). */
export async function createCertificateRequest(deps: CryptoDeps, init: CertificateRequestInit): Promise<Uint8Array> {
  const type = keyTypeOf(init.keys.privateKey);
  if (!type) throw new TypeError('the key must be RSASSA-PKCS1-v1_5/SHA-256 or ECDSA P-256');
  const csr = await Pkcs10CertificateRequestGenerator.create(
    {
      name: '',
      keys: init.keys,
      signingAlgorithm: x509SigningAlgorithm(type),
      extensions: init.userName === undefined ? [] : [new SubjectAlternativeNameExtension([{ type: 'email', value: init.userName }])],
    },
    deps.crypto,
  );
  return new Uint8Array(csr.rawData);
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
  let csr: Pkcs10CertificateRequest;
  try {
    csr = new Pkcs10CertificateRequest(bufferSource(der));
  } catch (e) {
    return { error: `not a PKCS#10 request: ${e instanceof Error ? e.message : String(e)}` };
  }
  let signed: boolean;
  try {
    signed = await csr.verify(deps.crypto);
  } catch {
    signed = false;
  }
  if (!signed) return { error: 'the request is not signed by the key it carries' };
  const keyType = certifiedKeyType(csr);
  if (!keyType) return { error: 'the key must be RSA of at least 2048 bits or ECDSA P-256' };
  let requestedUserName: string | undefined;
  for (const ext of csr.extensions) {
    if (ext.type !== OID_SUBJECT_ALT_NAME) continue;
    let names;
    try {
      names = new SubjectAlternativeNameExtension(ext.rawData).names.items;
    } catch {
      return { error: 'the requested subjectAltName cannot be read' };
    }
    for (const n of names) {
      if (n.type !== 'email') return { error: `a request may ask only for a user name (rfc822Name), not a ${n.type} name: the server chooses the Node-IDs` };
      if (requestedUserName !== undefined) return { error: 'a request may ask for one user name' };
      requestedUserName = n.value;
    }
  }
  return { subjectPublicKeyInfo: new Uint8Array(csr.publicKey.rawData), keyType, ...(requestedUserName === undefined ? {} : { requestedUserName }) };
}
