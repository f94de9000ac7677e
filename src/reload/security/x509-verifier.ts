/**
 * Verifies signatures made with X.509 RELOAD identities (RFC 6940 §6.3.4 messages, §7.1 stored
 * data, §11.1 configuration documents): the Verifier of reload/security/signer.ts.
 *
 * §6.3.4: "Upon receipt ... the destination node MUST verify the signature and the authorizing
 * certificate." In order:
 *  1. the algorithm is SHA-256 with RSA (always) or ECDSA (where the overlay allows it);
 *  2. the SignerIdentity is cert_hash or cert_hash_node_id with hash_alg sha256, and names a
 *     certificate of the SecurityBlock (or of the cache): for cert_hash, "the hash of the
 *     certificate object (i.e., the DER-encoded certificate)"; for cert_hash_node_id,
 *     "H(NodeId || certificate)", which also says which of the certificate's Node-IDs signed;
 *  3. that certificate has the §11.3 form for this overlay, chains to a root-cert (or is a
 *     permitted self-signed one, §11.3.1) and is within its validity period now (§7.1);
 *  4. cert_hash is used only with a certificate of one Node-ID ("In the first case, the cert_hash
 *     type MUST be used ... In the second case, the cert_hash_node_id type MUST be used"): a
 *     cert_hash naming a certificate of several Node-IDs does not say which one signed, so it is
 *     refused;
 *  5. no Node-ID of the certificate is a bad-node (§11.1), and the Node-ID the caller says the
 *     sender claims (VerifyOptions.claimedNodeId) is the one that signed;
 *  6. the signature verifies over the input with the certificate's key.
 * Any failure rejects with ReloadError Error_Forbidden whose info says which check failed.
 */
import { AbortError, type AbortOptions } from '../runtime/components.js';
import { CertificateUnknownError, type VerifiedSigner, type Verifier } from './signer.js';
import { bytesEqual, toHex } from '../wire/codec/hex.js';
import type { NodeId } from '../wire/ids.js';
import { CertificateType, HashAlgorithm, SignerIdentityType, type GenericCertificate, type Signature, type SignerIdentity } from '../wire/security-block.js';
import { CertificateCache, type CachedCertificate } from './certificate-cache.js';
import { ChainValidator, checkValidityAt } from './chain-validator.js';
import { describe, forbidden, parseReloadCertificate } from './reload-certificate.js';
import { concatBytes } from '../wire/codec/concat-bytes.js';
import { bufferSource, sha256, type CryptoDeps, type WallClock } from './security-components.js';
import { fromWireSignature, keyImportParams, keyTypeOfTlsAlgorithm, signParams } from './signature-algorithm.js';
import type { TrustPolicy } from './trust-policy.js';
import { tryParseCertificate, type Certificate } from './certificate.js';

export interface X509VerifierDeps extends CryptoDeps {
  readonly wallClock: WallClock;
}

export interface X509VerifierInit {
  readonly policy: TrustPolicy;
  /** Shared with whatever else learns certificates (the §8 usage); a private one by default. */
  readonly cache?: CertificateCache;
}

export interface VerifyOptions extends AbortOptions {
  /**
   * The Node-ID the sender claims to be (e.g. the answering node, or the Node-ID a StoredData is
   * stored for): the signature must have been made for it, by a certificate that contains it.
   */
  readonly claimedNodeId?: NodeId;
}

export class X509Verifier implements Verifier {
  readonly cache: CertificateCache;
  private readonly validator: ChainValidator;
  private readonly badNodes: ReadonlySet<string>;
  private readonly inFlight = new Map<string, Promise<CachedCertificate>>();

  constructor(
    private readonly deps: X509VerifierDeps,
    private readonly init: X509VerifierInit,
  ) {
    this.cache = init.cache ?? new CertificateCache();
    this.validator = new ChainValidator(deps, { rootCerts: init.policy.rootCerts, ...(init.policy.selfSignedDigest ? { selfSignedDigest: init.policy.selfSignedDigest } : {}) });
    this.badNodes = new Set(init.policy.badNodes.map(toHex));
  }

  get policy(): TrustPolicy {
    return this.init.policy;
  }

