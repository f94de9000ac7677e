/**
 * Signs as one Node-ID of an X.509 RELOAD identity (RFC 6940 §6.3.4): the Signer of
 * reload/security/signer.ts, used for messages (§6.3.4), stored data (§7.1) and configuration
 * documents (§11.1).
 *
 * §6.3.4: "There are two permitted identity formats, one for a certificate with only one Node-ID
 * and one for a certificate with multiple Node-IDs. In the first case, the cert_hash type MUST be
 * used ... The certificate_hash contains the hash of the certificate object (i.e., the
 * DER-encoded certificate). In the second case, the cert_hash_node_id type MUST be used ... computed
 * over the NodeId used to sign concatenated with the certificate; i.e., H(NodeId || certificate).
 * The NodeId is represented without any framing or length fields". The hash is SHA-256, the
 * signature RSASSA-PKCS1-v1_5 or ECDSA P-256 (as the key is), over SHA-256.
 *
 * The SecurityBlock certificates are the peer certificate and any intermediates, not the root
 * ("except for those certificates in a root-cert element of the current configuration file").
 */
import { AbortError, type AbortOptions } from '../runtime/components.js';
import type { Signer } from './signer.js';
import { bytesEqual, toHex } from '../wire/codec/hex.js';
import type { NodeId } from '../wire/ids.js';
import { CertificateType, HashAlgorithm, SignerIdentityType, type GenericCertificate, type Signature, type SignerIdentity } from '../wire/security-block.js';
import { parseReloadCertificate, type ReloadCertificate } from './reload-certificate.js';
import { concatBytes } from '../wire/codec/concat-bytes.js';
import { bufferSource, sha256, type CryptoDeps } from './security-components.js';
import { keyTypeOf, signParams, tlsSignatureAlgorithm, toWireSignature, type SignatureKeyType } from './signature-algorithm.js';

export interface X509SignerInit {
  /** The private key of the certificate (non-extractable in the browser). */
  readonly privateKey: CryptoKey;
  /** The peer certificate's DER first, then any intermediate CA certificates (not the root). */
  readonly certificates: readonly Uint8Array[];
  /** The overlay's instance-name (the certificate's RELOAD URIs name it, §11.3). */
  readonly overlay: string;
  /** Which of the certificate's Node-IDs to sign as (default: its first). */
  readonly nodeId?: NodeId;
}

export class X509Signer implements Signer {
  private constructor(
    private readonly deps: CryptoDeps,
    private readonly privateKey: CryptoKey,
    readonly certificate: ReloadCertificate,
    readonly keyType: SignatureKeyType,
    readonly nodeId: NodeId,
    private readonly signerIdentity: SignerIdentity,
    private readonly bucket: readonly GenericCertificate[],
  ) {}

  /** A signer for `init.nodeId` of the certificate. Throws TypeError if the key or Node-ID does not fit it. */
  static async create(deps: CryptoDeps, init: X509SignerInit): Promise<X509Signer> {
    const [leaf, ...intermediates] = init.certificates;
    if (!leaf) throw new TypeError('an X509Signer needs its certificate');
    const certificate = parseReloadCertificate(leaf, init.overlay);
    const keyType = keyTypeOf(init.privateKey);
    if (!keyType || init.privateKey.type !== 'private' || !init.privateKey.usages.includes('sign')) {
      throw new TypeError('the private key must be an RSASSA-PKCS1-v1_5/SHA-256 or ECDSA P-256 signing key');
    }
    if (certificate.keyType !== keyType) throw new TypeError(`the certificate certifies a ${certificate.keyType ?? 'unsupported'} key, the private key is ${keyType}`);
    const nodeId = init.nodeId ?? certificate.nodeIds[0]!;
    if (!certificate.nodeIds.some((n) => bytesEqual(n, nodeId))) throw new TypeError(`the certificate does not contain Node-ID ${toHex(nodeId)}`);
    // §6.3.4: cert_hash for a certificate of one Node-ID, cert_hash_node_id for several.
    const identity: SignerIdentity =
      certificate.nodeIds.length === 1
        ? { identityType: SignerIdentityType.cert_hash, hashAlg: HashAlgorithm.sha256, hash: await sha256(deps.crypto, leaf) }
        : { identityType: SignerIdentityType.cert_hash_node_id, hashAlg: HashAlgorithm.sha256, hash: await sha256(deps.crypto, concatBytes(nodeId, leaf)) };
    const bucket = [leaf, ...intermediates].map((der) => ({ type: CertificateType.X509, certificate: der }));
    return new X509Signer(deps, init.privateKey, certificate, keyType, nodeId, identity, bucket);
  }

  get userName(): string {
    return this.certificate.userName;
  }

  certificates(): readonly GenericCertificate[] {
    return this.bucket;
  }

  identity(): SignerIdentity {
    return this.signerIdentity;
  }

  async sign(input: Uint8Array, options: AbortOptions = {}): Promise<Signature> {
    if (options.signal?.aborted) throw new AbortError();
    const raw = new Uint8Array(await this.deps.crypto.subtle.sign(signParams(this.keyType), this.privateKey, bufferSource(input)));
    return { algorithm: tlsSignatureAlgorithm(this.keyType), identity: this.signerIdentity, signatureValue: toWireSignature(this.keyType, raw) };
  }
}
