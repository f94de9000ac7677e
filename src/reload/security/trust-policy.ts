/**
 * What an overlay's configuration document says about whom to trust (RFC 6940 §11.1): its root
 * certificates, whether self-generated credentials are permitted and with which digest (§11.3.1),
 * its revoked Node-IDs, and which signature algorithms its members may use.
 *
 * RSASSA-PKCS1-v1_5 with SHA-256 is always allowed (§6.3.4 "All implementations MUST support").
 * The base configuration has no element for other algorithms, so ECDSA P-256 is enabled by a
 * Chordphone extension element (§11.1.1 foreign-elements), repeated once per extra algorithm:
 *
 *     <sa:signature-algorithm xmlns:sa="urn:chordphone:params:xml:ns:p2p:signature-algorithm"
 *         >ecdsa-p256-sha256</sa:signature-algorithm>
 *
 * A peer that does not know the element ignores it and keeps verifying RSA only, so an overlay
 * that enables ECDSA should also list the namespace as a mandatory-extension (§11.1).
 */
import type { Configuration, ForeignElement } from '../wire/config/index.js';
import type { NodeId } from '../wire/ids.js';
import type { SignatureKeyType } from './signature-algorithm.js';

export const CHORDPHONE_SIGNATURE_ALGORITHM_NAMESPACE = 'urn:chordphone:params:xml:ns:p2p:signature-algorithm';
export const SIGNATURE_ALGORITHM_ELEMENT = 'signature-algorithm';

/** The text of the extension element for each key type. */
export const SIGNATURE_ALGORITHM_NAMES: Readonly<Record<SignatureKeyType, string>> = {
  rsa: 'rsa-sha256',
  'ecdsa-p256': 'ecdsa-p256-sha256',
};

/** §11.1 self-signed-permitted digests every implementation MUST support. */
export type SelfSignedDigestName = 'sha1' | 'sha256';

/** The trust an overlay's configuration establishes. */
export interface TrustPolicy {
  /** The overlay's instance-name: every certificate's Node-ID URIs must name it (§11.3). */
  readonly overlay: string;
  /** §11.1 root-cert: DER of each trust anchor. */
  readonly rootCerts: readonly Uint8Array[];
  /**
   * §11.1 self-signed-permitted = true: the digest that turns a public key into its Node-IDs
   * (§11.3.1). Absent when self-signed certificates are not accepted (also when the digest named
   * is neither sha1 nor sha256, which this implementation does not support).
   */
  readonly selfSignedDigest?: SelfSignedDigestName;
  /** §11.1 bad-node: Node-IDs whose certificates are revoked. */
  readonly badNodes: readonly NodeId[];
  /** Key types whose signatures are accepted ('rsa' always). */
  readonly keyTypes: readonly SignatureKeyType[];
}

/** The TrustPolicy of one `<configuration>`. */
export function trustPolicyFromConfiguration(c: Configuration): TrustPolicy {
  const ss = c.selfSignedPermitted;
  const digest = ss?.permitted && (ss.digest === 'sha1' || ss.digest === 'sha256') ? ss.digest : undefined;
  const keyTypes: SignatureKeyType[] = ['rsa'];
  for (const e of c.extensions) {
    if (e.namespace !== CHORDPHONE_SIGNATURE_ALGORITHM_NAMESPACE || e.name !== SIGNATURE_ALGORITHM_ELEMENT) continue;
    const type = (Object.keys(SIGNATURE_ALGORITHM_NAMES) as SignatureKeyType[]).find((t) => SIGNATURE_ALGORITHM_NAMES[t] === e.text.trim());
    if (type && !keyTypes.includes(type)) keyTypes.push(type);
  }
  return {
    overlay: c.instanceName,
    rootCerts: c.rootCerts,
    ...(digest ? { selfSignedDigest: digest } : {}),
    badNodes: c.badNodes,
    keyTypes,
  };
}

/** The extension elements that allow `types` besides RSA (to put in Configuration.extensions). */
export function signatureAlgorithmElements(types: readonly SignatureKeyType[]): ForeignElement[] {
  return types
    .filter((t) => t !== 'rsa')
    .map((t) => ({ namespace: CHORDPHONE_SIGNATURE_ALGORITHM_NAMESPACE, name: SIGNATURE_ALGORITHM_ELEMENT, attributes: [], text: SIGNATURE_ALGORITHM_NAMES[t], children: [] }));
}
