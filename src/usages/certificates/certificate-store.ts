/**
 * The Certificate Store Usage (RFC 6940 §8): "A user/node MUST store its certificate at
 * Resource-IDs derived from two Resource Names: the user name in the certificate [and] the Node-ID
 * in the certificate", as Kinds CERTIFICATE_BY_USER (array, USER-MATCH) and CERTIFICATE_BY_NODE
 * (array, NODE-MATCH). "New certificates are stored at the end of the list" (index 0xFFFFFFFF).
 *
 * The lookup side is how a verifier gets a certificate it lacks (§6.3.4: in "systems that have an
 * alternative certificate distribution mechanism, some certificates MAY be omitted"): a Fetch of
 * the array, whose values the overlay peer has already verified (§7.1 signatures and the Kind's
 * policy, so only the owner of the Node-ID or user name can have put them there), then each
 * certificate validated to the overlay's root (`CertificateValidator.addCertificate`), which keeps
 * it in the verifier's certificate cache. The cache is asked first, for a certificate still within
 * its validity (§7.1; renewed certificates replace expired ones, §13.3); concurrent lookups of the
 * same name share one Fetch. The transport's lookup (`source`) comes only after the verifier did not
 * know the signer's certificate, so it skips the cache and has a Fetch of its own; a name with no
 * certificate is remembered for `negativeTtlMs` (at most `maxMissing` of them: the names come from
 * messages anyone can send).
 *
 * The publishing side keeps the certificate there for as long as the peer runs: each value lives
 * `lifetime` (§7: "The validity period for the data"), so `keepPublished` stores the certificate
 * again before that ends (RefreshTimer, as the SIP registration does), until `close`.
 *
 * ```ts
 * const certs = new CertificateStore({ overlay: peer, resourceIdHash, validator: verifier, clock });
 * await certs.keepPublished(signer.certificate, signer.nodeId); // both Kinds, refreshed until close()
 * const c = await certs.byNode(nodeId);                    // CachedCertificate | undefined
 * const transportInit = { certificateSource: certs.source() }; // transport asks it for omitted ones
 * ```
 */
import type { FetchOutcome, OverlayPeer } from '../../reload/overlay/overlay-types.js';
import type { AbortOptions, Clock, Logger } from '../../reload/runtime/components.js';
import { RefreshTimer, refreshIntervalMs } from '../../reload/runtime/refresh-timer.js';
import { SharedAttempt } from '../../reload/runtime/shared-attempt.js';
import type { CachedCertificate, CertificateCache } from '../../reload/security/certificate-cache.js';
import { isWithinValidity } from '../../reload/security/chain-validator.js';
import type { ReloadCertificate } from '../../reload/security/reload-certificate.js';
import type { WallClock } from '../../reload/security/security-components.js';
import { CertificateUnknownError } from '../../reload/security/signer.js';
import { bytesEqual, toHex } from '../../reload/wire/codec/hex.js';
import type { NodeId, ResourceId } from '../../reload/wire/ids.js';
import { KindId } from '../../reload/wire/message-codes.js';
import { ARRAY_APPEND_INDEX, dataValueOf } from '../../reload/wire/storage/stored-data.js';
import { certificateByNodeResourceName, certificateByUserResourceName, decodeCertificateValue, encodeCertificateValue } from '../../reload/wire/storage/kinds/certificate.js';

/** What validates and keeps certificates: X509Verifier (its `cache` is the one it verifies with). */
export interface CertificateValidator {
  readonly cache: CertificateCache;
  /** Validate to the overlay's root and cache; rejects (Error_Forbidden) when it does not. */
  addCertificate(der: Uint8Array): Promise<CachedCertificate>;
}

export interface CertificateStoreDeps {
  readonly overlay: Pick<OverlayPeer, 'store' | 'fetch'>;
  /** The overlay's hash of a Resource Name (CHORD-RELOAD: chordReloadResourceIdHash). */
  readonly resourceIdHash: (name: Uint8Array) => Promise<ResourceId>;
  readonly validator: CertificateValidator;
  readonly clock: Clock;
  /** Calendar time, to tell cached certificates still within their validity (§7.1): the validator's. */
  readonly wallClock: WallClock;
  readonly logger?: Logger;
}

