/**
 * This peer's own Attach requests in progress, by the peer they go to, and RFC 6940 §6.5.1.2's
 * rule for an Attach that arrives from such a peer (attach-answerer.ts asks `admit`).
 *
 * An Attach of ours is in progress from the request until its link is up or it fails; it is
 * `answered` once the AttachAns is in (the ICE check, or the answerer's link to us, is under way).
 * It is filed under the Node-ID it was addressed to, if any, and under the answerer's once the
 * answer names it (an Attach for a Resource-ID learns its peer only then).
 *
 * One that gave way to a peer's crossing Attach (the tie-breaker cancelled it, or the peer refused
 * it with Error_In_Progress) is no longer in progress, but waits for the link that peer's Attaches
 * make: it is filed under that peer as `awaiting` them. It is told (`crossing`) when none of them
 * can make that link: the last of the peer's Attaches admitted here failed and we have no usable
 * link to the peer then. Messages cross, so the peer's Attach may fail here before its refusal of
 * ours arrives: that failure is remembered a while (CROSSING_FAILURE_MEMORY_MS) for the refusal
 * that comes after, for the Attaches of ours it may have crossed: those started before it. One of
 * ours started after it did not cross it (OwnAttach.attempt).
 *
 * OUR CHOICE: the last of them ending without error ends nothing, usable link or not: its link was
 * installed, but may be in the table only later (one-link-per-peer.ts retires a new link while it
 * checks the held one, often `suspect` when we Attach to repair it, and puts it in within
 * LINK_CHECK_MS if the held one stays silent), or closed before it was bound. Ours waits for the
 * link with its own timeout (AttachService linkTimeoutMs), as for a link of its own.
 *
 * OUR CHOICE: an Attach of the peer's that ends while we hold a usable link to it ends nothing and
 * is not remembered: it is most often one the peer let lapse because it holds that link (attach-
 * service.ts: a neighbour's finger Attach to a Resource-ID that reaches us), no sign that a later
 * Attach of the peer's will fail here.
 */
import { nodeIdKey } from '../forwarding/index.js';
import { AbortError, type Clock } from '../runtime/components.js';
import { compareBytes } from '../wire/codec/hex.js';
import type { NodeId } from '../wire/ids.js';

/** One Attach of ours. Its signal aborts the request and its ICE check. */
export class OwnAttach {
  readonly controller = new AbortController();

  constructor(
    /** Its place among this peer's Attach attempts (OwnAttaches.start), for the failures it may have crossed. */
    readonly attempt: number,
  ) {}

  /** The AttachAns is in. */
  answered = false;
  /** The §6.5.1.2 tie-breaker cancelled it for this peer's crossing Attach, which makes the link instead. */
  supersededBy: NodeId | undefined;
  /**
   * Aborted, with the reason, when no link will come of the peer's Attaches it waits for: the last
   * of those admitted here failed (could not be answered, or its link failed after we answered)
   * and there is no usable link to the peer.
   */
  readonly crossing = new AbortController();
  /** The peers it is filed under. */
  readonly keys = new Set<string>();
  /** The peer whose Attach it waits for (OwnAttaches.awaitCrossing). */
  awaitedKey: string | undefined;

  get signal(): AbortSignal {
    return this.controller.signal;
  }
}

/** A received Attach that is processed (OwnAttaches.admit). */
export interface Crossing {
  /** It was answered and its link installed, or could not be (`error`). Once; later calls do nothing. */
  done(error?: unknown): void;
}

/**
 * OUR CHOICE: how long a peer's failed Attach (the last of its Attaches here, none made the link)
 * is remembered for a refusal of ours that crossed it. The refusal was sent before the peer had
 * our error answer, so it arrives within about one round trip of the failure; a few seconds cover
 * a busy overlay. Longer would end ours on a stale failure when the peer refused it for a newer
 * Attach still on its way (a later Attach from it forgets the failure, but only once it arrives
 * here, which may be after the refusal).
 */
export const CROSSING_FAILURE_MEMORY_MS = 5_000;
/** OUR CHOICE: at most this many peers' failures remembered (the oldest go first): bounded memory whatever peers send. */
export const MAX_CROSSING_FAILURES = 256;

