/**
 * Who a received message says it comes from, and which certificates a message carries (RFC 6940
 * §6.3.4): helpers of message transport's signing and verification.
 */
import { isWildcardNodeId, nodeIdKey } from '../forwarding/index.js';
import { MAX_REQUEST_LIFETIME_MS } from './answer-cache.js';
import { AbortError, withTimeout, type Clock, type Logger } from '../runtime/components.js';
import { CertificateUnknownError, type VerifiedSigner, type Verifier } from '../security/signer.js';
import { bytesEqual } from '../wire/codec/hex.js';
import { messageSignatureInput } from '../wire/message-signature-input.js';
import type { SecurityBlock } from '../wire/security-block.js';
import type { TransportInit } from './transport-types.js';
import type { Destination } from '../wire/destination.js';
import type { ForwardingHeader } from '../wire/forwarding-header.js';
import type { NodeId } from '../wire/ids.js';
import type { GenericCertificate } from '../wire/security-block.js';

/**
 * The Node-ID a received message comes from, whose certificate must have signed it (§6.3.4): the
 * first via-list entry (each relay appends the node it heard from, §6.1.2), else the neighbour it
 * arrived from, else this node (a message to itself). Undefined when the first via entry is a
 * compressed id (§6.3.2.2), which names no Node-ID.
 */
export function originatorOf(header: ForwardingHeader, from: NodeId | undefined, self: NodeId): NodeId | undefined {
  const first = header.viaList[0];
  if (first) return first.kind === 'node' ? first.nodeId : undefined;
  return from ?? self;
}

/** The signer's certificates, then those of `extra` not already among them (one copy each, §6.3.4). */
export function certificateBucket(own: readonly GenericCertificate[], extra: readonly GenericCertificate[]): readonly GenericCertificate[] {
  if (extra.length === 0) return own;
  const out = [...own];
  for (const c of extra) if (!out.some((o) => o.type === c.type && bytesEqual(o.certificate, c.certificate))) out.push(c);
  return out;
}


/**
 * OUR CHOICE: most certificate lookups running at once (TransportInit.maxCertificateLookups). A
 * lookup is an overlay Fetch, one more pending request of ours, and the Node-ID it is for is the
 * first via-list entry, which no signature covers: any junk message can name a new one. Above the
 * bound a message whose certificate is unknown fails verification at once, so lookups never take
 * more than a few of the pending-request slots (TransportInit.maxPendingRequests) or of a
 * neighbour's inbound slots (maxInboundPerNeighbour) while they run. RFC 6940 §13.1: the overlay is
 * "to function correctly in the face of a modest number of malicious nodes".
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
 * oldest lookup is aborted). So the messages of some links (malicious neighbours, honest ones
 * relaying junk, or forged answers to a request sent to a Resource-ID) shut out another link only
 * while each of them holds no more than its share: four links or more; §13.1 as above.
 */
export function certificateLookupShare(maxLookups: number): number {
  return Math.max(1, Math.floor(maxLookups / 4));
}

