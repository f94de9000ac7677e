/**
 * Registering this device under its AoR (RFC 7904 §3.1), in a domain the overlay accepts (§3.4,
 * `domains`): a Store of Kind SIP-REGISTRATION at the
 * AoR's Resource Name, dictionary key = our Node-ID (§7), value a sip_registration_route to us.
 * "The registration lifetime known from the regular SIP REGISTER method is inherited from the
 * lifetime attribute of the basic RELOAD StoredData structure": we store with `lifetime` and store
 * again at `refreshRatio` of it (RefreshTimer: refresh before it expires); `unregister`
 * stores a deletion marker (RFC 6940 §7.4.1.3, exists = false) for the key.
 *
 * ```ts
 * const r = new SipRegistrar({ overlay: peer, clock }, { aor: 'sip:alice@chordphone.test' });
 * await r.register();  ...  await r.unregister();   // on leave or tab close
 * ```
 */
import type { OverlayPeer } from '../../reload/overlay/overlay-types.js';
import { AbortError, waitFor, type AbortOptions, type Clock, type Logger } from '../../reload/runtime/components.js';
import { RefreshTimer, refreshIntervalMs } from '../../reload/runtime/refresh-timer.js';
import { ReloadError } from '../../reload/runtime/reload-error.js';
import { ErrorCode } from '../../reload/wire/message-codes.js';
import { encodeSipRegistration, type SipRegistration } from '../../reload/wire/storage/kinds/sip-registration.js';
import type { AorDomains } from './aor-domains.js';
import { aorResourceName, requireAorDomain, routeRegistration, SIP_REGISTRATION_KIND } from './sip-registration-kind.js';

export interface SipRegistrarDeps {
  readonly overlay: Pick<OverlayPeer, 'nodeId' | 'store'>;
  readonly clock: Clock;
  readonly logger?: Logger;
}

export interface SipRegistrarInit {
  /** The user's AoR; its Resource Name must be the certificate's user name (USER-NODE-MATCH, §3.3). */
  readonly aor: string;
  /**
   * The AoR domains the overlay accepts (RFC 7904 §3.4, aorDomainsOf the configuration): `register`
   * refuses an AoR outside them without storing. Default: not checked here (the storing peer does).
   */
  readonly domains?: AorDomains;
  /** Registration lifetime in seconds (StoredData.lifetime); default 3600. */
  readonly lifetime?: number;
  /** Refresh after this share of the lifetime; default 0.8. */
  readonly refreshRatio?: number;
  /** Retry a failed refresh after this many ms, and a failed first Store after this many times its attempt (storeFirst); default 5000. */
  readonly retryMs?: number;
  /** What to register; default a route to this device. */
  readonly registration?: SipRegistration;
}

/** Attempts of the first Store of a registration that failed for the overlay's passing state (storeFirst). */
export const REGISTER_ATTEMPTS = 3;

/**
 * Whether a Store failed for the overlay's passing state in a way the storage layer does not retry
 * itself (StorageService retries a Store answered Error_Loop_Detected or Error_Not_Found): no
 * answer after every retransmission (RFC 6940 §6.2.1 Error_Request_Timeout: a peer on the path
 * failed, or the ring was changing), or a path longer than the TTL while routing tables disagree
 * (§6.3.2 Error_TTL_Exceeded). Not a refusal of the Store itself (Error_Forbidden, too large …),
 * which another attempt meets again.
 */
function passingFailure(e: unknown): boolean {
  return e instanceof ReloadError && (e.code === ErrorCode.Error_Request_Timeout || e.code === ErrorCode.Error_TTL_Exceeded);
}

export type SipRegistrarState = 'unregistered' | 'registering' | 'registered' | 'closed';

export class SipRegistrar {
  readonly resourceName: string;
  private readonly domains: AorDomains | undefined;
  private readonly lifetime: number;
  private readonly value: Uint8Array;
  private readonly refresh: RefreshTimer;
  private readonly retryMs: number;
  /** Ends the pause of a first Store waiting to be made again (storeFirst), when there is one. */
  private endPause: (() => void) | undefined;
  private current: SipRegistrarState = 'unregistered';
  /**
   * Bumped by every `register`, `unregister` and `close`: a Store answered after one of them
   * belongs to an older epoch and must not set the state or schedule a refresh (else an
   * `unregister` or `close` made while the first Store was in flight would be undone, and the
   * registration refreshed after the user left).
   */
  private epoch = 0;
  /** How many Stores this registrar has made (first registration and refreshes). */
  stores = 0;

