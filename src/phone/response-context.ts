/**
 * The response context of one request OverlaySocket sent to the devices of an AoR (RFC 3261 §16.6
 * "the proxy ... creates a response context"): OverlaySocket forks as a forking proxy would, and
 * this is §16.7 response processing over its branches, one branch per device's SIP channel. It is
 * the same for INVITE and non-INVITE and for one branch or many; with one branch it passes every
 * response up unchanged, as if there were no proxy.
 *
 * - Provisional responses pass up until a final has gone up (§16.7 step 5).
 * - The first 2xx passes up at once and is the winner; the INVITE branches still pending get CANCEL
 *   (§16.7 step 10). A later 2xx from another INVITE branch is ACKed and ended with BYE here
 *   (§13.2.2.4), a later one to a non-INVITE is dropped ("MUST NOT immediately forward any other
 *   responses").
 * - Other finals are held (a forked INVITE's are ACKed here, §17.1.1.3); a 6xx to an INVITE CANCELs
 *   the pending branches (§16.7 step 5). Once every branch is final, the best goes up (step 6,
 *   routing-outcomes' bestFinal, among the devices' own finals before those made here; a 503
 *   chosen goes up as a 500, a 401 or 407 with the challenges of all of them, step 7).
 * - A branch whose channel closes (or does not take the request) before its final counts as a 503
 *   for that branch (§16.9 and §8.1.3.1).
 * - A CANCEL, ours or the UA's, goes to a branch only after its first provisional (§9.1); a branch
 *   with no final 64*T1 after its CANCEL counts as a 408, with one branch too.
 * - Timer C (§16.6 step 11, §16.8) bounds each branch of a forked INVITE: at its expiry a branch
 *   that sent a provisional is CANCELed, one that sent nothing counts as a 408.
 * - When the UA gives up on its INVITE with nothing received (`uaTimedOut`: Timer B, or a hang-up
 *   before any response), the context goes on for it: what rings later is CANCELed, a late 2xx ACKed and BYEd, nothing goes up.
 * - A 2xx that comes after the UA's CANCEL (it crossed the CANCEL) is ACKed and ended with BYE here
 *   too, and does not go up: the UA ended its session when it CANCELed. The branch's final is a
 *   487 made here instead, so that the UA's INVITE transaction ends (§9.1).
 * - The UA's ACK of a final made here stays here (§17.1.1.3: it is hop by hop).
 */
import type { AppChannel } from '../reload/links/app-channel.js';
import type { Clock, Timer } from '../reload/runtime/components.js';
import { MAX_EARLY_PER_PEER } from './dialog-peers.js';
import { bestFinal } from './routing-outcomes.js';
import { TRANSACTION_LIFETIME_MS } from './sip-timers.js';
import { answerWithWarningMessage, buildAckAndBye, buildCancel, buildNon2xxAck, parseMadeHere, synthesizeResponse, withHeaders, type SipMessage } from './sip-message.js';

/**
 * Timer C (RFC 3261 §16.6 step 11: "The timer MUST be larger than 3 minutes"; §16.7 step 2: a reset
 * value "MUST be greater than 3 minutes"). OUR CHOICE: 3 minutes and 1 second, the least whole
 * second allowed: a caller hears about the devices that did answer as soon as the RFC lets us.
 */
export const DEFAULT_TIMER_C_MS = 181_000;

/** What a response context does outside itself (OverlaySocket). */
export interface ResponseContextActions {
  /** Pass a response up to the UA; `branch` is the channel it came on (none for one made here). */
  up(response: SipMessage, branch?: AppChannel): void;
  /** Send a request on a branch's channel; false when the channel did not take it. */
  send(channel: AppChannel, raw: string): boolean;
  /** A CANCEL of our own was sent (for the socket's counters). */
  cancelled(): void;
  /** Random hex for branches and tags of our own. */
  token(): string;
  /** Domain for the Warning of a response made here (§20.43). */
  readonly domain: string;
  /** The clock of Timer C and of the wait after a CANCEL. */
  readonly clock: Pick<Clock, 'setTimer'>;
}

export interface ResponseContextInit {
  /** Timer C; default DEFAULT_TIMER_C_MS. */
  readonly timerCMs?: number;
}

