/**
 * The requests that come in on OverlaySocket's SIP channels, and who may send them:
 * - a request that starts a dialog or stands alone must come From the AoR of the certificate
 *   behind its channel (`fromVerified`, answered 403 otherwise);
 * - ACK, CANCEL and a request within a dialog must come from the peer (Node-ID) of their
 *   transaction or dialog (`fromItsPeer` and DialogPeers, answered 481 or 482 otherwise);
 * - a new INVITE must not take the Call-ID and From tag of another peer's call (`notAnotherPeersCall`,
 *   answered 482 otherwise);
 * - each request's server transaction (RFC 3261 §17.2) keeps the channel it came on, where the
 *   UA's responses go back (§18.2.2), and the dialogs those responses set up are bound to its peer;
 *   a retransmission of a request answered gets its final again (§17.2.1, §17.2.2, `resentFinal`);
 * - a NOTIFY must carry Event (`wellFormed`, answered 400 otherwise: JsSIP throws on one without).
 * A refused request never reaches the UA; the answer made here carries a Warning saying why (§20.43).
 */
import { nodeIdKey } from '../reload/forwarding/index.js';
import type { AppAttachService, AppChannel } from '../reload/overlay/index.js';
import type { Clock, Logger, Random, Timer } from '../reload/runtime/components.js';
import { toHex } from '../reload/wire/codec/hex.js';
import { aorResourceName } from '../usages/sip/index.js';
import { DialogPeers, dialogEndingStatus, withinDialog } from './dialog-peers.js';
import { TRANSACTION_LIFETIME_MS } from './sip-timers.js';
import { answerWithWarning, buildCancel, type SipMessage } from './sip-message.js';

export interface InboundRequestsDeps {
  readonly apps: Pick<AppAttachService, 'verifiedUser'>;
  readonly clock: Clock;
  readonly random: Pick<Random, 'bytes'>;
  readonly logger: Logger;
}

export interface InboundRequestsInit {
  /** Domain for the Warning of an answer made here. */
  readonly domain: string;
}

/**
 * OUR CHOICE: INVITEs of one peer the UA has not answered yet, kept at most; the next is answered
 * 486 Busy Here here (RFC 3261 §21.4.24: "not willing or able to take additional calls"). An
 * unanswered INVITE is kept while its channel is open (keep), which assumes the UA answers every
 * INVITE, and JsSIP does not always: one with Replaces (RFC 3891) naming a call waits for the
 * app's decision (RTCSession 'replaces'; Phone rejects it), and a branch resent on a new channel
 * finds JsSIP's transaction answered already. A peer rings a tab with a call or two at a time.
 */
export const MAX_UNANSWERED_INVITES_PER_PEER = 8;

/** A request that came in, kept for its transaction's lifetime: its responses go back on `channel`. */
interface ServerTx {
  readonly channel: AppChannel;
  readonly method: string;
  /**
   * The request that created it: a CANCEL or ACK of it repeats its Call-ID, From tag and CSeq
   * number (sameRequest), and channelClosed CANCELs an INVITE from it.
   */
  readonly request: SipMessage;
  /** The request was within a dialog (withinDialog): a 481 or 408 to it ends the dialog (DialogPeers.failed). */
  readonly inDialog: boolean;
  /** The final response sent (the UA's, or OverlaySocket's 500): its status and To tag (responding), and its text (resentFinal). */
  final?: SipMessage;
  timer?: Timer;
}

export class InboundRequests {
  /** By serverTxKey: a CANCEL has its own transaction, with the branch of the INVITE it cancels (RFC 3261 §9.2). */
  private readonly serverTx = new Map<string, ServerTx>();
  private readonly dialogs: DialogPeers;

  constructor(
    private readonly deps: InboundRequestsDeps,
    private readonly init: InboundRequestsInit,
  ) {
    this.dialogs = new DialogPeers(deps.clock, TRANSACTION_LIFETIME_MS);
  }

