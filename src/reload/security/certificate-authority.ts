/**
 * The overlay's certificate authority (RFC 6940 §11.3, §13.3): "certificates MUST be signed by a
 * central enrollment authority which acts as the certificate authority for the Overlay
 * Instance". Its certificate is the configuration's root-cert (§11.1); its key stays with the
 * enrollment server (on the server's disk, node/file-key-store.ts).
 *
 * A peer certificate it issues (§11.3): "The SubjectAltName field in the certificate MUST contain
 * ... One or more Node-IDs ... using the uniformResourceIdentifier type, each MUST contain RELOAD
 * URI ... A single name (the "user name") ... using type rfc822Name ... The SubjectAltName field
 * in the certificate MUST NOT contain any identities other than those listed above. The subject
 * distinguished name in the certificate MUST be empty." With an empty subject the subjectAltName
 * is critical (RFC 5280 §4.2.1.6). The certificate is an end entity (basicConstraints cA false)
 * for digitalSignature only, with subject and authority key identifiers.
 */
import type { Random } from '../runtime/components.js';
import { toHex } from '../wire/codec/hex.js';
import type { NodeId } from '../wire/ids.js';
import { readCertificateRequest } from './certificate-request.js';
import { formatReloadNodeUri } from './reload-uri.js';
import { bufferSource, type CryptoDeps, type WallClock } from './security-components.js';
import { keyGenParams, keyTypeOf, x509SigningAlgorithm, type SignatureKeyType } from './signature-algorithm.js';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  PublicKey,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
} from './x509.js';

export interface CertificateAuthorityDeps extends CryptoDeps {
  readonly random: Random;
  readonly wallClock: WallClock;
}

/** A CA from its stored key and certificate. */
export interface CertificateAuthorityInit {
  readonly overlay: string;
  /** The CA's key pair (the private key signs certificates). */
  readonly keys: CryptoKeyPair;
  /** The CA certificate's DER: the overlay's root-cert. */
  readonly certificate: Uint8Array;
}

/** A new root CA. */
export interface NewCertificateAuthorityInit {
  readonly overlay: string;
  /** Default 'rsa' (the one every peer can verify, §6.3.4). */
  readonly keyType?: SignatureKeyType;
  /** Default ten years. */
  readonly lifetimeMs?: number;
  /** Make the private key extractable, so that it can be saved to disk (Node). Default false. */
  readonly extractable?: boolean;
}

/** What goes into a peer certificate (§11.3). */
export interface IssueRequest {
  /** The subject's public key, as a DER subjectPublicKeyInfo or a CryptoKey. */
  readonly publicKey: Uint8Array | CryptoKey;
  readonly nodeIds: readonly NodeId[];
  /** The rfc822Name. */
  readonly userName: string;
  /** Validity, epoch ms (default: from now for `lifetimeMs`). */
  readonly notBefore?: number;
  readonly notAfter?: number;
  readonly lifetimeMs?: number;
}

const DAY_MS = 86_400_000;
/** A peer certificate lives 30 days unless asked otherwise (§13.3 "certificate lifetimes SHOULD be chosen to balance the compromise window versus the cost of certificate renewal"). */
export const DEFAULT_PEER_CERTIFICATE_LIFETIME_MS = 30 * DAY_MS;
/** Tolerance for peers whose clocks run a little behind the CA's. */
const BACKDATE_MS = 5 * 60_000;

export class CertificateAuthority {
  private constructor(
    private readonly deps: CertificateAuthorityDeps,
    readonly overlay: string,
    readonly keys: CryptoKeyPair,
    readonly certificate: X509Certificate,
    readonly keyType: SignatureKeyType,
  ) {}

  /** The root-cert DER to put in the configuration (§11.1). */
  get rootCertificate(): Uint8Array {
    return new Uint8Array(this.certificate.rawData);
  }

  static async load(deps: CertificateAuthorityDeps, init: CertificateAuthorityInit): Promise<CertificateAuthority> {
    const keyType = keyTypeOf(init.keys.privateKey);
    if (!keyType) throw new TypeError('the CA key must be RSASSA-PKCS1-v1_5/SHA-256 or ECDSA P-256');
    const cert = new X509Certificate(bufferSource(init.certificate));
    const bc = cert.getExtension(BasicConstraintsExtension);
    if (!bc?.ca) throw new TypeError('the CA certificate lacks basicConstraints cA');
    return new CertificateAuthority(deps, init.overlay, init.keys, cert, keyType);
  }

