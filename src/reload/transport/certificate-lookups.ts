/**
 * Looking up the certificates signers omitted (RFC 6940 §6.3.4: "In systems that have an
 * alternative certificate distribution mechanism, some certificates MAY be omitted"; the §8 usage
 * is TransportInit.certificateSource), bounded so that junk messages cannot drive it: the Node-ID
 * looked up is the first via-list entry, which no signature covers, and each lookup is an overlay
 * Fetch. RFC 6940 §13.1: the overlay is "to function correctly in the face of a modest number of
 * malicious nodes".
 */
import { nodeIdKey } from '../forwarding/index.js';
import { MAX_REQUEST_LIFETIME_MS } from './answer-cache.js';
import { KeyedLimiter } from './keyed-limiter.js';
import { AbortError, withTimeout, type Clock, type Logger } from '../runtime/components.js';
import type { TransportInit } from './transport-types.js';
import type { NodeId } from '../wire/ids.js';

/**
 * OUR CHOICE: most certificate lookups running at once (TransportInit.maxCertificateLookups). A
 * lookup is an overlay Fetch, one more pending request of ours, and the Node-ID it is for is the
 * first via-list entry, which no signature covers: any junk message can name a new one. Above the
 * bound a message whose certificate is unknown fails verification at once, so lookups never take
 * more than a few of the pending-request slots (TransportInit.maxPendingRequests) or of a
 * neighbour's inbound slots (maxInboundPerNeighbour) while they run (§13.1 as above).
 */
export const MAX_CERTIFICATE_LOOKUPS = 8;

/**
 * OUR CHOICE: how long one lookup may hold its slot unless TransportInit.certificateLookupTimeoutMs
 * says, on the transport's clock; then its Fetch is aborted and the message fails verification.
 * Twice the overlay-reliability-timer: time for an overlay Fetch answered at its first or second
 * transmission (RFC 6940 §6.2.1: a request not answered when the timer fires is retransmitted),
 * and never past the 15 s a request lives (MAX_REQUEST_LIFETIME_MS), so that lookups that get no
 * answer (junk Node-IDs no one stored a certificate for, §8) free their slots for others.
 */
export function certificateLookupTimeoutMs(overlayReliabilityTimerMs: number): number {
  return Math.min(2 * overlayReliabilityTimerMs, MAX_REQUEST_LIFETIME_MS);
}

/**
 * A link's (the neighbour a message came from) share of `maxLookups`: a quarter. OUR CHOICE: a
 * link may go beyond its share only while that many slots stay free for the others, and a link
 * under its share that finds every slot taken takes one from the link furthest over its share (its
 * oldest lookup is aborted, unless messages of a link under its share wait for it: makeRoom). So
 * the messages of some links (malicious neighbours, honest ones relaying junk, or forged answers to
 * a request sent to a Resource-ID) shut out another link only while each of them holds no more than
 * its share: four links or more; §13.1 as above.
 *
 * OUR CHOICE, a trade-off: junk from four links or more, each within its share, holds every slot
 * until the lookups' timeout, and a genuine message from a fifth link whose signer omitted its
 * certificate fails meanwhile (its sender retransmits, §6.2.1). No rule over a fixed number of
 * slots avoids that: junk relayed by honest neighbours arrives over as many links as this node has,
 * so once each of `maxLookups` links holds one slot a newcomer finds none. Shares computed over the
 * active links (a link with fewer lookups preempting the one with most) only move that point from
 * four links to `maxLookups`, and cost the guarantee a link has now (its share, never preempted):
 * any new link carrying junk could abort a genuine lookup mid-way, wasting its Fetch. More slots
 * cost pending requests (MAX_CERTIFICATE_LOOKUPS). A signer that includes its certificates, as
 * §6.3.4 has it unless "an alternative certificate distribution mechanism" exists, needs no lookup.
 */
export function certificateLookupShare(maxLookups: number): number {
  return Math.max(1, Math.floor(maxLookups / 4));
}

export interface CertificateLookupsDeps {
  readonly clock: Clock;
  readonly log: Logger;
}