  constructor(
    private readonly deps: SipRegistrarDeps,
    init: SipRegistrarInit,
  ) {
    this.resourceName = aorResourceName(init.aor);
    this.domains = init.domains;
    this.lifetime = init.lifetime ?? 3600;
    this.value = encodeSipRegistration(init.registration ?? routeRegistration(deps.overlay.nodeId));
    this.retryMs = init.retryMs ?? 5000;
    this.refresh = new RefreshTimer(deps, {
      everyMs: refreshIntervalMs(this.lifetime, init.refreshRatio),
      retryMs: this.retryMs,
      refresh: () => this.storeOnce(true),
      failure: 'SIP registration refresh failed',
      fields: { aor: this.resourceName },
    });
  }

  get state(): SipRegistrarState {
    return this.current;
  }

  /**
   * Store the registration now and keep it refreshed until `unregister` or `close`. Resolves
   * without registering when one of those (or another `register`) comes before the Store's answer.
   */
  async register(options?: AbortOptions): Promise<void> {
    if (this.current === 'closed') throw new Error('the registrar is closed');
    // RFC 7904 §3.3: "Before issuing a Store request to the overlay, any Peer SHOULD verify that
    // the AOR of the request is a valid Resource Name with respect to its domain name and the
    // namespaces defined in the overlay configuration document": SipUsageError foreign-domain
    // now, rather than the storing peer's Error_Forbidden after a round trip. The Resource Name,
    // not the AoR: its escapes are decoded already.
    if (this.domains) requireAorDomain(this.resourceName, this.domains);
    const epoch = this.newEpoch();
    this.current = 'registering';
    try {
      await this.storeFirst(epoch, options);
    } catch (e) {
      if (epoch === this.epoch) this.current = 'unregistered';
      throw e;
    }
    if (epoch !== this.epoch) return;
    this.current = 'registered';
    this.refresh.start();
  }

  /** Remove the registration (deletion marker under our key) and stop refreshing. */
  async unregister(options?: AbortOptions): Promise<void> {
    if (this.current === 'closed') return;
    this.newEpoch();
    const was = this.current;
    this.current = 'unregistered';
    if (was !== 'unregistered') await this.storeOnce(false, options);
  }

  /** Stop refreshing without a Store (the registration then expires by its lifetime). */
  close(): void {
    this.newEpoch();
    this.current = 'closed';
  }

  /** A new epoch: the refresh timer and the answers of Stores made before it no longer count. */
  private newEpoch(): number {
    this.refresh.stop();
    this.endPause?.();
    return ++this.epoch;
  }

  /**
   * The first Store of a registration. OUR CHOICE: one that failed for the overlay's passing state
   * (passingFailure) is made again, up to REGISTER_ATTEMPTS in all, `retryMs` × the attempt apart,
   * as a SIP UA registers again after a failed REGISTER, rather than leaving the phone offline
   * until its user joins again. Returns early, unregistered, when `unregister`, `close` or another
   * `register` came meanwhile (register then sees the newer epoch).
   */
  private async storeFirst(epoch: number, options?: AbortOptions): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.storeOnce(true, options);
      } catch (e) {
        if (attempt >= REGISTER_ATTEMPTS || !passingFailure(e) || epoch !== this.epoch || options?.signal?.aborted) throw e;
        this.deps.logger?.info('registration failed; trying again', { aor: this.resourceName, attempt, error: String(e) });
      }
      await this.pause(this.retryMs * attempt, options?.signal);
      if (epoch !== this.epoch) return;
      if (options?.signal?.aborted) throw new AbortError();
    }
  }

  /** Wait `ms`, or less: until the next epoch (`unregister`, `close`, another `register`) or `signal`'s abort. */
  private async pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    let wake = () => {};
    await waitFor(this.deps.clock, ms, (w) => {
      wake = w;
      this.endPause = w;
      signal?.addEventListener('abort', w, { once: true });
    });
    signal?.removeEventListener('abort', wake);
    if (this.endPause === wake) this.endPause = undefined;
  }

  private async storeOnce(exists: boolean, options?: AbortOptions): Promise<void> {
    this.stores++;
    await this.deps.overlay.store(
      this.resourceName,
      SIP_REGISTRATION_KIND,
      // RFC 7904 §7: "The dictionary key is the Node-ID of the Storing Peer."
      [{ key: this.deps.overlay.nodeId, value: exists ? this.value : new Uint8Array(0), exists, lifetime: this.lifetime }],
      options,
    );
  }
}