export interface CertificateStoreInit {
  /** How long "no certificate for this name" is remembered (ms); default 30 s. */
  readonly negativeTtlMs?: number;
  /** Most names remembered as having no certificate; default 4096 (the oldest go first). */
  readonly maxMissing?: number;
  /** Lifetime of the published certificate values in seconds (StoredData.lifetime); default 86 400. */
  readonly lifetime?: number;
  /** keepPublished stores them again after this share of the lifetime; default 0.8. */
  readonly refreshRatio?: number;
  /** Retry a failed publish after this many ms; default 30 000. */
  readonly retryMs?: number;
}

type Key = `node:${string}` | `user:${string}`;

/**
 * `cached-or-shared` (byNode, byUser): a valid cached certificate, else the Fetch of the name the
 * callers share; `own-fetch` (source): no cache, a Fetch of its own.
 */
type LookupWay = 'cached-or-shared' | 'own-fetch';

/** One Fetch for a name, shared by the callers waiting for it (the transport's source aside). */
export class CertificateStore {
  /** The Fetch byNode and byUser callers share, by name; source never joins nor replaces one. */
  private readonly inFlight = new Map<Key, SharedAttempt<CachedCertificate | undefined>>();
  /** Names with no certificate, each until when; in the order they were added, so the first expires first. */
  private readonly missing = new Map<Key, number>();
  private readonly negativeTtlMs: number;
  private readonly maxMissing: number;
  private readonly lifetime: number;
  private readonly refreshMs: number;
  private readonly retryMs: number;
  /** keepPublished's refresh; undefined until called, and once closed. */
  private keeper: RefreshTimer | undefined;
  private closed = false;

  constructor(
    private readonly deps: CertificateStoreDeps,
    init: CertificateStoreInit = {},
  ) {
    this.negativeTtlMs = init.negativeTtlMs ?? 30_000;
    this.maxMissing = init.maxMissing ?? 4096;
    this.lifetime = init.lifetime ?? 86_400;
    this.refreshMs = refreshIntervalMs(this.lifetime, init.refreshRatio);
    this.retryMs = init.retryMs ?? 30_000;
  }

  /** Names remembered as having no certificate (at most `maxMissing`). */
  get missingCount(): number {
    return this.missing.size;
  }

  /**
   * §8: store `certificate` under its user name (CERTIFICATE_BY_USER) and under `nodeId`, the
   * Node-ID this peer signs as (CERTIFICATE_BY_NODE: NODE-MATCH lets each Node-ID store only its own).
   * A certificate already in a list is not appended again but stored again at its index, with a
   * fresh `lifetime` (so it lives on). Resolves with the Kinds it was appended to.
   */
  async publish(certificate: ReloadCertificate, nodeId: NodeId, options?: AbortOptions): Promise<number[]> {
    if (!certificate.nodeIds.some((n) => bytesEqual(n, nodeId))) throw new RangeError(`the certificate does not hold Node-ID ${toHex(nodeId)}`);
    const value = encodeCertificateValue(certificate.der);
    const targets: [number, ResourceId][] = [
      [KindId.CERTIFICATE_BY_USER, await this.deps.resourceIdHash(certificateByUserResourceName(certificate.userName))],
      [KindId.CERTIFICATE_BY_NODE, await this.deps.resourceIdHash(certificateByNodeResourceName(nodeId))],
    ];
    const written: number[] = [];
    for (const [kind, resourceId] of targets) {
      const listed = (await this.list(kind, resourceId, options)).find((e) => bytesEqual(e.der, certificate.der));
      // §8: "New certificates are stored at the end of the list."
      await this.deps.overlay.store(resourceId, kind, [{ index: listed?.index ?? ARRAY_APPEND_INDEX, value, lifetime: this.lifetime }], options);
      if (!listed) written.push(kind);
    }
    return written;
  }