export interface MessageVerificationDeps {
  readonly verifier: Verifier;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface MessageVerificationInit {
  readonly localNodeId: NodeId;
  readonly certificateSource?: TransportInit['certificateSource'];
  /** Default MAX_CERTIFICATE_LOOKUPS. */
  readonly maxLookups?: number;
  /** Default certificateLookupTimeoutMs of the overlay-reliability-timer at the time of each lookup. */
  readonly lookupTimeoutMs?: number;
  /** The overlay-reliability-timer (§11.1) now: it may change with the configuration. */
  readonly overlayReliabilityTimerMs: () => number;
}

/** A running lookup: the link whose message started it, and how to end it early (preemption). */
interface RunningLookup {
  readonly link: string;
  /** Its place among the lookups started (MessageVerification.lookupsStarted just after it started). */
  readonly serial: number;
  /** Whether the certificate was found; false once it failed, timed out or was preempted. */
  outcome: Promise<boolean>;
  /** Messages of each link waiting for it (waitFor), and of all links. */
  readonly waiting: Map<string, number>;
  waiters: number;
  /** Frees its slot at once and aborts it. */
  readonly preempt: () => void;
}

/** For an answer: the final destination of the request it answers, and lookupsStarted() when that request was made. */
export interface Answering {
  readonly target: Destination | undefined;
  readonly lookupsBefore: number;
}

/**
 * §6.3.4: "the destination node MUST verify the signature and the authorizing certificate", with
 * the certificates of the SecurityBlock (and the verifier's cache), and the signature must be made
 * for the Node-ID the message comes from (`originatorOf`). A signer whose certificate was omitted
 * is looked up once through TransportInit.certificateSource (the §8 usage), at most `maxLookups`
 * at a time (MAX_CERTIFICATE_LOOKUPS) and a link's fair part of them (certificateLookupShare),
 * each for at most `lookupTimeoutMs`, and for an answer only when the signer is one that may
 * answer (`mayAnswer`). A message whose signer is being looked up waits for that lookup (waitFor).
 */
export class MessageVerification {
  /** Running lookups by the Node-ID looked up, oldest first. */
  private readonly lookups = new Map<string, RunningLookup>();
  private readonly perLink = new Map<string, number>();
  private readonly maxLookups: number;
  private readonly share: number;
  private started = 0;

  constructor(
    private readonly deps: MessageVerificationDeps,
    private readonly init: MessageVerificationInit,
  ) {
    this.maxLookups = init.maxLookups ?? MAX_CERTIFICATE_LOOKUPS;
    this.share = certificateLookupShare(this.maxLookups);
  }

  /** Lookups started so far: a request records it when made, for the answer's verification (Answering). */
  lookupsStarted(): number {
    return this.started;
  }

  /**
   * The verified signer; rejects (Error_Forbidden) when the message must be dropped. `from`: the
   * neighbour it came from; `answering`: for an answer, the request it answers.
   */
  verify(header: ForwardingHeader, from: NodeId | undefined, contentsBytes: Uint8Array, securityBlock: SecurityBlock, answering?: Answering): Promise<VerifiedSigner> {
    const { signature, certificates } = securityBlock;
    const claimedNodeId = originatorOf(header, from, this.init.localNodeId);
    let input: Uint8Array;
    try {
      input = messageSignatureInput(header.overlay, header.transactionId, contentsBytes, signature.identity);
    } catch (e) {
      return Promise.reject(e);
    }
    const options = claimedNodeId ? { claimedNodeId } : {};
    const verified = this.deps.verifier.verify(input, signature, certificates, options);
    // Without a certificate source there is nothing to retry with: the verifier's answer as it is.
    if (!this.init.certificateSource) return verified;
    return verified.catch(async (e: unknown) => {
      // §6.3.4: certificates "MAY be omitted" where another distribution mechanism exists: ask it once.
      if (!(e instanceof CertificateUnknownError) || !claimedNodeId || !mayAnswer(claimedNodeId, answering?.target) || !(await this.lookUp(claimedNodeId, from, answering))) throw e;
      return this.deps.verifier.verify(input, signature, certificates, options);
    });
  }