  async verify(input: Uint8Array, signature: Signature, certificates: readonly GenericCertificate[], options: VerifyOptions = {}): Promise<VerifiedSigner> {
    if (options.signal?.aborted) throw new AbortError();
    const { algorithm, identity } = signature;
    const keyType = keyTypeOfTlsAlgorithm(algorithm);
    if (!keyType || !this.init.policy.keyTypes.includes(keyType)) {
      throw forbidden(`signature algorithm {hash ${algorithm.hash}, signature ${algorithm.signature}} is not accepted in overlay ${this.init.policy.overlay} (accepted: SHA-256 with ${this.init.policy.keyTypes.join(', ')})`);
    }
    if (!('hash' in identity) || (identity.identityType !== SignerIdentityType.cert_hash && identity.identityType !== SignerIdentityType.cert_hash_node_id)) {
      throw forbidden(`SignerIdentity type ${identity.identityType} names no certificate (§6.3.4: cert_hash or cert_hash_node_id)`);
    }
    if (identity.hashAlg !== HashAlgorithm.sha256) throw forbidden(`SignerIdentity hash_alg ${identity.hashAlg} is not supported (sha256 is)`);

    const { entry, nodeId } = await this.findSigner(identity.identityType, toHex(identity.hash), certificates);
    const cert = entry.certificate;
    checkValidityAt(entry.path, this.deps.wallClock.epochMs());
    const bad = cert.nodeIds.find((n) => this.badNodes.has(toHex(n)));
    if (bad) throw forbidden(`Node-ID ${toHex(bad)} is a bad-node of this overlay: its certificate is revoked (§11.1)`);
    if (options.claimedNodeId && !bytesEqual(options.claimedNodeId, nodeId)) {
      const contains = cert.nodeIds.some((n) => bytesEqual(n, options.claimedNodeId!));
      throw forbidden(
        contains
          ? `the signature was made as Node-ID ${toHex(nodeId)}, not the claimed ${toHex(options.claimedNodeId)}`
          : `${describe(cert.x509)} does not contain the claimed Node-ID ${toHex(options.claimedNodeId)} (it holds ${cert.nodeIds.map(toHex).join(', ')})`,
      );
    }
    if (cert.keyType !== keyType) throw forbidden(`the signature says ${keyType} but ${describe(cert.x509)} certifies a ${cert.keyType ?? 'unsupported'} key`);
    const webSignature = fromWireSignature(keyType, signature.signatureValue);
    if (!webSignature) throw forbidden('the signature value is malformed');
    const ok = await this.deps.crypto.subtle.verify(signParams(keyType), entry.publicKey, bufferSource(webSignature), bufferSource(input));
    if (!ok) throw forbidden(`the signature does not verify with the certificate of Node-ID ${toHex(nodeId)} (${cert.userName}): forged or altered`);
    return { nodeId, nodeIds: cert.nodeIds, userName: cert.userName, certificates: entry.chain };
  }

  /** The cached certificates of the signer `identity` names (Verifier.certificatesFor), leaf first, without the root. */
  certificatesFor(identity: SignerIdentity): readonly GenericCertificate[] {
    if (!('hash' in identity)) return [];
    const hash = toHex(identity.hash);
    const entry = identity.identityType === SignerIdentityType.cert_hash ? this.cache.getByCertHash(hash) : identity.identityType === SignerIdentityType.cert_hash_node_id ? this.cache.getByNodeIdHash(hash)?.entry : undefined;
    return entry?.chain ?? [];
  }

  /**
   * Validate a peer certificate and keep it (for certificates fetched through the Certificate
   * Store Usage, §8, which later messages may omit). Throws Error_Forbidden as `verify` does.
   */
  async addCertificate(der: Uint8Array, intermediates: readonly Uint8Array[] = []): Promise<CachedCertificate> {
    const entry = await this.entryFor(der, toHex(await sha256(this.deps.crypto, der)), () => this.parseIntermediates(intermediates));
    checkValidityAt(entry.path, this.deps.wallClock.epochMs());
    return entry;
  }

  private async findSigner(type: number, hash: string, certificates: readonly GenericCertificate[]): Promise<{ entry: CachedCertificate; nodeId: NodeId }> {
    if (type === SignerIdentityType.cert_hash) {
      const cached = this.cache.getByCertHash(hash);
      const entry = cached ?? (await this.fromSecurityBlock(certificates, async (der, certHash) => (certHash === hash ? this.entryFor(der, certHash, () => this.otherCertificates(certificates, der)) : undefined)));
      if (!entry) throw new CertificateUnknownError(`no certificate in the SecurityBlock or the cache has the signer's cert_hash ${hash} (§6.3.4)`);
      const only = entry.certificate.nodeIds[0];
      if (entry.certificate.nodeIds.length !== 1 || !only) {
        throw forbidden(`cert_hash names ${describe(entry.certificate.x509)}, which holds ${entry.certificate.nodeIds.length} Node-IDs: §6.3.4 requires cert_hash_node_id to say which one signed`);
      }
      return { entry, nodeId: only };
    }
    const cached = this.cache.getByNodeIdHash(hash);
    if (cached) return cached;
    const found = await this.fromSecurityBlock(certificates, async (der) => {
      let nodeIds: readonly NodeId[];
      try {
        nodeIds = parseReloadCertificate(der, this.init.policy.overlay).nodeIds;
      } catch {
        return undefined; // an intermediate, or not a peer certificate of this overlay
      }
      for (const nodeId of nodeIds) {
        if (toHex(await sha256(this.deps.crypto, concatBytes(nodeId, der))) !== hash) continue;
        const entry = await this.entryFor(der, toHex(await sha256(this.deps.crypto, der)), () => this.otherCertificates(certificates, der));
        return { entry, nodeId };
      }
      return undefined;
    });
    if (!found) throw new CertificateUnknownError(`no certificate in the SecurityBlock or the cache matches the signer's cert_hash_node_id ${hash}: the signing Node-ID is not in any offered certificate (§6.3.4)`);
    return found;
  }

