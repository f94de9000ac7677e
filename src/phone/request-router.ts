/**
 * Where OverlaySocket's requests go, and the channels that take them there (RFC 7904 §4-5): a GRUU
 * (§6) names its device's Node-ID; an AoR is looked up in its SIP-REGISTRATION (§4.2) and each
 * device registered is reached by AppAttach (§5), or over the SIP channel we already have to it
 * (§5.1 "A previously established SIP connection MAY be used").
 * - Requests to one target are routed in order; each waits for its route (lookup and AppAttach) at
 *   most `routeTimeoutMs`, then fails with an 'overlay-failure' SipUsageError.
 * - A lookup may be started ahead (`prepare`, PreparedRoutes), and the next request to that AoR
 *   takes its result.
 * - At most `maxForks` devices per request (RFC 7904 §8.2.1 "throttle at some reasonable number").
 */
import { nodeIdKey } from '../reload/forwarding/index.js';
import type { AppAttachService, AppChannel, OverlayPeer } from '../reload/overlay/index.js';
import type { Clock, Logger, Timer } from '../reload/runtime/components.js';
import { bytesEqual } from '../reload/wire/codec/hex.js';
import type { Destination } from '../reload/wire/destination.js';
import { aorResourceName, lookupAor, overlayDomainOnly, parseGruu, SipUsageError, type AorDomains } from '../usages/sip/index.js';
import { PreparedRoutes } from './prepared-routes.js';
import { routingKey } from './routing-outcomes.js';
import type { SipMessage } from './sip-message.js';

/**
 * OUR CHOICE: how long a request may wait for its route (the lookup's Fetches and the AppAttach,
 * with the data channel it opens) before it is answered 408 here. Each of those is a RELOAD
 * transaction whose first retransmission comes after the overlay-reliability-timer (RFC 6940
 * §6.2.1: 3 s), so the bound lets the Fetch and the AppAttach each be sent again once, and leaves
 * time for the channel: 10 s, well within JsSIP's own 32 s (RFC 3261 Timer B). It was 1.5 s: a
 * single lost or late message (a neighbour that had just gone, a busy peer or machine — RTTs of
 * 0.5-1.4 s on the loaded e2e machine) failed the call with "could not be reached" though the
 * overlay would have answered a moment later.
 */
export const DEFAULT_ROUTE_TIMEOUT_MS = 10_000;

export interface RequestRouterDeps {
  readonly apps: Pick<AppAttachService, 'channel'>;
  readonly overlay: Pick<OverlayPeer, 'fetch' | 'nodeId'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface RequestRouterInit {
  /** The overlay's domain (RFC 7904 §3.4). */
  readonly domain: string;
  /** The AoR domains the overlay serves (RFC 7904 §3.4, §4.1); default the overlay's domain only. */
  readonly domains?: AorDomains;
  /** Application-ID of the channels (RFC 7904 §5.1). */
  readonly application: number;
  /** Longest wait for a route; default DEFAULT_ROUTE_TIMEOUT_MS. */
  readonly routeTimeoutMs?: number;
  /** How long a lookup started by `prepare` waits to be used; default 10 000 ms. */
  readonly preparedRouteMs?: number;
  /** Most devices one request goes to; default 8. */
  readonly maxForks?: number;
}

/** Where a request goes. */
export interface Route {
  readonly lists: Destination[][];
  /** From a lookup made ahead (`prepare`). */
  readonly prepared: boolean;
}

export class RequestRouter {
  readonly routeTimeoutMs: number;
  private readonly chains = new Map<string, Promise<void>>();
  private readonly prepared: PreparedRoutes;

  constructor(
    private readonly deps: RequestRouterDeps,
    private readonly init: RequestRouterInit,
  ) {
    this.routeTimeoutMs = init.routeTimeoutMs ?? DEFAULT_ROUTE_TIMEOUT_MS;
    this.prepared = new PreparedRoutes(deps.clock, init.preparedRouteMs ?? 10_000);
  }

  /** Start the lookup and AppAttach of AoR `requestUri` now, for the next request to it; a GRUU or malformed URI does nothing here. */
  prepare(requestUri: string): void {
    try {
      if (parseGruu(requestUri)) return;
    } catch {
      return; // a broken GRUU: the request gets its 404 as usual
    }
    this.prepared.prepare(routingKey(requestUri), async (signal) => {
      const lists = await this.lookUp(requestUri, signal);
      void this.channels(lists, signal).catch(() => {}); // warm: AppAttachService shares the attempt
      return lists;
    });
  }

  close(): void {
    this.prepared.close();
  }

  /**
   * Run `work` on the route of `m` after the requests queued before it to the same target, within
   * routeTimeoutMs.
   */
  queue(m: SipMessage, work: (route: Route, signal: AbortSignal) => Promise<void>): Promise<void> {
    const key = routingKey(m.requestUri);
    const previous = this.chains.get(key) ?? Promise.resolve();
    const run = previous.then(async () => {
      const controller = new AbortController();
      let timer: Timer | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = this.deps.clock.setTimer(this.routeTimeoutMs, () => {
          controller.abort();
          reject(new SipUsageError('overlay-failure', `the overlay did not find ${m.requestUri} within ${this.routeTimeoutMs} ms`));
        });
      });
      try {
        await Promise.race([this.resolve(m, controller.signal).then((route) => work(route, controller.signal)), timeout]);
      } finally {
        timer?.cancel();
      }
    });
    const tail = run.catch(() => {});
    this.chains.set(key, tail);
    void tail.then(() => this.chains.get(key) === tail && this.chains.delete(key));
    return run;
  }

  /** RFC 7904 §4.2 lookup of an AoR in a domain the overlay serves (§4.1): one destination list per device. */
  async lookUp(aor: string, signal: AbortSignal): Promise<Destination[][]> {
    aorResourceName(aor, this.init.domains ?? overlayDomainOnly(this.init.domain));
    const contacts = await lookupAor(this.deps.overlay, aor, { signal });
    return contacts.map((c) => [...c.destinationList]);
  }

  /** Channels to each destination list (AppAttach or reuse), in parallel; unreachable ones left out. */
  async channels(lists: Destination[][], signal: AbortSignal): Promise<AppChannel[]> {
    const self = this.deps.overlay.nodeId;
    const targets = lists
      .filter((l) => {
        const last = l[l.length - 1];
        return last?.kind === 'node' && !bytesEqual(last.nodeId, self);
      })
      .slice(0, this.init.maxForks ?? 8);
    const settled = await Promise.allSettled(targets.map((l) => this.deps.apps.channel(l, this.init.application, { signal })));
    const out: AppChannel[] = [];
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') {
        if (!out.includes(s.value)) out.push(s.value);
      } else this.deps.logger.info('a registered device could not be reached', { target: JSON.stringify(targets[i]?.map((d) => (d.kind === 'node' ? nodeIdKey(d.nodeId) : d.kind))), error: String(s.reason) });
    });
    return out;
  }

  /** Where the Request-URI points: destination lists (several for an AoR on several devices), and whether they come from a lookup made ahead. */
  private async resolve(m: SipMessage, signal: AbortSignal): Promise<Route> {
    const gruu = parseGruu(m.requestUri);
    if (gruu) return { lists: [[...gruu.destinationList]], prepared: false };
    const ready = m.method === 'ACK' ? undefined : this.prepared.take(routingKey(m.requestUri), signal);
    if (ready) return { lists: await ready, prepared: true };
    return { lists: await this.lookUp(m.requestUri, signal), prepared: false };
  }
}