/** One branch: a device's SIP channel the request went to. */
interface Branch {
  readonly channel: AppChannel;
  /** A provisional response came: a CANCEL may be sent (§9.1). */
  provisional?: boolean;
  final?: number;
  /** A CANCEL was decided for this branch, by us (the responses to it stay here) or by the UA. */
  cancel?: 'ours' | 'ua';
  /** The CANCEL to send at the first provisional (§9.1). */
  waitingCancel?: string;
  /** A CANCEL went out on the branch: its final is awaited for 64*T1 (§9.1). */
  cancelSent?: boolean;
  /** Timer C, or after a CANCEL the wait for the final. */
  timer?: Timer;
  /** The To tags of its provisionals passed up (each an early dialog in the UA): at most MAX_EARLY_PER_PEER. */
  readonly earlyTags: Set<string>;
  offClose: () => void;
}

export class ResponseContext {
  private readonly branches: Branch[];
  private readonly invite: boolean;
  private winner?: Branch;
  /** A final response went up to the UA, or the UA has gone (`uaGone`): nothing more goes up but a winner's 2xx retransmissions. */
  private finalSent = false;
  /** Some response went up to the UA. */
  private wentUp = false;
  /** The UA gave up on its INVITE with nothing received (uaTimedOut): the context acts for it. */
  private uaGone = false;
  /** The UA CANCELed its INVITE (fromUa): a 2xx that comes after is ACKed and BYEd here (success). */
  private uaCancelled = false;
  private readonly finals: SipMessage[] = [];
  /** The finals in `finals` made here (madeHere), not by a device. */
  private readonly madeHereFinals = new Set<SipMessage>();
  private readonly timerCMs: number;

  /** Send `request` to every channel (each a branch). */
  constructor(
    private readonly request: SipMessage,
    channels: readonly AppChannel[],
    private readonly actions: ResponseContextActions,
    init: ResponseContextInit = {},
  ) {
    this.invite = request.method === 'INVITE';
    this.timerCMs = init.timerCMs ?? DEFAULT_TIMER_C_MS;
    this.branches = channels.map((channel) => ({ channel, earlyTags: new Set<string>(), offClose: () => {} }));
    for (const b of this.branches) b.offClose = b.channel.onClose(() => this.transportFailure(b, 'the device\'s SIP channel closed'));
    // RFC 3261 §16.6 step 11: "Timer C MUST be set for each client transaction when an INVITE request is proxied."
    if (this.invite) for (const b of this.branches) this.arm(b, this.timerCMs);
    for (const b of this.branches) {
      // RFC 3261 §16.9: "If the transport layer notifies a proxy of an error when it tries to
      // forward a request ..., the proxy MUST behave as if the forwarded request received a 503".
      if (b.final === undefined && !actions.send(b.channel, request.raw)) this.transportFailure(b, 'the device\'s SIP channel did not take the request');
    }
  }

  private get forked(): boolean {
    return this.branches.length > 1;
  }

  /** An INVITE branch has no final yet: the device may still ring (keep this context). */
  get ringing(): boolean {
    return this.invite && this.branches.some((b) => b.final === undefined);
  }

  /** Stop watching the channels, and the timers. */
  dispose(): void {
    for (const b of this.branches) {
      b.offClose();
      b.timer?.cancel();
    }
  }

  /**
   * The UA gave up on its INVITE with nothing received: its transaction timed out (RFC 3261
   * §17.1.1.2: Timer B, 64*T1, in the Calling state; JsSIP then terminates the session, which it
   * reports as a local CANCELED failure, and drops what comes after), or the user hung up before
   * any response. A device that answers later must not ring a call nobody waits for. From here the
   * context acts for the UA: every branch still pending is CANCELed (after its first provisional,
   * §9.1), a 2xx is ACKed and ended with BYE as for a fork that lost (§13.2.2.4), a non-2xx final
   * ACKed (§17.1.1.3), Timer C bounds even a single branch, and nothing more goes up.
   * Nothing changes when a response went up already (the UA's transaction then left the Calling
   * state, where alone Timer B fires) or the request is not an INVITE (§9.1: no CANCEL for it).
   */
  uaTimedOut(): void {
    if (!this.invite || this.wentUp || this.uaGone) return;
    this.uaGone = true;
    this.finalSent = true;
    this.cancelPending('ours', buildCancel(this.request));
  }

  /** A response that came on `channel`; false when that channel is none of our branches. */
  response(channel: AppChannel, m: SipMessage): boolean {
    const b = this.branches.find((x) => x.channel === channel);
    if (!b) return false;
    if (m.method === 'CANCEL') {
      // The answer to a CANCEL of our own stays here; the UA's goes up.
      if (b.cancel !== 'ours') this.up(m, b.channel);
    } else if (m.status < 200) this.provisional(b, m);
    else if (m.status < 300) this.success(b, m);
    else this.failure(b, m);
    return true;
  }

