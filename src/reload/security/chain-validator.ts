/**
 * Certificate path validation to the overlay's trust anchors (RFC 6940 §11.3, §13.3).
 *
 * §11.3: a certificate must chain "back to one of the certificates received in the "root-cert"
 * list of the overlay configuration data (including PKIX BasicConstraints checks)". §7.1: "When
 * signatures are verified, the current time MUST be compared to the certificate validity period."
 * §11.3.1: a self-signed certificate is accepted only where self-signed-permitted is true, and
 * only when its Node-IDs match its public key.
 *
 * The checks, a subset of RFC 5280 §6.1 sized for a one-CA overlay: the issuer is found by name
 * among the root-certs and the intermediates offered (the SecurityBlock's certificates, §6.3.4);
 * each signature verifies with the issuer's key and uses SHA-256/384/512; every issuer has
 * basicConstraints cA (and keyCertSign when keyUsage is present) and respects pathLenConstraint;
 * no certificate has a critical extension we do not process; every certificate of the path,
 * root included, is within its validity period at the given time. Any failure is Error_Forbidden
 * with the reason.
 */
import { bytesEqual } from '../wire/codec/hex.js';
import { describe, forbidden, readX509, type ReloadCertificate } from './reload-certificate.js';
import type { CryptoDeps } from './security-components.js';
import { checkSelfSignedNodeIds } from './self-signed.js';
import type { SelfSignedDigestName } from './trust-policy.js';
import { DecodeError } from '../wire/codec/decode-error.js';
import { basicConstraints, certificateSignedBy, keyUsage, type Certificate } from './certificate.js';
import { KeyUsage } from './certificate-extensions.js';

/** Extensions whose meaning we process, so they may be critical (RFC 5280 §4.2). */
const UNDERSTOOD_CRITICAL = new Set([
  '2.5.29.19', // basicConstraints
  '2.5.29.15', // keyUsage
  '2.5.29.17', // subjectAltName
]);
const ACCEPTED_HASHES = new Set(['SHA-256', 'SHA-384', 'SHA-512']);
/** Longest path accepted: leaf, up to 3 intermediates, root. */
export const MAX_PATH_LENGTH = 5;

/** A validated certification path. */
export interface ValidatedPath {
  /** Leaf first; the last is the root-cert (or the leaf itself when self-signed). */
  readonly path: readonly Certificate[];
  readonly selfSigned: boolean;
  /** Epoch ms: the path is valid from the latest notBefore to the earliest notAfter. */
  readonly validFrom: number;
  readonly validUntil: number;
}

export interface ChainValidatorInit {
  /** §11.1 root-cert DERs (unparsable ones, like the RFC example's "bad cert", are ignored). */
  readonly rootCerts: readonly Uint8Array[];
  /** Present when self-signed certificates are permitted (§11.3.1). */
  readonly selfSignedDigest?: SelfSignedDigestName;
}

export class ChainValidator {
  private readonly roots: readonly Certificate[];

  constructor(
    private readonly deps: CryptoDeps,
    private readonly init: ChainValidatorInit,
  ) {
    const roots: Certificate[] = [];
    for (const der of init.rootCerts) {
      try {
        roots.push(readX509(der, 'root-cert'));
      } catch {
        // An unusable root-cert anchors nothing.
      }
    }
    this.roots = roots;
  }

  /** The root certificates in use. */
  get rootCertificates(): readonly Certificate[] {
    return this.roots;
  }

  /**
   * Validate `leaf` at `at` (epoch ms), using `intermediates` to build the path. Throws
   * Error_Forbidden when it does not chain to a root-cert, or any certificate is out of its
   * validity period, or a PKIX check fails.
   */
  async validate(leaf: ReloadCertificate, intermediates: readonly Certificate[], at: number): Promise<ValidatedPath> {
    const path = await this.buildPath(leaf, intermediates);
    for (const cert of path.path) checkCriticalExtensions(cert);
    // A root-cert used as it is (the configuration signer's) is trusted by configuration, not by its keyUsage.
    if (path.selfSigned || path.path.length > 1) checkLeafKeyUsage(leaf.x509);
    const validFrom = Math.max(...path.path.map((c) => c.notBefore.getTime()));
    const validUntil = Math.min(...path.path.map((c) => c.notAfter.getTime()));
    const result = { ...path, validFrom, validUntil };
    checkValidityAt(result, at);
    return result;
  }