  /** Make a new CA key and self-signed root certificate for `overlay`. */
  static async create(deps: CertificateAuthorityDeps, init: NewCertificateAuthorityInit): Promise<CertificateAuthority> {
    const keyType = init.keyType ?? 'rsa';
    const keys = (await deps.crypto.subtle.generateKey(keyGenParams(keyType), init.extractable ?? false, ['sign', 'verify'])) as CryptoKeyPair;
    const now = deps.wallClock.epochMs();
    const name = [{ CN: [`RELOAD CA for ${init.overlay}`] }];
    const cert = await X509CertificateGenerator.create(
      {
        serialNumber: serialNumber(deps.random),
        subject: name,
        issuer: name,
        notBefore: new Date(now - BACKDATE_MS),
        notAfter: new Date(now + (init.lifetimeMs ?? 3650 * DAY_MS)),
        publicKey: keys.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: x509SigningAlgorithm(keyType),
        extensions: [
          new BasicConstraintsExtension(true, 0, true),
          new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
          await SubjectKeyIdentifierExtension.create(keys.publicKey, false, deps.crypto),
        ],
      },
      deps.crypto,
    );
    return new CertificateAuthority(deps, init.overlay, keys, cert, keyType);
  }

  /**
   * Issue a §11.3 peer certificate for the key of a PKCS#10 request (checked: well-formed,
   * signed by its key, a key RELOAD can use). Throws TypeError with the reason for a bad request.
   * The request's own subjectAltName is not copied: `init` says what the certificate binds.
   */
  async issueFromCsr(csr: Uint8Array, init: Omit<IssueRequest, 'publicKey'>): Promise<Uint8Array> {
    const contents = await readCertificateRequest(this.deps, csr);
    if ('error' in contents) throw new TypeError(`bad certificate request: ${contents.error}`);
    return this.issue({ ...init, publicKey: contents.subjectPublicKeyInfo });
  }

  /** Issue a §11.3 peer certificate; returns its DER. */
  async issue(request: IssueRequest): Promise<Uint8Array> {
    if (request.nodeIds.length === 0) throw new RangeError('a peer certificate holds at least one Node-ID');
    const { crypto } = this.deps;
    const publicKey = request.publicKey instanceof Uint8Array ? new PublicKey(bufferSource(request.publicKey)) : request.publicKey;
    const now = this.deps.wallClock.epochMs();
    const notBefore = request.notBefore ?? now - BACKDATE_MS;
    const notAfter = request.notAfter ?? now + (request.lifetimeMs ?? DEFAULT_PEER_CERTIFICATE_LIFETIME_MS);
    const san = new SubjectAlternativeNameExtension(
      [...request.nodeIds.map((id) => ({ type: 'url' as const, value: formatReloadNodeUri(id, this.overlay) })), { type: 'email' as const, value: request.userName }],
      true,
    );
    const cert = await X509CertificateGenerator.create(
      {
        serialNumber: serialNumber(this.deps.random),
        subject: '',
        // The issuer name is the CA's subject, byte for byte (path building matches names by DER).
        issuer: this.certificate.subjectName,
        notBefore: new Date(notBefore),
        notAfter: new Date(notAfter),
        publicKey,
        signingKey: this.keys.privateKey,
        signingAlgorithm: x509SigningAlgorithm(this.keyType),
        extensions: [
          new BasicConstraintsExtension(false, undefined, true),
          new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
          san,
          await SubjectKeyIdentifierExtension.create(publicKey, false, crypto),
          await AuthorityKeyIdentifierExtension.create(this.keys.publicKey, false, crypto),
        ],
      },
      crypto,
    );
    return new Uint8Array(cert.rawData);
  }
}

/** A positive 128-bit serial number in hex (RFC 5280 §4.1.2.2: positive, at most 20 octets, unpredictable). */
export function serialNumber(random: Random): string {
  const bytes = random.bytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return toHex(bytes);
}
