/**
 * The server's persistent identity under its data directory (ARCHITECTURE.md "Identity"): the
 * overlay's certificate authority (RFC 6940 §11.3 "a central enrollment authority which acts as
 * the certificate authority"), and the credentials of the peers the server runs itself (its own
 * first peer and any `--peers` extras), each a key pair plus a §11.3 certificate issued by that
 * CA. Keys live in `<data>/keys` (node/file-key-store.ts: PEM files, private keys mode 0600); the
 * name registry (who holds which user name and Node-IDs) in `<data>/names.json`.
 *
 * A restart finds the same files and so keeps the same CA, Node-IDs and user names. The server's
 * own peers are enrolled directly with the CA (no HTTP round trip), and their names go into the
 * same registry, so no browser can take them.
 */
import { join } from 'node:path';
import { webCryptoRandom } from '../platform/web-crypto.js';
import { systemWallClock } from '../platform/system-clock.js';
import { CertificateAuthority } from '../reload/security/certificate-authority.js';
import { generateSigningKeys, type StoredCredentials } from '../reload/security/key-store.js';
import { randomNodeId } from '../reload/security/enrollment.js';
import { FileKeyStore, FileNameRegistry } from '../reload/security/node/index.js';
import { parseReloadCertificate, type ReloadCertificate } from '../reload/security/reload-certificate.js';
import { ChainValidator } from '../reload/security/chain-validator.js';
import { writeFileAtomic } from '../reload/security/node/private-file.js';
import { bufferSource } from '../reload/security/security-components.js';
import { PemConverter } from '../reload/security/x509.js';
import type { NameRegistryStore } from '../reload/security/name-registry.js';
import type { WallClock } from '../reload/security/security-components.js';
import type { Random } from '../reload/runtime/components.js';
import { fromHex, toHex } from '../reload/wire/codec/hex.js';
import type { NodeId } from '../reload/wire/ids.js';

/** Credentials name of the CA in the key store. */
export const CA_CREDENTIALS = 'ca';
/** Renew a server peer's certificate when less than this is left of it. */
const RENEW_BEFORE_MS = 7 * 86_400_000;

export interface ServerIdentityDeps {
  readonly crypto: Crypto;
  readonly random?: Random;
  readonly wallClock?: WallClock;
}

export interface ServerIdentityInit {
  /** The data directory (`./data` by default). */
  readonly dataDir: string;
  /** The overlay's instance-name: CA subject, RELOAD URIs and user-name domain (§11.3). */
  readonly overlay: string;
}

/** One peer's ready-to-use identity. */
export interface PeerCredentials extends StoredCredentials {
  readonly nodeId: NodeId;
  readonly userName: string;
}

export class ServerIdentity {
  private constructor(
    readonly authority: CertificateAuthority,
    readonly keyStore: FileKeyStore,
    readonly registry: NameRegistryStore,
    private readonly deps: Required<ServerIdentityDeps>,
    private readonly overlay: string,
  ) {}

  /** Load the CA from `<data>/keys`, or make one on first start. */
  static async open(deps: ServerIdentityDeps, init: ServerIdentityInit): Promise<ServerIdentity> {
    const full: Required<ServerIdentityDeps> = { crypto: deps.crypto, random: deps.random ?? webCryptoRandom, wallClock: deps.wallClock ?? systemWallClock };
    const keyStore = new FileKeyStore(full, { directory: join(init.dataDir, 'keys') });
    const registry = new FileNameRegistry(join(init.dataDir, 'names.json'));
    const caDeps = { crypto: full.crypto, random: full.random, wallClock: full.wallClock };
    const stored = await keyStore.load(CA_CREDENTIALS);
    let authority: CertificateAuthority;
    if (stored && stored.certificates[0]) {
      authority = await CertificateAuthority.load(caDeps, { overlay: init.overlay, keys: stored.keys, certificate: stored.certificates[0] });
    } else {
      authority = await CertificateAuthority.create(caDeps, { overlay: init.overlay, extractable: true });
      await keyStore.save(CA_CREDENTIALS, { keys: authority.keys, certificates: [authority.rootCertificate] });
    }
    return new ServerIdentity(authority, keyStore, registry, full, init.overlay);
  }

  get rootCertificate(): Uint8Array {
    return this.authority.rootCertificate;
  }

  /**
   * The credentials named `name` (`server`, `peer-1`, …) with user name `name@overlay`: loaded
   * when a certificate of this CA for them is on disk and not about to expire, else (re)issued
   * with the Node-ID the registry holds for the name (a new random one the first time).
   */
  async peer(name: string): Promise<PeerCredentials> {
    const userName = `${name}@${this.overlay}`.toLowerCase();
    const stored = await this.keyStore.load(name);
    const leaf = stored?.certificates[0];
    if (stored && leaf) {
      const cert = await this.usableCertificate(leaf);
      if (cert) return { ...stored, nodeId: cert.nodeIds[0]!, userName: cert.userName };
    }
    // A key loaded from disk is non-extractable (FileKeyStore imports it so): keep it and write
    // only the new certificate; a new key is made extractable so that it can be saved.
    const keys = stored?.keys ?? (await generateSigningKeys(this.deps, 'rsa', true));
    const spki = new Uint8Array(await this.deps.crypto.subtle.exportKey('spki', keys.publicKey));
    const keyHash = toHex(new Uint8Array(await this.deps.crypto.subtle.digest('SHA-256', spki)));
    const now = this.deps.wallClock.epochMs();
    const existing = await this.registry.get(userName);
    const nodeIdHex = existing?.nodeIds[0] ?? toHex(randomNodeId(this.deps.random));
    const nodeId = fromHex(nodeIdHex)!;
    await this.registry.put({ userName, keyHash, nodeIds: [nodeIdHex], firstIssuedAt: existing?.firstIssuedAt ?? now, lastIssuedAt: now });
    const certificate = await this.authority.issue({ publicKey: spki, nodeIds: [nodeId], userName });
    const credentials: StoredCredentials = { keys, certificates: [certificate] };
    if (stored) await writeFileAtomic(this.keyStore.keyFile(name).replace(/\.key\.pem$/, '.cert.pem'), PemConverter.encode(bufferSource(certificate), PemConverter.CertificateTag), 0o644);
    else await this.keyStore.save(name, credentials);
    return { ...credentials, nodeId, userName };
  }

  /** The certificate when it chains to this CA, has a Node-ID and is not about to expire. */
  private async usableCertificate(der: Uint8Array): Promise<ReloadCertificate | undefined> {
    try {
      const cert = parseReloadCertificate(der, this.overlay);
      const now = this.deps.wallClock.epochMs();
      await new ChainValidator(this.deps, { rootCerts: [this.rootCertificate] }).validate(cert, [], now);
      if (cert.nodeIds.length === 0 || cert.x509.notAfter.getTime() - now < RENEW_BEFORE_MS) return undefined;
      return cert;
    } catch {
      return undefined;
    }
  }
}