export class OwnAttaches {
  private readonly byPeer = new Map<string, Set<OwnAttach>>();
  /** Ours that gave way, by the peer whose Attaches make their link (awaitCrossing). */
  private readonly awaiting = new Map<string, Set<OwnAttach>>();
  /** How many of the peer's Attaches admitted here have no outcome yet, by peer. */
  private readonly admitted = new Map<string, { pending: number }>();
  /**
   * The peer's Attaches that all failed here, by peer: the error, until when it is remembered, and
   * the last Attach of ours started by then (OwnAttach.attempt; those after it did not cross it).
   */
  private readonly failed = new Map<string, { readonly error: unknown; readonly until: number; readonly lastAttempt: number }>();
  /** Attaches of ours started so far (the last one's OwnAttach.attempt). */
  private attempts = 0;

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    /** Whether a usable link to the peer is in the link table now (Forwarding.isUsable). */
    private readonly isUsable: (peer: NodeId) => boolean,
  ) {}

  /** An Attach of ours starts, addressed to `target` when its destination is a Node-ID. */
  start(target: NodeId | undefined): OwnAttach {
    const own = new OwnAttach(++this.attempts);
    if (target) this.file(own, nodeIdKey(target));
    return own;
  }

  /** Its AttachAns came from `answerer`. */
  answered(own: OwnAttach, answerer: NodeId): void {
    own.answered = true;
    this.file(own, nodeIdKey(answerer));
  }

  /**
   * It gave way to `peer`'s crossing Attach (superseded, or refused with Error_In_Progress): no
   * longer in progress (a new Attach of the peer's is no crossing of it), it waits for the link
   * that peer's Attaches make, and learns (`crossing`) when none of them can: the last admitted
   * here failed without a usable link, also when that was before the refusal arrived (an Attach
   * to a Resource-ID learns the peer only from the refusal).
   */
  awaitCrossing(own: OwnAttach, peer: NodeId): void {
    this.end(own);
    const key = nodeIdKey(peer);
    own.awaitedKey = key;
    file(this.awaiting, own, key);
    // The peer's Attaches failed here already (before its refusal, or our abort, was in): no link comes.
    // OUR CHOICE: only for an Attach of ours started before that failure, which the refusal may
    // have crossed. One started after it (a new attempt, not a retransmission: RFC 6940 §6.2.1,
    // "the request MUST be retransmitted with the same transaction identifier") was refused for an
    // Attach of the peer's not failed here, a newer one still on its way (or the peer had yet to
    // hear our error answer: then ours waits out its own link timeout, as it would without this
    // memory). A stale failure must not end a fresh attempt. What the rule cannot tell apart: an
    // Attach of ours started before the failure but refused (its answer over a slower route) for
    // the peer's NEWER Attach, one made after that failure, is still ended with the old error,
    // though the newer Attach may yet bring the link: the refusal does not say which Attach of the
    // peer's it was refused for.
    const failed = this.failed.get(key);
    if (failed && failed.until > this.clock.now() && own.attempt <= failed.lastAttempt) own.crossing.abort(failed.error);
  }

  /** It is over (link up, failed, aborted, or refused). */
  end(own: OwnAttach): void {
    for (const key of own.keys) unfile(this.byPeer, own, key);
    own.keys.clear();
    if (own.awaitedKey !== undefined) unfile(this.awaiting, own, own.awaitedKey);
    own.awaitedKey = undefined;
  }

  /**
   * RFC 6940 §6.5.1.2 for an Attach from `requester` received by `self`: 'refuse' when it is to be
   * answered with Error_In_Progress. Otherwise it is processed, and our incomplete Attaches to the
   * requester are cancelled (`supersededBy`): its Attach makes the link. The Crossing returned is
   * that Attach's: when it is the last of the requester's here, fails, and no usable link to the
   * requester is up, its `done(error)` ends every Attach of ours waiting for the requester's
   * (awaitCrossing) with `error`.
   */
  admit(requester: NodeId, self: NodeId): Crossing | 'refuse' {
    const key = nodeIdKey(requester);
    // An Attach whose caller gave up (aborted, not yet ended) makes no link: it does not count.
    const mine = [...(this.byPeer.get(key) ?? [])].filter((own) => !own.signal.aborted);
    // "If the peer has not initiated an Attach request to the originating peer of this Attach
    // request, it MUST process this request".
    if (mine.length === 0) return this.processing(requester, key);
    // "If the peer has already sent an Attach request to and received the response from the
    // originating peer of this Attach request and, as a result, an ICE check and TLS connection are
    // in progress, then it SHOULD generate an Error_In_Progress error instead of an AttachReqAns."
    // Whatever the Node-IDs' order: cancelling now would drop a check that is half done.
    for (const own of mine) if (own.answered) return 'refuse';
    // Sent but not answered, the tie-breaker: "If the peer's own Node-ID is larger ... it MUST
    // generate an Error_In_Progress error to this Attach request, and then proceed to wait for and
    // complete the Attach and the corresponding ICE check it has originated."
    if (compareBytes(self, requester) > 0) return 'refuse';
    // "If the peer's own Node-ID is smaller ... it MUST cancel retransmission of its own incomplete
    // Attach request. It MUST then process this Attach request".
    for (const own of mine) {
      own.supersededBy = requester;
      own.controller.abort(new AbortError('superseded by the peer\'s crossing Attach (RFC 6940 §6.5.1.2)'));
      this.end(own);
    }
    return this.processing(requester, key);
  }

  /** Abort every Attach in progress (the service closes). */
  abortAll(): void {
    for (const set of [...this.byPeer.values()]) for (const own of set) own.controller.abort();
    this.byPeer.clear();
    this.awaiting.clear();
    this.admitted.clear();
    this.failed.clear();
  }

  /**
   * An Attach from `requester` (`key`) is processed: counted until its `done`. Ours waiting for the
   * peer's Attaches (cancelled for this one, or refused by the peer) end when the last of them
   * fails and no usable link to the peer is up then, not while another may still make it. Only
   * the last outcome and the link table at that moment count, nothing kept from an earlier
   * outcome: a link one Attach made may have closed since.
   */
  private processing(requester: NodeId, key: string): Crossing {
    // A link may come of this one: an earlier failure no longer says none will.
    this.failed.delete(key);
    let peer = this.admitted.get(key);
    if (!peer) this.admitted.set(key, (peer = { pending: 0 }));
    peer.pending++;
    const counted = peer;
    let over = false;
    return {
      done: (error?: unknown) => {
        if (over) return;
        over = true;
        if (--counted.pending > 0) return;
        if (this.admitted.get(key) === counted) this.admitted.delete(key);
        // Without error its link may still come (the file comment's OUR CHOICE): ours waits for it.
        if (error === undefined || this.isUsable(requester)) return;
        for (const own of [...(this.awaiting.get(key) ?? [])]) own.crossing.abort(error);
        // Also for ours that learn only later that they wait for this peer (awaitCrossing).
        this.rememberFailure(key, error);
      },
    };
  }

  private rememberFailure(key: string, error: unknown): void {
    const now = this.clock.now();
    // In insertion order, which is the order of `until` (one memory time, a clock that only moves on): stop at the first live one.
    for (const [k, f] of this.failed) {
      if (f.until > now) break;
      this.failed.delete(k);
    }
    this.failed.delete(key);
    // A Map iterates in insertion order: the first key is the oldest failure.
    const oldest = this.failed.keys().next();
    if (this.failed.size >= MAX_CROSSING_FAILURES && !oldest.done) this.failed.delete(oldest.value);
    this.failed.set(key, { error, until: now + CROSSING_FAILURE_MEMORY_MS, lastAttempt: this.attempts });
  }

  private file(own: OwnAttach, key: string): void {
    own.keys.add(key);
    file(this.byPeer, own, key);
  }
}

function file(map: Map<string, Set<OwnAttach>>, own: OwnAttach, key: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(own);
}

function unfile(map: Map<string, Set<OwnAttach>>, own: OwnAttach, key: string): void {
  const set = map.get(key);
  set?.delete(own);
  if (set?.size === 0) map.delete(key);
}
