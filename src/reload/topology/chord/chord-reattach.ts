/**
 * Attaching again to a neighbour lost with its link (RFC 6940 §10.7.1: "A peer MAY attempt to
 * reestablish connectivity with a lost neighbor either by waiting additional time to see if
 * connectivity returns or by actively routing a new Attach to the lost peer ... Such a peer is
 * returned to the Neighbor Table once connectivity is reestablished").
 *
 * OUR CHOICE: a neighbour lost with its link is held back (markFailed) like any failed peer, so
 * that the Updates of neighbours that have not yet noticed a crash do not make us Attach to it
 * again and again. But two healthy neighbours whose link dropped each kept a farther peer until
 * the periodic Updates of §10.7.4.1 (600 s): the Updates and answers (§10.7.3) that named the
 * other came while it was held back, and none came after. So:
 * - once the hold-back is over (and, if a failure since renewed it, once that is over), one
 *   Attach goes to it;
 * - when the other end or the channel closed the link (`remote`: a WebRTC connection that dropped
 *   between two peers that were answering), also one CLOSED_LINK_REATTACH_MS after the loss, but
 *   at most once per hold-back per peer: a neighbour whose link closes soon after every reconnect
 *   waits out the hold-back after each later loss;
 * - a link this peer closed itself (`local`: shutdown, a certificate that did not match) or
 *   whose other end broke the framing (`protocol-error`, §6.6.2) is no reason to seek the peer;
 *   it may Attach to us.
 * Each Attach goes through a neighbour whose Update, received since the loss, names it (§10.6:
 * source-routed through the peer we learned it from). A peer that is gone is soon in no
 * neighbour's list, and Updates from before the loss vouch for nothing. With periodic recovery
 * (chord-reactive false) none tells us by itself (a neighbour whose lists did not change announces
 * nothing, and none answers an Update, §10.7.4.3), so when no neighbour has named it since, one
 * neighbour whose last Update named it is asked for its lists (RouteQuery with send_update, §10.8),
 * and its `full` Update decides: OUR CHOICE, so that the re-attach does not wait for the periodic
 * Updates of §10.7.4.1 (chord-update-interval). One ask per neighbour, shared by every lost
 * neighbour that chose it; a RouteQuery this peer refused itself (refusedHere) is asked again
 * (ChordCore.refusedRetryWait), as a refused Attach is. With reactive recovery nobody is asked
 * (attempt()).
 */
import { nodeIdKey } from '../../forwarding/index.js';
import type { LinkCloseReason } from '../../links/index.js';
import type { Timer } from '../../runtime/components.js';
import type { NodeId } from '../../wire/ids.js';
import { ChordUpdateType, type ChordUpdate } from '../../wire/methods/chord.js';
import type { ChordCore, UpdateOutcome } from './chord-core.js';

/**
 * OUR CHOICE: wait (ms, half of it jittered) before a neighbour whose link the other end closed
 * is Attached to again: time for our other neighbours, when it closed because the peer is gone,
 * to drop it from their lists and tell us (§10.7.1's immediate Updates) first. With periodic
 * recovery they do not tell us, and the neighbour asked instead (§10.8) may not yet have noticed a
 * crash: its Update then still names the peer and our Attach times out, the price of not waiting
 * for chord-update-interval. The same price when the ask joins a RouteQuery that pull or
 * checkAdjacency sent to that neighbour before the loss (ChordStabilization.requestTable shares
 * one per neighbour): its `full` Update, received after the loss, may show the neighbour's lists
 * from before it, as may any Update sent before the loss and received after it (namedBy goes by
 * when an Update came: §10.7.3's Updates carry no time of their own). Neither decides wrongly for
 * long: an Update that still names a peer that is gone costs one Attach, which fails and holds the
 * peer back again (markFailed) without taking it in; one that no longer names the peer means the
 * neighbour dropped it before our loss (a fresh ask would hear the same), and ends the wait,
 * leaving the peer, as before the asks, to the periodic Updates of §10.7.4.1. Also the jitter (up
 * to this much) added to the attempt at the end of the hold-back, so that the two ends of a link
 * lost at the same moment do not send crossing Attaches at the same moment.
 */
export const CLOSED_LINK_REATTACH_MS = 2_000;

/** What NeighbourReattach asks of maintenance and stabilization. */
export interface ReattachHooks {
  /** A neighbour whose Update, received after `since` (ms), names `key`, with a usable link. */
  namedBy(key: string, since: number): NodeId | undefined;
  /** Whether an Attach to `key` is in flight. */
  attaching(key: string): boolean;
  /** Attach to `id` through `via` (§10.6) and take it in if that succeeds. */
  attach(id: NodeId, via: NodeId): void;
  /** Ask neighbour `id` for its lists (RouteQuery with send_update, §10.8): its Update follows the answer. */
  requestTable(id: NodeId): Promise<UpdateOutcome>;
}

