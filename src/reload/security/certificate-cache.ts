/**
 * Certificates already validated, by the hashes a SignerIdentity names them with (RFC 6940
 * §6.3.4), so that a peer's second message costs one signature check and no path validation.
 *
 * §6.3.4: "The certificates bucket SHOULD contain all the certificates necessary to verify every
 * signature in both the message and the internal message objects ... In systems that have an
 * alternative certificate distribution mechanism, some certificates MAY be omitted." The cache
 * is that mechanism's memory: certificates fetched through the Certificate Store Usage (§8,
 * CERTIFICATE_BY_NODE and CERTIFICATE_BY_USER) are added to it too, and it can be searched by
 * Node-ID and user name. Validity is re-checked on every use (§7.1); the path itself is not
 * re-validated, since the trust anchors of one cache never change (make a new cache, or `clear`,
 * when the configuration's root-certs do).
 *
 * Bounded: least recently used entries go first.
 */
import { toHex } from '../wire/codec/hex.js';
import type { NodeId } from '../wire/ids.js';
import type { GenericCertificate } from '../wire/security-block.js';
import type { ValidatedPath } from './chain-validator.js';
import type { ReloadCertificate } from './reload-certificate.js';
import type { Certificate } from './certificate.js';

/** A validated peer certificate, ready to verify signatures with. */
export interface CachedCertificate {
  readonly certificate: ReloadCertificate;
  /** SHA-256 of the DER, hex (cert_hash, §6.3.4). */
  readonly certHash: string;
  /** SHA-256(Node-ID || DER), hex, for each Node-ID (cert_hash_node_id, §6.3.4). */
  readonly nodeIdHashes: ReadonlyMap<string, NodeId>;
  /** The certified key imported for verifying. */
  readonly publicKey: CryptoKey;
  readonly path: ValidatedPath;
  /** The peer certificate, then the path's intermediates (no root): what proves its signatures to others (§6.3.4). */
  readonly chain: readonly GenericCertificate[];
}

/** Intermediate CA certificates kept (an overlay has one CA, perhaps a few). */
const MAX_INTERMEDIATES = 64;

export interface CertificateCacheInit {
  /** Most peer certificates kept (default 4096). */
  readonly capacity?: number;
}

export class CertificateCache {
  private readonly entries = new Map<string, CachedCertificate>();
  private readonly byNodeIdHash = new Map<string, CachedCertificate>();
  private readonly intermediateCerts = new Map<string, Certificate>();
  private readonly capacity: number;

  constructor(init: CertificateCacheInit = {}) {
    this.capacity = Math.max(1, init.capacity ?? 4096);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entry whose certificate hashes to `certHash` (hex), marking it recently used. */
  getByCertHash(certHash: string): CachedCertificate | undefined {
    const e = this.entries.get(certHash);
    if (e) this.touch(e);
    return e;
  }

  /** The entry and Node-ID for a cert_hash_node_id value (hex). */
  getByNodeIdHash(hash: string): { readonly entry: CachedCertificate; readonly nodeId: NodeId } | undefined {
    const entry = this.byNodeIdHash.get(hash);
    const nodeId = entry?.nodeIdHashes.get(hash);
    if (!entry || !nodeId) return undefined;
    this.touch(entry);
    return { entry, nodeId };
  }

  /** Every cached certificate holding `nodeId` (newest last), e.g. to omit it from a SecurityBlock. */
  findByNodeId(nodeId: NodeId): CachedCertificate[] {
    const hex = toHex(nodeId);
    return [...this.entries.values()].filter((e) => e.certificate.nodeIds.some((n) => toHex(n) === hex));
  }

  /** Every cached certificate of `userName`. */
  findByUserName(userName: string): CachedCertificate[] {
    return [...this.entries.values()].filter((e) => e.certificate.userName === userName);
  }

  add(entry: CachedCertificate): void {
    this.remove(entry.certHash);
    this.entries.set(entry.certHash, entry);
    for (const h of entry.nodeIdHashes.keys()) this.byNodeIdHash.set(h, entry);
    // Intermediate CAs of a validated path help validate the next peer that omits them.
    for (const cert of entry.path.path.slice(1, -1)) {
      const key = `${cert.issuer}/${cert.serialNumber}`;
      this.intermediateCerts.delete(key);
      this.intermediateCerts.set(key, cert);
      const oldest = this.intermediateCerts.size > MAX_INTERMEDIATES ? this.intermediateCerts.keys().next().value : undefined;
      if (oldest !== undefined) this.intermediateCerts.delete(oldest);
    }
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.remove(oldest);
    }
  }

  /** Intermediate CA certificates seen on validated paths. */
  intermediates(): Certificate[] {
    return [...this.intermediateCerts.values()];
  }

  remove(certHash: string): void {
    const e = this.entries.get(certHash);
    if (!e) return;
    this.entries.delete(certHash);
    for (const h of e.nodeIdHashes.keys()) if (this.byNodeIdHash.get(h) === e) this.byNodeIdHash.delete(h);
  }

  clear(): void {
    this.entries.clear();
    this.byNodeIdHash.clear();
    this.intermediateCerts.clear();
  }

  private touch(e: CachedCertificate): void {
    this.entries.delete(e.certHash);
    this.entries.set(e.certHash, e);
  }
}
