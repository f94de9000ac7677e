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
 * same registry. RFC 6940 §13.3: user names "MUST be unique", and §11.3 a returning user gets "the
 * same Node-IDs": so the names of the server's own peers are reserved (`reservesUserName`, which
 * open enrollment is given), also those of extra peers not started yet, and `peer` never takes a
 * name whose registry record holds another key.
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
import type { WallClock } from '../reload/security/security-components.js';
import type { Random } from '../reload/runtime/components.js';
import { fromHex, toHex } from '../reload/wire/codec/hex.js';
import type { NodeId } from '../reload/wire/ids.js';

/** Credentials name of the CA in the key store. */
export const CA_CREDENTIALS = 'ca';
/** Credentials and user name (local part) of the server's first peer. */
export const FIRST_PEER_NAME = 'server';
const EXTRA_PEER_PREFIX = 'peer-';
/** Credentials and user name (local part) of the server's `i`-th extra peer (`--peers`), from 1. */
export const extraPeerName = (i: number): string => `${EXTRA_PEER_PREFIX}${i}`;
/**
 * OUR CHOICE: every `peer-<digits>` is reserved, not just the extras running now, so that a later
 * start with more `--peers` finds their names free; `peer-01` too, to spare people look-alikes.
 */
const OWN_PEER_NAME = new RegExp(`^(?:${FIRST_PEER_NAME}|${EXTRA_PEER_PREFIX}[0-9]+)$`);

/**
 * The registry already holds the user name for another key than the server's (open enrollment gave
 * it to someone before it was reserved): the server does not take it over (§13.3 "MUST be unique").
 */
export class ServerNameConflictError extends Error {
  override readonly name = 'ServerNameConflictError';
  constructor(
    readonly userName: string,
    readonly registryPath: string,
  ) {
    super(
      `the user name ${userName} of one of the server's own peers is held by another key in ${registryPath} ` +
        "(someone enrolled it, or the server's key for it was removed); the server does not take it over: " +
        'remove that record, or use another --data directory',
    );
  }
}

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
    readonly registry: FileNameRegistry,
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

  /** Whether a (prepared) user name is one the server's own peers use or may use later. */
  reservesUserName(userName: string): boolean {
    const at = userName.lastIndexOf('@');
    return at > 0 && userName.slice(at + 1) === this.overlay.toLowerCase() && OWN_PEER_NAME.test(userName.slice(0, at));
  }

  /**
   * The credentials named `name` (`server`, `peer-1`, …) with user name `name@overlay`: loaded
   * when a certificate of this CA for them is on disk and not about to expire, else (re)issued
   * with the Node-ID the registry holds for the name (a new random one the first time). Rejects
   * with ServerNameConflictError when the registry gives the name to another key.
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
    // OUR CHOICE: refuse rather than take the record (and with it its holder's Node-ID) over, or
    // quietly pick another name: the operator sees the conflict and decides.
    if (existing && existing.keyHash !== keyHash) throw new ServerNameConflictError(userName, this.registry.path);
    const nodeIdHex = existing?.nodeIds[0] ?? toHex(randomNodeId(this.deps.random));
    const nodeId = fromHex(nodeIdHex)!;
    const certificate = await this.authority.issue({ publicKey: spki, nodeIds: [nodeId], userName });
    const credentials: StoredCredentials = { keys, certificates: [certificate] };
    if (stored) await writeFileAtomic(this.keyStore.keyFile(name).replace(/\.key\.pem$/, '.cert.pem'), PemConverter.encode(bufferSource(certificate), PemConverter.CertificateTag), 0o644);
    else await this.keyStore.save(name, credentials);
    // The record names the key's hash: written after the key is on disk, so a save cut short leaves
    // no record of a key that was never kept (the next start's new key would conflict with it).
    await this.registry.put({ userName, keyHash, nodeIds: [nodeIdHex], firstIssuedAt: existing?.firstIssuedAt ?? now, lastIssuedAt: now });
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
