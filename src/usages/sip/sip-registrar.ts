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
import type { AbortOptions, Clock, Logger } from '../../reload/runtime/components.js';
import { RefreshTimer, refreshIntervalMs } from '../../reload/runtime/refresh-timer.js';
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
  /** Retry a failed refresh after this many ms; default 5000. */
  readonly retryMs?: number;
  /** What to register; default a route to this device. */
  readonly registration?: SipRegistration;
}

export type SipRegistrarState = 'unregistered' | 'registering' | 'registered' | 'closed';

export class SipRegistrar {
  readonly resourceName: string;
  private readonly domains: AorDomains | undefined;
  private readonly lifetime: number;
  private readonly value: Uint8Array;
  private readonly refresh: RefreshTimer;
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
    this.refresh = new RefreshTimer(deps, {
      everyMs: refreshIntervalMs(this.lifetime, init.refreshRatio),
      retryMs: init.retryMs ?? 5000,
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
      await this.storeOnce(true, options);
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
    return ++this.epoch;
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
