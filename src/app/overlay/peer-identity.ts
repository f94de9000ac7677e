/**
 * A peer's identity for one overlay: reuse the stored key and certificate, or make a key and
 * enroll (RFC 6940 §11.3) and store the result. Browser (IndexedDB, non-extractable key) and
 * Node (`chordphone peer`, files) differ only in the injected KeyStore and `extractable`.
 *
 * Stored credentials are reused while the certificate chains to one of the configuration's
 * root-certs, names this overlay, is valid for another day and carries the Node-IDs needed;
 * otherwise the same key is enrolled again under the stored certificate's user name (the server
 * hands a returning user the same Node-IDs, §11.3), so the identity keeps its name, its address,
 * and the Node-IDs other device slots already use: a guest's made-up name is asked for only once.
 *
 * DEVIATION (ARCHITECTURE.md "HTTPS"): the configuration's enrollment-server URLs are https:
 * (§11.1 "This URL MUST be of type https:"), but a page on http://localhost may only connect to
 * its own origin (its Content-Security-Policy) and cannot trust the server's self-made LAN
 * certificate; the Chordphone server answers enrollment at the same well-known path on every
 * origin it serves, so the enrollment URL on the configuration's own origin is tried first.
 */
import { requestTellingWait, type WebLocks } from '../../reload/runtime/web-locks.js';
import { ChainValidator } from '../../reload/security/chain-validator.js';
import { enroll, EnrollmentError, type Enrollment } from '../../reload/security/enrollment-client.js';
import { generateSigningKeys, type KeyStore, type StoredCredentials } from '../../reload/security/key-store.js';
import { parseReloadCertificate, type ReloadCertificate } from '../../reload/security/reload-certificate.js';
import type { WallClock } from '../../reload/security/security-components.js';
import type { SignatureKeyType } from '../../reload/security/signature-algorithm.js';
import { trustPolicyFromConfiguration } from '../../reload/security/trust-policy.js';
import type { Configuration } from '../../reload/wire/config/overlay-configuration.js';
import { untilAborted } from './until-aborted.js';

/** Where the Chordphone server answers enrollment (src/server/enrollment-route.ts). */
export const ENROLLMENT_WELL_KNOWN = '/.well-known/reload-enrollment';
const DAY_MS = 86_400_000;

export interface PeerIdentityDeps {
  readonly crypto: Crypto;
  readonly wallClock: WallClock;
  readonly fetch: (url: string, init: RequestInit) => Promise<Response>;
  readonly keyStore: KeyStore;
  /**
   * The Web Locks of the key store's holders (navigator.locks: the tabs of an origin share one
   * IndexedDB key store). Getting one entry's identity holds its lock; without, as if always free.
   */
  readonly locks?: WebLocks;
}

/** The Web Lock held while the identity of key store entry `credentialsName` is loaded, or made and saved. */
export function identityLockName(credentialsName: string): string {
  return `chordphone-identity-${credentialsName}`;
}

