/**
 * Self-generated credentials (RFC 6940 §11.3.1), only where the configuration permits them.
 *
 * §11.3.1: "If the "self-signed-permitted" element is present in the configuration and is set to
 * "true", then a node MUST generate its own self-signed certificate to join the overlay. The
 * self-signed certificate MAY contain any user name of the user's choice. For self-signed
 * certificates containing only one Node-ID, the Node-ID MUST be computed by applying the digest
 * specified in the self-signed-permitted element to the DER representation of the user's public
 * key (more specifically, the subjectPublicKeyInfo) and taking the high-order bits. For
 * self-signed certificates containing multiple Node-IDs, the index of the Node-ID (from 1 to the
 * number of Node-IDs needed) must be prepended as a 4-byte big-endian integer to the DER
 * representation of the user's public key and taking the high-order bits. When accepting a
 * self-signed certificate, nodes MUST check that the Node-ID and public keys match."
 *
 * OUR READINGS: "high-order bits" are the first NodeIdLength (16) bytes of the digest; the i-th
 * Node-ID in the subjectAltName is the one of index i. A self-signed certificate has the §11.3
 * subjectAltName form; its subject (= issuer) is `CN=` its first Node-ID in hex, because RFC 5280
 * §4.1.2.4 requires a non-empty issuer name (§11.3's empty subject is for CA-issued certificates).
 */
import { fromHex, toHex } from '../wire/codec/hex.js';
import type { Configuration } from '../wire/config/index.js';
import { NODE_ID_LENGTH, type NodeId } from '../wire/ids.js';
import { forbidden, type ReloadCertificate } from './reload-certificate.js';
import { formatReloadNodeUri } from './reload-uri.js';
import { concatBytes } from '../wire/codec/concat-bytes.js';
import { digest, type CryptoDeps } from './security-components.js';
import { keyTypeOf } from './signature-algorithm.js';
import { trustPolicyFromConfiguration, type SelfSignedDigestName } from './trust-policy.js';
import { derContext, derSequence, derSmallInteger, derTime, derUnsignedInteger } from './asn1/der-writer.js';
import { encodeBasicConstraints, encodeExtension, encodeKeyUsage, encodeSubjectAltName, KeyUsage, OID_BASIC_CONSTRAINTS, OID_KEY_USAGE, OID_SUBJECT_ALT_NAME } from './certificate-extensions.js';
import { encodeName, OID_COMMON_NAME } from './certificate-name.js';
import { signDer, signingAlgorithmIdentifier } from './certificate-signature.js';

const DIGEST: Readonly<Record<SelfSignedDigestName, 'SHA-1' | 'SHA-256'>> = { sha1: 'SHA-1', sha256: 'SHA-256' };

/** The Node-IDs a self-signed certificate over `spki` must carry (§11.3.1). */
export async function selfSignedNodeIds(crypto: Crypto, spki: Uint8Array, digestName: SelfSignedDigestName, count: number): Promise<NodeId[]> {
  if (!Number.isInteger(count) || count < 1) throw new RangeError('at least one Node-ID');
  const algorithm = DIGEST[digestName];
  if (count === 1) return [(await digest(crypto, algorithm, spki)).slice(0, NODE_ID_LENGTH)];
  const out: NodeId[] = [];
  for (let i = 1; i <= count; i++) {
    const index = new Uint8Array(4);
    new DataView(index.buffer).setUint32(0, i);
    out.push((await digest(crypto, algorithm, concatBytes(index, spki))).slice(0, NODE_ID_LENGTH));
  }
  return out;
}

/** Throws Error_Forbidden unless the certificate's Node-IDs are those of its public key (§11.3.1). */
export async function checkSelfSignedNodeIds(crypto: Crypto, cert: ReloadCertificate, digestName: SelfSignedDigestName): Promise<void> {
  const expected = await selfSignedNodeIds(crypto, cert.subjectPublicKeyInfo, digestName, cert.nodeIds.length);
  cert.nodeIds.forEach((id, i) => {
    if (toHex(id) !== toHex(expected[i]!)) {
      throw forbidden(`self-signed certificate: Node-ID ${toHex(id)} is not the ${digestName} of its public key (expected ${toHex(expected[i]!)}, §11.3.1)`);
    }
  });
}

export interface SelfSignedInit {
  /** The configuration; self-signed-permitted must be true (§11.3.1). */
  readonly configuration: Configuration;
  readonly keys: CryptoKeyPair;
  /** Any user name of the user's choice (§11.3.1), an rfc822Name. */
  readonly userName: string;
  /** How many Node-IDs (default 1). */
  readonly nodeIdCount?: number;
  /** Validity, epoch ms. */
  readonly notBefore: number;
  readonly notAfter: number;
  /** Hex serial number (positive); the caller draws it from its Random. */
  readonly serialNumber: string;
}

/** A self-signed §11.3 certificate for `keys`, with the Node-IDs §11.3.1 derives from the key. */
export async function createSelfSignedCertificate(deps: CryptoDeps, init: SelfSignedInit): Promise<{ der: Uint8Array; nodeIds: NodeId[] }> {
  const policy = trustPolicyFromConfiguration(init.configuration);
  if (!policy.selfSignedDigest) {
    throw forbidden(`overlay ${policy.overlay} does not permit self-signed certificates (no self-signed-permitted true with digest sha1 or sha256): enroll with its enrollment server (§11.3)`);
  }
  if (!keyTypeOf(init.keys.privateKey)) throw new TypeError('the key must be RSASSA-PKCS1-v1_5/SHA-256 or ECDSA P-256');
  const serial = fromHex(init.serialNumber.length % 2 ? `0${init.serialNumber}` : init.serialNumber);
  if (!serial || serial.length === 0 || serial.every((b) => b === 0)) throw new RangeError(`serial number "${init.serialNumber}" is not a positive hex number`);
  const spki = new Uint8Array(await deps.crypto.subtle.exportKey('spki', init.keys.publicKey));
  const nodeIds = await selfSignedNodeIds(deps.crypto, spki, policy.selfSignedDigest, init.nodeIdCount ?? 1);
  const name = encodeName([{ type: OID_COMMON_NAME, value: toHex(nodeIds[0]!) }]);
  const san = encodeSubjectAltName([...nodeIds.map((id) => ({ type: 'uniformResourceIdentifier' as const, value: formatReloadNodeUri(id, policy.overlay) })), { type: 'rfc822Name', value: init.userName }]);
  // RFC 5280 §4.1: a v3 TBSCertificate; the signature AlgorithmIdentifier appears inside and outside it.
  const algorithmIdentifier = signingAlgorithmIdentifier(init.keys.privateKey);
  const tbs = derSequence(
    derContext(0, true, derSmallInteger(2)),
    derUnsignedInteger(serial),
    algorithmIdentifier,
    name,
    derSequence(derTime(new Date(init.notBefore)), derTime(new Date(init.notAfter))),
    name,
    spki,
    derContext(
      3,
      true,
      derSequence(
        encodeExtension({ extnID: OID_BASIC_CONSTRAINTS, critical: true, extnValue: encodeBasicConstraints(false) }),
        encodeExtension({ extnID: OID_KEY_USAGE, critical: true, extnValue: encodeKeyUsage(KeyUsage.digitalSignature) }),
        encodeExtension({ extnID: OID_SUBJECT_ALT_NAME, critical: false, extnValue: san }),
      ),
    ),
  );
  return { der: derSequence(tbs, algorithmIdentifier, await signDer(deps.crypto, init.keys.privateKey, tbs)), nodeIds };
}