  /** The first non-undefined result of `match` over the SecurityBlock's X.509 certificates. */
  private async fromSecurityBlock<T>(certificates: readonly GenericCertificate[], match: (der: Uint8Array, certHash: string) => Promise<T | undefined>): Promise<T | undefined> {
    for (const c of certificates) {
      if (c.type !== CertificateType.X509) continue;
      const found = await match(c.certificate, toHex(await sha256(this.deps.crypto, c.certificate)));
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private otherCertificates(certificates: readonly GenericCertificate[], leaf: Uint8Array): Certificate[] {
    return this.parseIntermediates(certificates.filter((c) => c.type === CertificateType.X509 && !bytesEqual(c.certificate, leaf)).map((c) => c.certificate));
  }

  private parseIntermediates(ders: readonly Uint8Array[]): Certificate[] {
    // Anything that is not a certificate cannot be on the path.
    // Own copies: a cached intermediate must not keep a whole received message alive.
    return ders.map((der) => tryParseCertificate(der.slice())).filter((c) => c !== undefined);
  }

  /**
   * Validate the peer certificate `der` once (concurrent callers share the work) and cache it;
   * `intermediates` (parsed from the message) only when it is not cached or being validated.
   *
   * A success is a fact about the certificate (it chains to a root-cert), so every caller may use
   * it, as it may use the cache. A failure may say only that the first caller's intermediates did
   * not build the path: a caller that joined it then validates with its own, so that a message
   * offering the wrong intermediates (or none) cannot get a concurrent, well-formed one refused.
   * A failure that is a fact about the certificate itself (unparsable, expired, an unusable key) is
   * so found again by each joiner: one validation each, as if the messages had come one by one.
   */
  private async entryFor(der: Uint8Array, certHash: string, intermediates: () => readonly Certificate[]): Promise<CachedCertificate> {
    const cached = this.cache.getByCertHash(certHash);
    if (cached) return cached;
    const shared = this.inFlight.get(certHash);
    if (shared) {
      try {
        return await shared;
      } catch {
        // Validated again below with this caller's intermediates.
      }
      const validated = this.cache.getByCertHash(certHash);
      if (validated) return validated;
    }
    const pending = this.validate(der, certHash, intermediates()).finally(() => {
      if (this.inFlight.get(certHash) === pending) this.inFlight.delete(certHash);
    });
    if (!this.inFlight.has(certHash)) this.inFlight.set(certHash, pending);
    return pending;
  }

  private async validate(der: Uint8Array, certHash: string, intermediates: readonly Certificate[]): Promise<CachedCertificate> {
    const { crypto } = this.deps;
    const certificate = parseReloadCertificate(der, this.init.policy.overlay);
    if (!certificate.keyType) throw forbidden(`${describe(certificate.x509)} certifies a key that cannot make RELOAD signatures (RSA of 2048 bits or more, or ECDSA P-256)`);
    const path = await this.validator.validate(certificate, [...intermediates, ...this.cache.intermediates()], this.deps.wallClock.epochMs());
    const publicKey = await crypto.subtle.importKey('spki', bufferSource(certificate.subjectPublicKeyInfo), keyImportParams(certificate.keyType), false, ['verify']);
    const nodeIdHashes = new Map<string, NodeId>();
    for (const nodeId of certificate.nodeIds) nodeIdHashes.set(toHex(await sha256(crypto, concatBytes(nodeId, der))), nodeId);
    // §6.3.4: the bucket need not hold the certificates of a root-cert element.
    const issuers = path.selfSigned ? [] : path.path.slice(1, -1).map((c) => c.rawData);
    const chain = [certificate.der, ...issuers].map((der): GenericCertificate => ({ type: CertificateType.X509, certificate: der }));
    const entry: CachedCertificate = { certificate, certHash, nodeIdHashes, publicKey, path, chain };
    this.cache.add(entry);
    return entry;
  }
}