  /** The UA's ACK or CANCEL of this request. */
  fromUa(m: SipMessage): void {
    if (m.method === 'CANCEL') this.uaCancelled = true;
    // With one branch the UA's own transaction rules hold (it waits for a provisional before its
    // CANCEL, §9.1): both pass through. A CANCEL of the pending branch goes as forked ones do
    // (cancelPending), so that the branch's final is awaited 64*T1 after it (§9.1), not for ever.
    // RFC 3261 §17.1.1.3: the ACK of a non-2xx final goes where the final came from, hop by hop
    // (the ACK of a 2xx has a branch of its own and is not sent here). For a final made here that
    // is here: its device sent none (a 487 made for a 2xx that crossed the UA's CANCEL got its own
    // ACK from us, a 408 or 503 came from no device at all).
    // Unforked, the one final that went up is the branch's: made here when madeHereFinals holds it
    // (forked, every ACK stays here below).
    if (m.method === 'ACK' && this.madeHereFinals.size > 0) return;
    if (!this.forked) {
      const b = this.branches[0]!;
      if (m.method === 'CANCEL' && b.final === undefined && !b.cancel) this.cancelPending('ua', m.raw);
      else this.actions.send(b.channel, m.raw);
      return;
    }
    if (m.method === 'ACK') return; // a forked INVITE's non-2xx finals were ACKed here already
    // RFC 3261 §16.10: "A proxy MUST cancel any pending client transactions associated with a
    // response context when it receives a matching CANCEL request."
    this.cancelPending('ua', m.raw);
  }

  private provisional(b: Branch, m: SipMessage): void {
    b.provisional = true;
    // RFC 3261 §16.7 step 2: "if the response is a provisional response with status codes 101 to
    // 199 inclusive (i.e., anything but 100), the proxy MUST reset timer C for that client transaction".
    if (this.invite && m.status > 100 && b.final === undefined && !b.cancelSent) this.arm(b, this.timerCMs);
    if (b.waitingCancel !== undefined && b.final === undefined) this.sendCancel(b, b.waitingCancel);
    b.waitingCancel = undefined;
    // RFC 3261 §16.7 step 5: "Until a final response has been sent on the server transaction, ...
    // Any provisional response other than 100 (Trying)" is forwarded at once.
    // OUR CHOICE: a 100 too, as the socket always did: with one branch it is the UA's transport,
    // not a proxy hop, and a forked 100 tells the UA no more than a single one.
    if (!this.finalSent && this.earlyDialogAllowed(b, m)) this.up(m, b.channel);
  }

  /**
   * RFC 3261 §12.1: every provisional with a new To tag makes an early dialog, and JsSIP 3.13 keeps
   * each until the INVITE's final (RTCSession._earlyDialogs, UA._dialogs), with no bound.
   * OUR CHOICE: a branch's provisionals go up with at most MAX_EARLY_PER_PEER distinct To tags
   * (DialogPeers' own bound); one with yet another tag is dropped here, one with a tag seen passes.
   * A device rings with one tag, so only a callee that would grow the caller's memory loses any.
   */
  private earlyDialogAllowed(b: Branch, m: SipMessage): boolean {
    if (m.toTag === undefined || b.earlyTags.has(m.toTag)) return true;
    if (b.earlyTags.size >= MAX_EARLY_PER_PEER) return false;
    b.earlyTags.add(m.toTag);
    return true;
  }