export interface CertificateLookupsInit {
  readonly source: NonNullable<TransportInit['certificateSource']>;
  /** Default MAX_CERTIFICATE_LOOKUPS. */
  readonly maxLookups?: number;
  /** Default certificateLookupTimeoutMs of the overlay-reliability-timer at the time of each lookup. */
  readonly lookupTimeoutMs?: number;
  /** The overlay-reliability-timer (§11.1) now: it may change with the configuration. */
  readonly overlayReliabilityTimerMs: () => number;
}

/** A running lookup: the link it counts against, and how to end it early (preemption). */
interface RunningLookup {
  /** The link whose message started it, or one whose message waits for it (makeRoom). */
  link: string;
  /** Its place among the lookups started (CertificateLookups.started just after it started). */
  readonly serial: number;
  /** Whether the certificate was found; false once it failed, timed out or was preempted. */
  outcome: Promise<boolean>;
  /** Messages waiting for it (waitFor), by link: `maxLookups` in all, a link's share each. */
  readonly waiting: KeyedLimiter;
  /** Frees its slot at once and aborts it. */
  readonly preempt: () => void;
}

/**
 * One lookup per Node-ID at a time, at most `maxLookups` at once (MAX_CERTIFICATE_LOOKUPS) and a
 * link's fair part of them (certificateLookupShare), each for at most `lookupTimeoutMs`. A message
 * whose signer is being looked up waits for that lookup (waitFor).
 */
export class CertificateLookups {
  /** Running lookups by the Node-ID looked up, oldest first. */
  private readonly running = new Map<string, RunningLookup>();
  /**
   * Running lookups by the link they count against. Only counts: it bounds nothing, so its admit
   * always admits; makeRoom keeps the bounds (`maxLookups`, a link's share) before each admit.
   */
  private readonly perLink = new KeyedLimiter(Infinity, Infinity);
  private readonly maxLookups: number;
  private readonly share: number;
  private serial = 0;

  constructor(
    private readonly deps: CertificateLookupsDeps,
    private readonly init: CertificateLookupsInit,
  ) {
    this.maxLookups = init.maxLookups ?? MAX_CERTIFICATE_LOOKUPS;
    this.share = certificateLookupShare(this.maxLookups);
  }

  /** Lookups started so far: a request records it when made, for its answer's lookUp. */
  get started(): number {
    return this.serial;
  }

  /**
   * Whether the certificate of `nodeId` was found, for a message from `from` (the neighbour it came
   * from); `lookupsBefore`: for an answer, `started` when its request was made.
   */
  lookUp(nodeId: NodeId, from: NodeId | undefined, lookupsBefore?: number): Promise<boolean> {
    const key = nodeIdKey(nodeId);
    const link = from ? nodeIdKey(from) : '';
    const running = this.running.get(key);
    if (running) return this.waitFor(running, link, lookupsBefore);
    if (!this.makeRoom(link)) {
      this.deps.log.debug('certificate lookup refused: too many running', { nodeId: key, link, running: this.running.size, ofLink: this.perLink.count(link) });
      return Promise.resolve(false);
    }
    return this.start(nodeId, key, link);
  }

  /**
   * The outcome of `running` for another message whose signer it looks up, so that a junk message
   * naming a genuine signer does not make the signer's own message from another link fail (§13.1).
   * OUR CHOICE: an answer to a request made after the lookup started does not wait: it may answer
   * the lookup's own Fetch (the node looked up may hold its certificate, §8), which would wait for
   * itself until the timeout; it fails at once, and its request goes again at its next
   * retransmission (§6.2.1), which may come while the lookup still runs. Waiters are bounded as
   * lookups are: `maxLookups` a lookup, a link's share (certificateLookupShare) of them; a genuine
   * message that comes over the same link as more junk than that share still fails. This holds only
   * if `certificateSource` never waits for a request made before it was called (TransportInit; the
   * §8 usage's CertificateStore.source starts a Fetch of its own for it).
   */
  private waitFor(running: RunningLookup, link: string, lookupsBefore: number | undefined): Promise<boolean> {
    if (lookupsBefore !== undefined && lookupsBefore >= running.serial) return Promise.resolve(false);
    if (!running.waiting.admit(link)) return Promise.resolve(false);
    return running.outcome.finally(() => running.waiting.release(link));
  }