  /** Request `m` came in on `ch`: true when it may go up to the UA (its transaction is then kept); false when refused here. */
  admit(ch: AppChannel, m: SipMessage): boolean {
    if (!this.fromVerified(ch, m) || !this.fromItsPeer(ch, m) || !this.notAnotherPeersCall(ch, m) || !this.wellFormed(ch, m)) return false;
    const k = serverTxKey(m.branch, m.method);
    const old = this.serverTx.get(k);
    // RFC 3261 §17.2.3 (serverTxKey): a request matches a transaction only with its method (an
    // ACK's is INVITE's). A retransmission, on the same channel, keeps its transaction; otherwise
    // this request's is kept.
    const resent = old?.channel === ch && old.method === (m.method === 'ACK' ? 'INVITE' : m.method);
    if (resent && this.resentFinal(old, m)) return false;
    if (m.method !== 'ACK' && !resent) {
      if (m.method === 'INVITE' && this.unansweredInvites(ch, old) >= MAX_UNANSWERED_INVITES_PER_PEER) {
        this.deps.logger.warn('too many INVITEs of one peer not answered yet: refused', { callId: m.callId });
        this.refuse(ch, m, 486, 'Busy Here', 'too many calls from this peer not answered yet');
        return false;
      }
      old?.timer?.cancel();
      const tx: ServerTx = { channel: ch, method: m.method, request: m, inDialog: withinDialog(m) };
      this.serverTx.set(k, tx);
      this.keep(k, tx);
    }
    // After the checks above: a BYE or final NOTIFY another peer sent into the dialog was refused
    // there and ends nothing.
    this.dialogs.request(m, 'uas');
    return true;
  }

  /** Whether request `m` came in here (its transaction is kept) and no final response has been sent to it yet. */
  awaitsFinal(m: SipMessage): boolean {
    const tx = this.serverTx.get(serverTxKey(m.branch, m.method));
    return tx !== undefined && !tx.final;
  }

  /**
   * Response `m` (the UA's, or one OverlaySocket makes for it) is to go out: the channel its request
   * came on (undefined when none is kept, or when `m` may not go); a dialog it sets up is bound to
   * that peer. A final ends the request's early dialogs even when its transaction is no longer kept
   * (its channel closed while the phone rang, and the UA answered later).
   * RFC 3261 §17.2.1, §17.2.2: a server transaction sends one final response, and nothing else
   * after it but that final again (a retransmission; the UA core's resent 2xx, §13.3.1.4). Any other
   * response once a final went is dropped here: after the socket's 500 for a request the UA threw on
   * (OverlaySocket.up), JsSIP's own transaction and session may still answer it (RTCSession.init_incoming
   * starts its no-answer and Expires timers before it emits newRTCSession).
   */
  responding(m: SipMessage): AppChannel | undefined {
    const k = serverTxKey(m.branch, m.method);
    const tx = this.serverTx.get(k);
    if (tx?.final && !(m.status === tx.final.status && m.toTag === tx.final.toTag)) {
      this.deps.logger.warn('a response after the final of its transaction: dropped', { status: m.status, final: tx.final.status, method: m.method, callId: m.callId });
      return undefined;
    }
    this.dialogs.response(m, 'uas', tx?.channel.remoteNodeId);
    if (!tx) return undefined;
    if (tx.inDialog && dialogEndingStatus(m.status)) this.dialogs.failed(m, 'uas');
    if (m.status >= 200 && !tx.final) {
      tx.final = m;
      this.keep(k, tx);
    }
    return tx.channel;
  }

  /**
   * Response `m` went up to the UA, from the device at the end of `branch` (none for one made by
   * the socket): the dialog it sets up, confirms or ends (DialogPeers.response).
   */
  responseUp(m: SipMessage, branch: AppChannel | undefined): void {
    this.dialogs.response(m, 'uac', branch?.remoteNodeId);
  }

  /**
   * The UA's `request` was answered `status` (a response to it, not to a CANCEL of it, went up): a
   * 481 or 408 to a request within a dialog ends that dialog (DialogPeers.failed).
   */
  requestAnswered(request: SipMessage, status: number): void {
    if (withinDialog(request) && dialogEndingStatus(status)) this.dialogs.failed(request, 'uac');
  }

  /** The UA's transaction for its `request` timed out with no final (RFC 3261 §8.1.3.1: as a 408): the dialog it was within ends (DialogPeers.failed). */
  requestTimedOut(request: SipMessage): void {
    this.requestAnswered(request, 408);
  }

  /** The UA sent request `m`: the dialog it ends (a BYE, or a final NOTIFY as the notifier; DialogPeers.request). */
  requestSent(m: SipMessage): void {
    this.dialogs.request(m, 'uac');
  }

  /**
   * SIP channel `ch` closed: a CANCEL for the UA (RFC 3261 §9.1, built as its caller would: the
   * INVITE's Request-URI, top Via with its branch, Call-ID, From, To and CSeq number) of each
   * INVITE that came in on it and has no final yet. Its caller has gone (its tab closed, its link
   * dropped; its own socket counts its INVITE as failed, a 503) and no answer could reach it, so
   * the call stops ringing now (JsSIP ends it as Canceled) rather than at JsSIP's no-answer timeout
   * (60 s), only for an answer to fail then. The UA's 200 to the CANCEL and 487 to the INVITE have
   * no open channel to go on and are dropped (responding, OverlaySocket.sendResponse).
   */
  channelClosed(ch: AppChannel): string[] {
    const cancels: string[] = [];
    for (const tx of this.serverTx.values()) if (tx.channel === ch && tx.method === 'INVITE' && !tx.final) cancels.push(buildCancel(tx.request));
    return cancels;
  }