  private success(b: Branch, m: SipMessage): void {
    // A 2xx that crossed the UA's CANCEL: JsSIP 3.13 ended the session when it sent the CANCEL
    // (RTCSession.terminate in 1XX_RECEIVED) and drops the 2xx without an ACK. RFC 3261 §13.2.2.4:
    // "The UAC core MUST generate an ACK request for each 2xx received from the transaction layer";
    // §15: the dialog it set up is then ended with BYE. Done here, as for a fork that lost.
    if (!this.finalSent && !this.uaCancelled) {
      // RFC 3261 §16.7 step 5: "Any 2xx response" MUST be forwarded immediately.
      this.winner = b;
      this.settle(b, m.status);
      this.finalSent = true;
      this.up(m, b.channel);
      // §16.7 step 10: "Generate any necessary CANCEL requests" (the first answer wins).
      this.cancelPending('ours', buildCancel(this.request));
    } else if (b === this.winner) {
      this.up(m, b.channel); // a retransmission: the UA ACKs it again
    } else if (this.invite) {
      // §16.7 step 5 would forward it too; the UA would then ACK and BYE it (§13.2.2.4), which we
      // do here, so that the call has one dialog (or none, when the UA has gone).
      for (const r of buildAckAndBye(this.request, m, [this.branch(), this.branch()])) this.actions.send(b.channel, r);
      // OUR CHOICE: for the UA, a branch whose 2xx crossed its CANCEL ended as CANCELed INVITEs do
      // (§9.2: "the UAS SHOULD immediately respond to the INVITE with a 487 (Request Terminated)"):
      // its final is a 487 made here, which goes up once every branch is final (§16.7 step 6), so
      // that the UA's INVITE client transaction, still waiting in Proceeding, ends (JsSIP 3.13
      // would keep it in its transaction table until the UA stops). A retransmission is ACKed again.
      if (this.uaCancelled) this.madeHere(b, 487, 'Request Terminated', 'the device answered as the call was CANCELed: its answer was ended with BYE');
      else this.settle(b, m.status);
    } else {
      // §16.7 step 5: after the final "A stateful proxy MUST NOT immediately forward any other responses".
      if (b.final === undefined) this.settle(b, m.status);
    }
  }

  private failure(b: Branch, m: SipMessage): void {
    // A forked INVITE's non-2xx final is ACKed here, hop by hop (§17.1.1.3); with one branch, by
    // the UA, unless it has gone.
    const acksHere = this.forked || this.uaGone;
    if (this.invite && acksHere) this.actions.send(b.channel, buildNon2xxAck(this.request, m));
    if (b.final !== undefined) {
      if (!acksHere) this.up(m, b.channel); // a retransmission: the UA ACKs it again
      return;
    }
    this.final(b, m);
    // RFC 3261 §16.7 step 5: "If a 6xx response is received, it is not immediately forwarded, but
    // the stateful proxy SHOULD cancel all client pending transactions".
    if (m.status >= 600) this.cancelPending('ours', buildCancel(this.request));
  }

  /**
   * RFC 3261 §8.1.3.1: a fatal transport error "MUST be treated as a 503 (Service Unavailable)
   * status code" (§16.9 for a proxy; §17.1.4): the branch's final, made here. With one branch (no
   * proxy, the UA's own transport failed) it goes up as such, with a Warning saying what happened;
   * forked, a 503 chosen goes up as a 500 (`final`).
   */
  private transportFailure(b: Branch, why: string): void {
    this.madeHere(b, 503, 'Service Unavailable', why);
  }

  /** A final for branch `b` made here (a transport failure, a timeout), with a Warning saying why (§20.43). */
  private madeHere(b: Branch, status: number, reason: string, why: string): void {
    if (b.final !== undefined) return;
    const m = answerWithWarningMessage(this.request, status, reason, this.actions.token(), this.actions.domain, why);
    this.madeHereFinals.add(m);
    this.final(b, m);
  }

  /**
   * A branch's non-2xx final is in: held in the context (§16.7 step 4), and once every branch is
   * final, the best goes up (step 6: "A stateful proxy MUST send a final response ... if no final
   * responses have been immediately forwarded by the above rules and all client transactions in
   * this response context have been terminated").
   */
  private final(b: Branch, m: SipMessage): void {
    this.settle(b, m.status);
    if (this.finalSent) return;
    this.finals.push(m);
    if (this.branches.every((x) => x.final !== undefined)) {
      this.finalSent = true;
      // OUR CHOICE: the devices' own finals are chosen from before those made here (a closed
      // channel's 503, the 408 of Timer C or of the wait after a CANCEL): "Busy Here" from the phone
      // tells the caller more than "Request Timeout" for the laptop that never answered.
      const fromDevices = this.finals.filter((f) => !this.madeHereFinals.has(f));
      const best = bestFinal(fromDevices.length > 0 ? fromDevices : this.finals);
      // §16.7 step 6: "If the only response that was received is a 503, the proxy SHOULD generate a
      // 500 response and forward that upstream" (a 503 upstream would say the proxy itself is out of
      // service). bestFinal picks a 503 only when nothing else of its class came. The Warnings of the
      // 503s go with it: they say why the devices could not be reached.
      if (best.status === 503 && this.forked) {
        const warnings = this.finals.filter((f) => f.status === 503).flatMap((f) => f.headers.filter(([k]) => k === 'warning').map(([, v]) => ['Warning', v] as const));
        this.up(parseMadeHere(synthesizeResponse(this.request, 500, 'Server Internal Error', this.actions.token(), warnings)));
      } else {
        this.up(best.status === 401 || best.status === 407 ? withHeaders(best, this.challenges(best)) : best);
      }
    }
  }