  /** Starts the lookup of `nodeId` for a message of `link`; makeRoom said there is a slot. */
  private async start(nodeId: NodeId, key: string, link: string): Promise<boolean> {
    const controller = new AbortController();
    let stop!: (e: AbortError) => void;
    const stopped = new Promise<never>((_, reject) => (stop = reject));
    const entry: RunningLookup = {
      link,
      serial: ++this.serial,
      outcome: Promise.resolve(false),
      waiting: new KeyedLimiter(this.maxLookups, this.share),
      preempt: () => {
        release();
        stop(new AbortError('certificate lookup preempted by a link under its share'));
      },
    };
    const release = () => {
      if (this.running.get(key) !== entry) return;
      this.running.delete(key);
      this.perLink.release(entry.link);
    };
    this.running.set(key, entry);
    this.perLink.admit(link);
    const timeoutMs = this.init.lookupTimeoutMs ?? certificateLookupTimeoutMs(this.init.overlayReliabilityTimerMs());
    // The slot is free at the timeout (or preemption) even if the source does not heed the signal;
    // a source that throws at once fails as one that rejects.
    const source = this.init.source;
    const work = Promise.race([(async () => source(nodeId, { signal: controller.signal }))(), stopped]);
    const found = withTimeout(this.deps.clock, work, timeoutMs, () => new AbortError(`certificate lookup timed out after ${timeoutMs} ms`));
    entry.outcome = found.catch(() => false);
    try {
      return await found;
    } catch (e) {
      if (e instanceof AbortError) controller.abort(e);
      // The link it counts against now: a charge (makeRoom) may have moved it from the one that started it.
      this.deps.log.debug('certificate lookup failed', { nodeId: key, link: entry.link, startedBy: link, error: String(e) });
      return false;
    } finally {
      release();
    }
  }

  /**
   * Whether `link` may start a lookup now (certificateLookupShare): below its share while any slot
   * is free, or by preempting the oldest lookup of the link furthest over its share; at or over its
   * share only while `share` slots stay free.
   *
   * OUR CHOICE: a lookup that messages of another link wait for (waitFor) is looked up for them
   * too: it is preempted only if none of their links could have started it itself. When one of
   * them is under its share, the lookup is charged to that link (the one with fewest lookups)
   * instead of being aborted, and the next lookup of a link furthest over its share is considered.
   * So the waiters, possibly the signer's own message (§13.1), are treated as if they had come
   * first: no link goes over its share by it, and each charge moves a lookup from a link over its
   * share to one under it, so the loop ends. The newcomer `link` may be that link: once at its share
   * it starts no lookup more here (the bound above).
   */
  private makeRoom(link: string): boolean {
    if (this.perLink.count(link) >= this.share) return this.running.size < this.maxLookups - this.share;
    if (this.running.size < this.maxLookups) return true;
    while (this.perLink.count(link) < this.share) {
      const victim = this.oldestOfFurthest();
      if (!victim) return false;
      const heir = this.heirOf(victim);
      if (heir === undefined) {
        victim.preempt();
        return true;
      }
      this.perLink.release(victim.link);
      victim.link = heir;
      this.perLink.admit(heir);
    }
    return false;
  }

  /** The oldest lookup of the link furthest over its share, if a link is over its share. */
  private oldestOfFurthest(): RunningLookup | undefined {
    let furthest: string | undefined;
    let most = this.share;
    for (const [other, count] of this.perLink.entries()) {
      if (count > most) [furthest, most] = [other, count];
    }
    if (furthest === undefined) return undefined;
    for (const running of this.running.values()) if (running.link === furthest) return running;
    return undefined;
  }

  /** Of the links whose messages wait for `running`, the one with fewest lookups, if under its share. */
  private heirOf(running: RunningLookup): string | undefined {
    let heir: string | undefined;
    let fewest = this.share;
    for (const [waiter] of running.waiting.entries()) {
      const count = this.perLink.count(waiter);
      if (count < fewest) [heir, fewest] = [waiter, count];
    }
    return heir;
  }
}