  /**
   * `publish`, then keep the certificate published (§8 "MUST store") until `close`: stored again at
   * `refreshRatio` of its lifetime, before it expires. Resolves or rejects as the first publish.
   * OUR CHOICE: a first publish that fails (the overlay still settling) is tried again after
   * `retryMs` as a failed refresh is: the rule holds for as long as the peer runs. One certificate
   * at a time: a later call replaces the earlier one's refresh.
   */
  async keepPublished(certificate: ReloadCertificate, nodeId: NodeId, options?: AbortOptions): Promise<number[]> {
    if (this.closed) throw new Error('the certificate store is closed');
    this.keeper?.stop();
    const keeper = new RefreshTimer(this.deps, {
      everyMs: this.refreshMs,
      retryMs: this.retryMs,
      refresh: () => this.publish(certificate, nodeId),
      failure: 'could not store our certificate again (RFC 6940 §8)',
      fields: { nodeId: toHex(nodeId) },
    });
    this.keeper = keeper;
    try {
      const written = await this.publish(certificate, nodeId, options);
      if (this.keeper === keeper) keeper.start();
      return written;
    } catch (e) {
      if (this.keeper === keeper && !options?.signal?.aborted) keeper.start(this.retryMs);
      throw e;
    }
  }

  /** Stop keeping the certificate published (it then expires by its lifetime); lookups still work. */
  close(): void {
    this.closed = true;
    this.keeper?.stop();
    this.keeper = undefined;
  }

  /** The newest valid certificate holding `nodeId`: from the cache, else CERTIFICATE_BY_NODE. */
  byNode(nodeId: NodeId, options?: AbortOptions): Promise<CachedCertificate | undefined> {
    return this.lookUpNode(nodeId, 'cached-or-shared', options);
  }

  /** The newest valid certificate of `userName`: from the cache, else CERTIFICATE_BY_USER. */
  byUser(userName: string, options?: AbortOptions): Promise<CachedCertificate | undefined> {
    return this.lookUp(`user:${userName}`, () => this.deps.validator.cache.findByUserName(userName), KindId.CERTIFICATE_BY_USER, certificateByUserResourceName(userName), (c) => c.certificate.userName === userName, 'cached-or-shared', options);
  }

  /**
   * TransportInit.certificateSource: look up a message signer's omitted certificate by Node-ID, as
   * byNode does but always with a Fetch (unless the name is remembered as having no certificate),
   * and one of its own. The transport asks only after the verifier did not know the certificate the
   * SignerIdentity names (MessageVerification.verifyAfterLookup): a certificate of that Node-ID in
   * the cache is then not the one, e.g. the signer renewed (§13.3) and omits the new one (§6.3.4
   * "MAY be omitted"); answering from the cache would drop its every message until the old entry
   * leaves the cache. (Junk naming a known Node-ID now costs a Fetch, as junk naming any other does:
   * CertificateLookups bounds them.) A Fetch another caller started earlier may be answered
   * by the very node looked up with its certificate omitted (§6.3.4; it may hold its own list, §8):
   * the transport then verifies that answer by waiting for this lookup, which would wait for that
   * answer until the lookup's timeout. So it never joins one.
   * OUR CHOICE: nor is its Fetch shared (byNode callers keep theirs, and find what it found in the
   * cache): it ends when its lookup gives up, so a name has at most one shared Fetch running plus
   * one per transport lookup of it, and the transport runs one lookup per Node-ID at a time
   * (CertificateLookups). Shared, a byNode caller with no signal would keep each abandoned lookup's
   * Fetch running, one more each time a lookup of the name is preempted and started again.
   */
  source(): (nodeId: NodeId, options?: AbortOptions) => Promise<boolean> {
    return async (nodeId, options) => (await this.lookUpNode(nodeId, 'own-fetch', options)) !== undefined;
  }

  private lookUpNode(nodeId: NodeId, how: LookupWay, options?: AbortOptions): Promise<CachedCertificate | undefined> {
    return this.lookUp(`node:${toHex(nodeId)}`, () => this.deps.validator.cache.findByNodeId(nodeId), KindId.CERTIFICATE_BY_NODE, certificateByNodeResourceName(nodeId), (c) => c.certificate.nodeIds.some((n) => bytesEqual(n, nodeId)), how, options);
  }