  close(): void {
    for (const t of this.serverTx.values()) t.timer?.cancel();
    this.serverTx.clear();
    this.dialogs.clear();
  }

  /**
   * Keep `tx` 64*T1 (RFC 3261 §17.2.1, §13.3.1.4: the retransmissions of its final, and the ACK),
   * counted from its final once the UA sent it. An INVITE not answered yet is kept on while its
   * channel is open: the callee may let it ring longer than that (JsSIP's no_answer_timeout is 60 s),
   * and its final must still go back to the caller.
   */
  private keep(k: string, tx: ServerTx): void {
    tx.timer?.cancel();
    tx.timer = this.deps.clock.setTimer(TRANSACTION_LIFETIME_MS, () => {
      if (this.serverTx.get(k) !== tx) return;
      if (tx.method === 'INVITE' && !tx.final && tx.channel.state === 'open') this.keep(k, tx);
      else this.serverTx.delete(k);
    });
  }

  /**
   * Request `m` is a retransmission on the channel of `tx`: its final, when it has one to send
   * again, is sent here, and the request goes no further. RFC 3261 §17.2.2: "While in the
   * "Completed" state, the server transaction MUST pass the final response to the transport layer
   * for retransmission whenever a retransmission of the request is received"; §17.2.1, an INVITE's
   * non-2xx: "while in the "Completed" state, if a request retransmission is received, the server
   * SHOULD pass the response to the transport for retransmission". The final may be the socket's
   * own 500 (OverlaySocket.up), which JsSIP's transaction never sent: it would absorb the request
   * (a non-INVITE one still in Trying) or resend its 100. JsSIP 3.13 also absorbs the retransmission
   * of an INVITE it answered non-2xx (Transactions.checkTransaction resends only in Proceeding).
   * An INVITE answered 2xx goes on to the UA, which absorbs it (RFC 6026 §7.1; the UA core resends
   * the 2xx itself, §13.3.1.4). An ACK is never answered (§17.1.1.3).
   * OUR CHOICE: JsSIP never retransmits a request (it has no Timer A or E) and our channels are
   * reliable, but RFC 7904 §5.1 lets a peer send "plain or (D)TLS-encrypted SIP messages over the
   * connection as in normal SIP", over DTLS an unreliable transport, where a client transaction
   * retransmits (§17.1.1.2, §17.1.2.2).
   */
  private resentFinal(tx: ServerTx, m: SipMessage): boolean {
    if (m.method === 'ACK' || !tx.final || (tx.method === 'INVITE' && tx.final.status < 300)) return false;
    tx.channel.send(tx.final.raw);
    return true;
  }

  /** INVITEs from the peer of `ch` not answered yet, other than `replaced` (the one a new one takes the place of). */
  private unansweredInvites(ch: AppChannel, replaced: ServerTx | undefined): number {
    const peer = nodeIdKey(ch.remoteNodeId);
    let n = 0;
    for (const tx of this.serverTx.values()) {
      if (tx !== replaced && tx.method === 'INVITE' && !tx.final && nodeIdKey(tx.channel.remoteNodeId) === peer) n++;
    }
    return n;
  }

  /**
   * Caller ID that cannot be forged: a request that starts a dialog or stands alone must come From
   * the AoR of the certificate behind its channel (the user name verified on the signed AppAttach,
   * RFC 6940 §6.3.4; RFC 7904 §3.3 binds AoR and user name). Otherwise it is answered 403 here and
   * the UA never sees it. From and To are the ones JsSIP reads (parseSipMessage uses its grammar
   * and drops a message with two of either), so what is checked here is what the UA shows.
   * A channel whose certificate user is not known (no AppAttach with its peer seen: RFC 7904 §5.1
   * sets every SIP connection up "using the AppAttach method") vouches for no From: refused too.
   */
  private fromVerified(ch: AppChannel, m: SipMessage): boolean {
    // ACK and CANCEL, and requests within a dialog (a MESSAGE or OPTIONS with a To tag is not, see
    // withinDialog), are checked against the peer of their transaction or dialog (fromItsPeer).
    if (m.method === 'ACK' || m.method === 'CANCEL' || withinDialog(m)) return true;
    const user = this.deps.apps.verifiedUser(ch.remoteNodeId);
    if (user === undefined) {
      this.deps.logger.warn('request on a channel whose certificate user is not known: refused', { from: m.fromUri });
      this.refuse(ch, m, 403, 'Forbidden', 'no AppAttach with this peer: its certificate user is not known');
      return false;
    }
    let from: string | undefined;
    try {
      from = aorResourceName(m.fromUri);
    } catch {
      from = undefined;
    }
    if (from === user.toLowerCase()) return true;
    this.deps.logger.warn('request From another user than the channel\'s certificate: refused', { from: m.fromUri, certificate: user });
    this.refuse(ch, m, 403, 'Forbidden', `From is not the certificate user ${user}`);
    return false;
  }

