/**
 * A peer's identity for one overlay: reuse the stored key and certificate, or make a key and
 * enroll (RFC 6940 §11.3) and store the result. Browser (IndexedDB, non-extractable key) and
 * Node (`chordphone peer`, files) differ only in the injected KeyStore and `extractable`.
 *
 * Stored credentials are reused while the certificate chains to one of the configuration's
 * root-certs, names this overlay and is valid for another day; otherwise the same key is enrolled
 * again (the server hands a returning key the same Node-IDs, §11.3).
 *
 * DEVIATION (ARCHITECTURE.md "HTTPS"): the configuration's enrollment-server URLs are https:
 * (§11.1 "This URL MUST be of type https:"), but a page on http://localhost may only connect to
 * its own origin (its Content-Security-Policy) and cannot trust the server's self-made LAN
 * certificate; the Chordphone server answers enrollment at the same well-known path on every
 * origin it serves, so the enrollment URL on the configuration's own origin is tried first.
 */
import { ChainValidator } from '../../reload/security/chain-validator.js';
import { enroll, EnrollmentError, type Enrollment } from '../../reload/security/enrollment-client.js';
import { generateSigningKeys, type KeyStore, type StoredCredentials } from '../../reload/security/key-store.js';
import { parseReloadCertificate, type ReloadCertificate } from '../../reload/security/reload-certificate.js';
import type { WallClock } from '../../reload/security/security-components.js';
import type { SignatureKeyType } from '../../reload/security/signature-algorithm.js';
import { trustPolicyFromConfiguration } from '../../reload/security/trust-policy.js';
import type { Configuration } from '../../reload/wire/config/overlay-configuration.js';

/** Where the Chordphone server answers enrollment (src/server/enrollment-route.ts). */
export const ENROLLMENT_WELL_KNOWN = '/.well-known/reload-enrollment';
const DAY_MS = 86_400_000;

export interface PeerIdentityDeps {
  readonly crypto: Crypto;
  readonly wallClock: WallClock;
  readonly fetch: (url: string, init: RequestInit) => Promise<Response>;
  readonly keyStore: KeyStore;
}

export interface PeerIdentityInit {
  readonly configuration: Configuration;
  /** Where the configuration came from (its origin's enrollment path is tried first). */
  readonly configurationUrl: string;
  /** Key store entry name (e.g. the instance-name, or `peer-3` for a headless peer). */
  readonly credentialsName: string;
  /** The user name to ask for; only used when enrolling. */
  readonly userName: () => string | Promise<string>;
  /** Node keeps keys on disk (extractable); the browser never (default false). */
  readonly extractable?: boolean;
  /** Default ECDSA P-256 when the overlay accepts it (smaller, faster), else RSA. */
  readonly keyType?: SignatureKeyType;
  readonly signal?: AbortSignal;
  /** Told before an enrollment request goes out. */
  readonly onEnroll?: () => void;
  /** How many Node-IDs the certificate must carry (§11.3 nodeids; one per device of the user); default 1. */
  readonly nodeIds?: number;
  /**
   * Resolves once `configuration` is verified (configuration-fetch.ts loadConfiguration), when the
   * work starts before that (issue 5: overlapping the verification). Until then only local work
   * and the enrollment request to the configuration's own origin are done: nothing is stored, no
   * other enrollment URL of the document is asked, and the identity is returned only after it
   * resolves (a rejection is thrown as is).
   */
  readonly accepted?: Promise<unknown>;
}

export interface PeerIdentity extends StoredCredentials {
  readonly certificate: ReloadCertificate;
  /** True when this call enrolled (false: stored credentials reused). */
  readonly enrolled: boolean;
  /**
   * Resolves once the credentials are in the key store (at once when reused); rejects when they
   * could not be kept. Saving newly enrolled ones overlaps what the identity is used for next (the
   * join, issue 5): whoever needs them kept awaits this.
   */
  readonly stored: Promise<void>;
}

export async function obtainPeerIdentity(deps: PeerIdentityDeps, init: PeerIdentityInit): Promise<PeerIdentity> {
  const { configuration } = init;
  const policy = trustPolicyFromConfiguration(configuration);
  const stored = await deps.keyStore.load(init.credentialsName);
  if (stored?.certificates[0]) {
    const cert = await usable(deps, configuration, stored.certificates[0]);
    if (cert && cert.nodeIds.length >= (init.nodeIds ?? 1)) {
      await init.accepted;
      return { ...stored, certificate: cert, enrolled: false, stored: Promise.resolve() };
    }
  }
  const keyType = init.keyType ?? (policy.keyTypes.includes('ecdsa-p256') ? 'ecdsa-p256' : 'rsa');
  const keys = stored?.keys ?? (await generateSigningKeys(deps, keyType, init.extractable ?? false));
  const urls = [...new Set([new URL(ENROLLMENT_WELL_KNOWN, init.configurationUrl).href, ...configuration.enrollmentServers])];
  const userName = await init.userName();
  init.onEnroll?.();
  let lastError: unknown;
  let got: Enrollment | undefined;
  for (const [i, url] of urls.entries()) {
    // The document's own enrollment-server URLs only once it is verified (the first is its origin's).
    if (i > 0) await init.accepted;
    try {
      got = await enroll({ crypto: deps.crypto, wallClock: deps.wallClock, fetch: deps.fetch }, { url, policy, keys, openUsername: userName, ...(init.nodeIds && init.nodeIds > 1 ? { nodeIds: init.nodeIds } : {}), ...(init.signal ? { signal: init.signal } : {}) });
      break;
    } catch (e) {
      // A refusal is the server's answer: do not ask the next URL (the same server) again.
      if (e instanceof EnrollmentError) throw e;
      lastError = e;
    }
  }
  if (!got) throw lastError instanceof Error ? lastError : new Error(`no enrollment server could be reached (${urls.join(', ')})`);
  await init.accepted;
  const credentials: StoredCredentials = { keys, certificates: [got.certificate] };
  const certificate = parseReloadCertificate(got.certificate, configuration.instanceName);
  const saved = deps.keyStore.save(init.credentialsName, credentials);
  // Reported through `stored` (awaited by its user), never as unhandled.
  saved.catch(() => undefined);
  return { ...credentials, certificate, enrolled: true, stored: saved };
}

async function usable(deps: PeerIdentityDeps, configuration: Configuration, der: Uint8Array): Promise<ReloadCertificate | undefined> {
  try {
    const cert = parseReloadCertificate(der, configuration.instanceName);
    const now = deps.wallClock.epochMs();
    await new ChainValidator(deps, { rootCerts: configuration.rootCerts }).validate(cert, [], now);
    if (cert.nodeIds.length === 0 || cert.x509.notAfter.getTime() - now < DAY_MS) return undefined;
    return cert;
  } catch {
    return undefined;
  }
}