/**
 * A neighbour asked for its lists (one RouteQuery in flight, or its refusal's retry, or its answer's
 * `full` Update awaited), shared by every lost neighbour that waits for that Update.
 */
interface Ask {
  readonly neighbour: NodeId;
  refusals: number;
  retry: Timer | undefined;
  /** When its RouteQueryAns came (ms); undefined while the RouteQuery is in flight or to be sent again. */
  answeredAt: number | undefined;
}

/** A neighbour lost with its link: when, and the attempts waiting. */
interface Lost {
  readonly id: NodeId;
  readonly at: number;
  early: Timer | undefined;
  /** The attempt at the end of the hold-back; once it is made (`over`), the end of the wait for its ask's answer. */
  late: Timer | undefined;
  over: boolean;
  /** The neighbour asked (its key in `asks`) whose Update this one waits for, and for which attempt. */
  asked: { readonly key: string; readonly early: boolean } | undefined;
}

export class NeighbourReattach {
  private readonly lost = new Map<string, Lost>();
  /** The neighbours asked for their lists, by key: at most one ask each (§10.8). */
  private readonly asks = new Map<string, Ask>();
  /** When each peer was last Attached to early (its link closed): at most once per hold-back. */
  private readonly earlyAt = new Map<string, number>();

  constructor(
    private readonly core: ChordCore,
    private readonly hooks: ReattachHooks,
  ) {}

  /** Neighbour `id` was lost with its link, which closed for `reason` (none: it was removed here, as after a failed Update). */
  linkLost(id: NodeId, reason: LinkCloseReason | undefined): void {
    const memoryMs = this.core.params.failedPeerMemoryMs;
    const key = nodeIdKey(id);
    this.forget(key);
    // Without a hold-back the Updates that name it are acted on at once (ChordMaintenance.consider).
    if (memoryMs === 0 || this.core.stopped || reason === 'local' || reason === 'protocol-error') return;
    const clock = this.core.deps.clock;
    const now = clock.now();
    for (const [k, at] of this.earlyAt) if (at + memoryMs <= now) this.earlyAt.delete(k);
    const lost: Lost = { id, at: now, early: undefined, late: undefined, over: false, asked: undefined };
    this.lost.set(key, lost);
    if (reason === 'remote' && !this.earlyAt.has(key)) {
      lost.early = clock.setTimer(CLOSED_LINK_REATTACH_MS / 2 + this.core.jitter(CLOSED_LINK_REATTACH_MS / 2), () => {
        lost.early = undefined;
        this.attempt(key, lost, true);
      });
    }
    const atHoldBackEnd = (): void => {
      lost.late = undefined;
      // Renewed since the loss (the early Attach failed): its end is the one waited for.
      const until = this.core.heldBackUntil(key);
      if (until !== undefined) {
        lost.late = clock.setTimer(until - clock.now() + this.core.jitter(CLOSED_LINK_REATTACH_MS), atHoldBackEnd);
        return;
      }
      // This attempt supersedes the early one, still due when the hold-back is shorter than its wait.
      lost.early?.cancel();
      lost.early = undefined;
      lost.over = true;
      this.attempt(key, lost, false);
      // OUR CHOICE: the answer of the neighbour asked is awaited for one more hold-back at most.
      if (lost.asked) lost.late = clock.setTimer(memoryMs, () => this.forget(key));
      else this.forget(key);
    };
    lost.late = clock.setTimer(memoryMs + this.core.jitter(CLOSED_LINK_REATTACH_MS), atHoldBackEnd);
  }

  /**
   * An Update of type `type` from `senderKey` has been taken in: the lost neighbours it was asked
   * about may be Attached to now, through it when it names them. One that does not name the lost
   * neighbour decides only if it is the `full` Update the RouteQuery asked for (§10.8): a
   * `neighbors` one (sent on a change of its lists, §10.7.1) may have left before it took our
   * RouteQuery, and a `peer_ready` carries no lists (§10.7.3), so the `full` one is still awaited.
   */
  updateFrom(senderKey: string, type: ChordUpdate['type']): void {
    if (type === ChordUpdateType.peer_ready || !this.asks.has(senderKey)) return;
    for (const [key, lost] of this.lost) {
      const asked = lost.asked;
      if (asked?.key !== senderKey) continue;
      const missing = this.missing(key, lost);
      const via = missing ? this.hooks.namedBy(key, lost.at) : undefined;
      if (missing && !via && type !== ChordUpdateType.full) continue;
      this.unask(key, lost);
      if (via) this.attachThrough(key, lost, via, asked.early);
    }
    if (type === ChordUpdateType.full) this.endAsk(senderKey);
  }

  /** No Attach is to go to `key` for its loss (it left, §10.9, was lost again, or its attempts are over): every timer of the loss is cancelled. */
  forget(key: string): void {
    const lost = this.lost.get(key);
    if (!lost) return;
    lost.early?.cancel();
    lost.late?.cancel();
    this.lost.delete(key);
    this.leaveAsk(lost);
  }