  /**
   * A request within a transaction or a dialog must come from the peer it belongs to: JsSIP matches
   * a request to its server transaction by the branch alone (Transactions.checkTransaction) and to
   * its dialog by Call-ID and tags alone, so a peer that learnt them could otherwise CANCEL, end or
   * change someone else's call, or take over its transaction's responses, over its own channel.
   * Refused requests are answered 481 Call/Transaction Does Not Exist, not 403: a dialog here is one
   * with a peer (its remote target is that peer's GRUU, RFC 7904 §6), so a request from another
   * Node-ID matches no dialog or transaction it may use. RFC 3261 §12.2.2: "If the UAS receives a
   * request with a To tag that doesn't match any existing dialog, ... [it] SHOULD respond to the
   * request with a 481"; §9.2: "If the UAS did not find a matching transaction for the CANCEL ...,
   * it SHOULD respond to the CANCEL with a 481". A 481 also does not tell the sender that the call
   * it named exists. A request within a dialog we do not know is refused the same way (JsSIP would
   * answer it 481 too, but its lookup would also take swapped tags, or a Call-ID that runs into a tag).
   * A CANCEL or ACK on a transaction's branch must also name that transaction's request (sameRequest):
   * JsSIP checks the branch, then gives a CANCEL to the session of the CANCEL's own Call-ID and From
   * tag (UA._findSession), and an ACK to the dialog of its own Call-ID and tags, so a peer could
   * otherwise CANCEL or ACK another peer's call on the branch of its own INVITE.
   */
  private fromItsPeer(ch: AppChannel, m: SipMessage): boolean {
    const peer = nodeIdKey(ch.remoteNodeId);
    /** The transaction with this request's branch (any method but CANCEL). */
    const tx = this.serverTx.get(m.branch);
    const txPeer = tx && nodeIdKey(tx.channel.remoteNodeId);
    if (m.method === 'ACK') {
      // §17.2.1: the ACK of a non-2xx final has the INVITE's branch; §13.2.2.4: that of a 2xx is
      // within the dialog. An ACK is never answered (§17.1.1.3): a stranger's is dropped.
      if (tx?.method === 'INVITE' ? txPeer === peer && sameRequest(tx, m) : this.dialogs.peerOf(m) === peer) return true;
      this.deps.logger.warn('an ACK from another peer than its transaction\'s or dialog\'s: dropped', { callId: m.callId });
      return false;
    }
    if (tx && txPeer !== peer) {
      // OUR CHOICE: a request other than CANCEL with the branch of another peer's transaction gets
      // 482, the answer of §8.2.2.2 for a request that matches an ongoing transaction's identifiers
      // but not the transaction (its peer, as §17.2.3's sent-by): JsSIP would take it for that
      // transaction's retransmission, and the transaction's responses would go to its sender.
      this.deps.logger.warn('a request with the branch of another peer\'s transaction: refused', { method: m.method, callId: m.callId });
      if (m.method === 'CANCEL') this.refuse(ch, m, 481, 'Call/Transaction Does Not Exist', 'no such transaction with this peer');
      else this.refuse(ch, m, 482, 'Loop Detected', 'the branch is another peer\'s transaction');
      return false;
    }
    if (m.method === 'CANCEL' && tx && !sameRequest(tx, m)) {
      this.deps.logger.warn('a CANCEL on the branch of another request than the one it names: refused', { callId: m.callId });
      this.refuse(ch, m, 481, 'Call/Transaction Does Not Exist', 'no such transaction with this Call-ID, From tag and CSeq');
      return false;
    }
    if (m.method === 'CANCEL' || !withinDialog(m) || this.dialogs.peerOf(m) === peer) return true;
    this.deps.logger.warn('a request within a dialog not with this peer: refused', { method: m.method, callId: m.callId });
    this.refuse(ch, m, 481, 'Call/Transaction Does Not Exist', 'no such dialog with this peer');
    return false;
  }