  private async buildPath(leaf: ReloadCertificate, intermediates: readonly Certificate[]): Promise<Omit<ValidatedPath, 'validFrom' | 'validUntil'>> {
    if (this.roots.some((r) => bytesEqual(r.rawData, leaf.der))) return { path: [leaf.x509], selfSigned: false };
    const path: Certificate[] = [leaf.x509];
    let current = leaf.x509;
    for (;;) {
      const issuerName = current.issuerName;
      const byName = (c: Certificate) => bytesEqual(c.subjectName, issuerName);
      const root = await this.findIssuer(current, this.roots.filter(byName), path.length - 1);
      if (root) return { path: [...path, root], selfSigned: false };
      if (path.length + 1 >= MAX_PATH_LENGTH) break;
      const onPath = (c: Certificate) => path.some((p) => bytesEqual(p.rawData, c.rawData));
      const next = await this.findIssuer(current, intermediates.filter((c) => byName(c) && !onPath(c)), path.length - 1);
      if (!next) break;
      path.push(next);
      current = next;
    }
    if (path.length === 1 && (await this.isSelfSigned(leaf.x509))) {
      const digest = this.init.selfSignedDigest;
      if (!digest) throw forbidden(`${describe(leaf.x509)} is self-signed, and this overlay does not permit self-signed certificates (§11.3.1)`);
      await checkSelfSignedNodeIds(this.deps.crypto, leaf, digest);
      return { path, selfSigned: true };
    }
    throw forbidden(`${describe(leaf.x509)} does not chain to a root-cert of this overlay (issuer ${current.issuer || '(empty)'}; §11.3)`);
  }

  /** The first candidate that may issue certificates and whose key verifies `cert`'s signature. */
  private async findIssuer(cert: Certificate, candidates: readonly Certificate[], intermediatesBelow: number): Promise<Certificate | undefined> {
    for (const issuer of candidates) {
      if (!mayIssue(issuer, intermediatesBelow)) continue;
      if (await this.signedBy(cert, issuer)) return issuer;
    }
    return undefined;
  }

  private async signedBy(cert: Certificate, issuer: Certificate): Promise<boolean> {
    const hash = cert.signatureAlgorithm.hash;
    if (!hash || !ACCEPTED_HASHES.has(hash)) return false;
    return certificateSignedBy(this.deps.crypto, cert, issuer);
  }

  private async isSelfSigned(cert: Certificate): Promise<boolean> {
    if (!bytesEqual(cert.subjectName, cert.issuerName)) return false;
    return this.signedBy(cert, cert);
  }
}

/** Throws Error_Forbidden unless `at` (epoch ms) is within the path's validity (§7.1). */
export function checkValidityAt(path: Pick<ValidatedPath, 'path'>, at: number): void {
  const outside = outsideValidity(path, at);
  if (outside) throw forbidden(outside);
}

/** Whether `at` (epoch ms) is within the path's validity (§7.1), as checkValidityAt checks it. */
export function isWithinValidity(path: Pick<ValidatedPath, 'path'>, at: number): boolean {
  return outsideValidity(path, at) === undefined;
}

/** Why `at` is outside the validity of a certificate of the path, or undefined when it is within all. */
function outsideValidity(path: Pick<ValidatedPath, 'path'>, at: number): string | undefined {
  for (const cert of path.path) {
    if (at > cert.notAfter.getTime()) return `${describe(cert)} expired at ${cert.notAfter.toISOString()} (§7.1: the current time MUST be within the validity period)`;
    if (at < cert.notBefore.getTime()) return `${describe(cert)} is not valid before ${cert.notBefore.toISOString()}`;
  }
  return undefined;
}

/** RFC 5280 §4.2.1.9 basicConstraints cA, §4.2.1.3 keyCertSign, pathLenConstraint. */
function mayIssue(issuer: Certificate, intermediatesBelow: number): boolean {
  let bc, ku;
  try {
    bc = basicConstraints(issuer);
    ku = keyUsage(issuer);
  } catch (e) {
    if (e instanceof DecodeError) return false; // a malformed extension grants nothing
    throw e;
  }
  if (!bc?.cA) return false;
  if (bc.pathLenConstraint !== undefined && intermediatesBelow > bc.pathLenConstraint) return false;
  return ku === undefined || (ku & KeyUsage.keyCertSign) !== 0;
}

/** RFC 5280 §4.2.1.3: a keyUsage on the leaf, when present, must allow the signatures RELOAD makes with it (digitalSignature). */
function checkLeafKeyUsage(leaf: Certificate): void {
  let ku: number | undefined;
  try {
    ku = keyUsage(leaf);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    throw forbidden(`${describe(leaf)} has a keyUsage that cannot be read (${e.message})`);
  }
  if (ku !== undefined && (ku & KeyUsage.digitalSignature) === 0) throw forbidden(`${describe(leaf)} may not sign (its keyUsage lacks digitalSignature, RFC 5280 §4.2.1.3)`);
}

function checkCriticalExtensions(cert: Certificate): void {
  for (const e of cert.extensions) {
    if (e.critical && !UNDERSTOOD_CRITICAL.has(e.extnID)) throw forbidden(`${describe(cert)} has an unsupported critical extension ${e.extnID} (RFC 5280 §4.2)`);
  }
}