  /**
   * RFC 3261 §16.7 step 7: "If the selected response is a 401 (Unauthorized) or 407 (Proxy
   * Authentication Required), the proxy MUST collect any WWW-Authenticate and Proxy-Authenticate
   * header field values from all other 401 and 407 responses received so far in this response
   * context and add them to this response without modification before forwarding."
   */
  private challenges(best: SipMessage): [string, string][] {
    const names: Readonly<Record<string, string>> = { 'www-authenticate': 'WWW-Authenticate', 'proxy-authenticate': 'Proxy-Authenticate' };
    return this.finals
      .filter((f) => f !== best && (f.status === 401 || f.status === 407))
      .flatMap((f) => f.headers.flatMap(([k, v]): [string, string][] => (names[k] ? [[names[k], v]] : [])));
  }

  private settle(b: Branch, status: number): void {
    b.final = status;
    b.timer?.cancel();
  }

  private up(m: SipMessage, branch?: AppChannel): void {
    this.wentUp = true;
    this.actions.up(m, branch);
  }

  /** (Re)start the branch's timer: Timer C, or the wait for its final after a CANCEL. */
  private arm(b: Branch, ms: number): void {
    b.timer?.cancel();
    b.timer = this.actions.clock.setTimer(ms, () => this.timerFired(b));
  }

  /**
   * RFC 3261 §16.8: "If timer C should fire, the proxy MUST either reset the timer with any value it
   * chooses, or terminate the client transaction. If the client transaction has received a
   * provisional response, the proxy MUST generate a CANCEL request matching that transaction. If
   * the client transaction has not received a provisional response, the proxy MUST behave as if
   * the transaction received a 408 (Request Timeout) response."
   * OUR CHOICE: with one branch and the UA still waiting (it has not CANCELed: a CANCEL, the UA's
   * too, replaces Timer C with the wait below), the timer is reset: the socket is then the UA's
   * transport rather than a proxy, the UA sees the ringing and how long to let it ring is its
   * user's choice. Forked, one device that never answers would hold back the final of the
   * others (a 486 here, a 603 there) until the caller gave up.
   * After a CANCEL, §9.1: "If there is no final response for the original request in 64*T1 seconds
   * ..., the client SHOULD then consider the original transaction cancelled and SHOULD destroy the
   * client transaction": the branch is then final with a 408 (§16.7 step 6 answers a context
   * without finals with a 408).
   */
  private timerFired(b: Branch): void {
    if (b.final !== undefined) return;
    if (b.cancelSent) this.madeHere(b, 408, 'Request Timeout', 'the device did not end the call after its CANCEL');
    else if (!this.forked && !this.uaGone) this.arm(b, this.timerCMs);
    else if (!b.provisional) this.madeHere(b, 408, 'Request Timeout', 'the device did not answer');
    else {
      b.cancel ??= 'ours';
      this.sendCancel(b, buildCancel(this.request));
    }
  }

  /**
   * CANCEL every INVITE branch with no final that is not cancelled yet. RFC 3261 §9.1: "If no
   * provisional response has been received, the CANCEL request MUST NOT be sent; rather, the client
   * MUST wait for the arrival of a provisional response before sending the request."
   */
  private cancelPending(by: 'ours' | 'ua', cancel: string): void {
    if (!this.invite) return; // §9.1: "A CANCEL request SHOULD NOT be sent to cancel a request other than INVITE."
    for (const b of this.branches) {
      if (b.final !== undefined || b.cancel) continue;
      b.cancel = by;
      if (b.provisional) this.sendCancel(b, cancel);
      else b.waitingCancel = cancel;
    }
  }

  private sendCancel(b: Branch, cancel: string): void {
    if (b.cancel === 'ours') this.actions.cancelled();
    this.actions.send(b.channel, cancel);
    b.cancelSent = true;
    // 64*T1 (§9.1, §17.1.1.1), JsSIP's: how long a CANCELed branch may take for its final.
    this.arm(b, TRANSACTION_LIFETIME_MS);
  }

  private branch(): string {
    return `z9hG4bK${this.actions.token()}`;
  }
}