export interface PeerIdentityInit {
  readonly configuration: Configuration;
  /** Where the configuration came from (its origin's enrollment path is tried first). */
  readonly configurationUrl: string;
  /** Key store entry name (e.g. the instance-name, or `peer-3` for a headless peer). */
  readonly credentialsName: string;
  /** The user name to ask for when enrolling without a stored certificate for this overlay (else its name is asked for again). */
  readonly userName: () => string | Promise<string>;
  /** Node keeps keys on disk (extractable); the browser never (default false). */
  readonly extractable?: boolean;
  /** Default ECDSA P-256 when the overlay accepts it (smaller, faster), else RSA. */
  readonly keyType?: SignatureKeyType;
  readonly signal?: AbortSignal;
  /** Told before an enrollment request goes out. */
  readonly onEnroll?: () => void;
  /**
   * Told when another holder of the key store (another tab of this browser) has this entry's lock:
   * this call waits until that one has got (or made) and saved the identity, then goes on.
   */
  readonly onWait?: () => void;
  /** Told when, after `onWait`, this call has the lock: it now loads what that holder stored (or enrolls). */
  readonly onWaitEnded?: () => void;
  /** How many Node-IDs the certificate must carry (§11.3 nodeids; one per device of the user); default 1. */
  readonly nodeIds?: number;
  /**
   * How many Node-IDs to ask for when enrolling, when more than `nodeIds` (the browser: one per
   * device slot, so its other tabs reuse the certificate instead of enrolling again). A server
   * that gives fewer (§11.3 "Node-IDs_not_available") is asked again for `nodeIds`.
   */
  readonly enrollNodeIds?: number;
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

/**
 * The identity of key store entry `init.credentialsName`: loaded, or enrolled and saved, under its
 * Web Lock. OUR CHOICE: two tabs opened at once with nothing stored would otherwise both enroll,
 * each under its own made-up guest name (§11.3 open enrollment), and whichever saved last would be
 * the identity the other tab finds at its next load. Under the lock the second waits for the first
 * to have enrolled and saved, then reuses that identity (or enrolls its key again under the same
 * name). The lock is held until the credentials are saved (or `init.signal` aborts), not until
 * the caller has used them; it is free at once in the common case of one tab.
 */
export async function obtainPeerIdentity(deps: PeerIdentityDeps, init: PeerIdentityInit): Promise<PeerIdentity> {
  const locks = deps.locks;
  if (!locks) return loadOrEnroll(deps, init);
  const name = identityLockName(init.credentialsName);
  return new Promise<PeerIdentity>((resolve, reject) => {
    // Given up before the lock came (the tab's overlay closed): nothing loaded, enrolled or told
    // (requestTellingWait checks the signal at each answer of the lock manager).
    const holding = async (): Promise<void> => {
      const identity = await loadOrEnroll(deps, init);
      resolve(identity);
      // Held until the next holder can find them in the key store (a failed save it will not),
      // or the caller gives up (its signal: the tab's overlay closed): a save that never settles
      // does not keep the lock from the other tabs.
      await untilAborted(identity.stored, init.signal).catch(() => undefined);
    };
    // A wait is told (onWait: the tab says what it waits for), and its end (onWaitEnded).
    requestTellingWait(locks, name, { signal: init.signal, onWait: init.onWait, onWaitEnded: init.onWaitEnded }, holding).catch(reject);
  });
}

async function loadOrEnroll(deps: PeerIdentityDeps, init: PeerIdentityInit): Promise<PeerIdentity> {
  const { configuration } = init;
  const policy = trustPolicyFromConfiguration(configuration);
  const stored = await deps.keyStore.load(init.credentialsName);
  const needed = init.nodeIds ?? 1;
  const storedCertificate = stored?.certificates[0] ? overlayCertificate(configuration, stored.certificates[0]) : undefined;
  if (stored && storedCertificate && (await usable(deps, configuration, storedCertificate)) && storedCertificate.nodeIds.length >= needed) {
    await init.accepted;
    return { ...stored, certificate: storedCertificate, enrolled: false, stored: Promise.resolve() };
  }
  const keyType = init.keyType ?? (policy.keyTypes.includes('ecdsa-p256') ? 'ecdsa-p256' : 'rsa');
  const keys = stored?.keys ?? (await generateSigningKeys(deps, keyType, init.extractable ?? false));
  const urls = [...new Set([new URL(ENROLLMENT_WELL_KNOWN, init.configurationUrl).href, ...configuration.enrollmentServers])];
  // OUR CHOICE: the key store entry is one identity: enrolled again (more Node-IDs, renewal), it
  // asks for the name its certificate has (§11.3: the same user gets the same Node-IDs), never a
  // new one `userName` would make up (a guest's random name: a new address and all-new Node-IDs).
  const userName = storedCertificate?.userName ?? (await init.userName());
  // Given up meanwhile (the tab's overlay closed): no enrollment, and nothing told.
  init.signal?.throwIfAborted();
  init.onEnroll?.();
  const ask = async (url: string): Promise<Enrollment> => {
    const request = (nodeIds: number) =>
      enroll({ crypto: deps.crypto, wallClock: deps.wallClock, fetch: deps.fetch }, { url, policy, keys, openUsername: userName, ...(nodeIds > 1 ? { nodeIds } : {}), ...(init.signal ? { signal: init.signal } : {}) });
    const wanted = Math.max(needed, init.enrollNodeIds ?? 1);
    if (wanted === needed) return request(needed);
    // RFC 6940 §11.3 "Node-IDs_not_available: The number of Node-IDs requested was not acceptable."
    return request(wanted).catch((e: unknown) => {
      if (e instanceof EnrollmentError && e.token === 'Node-IDs_not_available') return request(needed);
      throw e;
    });
  };
  let lastError: unknown;
  let got: Enrollment | undefined;
  for (const [i, url] of urls.entries()) {
    // The document's own enrollment-server URLs only once it is verified (the first is its origin's).
    if (i > 0) await init.accepted;
    try {
      got = await ask(url);
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

/** The stored certificate, when it is one of this overlay's (else undefined: enroll as new). */
function overlayCertificate(configuration: Configuration, der: Uint8Array): ReloadCertificate | undefined {
  try {
    return parseReloadCertificate(der, configuration.instanceName);
  } catch {
    return undefined;
  }
}

/** Whether `cert` chains to the configuration's root-certs and is valid for another day. */
async function usable(deps: PeerIdentityDeps, configuration: Configuration, cert: ReloadCertificate): Promise<boolean> {
  try {
    const now = deps.wallClock.epochMs();
    await new ChainValidator(deps, { rootCerts: configuration.rootCerts }).validate(cert, [], now);
    return cert.nodeIds.length > 0 && cert.x509.notAfter.getTime() - now >= DAY_MS;
  } catch {
    return false;
  }
}