  /**
   * An INVITE outside a dialog must not take the Call-ID and From tag of another peer's call: JsSIP
   * keys its call (RTCSession) by them, so the second INVITE's session would take the first's place
   * in the UA, and the first caller's CANCEL or BYE would then reach it. JsSIP's own merged-request
   * check (sanityCheck rfc3261_8_2_2_2) compares the CSeq too, which the second sender need not
   * repeat. RFC 3261 §8.2.2.2: "If the From tag, Call-ID, and CSeq exactly match those associated
   * with an ongoing transaction, but the request does not match that transaction (based on the
   * matching rules in Section 17.2.3), the UAS core SHOULD generate a 482 (Loop Detected) response".
   * OUR CHOICE: 482, as for a merged request, for an INVITE whose Call-ID and From tag (any CSeq)
   * are those of another peer's INVITE server transaction or INVITE dialog; not 403, since its From
   * is its sender's own. The same peer's is left to JsSIP (a retransmission, or a merged request).
   */
  private notAnotherPeersCall(ch: AppChannel, m: SipMessage): boolean {
    if (m.method !== 'INVITE' || m.toTag !== undefined) return true;
    const peer = nodeIdKey(ch.remoteNodeId);
    if (!this.anotherPeersInvite(m, peer) && !this.dialogs.anotherPeersCall(m.callId, m.fromTag, peer)) return true;
    this.deps.logger.warn('an INVITE with the Call-ID and From tag of another peer\'s call: refused', { callId: m.callId });
    this.refuse(ch, m, 482, 'Loop Detected', 'the Call-ID and From tag are another peer\'s call');
    return false;
  }

  /** An INVITE server transaction of another peer than `peer` has `m`'s Call-ID and From tag. */
  private anotherPeersInvite(m: SipMessage, peer: string): boolean {
    for (const tx of this.serverTx.values()) if (tx.method === 'INVITE' && sameCall(tx.request, m) && nodeIdKey(tx.channel.remoteNodeId) !== peer) return true;
    return false;
  }

  /**
   * RFC 6665 §7.2 (its header table marks Event mandatory in NOTIFY) and §8.2.1: a NOTIFY without
   * Event is answered 400 here. JsSIP 3.13 (RTCSession._receiveNotify) replies 400 to one within a
   * call but does not return, then reads `request.event.event` and throws: any peer with a call
   * could make the UA throw at will. OverlaySocket also catches what the UA throws (OverlaySocket.up).
   */
  private wellFormed(ch: AppChannel, m: SipMessage): boolean {
    if (m.method !== 'NOTIFY' || m.headers.some(([k]) => k === 'event')) return true;
    this.deps.logger.warn('a NOTIFY without Event: refused', { callId: m.callId });
    this.refuse(ch, m, 400, 'Missing Event header', 'a NOTIFY must carry an Event header (RFC 6665 section 7.2)');
    return false;
  }

  /** Answer request `m` on `ch` here, with a Warning saying why (RFC 3261 §20.43). */
  private refuse(ch: AppChannel, m: SipMessage, status: number, reason: string, why: string): void {
    ch.send(answerWithWarning(m, status, reason, toHex(this.deps.random.bytes(5)), this.init.domain, why));
  }
}

/**
 * Whether CANCEL or ACK `m` names the request of `tx`, the transaction its branch matched. RFC 3261
 * §9.1: "The Request-URI, Call-ID, To, the numeric part of CSeq, and From header fields in the
 * CANCEL request MUST be identical to those in the request being cancelled, including tags";
 * §17.1.1.3 builds the ACK of a non-2xx the same way. OUR CHOICE: Call-ID, From tag and CSeq number
 * are checked (JsSIP finds the session by Call-ID and From tag); a mismatch matches no transaction
 * (§9.2: a CANCEL that matches none is answered 481).
 */
function sameRequest(tx: ServerTx, m: SipMessage): boolean {
  return sameCall(tx.request, m) && tx.request.cseq === m.cseq;
}

/** The same Call-ID and From tag: the call JsSIP finds a request's session by. */
function sameCall(a: SipMessage, b: SipMessage): boolean {
  return a.callId === b.callId && a.fromTag === b.fromTag;
}

/** A server transaction's key: its branch, with the method for a CANCEL (RFC 3261 §17.2.3: "the method of the request matches the one that created the transaction, except for ACK, where the method of the request that created the transaction is INVITE"). */
function serverTxKey(branch: string, method: string): string {
  return method === 'CANCEL' ? `${branch} CANCEL` : branch;
}