  /** One lookup per Node-ID at a time, at most `maxLookups` in all and a link's part of them, each until its timeout. */
  private lookUp(nodeId: NodeId, from: NodeId | undefined, answering: Answering | undefined): Promise<boolean> {
    const key = nodeIdKey(nodeId);
    const link = from ? nodeIdKey(from) : '';
    const running = this.lookups.get(key);
    if (running) return this.waitFor(running, link, answering);
    if (!this.makeRoom(link)) {
      this.deps.log.debug('certificate lookup refused: too many running', { nodeId: key, link, running: this.lookups.size, ofLink: this.perLink.get(link) ?? 0 });
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
   * if `certificateSource` never waits for a request made before it was called: one that joined an
   * earlier Fetch of the same certificate (CertificateStore shares one per name) could wait on an
   * answer that waits on it, until the lookup's timeout.
   */
  private waitFor(running: RunningLookup, link: string, answering: Answering | undefined): Promise<boolean> {
    if (answering && answering.lookupsBefore >= running.serial) return Promise.resolve(false);
    const ofLink = running.waiting.get(link) ?? 0;
    if (running.waiters >= this.maxLookups || ofLink >= this.share) return Promise.resolve(false);
    running.waiting.set(link, ofLink + 1);
    running.waiters++;
    const done = () => {
      running.waiters--;
      const left = (running.waiting.get(link) ?? 1) - 1;
      if (left > 0) running.waiting.set(link, left);
      else running.waiting.delete(link);
    };
    return running.outcome.finally(done);
  }

  /** Starts the lookup of `nodeId` for a message of `link`; makeRoom said there is a slot. */
  private async start(nodeId: NodeId, key: string, link: string): Promise<boolean> {
    const source = this.init.certificateSource;
    if (!source) return false; // verify returns early without one
    const controller = new AbortController();
    let stop!: (e: AbortError) => void;
    const stopped = new Promise<never>((_, reject) => (stop = reject));
    const entry: RunningLookup = {
      link,
      serial: ++this.started,
      outcome: Promise.resolve(false),
      waiting: new Map(),
      waiters: 0,
      preempt: () => {
        release();
        stop(new AbortError('certificate lookup preempted by a link under its share'));
      },
    };
    const release = () => {
      if (this.lookups.get(key) !== entry) return;
      this.lookups.delete(key);
      const left = (this.perLink.get(link) ?? 1) - 1;
      if (left > 0) this.perLink.set(link, left);
      else this.perLink.delete(link);
    };
    this.lookups.set(key, entry);
    this.perLink.set(link, (this.perLink.get(link) ?? 0) + 1);
    const timeoutMs = this.init.lookupTimeoutMs ?? certificateLookupTimeoutMs(this.init.overlayReliabilityTimerMs());
    // The slot is free at the timeout (or preemption) even if the source does not heed the signal;
    // a source that throws at once fails as one that rejects.
    const work = Promise.race([(async () => source(nodeId, { signal: controller.signal }))(), stopped]);
    const found = withTimeout(this.deps.clock, work, timeoutMs, () => new AbortError(`certificate lookup timed out after ${timeoutMs} ms`));
    entry.outcome = found.catch(() => false);
    try {
      return await found;
    } catch (e) {
      if (e instanceof AbortError) controller.abort(e);
      this.deps.log.debug('certificate lookup failed', { nodeId: key, link, error: String(e) });
      return false;
    } finally {
      release();
    }
  }

  /**
   * Whether `link` may start a lookup now (certificateLookupShare): below its share while any slot
   * is free, or by preempting the oldest lookup of the link furthest over its share; at or over its
   * share only while `share` slots stay free.
   */
  private makeRoom(link: string): boolean {
    const running = this.lookups.size;
    if ((this.perLink.get(link) ?? 0) >= this.share) return running < this.maxLookups - this.share;
    if (running < this.maxLookups) return true;
    let furthest: string | undefined;
    let most = this.share;
    for (const [other, count] of this.perLink) {
      if (count > most) [furthest, most] = [other, count];
    }
    if (furthest === undefined) return false;
    for (const running of this.lookups.values()) {
      if (running.link === furthest) {
        running.preempt();
        return true;
      }
    }
    return false;
  }
}

/**
 * Whether the certificate of `claimed` is worth looking up for a message: for a request, yes (any
 * node may send one); for an answer to a request sent to a Node-ID, only when `claimed` is that
 * Node-ID. RFC 6940 §6.3.4 check 1: "The response to a message sent to a Node-ID MUST have been
 * sent by that Node-ID unless the response has been sent to the wildcard Node-ID." A forged answer
 * naming any other first via entry cannot be accepted, so it starts no lookup. OUR CHOICE: this
 * holds for error answers too, which message transport accepts from any verified node on the path:
 * an intermediate's error answer whose certificate was omitted is dropped, and the request is
 * retransmitted or times out. Answers to a Resource-ID or the wildcard may come from several nodes;
 * the bound on lookups (MAX_CERTIFICATE_LOOKUPS) limits those.
 */
export function mayAnswer(claimed: NodeId, answering: Destination | undefined): boolean {
  if (answering?.kind !== 'node' || isWildcardNodeId(answering.nodeId)) return true;
  return bytesEqual(answering.nodeId, claimed);
}