  private lookUp(
    key: Key,
    cached: () => CachedCertificate[],
    kind: number,
    resourceName: Uint8Array,
    holds: (c: CachedCertificate) => boolean,
    how: LookupWay,
    options?: AbortOptions,
  ): Promise<CachedCertificate | undefined> {
    const now = this.deps.clock.now();
    if (how === 'cached-or-shared') {
      // §7.1: "When signatures are verified, the current time MUST be compared to the certificate
      // validity period": an expired (or not yet valid) cached certificate verifies nothing.
      const at = this.deps.wallClock.epochMs();
      const hit = cached().filter((c) => isWithinValidity(c.path, at)).at(-1);
      if (hit) return Promise.resolve(hit);
    }
    const until = this.missing.get(key);
    if (until !== undefined) {
      if (until > now) return Promise.resolve(undefined);
      this.missing.delete(key);
    }
    const fetched = (fetchOptions?: AbortOptions) =>
      this.fetchValid(kind, resourceName, holds, fetchOptions).then((found) => {
        if (found) this.missing.delete(key);
        else this.rememberMissing(key);
        return found;
      });
    if (how === 'own-fetch') return fetched(options);
    let flight = this.inFlight.get(key);
    if (!flight) {
      // One Fetch per name for all callers (SharedAttempt: it is aborted only when all gave up).
      const forget = () => {
        if (this.inFlight.get(key) === started) this.inFlight.delete(key);
      };
      const started = new SharedAttempt((signal) => fetched({ signal }).finally(forget), forget);
      flight = started;
      this.inFlight.set(key, flight);
    }
    return flight.join(options?.signal);
  }

  /**
   * Remember that `key` has no certificate, for `negativeTtlMs`. OUR CHOICE: the names come from
   * messages (a message's first via entry, which anyone can write), so the expired entries are
   * dropped here and the oldest beyond `maxMissing` too: every entry lives equally long, so the
   * oldest is the nearest to expiry and the cheapest to forget (at worst one Fetch more).
   */
  private rememberMissing(key: Key): void {
    const now = this.deps.clock.now();
    this.missing.delete(key);
    for (const [k, until] of this.missing) {
      if (until > now && this.missing.size < this.maxMissing) break;
      this.missing.delete(k);
    }
    this.missing.set(key, now + this.negativeTtlMs);
  }

  /** Fetch the list and return its newest certificate that validates and `holds`. */
  private async fetchValid(kind: number, resourceName: Uint8Array, holds: (c: CachedCertificate) => boolean, options?: AbortOptions): Promise<CachedCertificate | undefined> {
    const list = await this.list(kind, await this.deps.resourceIdHash(resourceName), options);
    for (const { der } of list.reverse()) {
      try {
        const entry = await this.deps.validator.addCertificate(der);
        if (holds(entry)) return entry;
      } catch {
        // Not valid for this overlay (another CA, expired, revoked …): try the next one.
      }
    }
    return undefined;
  }

  /**
   * The certificates (DER) in one list with their array indices, oldest first; only values the overlay peer verified (§7.1).
   * A value refused because its signer's certificate is unknown is signed by the certificate it
   * holds (§8: each peer stores its own): that certificate is validated to the root and the list
   * fetched once more, which verifies it. (A fetcher that stores the list itself, or whose answer's
   * SecurityBlock left the certificate out, has no other way to the signer's certificate.)
   */
  private async list(kind: number, resourceId: ResourceId, options?: AbortOptions, again = true): Promise<{ index: number; der: Uint8Array }[]> {
    const { answer, rejected } = await this.deps.overlay.fetch(resourceId, [{ kind }], options);
    if (again && (await this.learnSigners(kind, rejected))) return this.list(kind, resourceId, options, false);
    const out: { index: number; der: Uint8Array }[] = [];
    for (const r of answer.kindResponses) {
      if (r.kind !== kind) continue;
      for (const d of r.values) {
        // Both Kinds are arrays (§8): a value of another model is not one of their entries.
        if (d.value.model !== 'array' || !d.value.arrayEntry.value.exists) continue;
        try {
          out.push({ index: d.value.arrayEntry.index, der: decodeCertificateValue(d.value.arrayEntry.value.value) });
        } catch {
          // Not one DER certificate: skip it.
        }
      }
    }
    return out.sort((a, b) => a.index - b.index);
  }

  /** Validate the certificates held by values refused for want of their signer's certificate; true if any was new. */
  private async learnSigners(kind: number, rejected: FetchOutcome['rejected']): Promise<boolean> {
    let learned = false;
    for (const r of rejected) {
      if (r.kind !== kind || !(r.error instanceof CertificateUnknownError)) continue;
      const v = dataValueOf(r.value.value);
      if (!v.exists) continue;
      try {
        await this.deps.validator.addCertificate(decodeCertificateValue(v.value));
        learned = true;
      } catch {
        // Not one DER certificate, or not valid for this overlay: the value stays refused.
      }
    }
    return learned;
  }
}
