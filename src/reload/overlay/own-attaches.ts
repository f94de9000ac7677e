/**
 * This peer's own Attach requests in progress, by the peer they go to, and RFC 6940 §6.5.1.2's
 * rule for an Attach that arrives from such a peer (attach-service.ts asks `admit`).
 *
 * An Attach of ours is in progress from the request until its link is up or it fails; it is
 * `answered` once the AttachAns is in (the ICE check, or the answerer's link to us, is under way).
 * It is filed under the Node-ID it was addressed to, if any, and under the answerer's once the
 * answer names it (an Attach for a Resource-ID learns its peer only then).
 *
 * One that gave way to a peer's crossing Attach (the tie-breaker cancelled it, or the peer refused
 * it with Error_In_Progress) is no longer in progress, but waits for the link that peer's Attach
 * makes: it is filed under that peer as `awaiting` its Attach, which tells it when it cannot be
 * answered here (no link will come).
 */
import { nodeIdKey } from '../forwarding/index.js';
import { AbortError } from '../runtime/components.js';
import { compareBytes } from '../wire/codec/hex.js';
import type { NodeId } from '../wire/ids.js';

/** One Attach of ours. Its signal aborts the request and its ICE check. */
export class OwnAttach {
  readonly controller = new AbortController();
  /** The AttachAns is in. */
  answered = false;
  /** The §6.5.1.2 tie-breaker cancelled it for this peer's crossing Attach, which makes the link instead. */
  supersededBy: NodeId | undefined;
  /** Aborted, with the reason, when that crossing Attach could not be answered here: no link will come. */
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
  /** It was answered and its link made, or could not be (`error`). */
  done(error?: unknown): void;
}

export class OwnAttaches {
  private readonly byPeer = new Map<string, Set<OwnAttach>>();
  /** Ours that gave way, by the peer whose Attach makes their link (awaitCrossing). */
  private readonly awaiting = new Map<string, Set<OwnAttach>>();

  /** An Attach of ours starts, addressed to `target` when its destination is a Node-ID. */
  start(target: NodeId | undefined): OwnAttach {
    const own = new OwnAttach();
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
   * that peer's Attach makes, and learns (`crossing`) when that Attach cannot be answered here,
   * also when it arrives only after the refusal (an Attach to a Resource-ID learns the peer only
   * from the refusal).
   */
  awaitCrossing(own: OwnAttach, peer: NodeId): void {
    this.end(own);
    const key = nodeIdKey(peer);
    own.awaitedKey = key;
    file(this.awaiting, own, key);
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
   * that Attach's: its `done` tells the ones that gave way to it (and only those) how it went.
   */
  admit(requester: NodeId, self: NodeId): Crossing | 'refuse' {
    const key = nodeIdKey(requester);
    // An Attach whose caller gave up (aborted, not yet ended) makes no link: it does not count.
    const mine = [...(this.byPeer.get(key) ?? [])].filter((own) => !own.signal.aborted);
    const crossing: Crossing = {
      // Answered (or its link made): nothing to tell. Not answered (`error`): no link comes of it,
      // and the Attaches of ours that gave way to it (cancelled now, or waiting for it since the
      // requester refused them) end with `error`.
      done: (error?: unknown) => {
        if (error === undefined) return;
        for (const own of [...mine, ...(this.awaiting.get(key) ?? [])]) own.crossing.abort(error);
      },
    };
    // "If the peer has not initiated an Attach request to the originating peer of this Attach
    // request, it MUST process this request".
    if (mine.length === 0) return crossing;
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
    return crossing;
  }

  /** Abort every Attach in progress (the service closes). */
  abortAll(): void {
    for (const set of [...this.byPeer.values()]) for (const own of set) own.controller.abort();
    this.byPeer.clear();
    this.awaiting.clear();
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