  stop(): void {
    for (const key of [...this.lost.keys()]) this.forget(key);
    for (const key of [...this.asks.keys()]) this.endAsk(key);
    this.earlyAt.clear();
  }

  /**
   * Attach to the lost neighbour if it is still missing and a neighbour named it since the loss;
   * else, with periodic recovery, ask one that named it before.
   */
  private attempt(key: string, lost: Lost, early: boolean): void {
    this.leaveAsk(lost);
    if (!this.missing(key, lost)) return;
    const via = this.hooks.namedBy(key, lost.at);
    if (via) {
      this.attachThrough(key, lost, via, early);
      return;
    }
    // OUR CHOICE: with reactive recovery nobody is asked, as before the asks: our neighbours tell
    // us of their changes and answer our Update of the loss (§10.7.1, ChordStabilization.answerUpdate),
    // and a neighbour asked 1-2 s after a crash that it has not yet noticed would vouch for the peer
    // (its Update shows what it believed when it sent it), so that we Attach to a dead peer.
    if (this.core.params.reactive) return;
    const before = this.hooks.namedBy(key, Number.NEGATIVE_INFINITY);
    if (!before) return;
    lost.asked = { key: nodeIdKey(before), early };
    const ask = this.asks.get(lost.asked.key);
    // One ask per neighbour, shared: its `full` Update serves every lost neighbour waiting for it.
    // OUR CHOICE: the `full` Update of a neighbour asked is awaited for one Update retransmission
    // interval (§6.2.1, overlay-reliability-timer) after its RouteQueryAns (§10.8 has it sent
    // "immediately") before a lost neighbour that chooses it asks it again rather than waiting too.
    const updateWaitMs = this.core.deps.forwarding.parameters.overlayReliabilityTimerMs;
    if (ask && (ask.answeredAt === undefined || this.core.deps.clock.now() - ask.answeredAt < updateWaitMs)) return;
    // An ask replaced here was answered: no retry of it is pending.
    const fresh: Ask = { neighbour: before, refusals: 0, retry: undefined, answeredAt: undefined };
    this.asks.set(lost.asked.key, fresh);
    this.send(lost.asked.key, fresh);
  }

  /** Send the RouteQuery of `ask` (§10.8); one refused here is sent again (ChordCore.refusedRetryWait). */
  private send(askKey: string, ask: Ask): void {
    void this.hooks.requestTable(ask.neighbour).then((outcome) => {
      if (this.asks.get(askKey) !== ask) return;
      if (outcome === 'answered') {
        ask.answeredAt = this.core.deps.clock.now();
        return;
      }
      const wait = outcome === 'refused' ? this.core.refusedRetryWait(ask.refusals) : undefined;
      if (wait === undefined) {
        this.endAsk(askKey);
        return;
      }
      ask.retry = this.core.deps.clock.setTimer(wait, () => {
        ask.retry = undefined;
        if (this.asks.get(askKey) !== ask) return;
        for (const [key, lost] of this.waiting(askKey)) if (!this.missing(key, lost)) this.unask(key, lost);
        if (!this.asks.has(askKey)) return;
        ask.refusals++;
        this.send(askKey, ask);
      });
    });
  }

  /** The lost neighbours waiting for the Update of the neighbour asked `askKey`. */
  private waiting(askKey: string): [string, Lost][] {
    return [...this.lost].filter(([, lost]) => lost.asked?.key === askKey);
  }

  /** No answer is awaited from `askKey` any more, by any lost neighbour. */
  private endAsk(askKey: string): void {
    const ask = this.asks.get(askKey);
    if (!ask) return;
    ask.retry?.cancel();
    this.asks.delete(askKey);
    for (const [key, lost] of this.waiting(askKey)) this.unask(key, lost);
  }

  /** `lost` no longer waits for its ask's answer; an ask nobody waits for is ended. */
  private leaveAsk(lost: Lost): void {
    const askKey = lost.asked?.key;
    lost.asked = undefined;
    if (askKey !== undefined && this.waiting(askKey).length === 0) this.endAsk(askKey);
  }

  /** No answer is awaited for `key` any more; after the hold-back's end, it is forgotten. */
  private unask(key: string, lost: Lost): void {
    if (lost.over) this.forget(key);
    else this.leaveAsk(lost);
  }

  /** Whether the lost neighbour is still to be sought: not back, no Attach to it in flight. */
  private missing(key: string, lost: Lost): boolean {
    // A link it opened to us since is no sign that it is in the ring: its Update (§6.4.2.3) will say.
    return !this.core.stopped && this.core.state === 'joined' && !this.core.table.has(key) && !this.hooks.attaching(key) && !this.core.deps.forwarding.isUsable(lost.id);
  }

  private attachThrough(key: string, lost: Lost, via: NodeId, early: boolean): void {
    if (!this.core.table.wouldBeNeighbour(lost.id)) return;
    this.hooks.attach(lost.id, via);
    if (early) this.earlyAt.set(key, this.core.deps.clock.now());
  }
}
