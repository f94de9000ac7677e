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
 *   routing-outcomes' bestFinal).
 * - A branch whose channel closes (or does not take the request) before its final counts as a 503
 *   for that branch (§16.9 and §8.1.3.1).
 * - A CANCEL, ours or the UA's, goes to a branch only after its first provisional (§9.1).
 */
import type { AppChannel } from '../reload/links/app-channel.js';
import { bestFinal } from './routing-outcomes.js';
import { buildAckAndBye, buildCancel, buildNon2xxAck, parseSipMessage, synthesizeResponse, type SipMessage } from './sip-message.js';

/** What a response context does outside itself (OverlaySocket). */
export interface ResponseContextActions {
  /** Pass a response up to the UA. */
  up(raw: string): void;
  /** Send a request on a branch's channel; false when the channel did not take it. */
  send(channel: AppChannel, raw: string): boolean;
  /** A CANCEL of our own was sent (for the socket's counters). */
  cancelled(): void;
  /** Random hex for branches and tags of our own. */
  token(): string;
  /** Domain for the Warning of a response made here (§20.43). */
  readonly domain: string;
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
  offClose: () => void;
}

export class ResponseContext {
  private readonly branches: Branch[];
  private readonly invite: boolean;
  private winner?: Branch;
  /** A final response went up to the UA. */
  private finalSent = false;
  private readonly finals: SipMessage[] = [];

  /** Send `request` to every channel (each a branch). */
  constructor(
    private readonly request: SipMessage,
    channels: readonly AppChannel[],
    private readonly actions: ResponseContextActions,
  ) {
    this.invite = request.method === 'INVITE';
    this.branches = channels.map((channel) => ({ channel, offClose: () => {} }));
    for (const b of this.branches) b.offClose = b.channel.onClose(() => this.transportFailure(b, 'the device\'s SIP channel closed'));
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

  /** Stop watching the channels. */
  dispose(): void {
    for (const b of this.branches) b.offClose();
  }

  /** A response that came on `channel`; false when that channel is none of our branches. */
  response(channel: AppChannel, m: SipMessage): boolean {
    const b = this.branches.find((x) => x.channel === channel);
    if (!b) return false;
    if (m.method === 'CANCEL') {
      // The answer to a CANCEL of our own stays here; the UA's goes up.
      if (b.cancel !== 'ours') this.actions.up(m.raw);
    } else if (m.status < 200) this.provisional(b, m);
    else if (m.status < 300) this.success(b, m);
    else this.failure(b, m);
    return true;
  }

  /** The UA's ACK or CANCEL of this request. */
  fromUa(m: SipMessage): void {
    // With one branch the UA's own transaction rules hold (it waits for a provisional before its
    // CANCEL, §9.1): both pass through.
    if (!this.forked) {
      this.actions.send(this.branches[0]!.channel, m.raw);
      return;
    }
    if (m.method === 'ACK') return; // a forked INVITE's non-2xx finals were ACKed here already
    // RFC 3261 §16.10: "A proxy MUST cancel any pending client transactions associated with a
    // response context when it receives a matching CANCEL request."
    this.cancelPending('ua', m.raw);
  }

  private provisional(b: Branch, m: SipMessage): void {
    b.provisional = true;
    if (b.waitingCancel !== undefined && b.final === undefined) this.sendCancel(b, b.waitingCancel);
    b.waitingCancel = undefined;
    // RFC 3261 §16.7 step 5: "Until a final response has been sent on the server transaction, ...
    // Any provisional response other than 100 (Trying)" is forwarded at once.
    // OUR CHOICE: a 100 too, as the socket always did: with one branch it is the UA's transport,
    // not a proxy hop, and a forked 100 tells the UA no more than a single one.
    if (!this.finalSent) this.actions.up(m.raw);
  }

  private success(b: Branch, m: SipMessage): void {
    if (!this.finalSent) {
      // RFC 3261 §16.7 step 5: "Any 2xx response" MUST be forwarded immediately.
      this.winner = b;
      b.final = m.status;
      this.finalSent = true;
      this.actions.up(m.raw);
      // §16.7 step 10: "Generate any necessary CANCEL requests" (the first answer wins).
      this.cancelPending('ours', buildCancel(this.request));
    } else if (b === this.winner) {
      this.actions.up(m.raw); // a retransmission: the UA ACKs it again
    } else if (this.invite) {
      // §16.7 step 5 would forward it too; the UA would then ACK and BYE it (§13.2.2.4), which we
      // do here, so that the call has one dialog.
      b.final = m.status;
      for (const r of buildAckAndBye(this.request, m, [this.branch(), this.branch()])) this.actions.send(b.channel, r);
    } else {
      // §16.7 step 5: after the final "A stateful proxy MUST NOT immediately forward any other responses".
      b.final ??= m.status;
    }
  }

  private failure(b: Branch, m: SipMessage): void {
    // A forked INVITE's non-2xx final is ACKed here, hop by hop (§17.1.1.3); with one branch, by the UA.
    if (this.invite && this.forked) this.actions.send(b.channel, buildNon2xxAck(this.request, m));
    if (b.final !== undefined) {
      if (!this.forked) this.actions.up(m.raw); // a retransmission: the UA ACKs it again
      return;
    }
    this.final(b, m);
    // RFC 3261 §16.7 step 5: "If a 6xx response is received, it is not immediately forwarded, but
    // the stateful proxy SHOULD cancel all client pending transactions".
    if (m.status >= 600) this.cancelPending('ours', buildCancel(this.request));
  }

  /**
   * RFC 3261 §8.1.3.1: a fatal transport error "MUST be treated as a 503 (Service Unavailable)
   * status code" (§16.9 for a proxy; §17.1.4): the branch's final, made here.
   * OUR CHOICE: a 503 chosen as the best goes up as such, not as the 500 of §16.7 step 6 ("If the
   * only response that was received is a 503, the proxy SHOULD generate a 500"): that rule keeps an
   * upstream element from taking the proxy for overloaded; our upstream is the UA of this tab,
   * which does not, and the 503 with its Warning says what happened.
   */
  private transportFailure(b: Branch, why: string): void {
    if (b.final !== undefined) return;
    const raw = synthesizeResponse(this.request, 503, 'Service Unavailable', this.actions.token(), [['Warning', `399 ${this.actions.domain} "${why}"`]]);
    this.final(b, parseSipMessage(raw)!);
  }

  /**
   * A branch's non-2xx final is in: held in the context (§16.7 step 4), and once every branch is
   * final, the best goes up (step 6: "A stateful proxy MUST send a final response ... if no final
   * responses have been immediately forwarded by the above rules and all client transactions in
   * this response context have been terminated").
   */
  private final(b: Branch, m: SipMessage): void {
    b.final = m.status;
    if (this.finalSent) return;
    this.finals.push(m);
    if (this.branches.every((x) => x.final !== undefined)) {
      this.finalSent = true;
      this.actions.up(bestFinal(this.finals).raw);
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
  }

  private branch(): string {
    return `z9hG4bK${this.actions.token()}`;
  }
}
