/**
 * The peer of each dialog (RFC 3261 §12) the UA has over OverlaySocket: the Node-ID at the other
 * end of the SIP channel the dialog was set up over, so that a request within the dialog is taken
 * from that peer only. JsSIP finds a dialog by Call-ID and tags alone (UA._findDialog, either tag
 * order, concatenated without a separator), so anyone who learnt them (a device the INVITE was
 * forked to knows the Call-ID and the caller's tag) could otherwise end or change someone else's
 * call over its own verified channel.
 *
 * A dialog is known from the response that sets it up, keyed by Call-ID, local tag and remote tag:
 * - UAC: a 101-299 response with a To tag to a dialog-creating request we sent, as it goes up to
 *   the UA (early dialog at a provisional, confirmed at the 2xx; §12.1.2), bound to the branch it
 *   came on;
 * - UAS: the UA's 101-299 response with a To tag to such a request that came in, bound to the
 *   channel the request came on (§12.1.1).
 * An early dialog ends when the request gets a final that does not confirm it (§12.3: a non-2xx
 * final, or a 2xx of another fork); any dialog ends with a BYE either way (§15), and a dialog a
 * SUBSCRIBE set up with the notifier's final NOTIFY (RFC 6665 §4.4.1), whether the notifier is the
 * peer (we subscribed) or us; a final NOTIFY from the subscriber ends nothing. A dialog also ends
 * when a request within it fails with 481 or 408, or gets no final at all (§12.2.1.2; `failed`).
 * Each ends after that request's transaction lifetime (64*T1), so its retransmissions are still taken.
 *
 * The Phone neither subscribes (no ua.subscribe) nor takes subscriptions today (it registers no
 * newSubscribe listener, so JsSIP answers every SUBSCRIBE 405): the subscription rules guard the
 * socket for any JsSIP UA on it (OverlaySocket is a general JsSIP Socket), not a flow the Phone has.
 */
import { nodeIdKey } from '../reload/forwarding/index.js';
import type { Clock } from '../reload/runtime/components.js';
import type { NodeId } from '../reload/wire/ids.js';
import { subscriptionState, type SipMessage } from './sip-message.js';

/**
 * Methods whose 1xx/2xx set up a dialog in JsSIP: INVITE (§12.1) and SUBSCRIBE (RFC 6665 §4.1.2.4;
 * JsSIP's Subscriber makes its dialog at the 2xx only, and answers a NOTIFY before it with 481).
 */
type Usage = 'INVITE' | 'SUBSCRIBE';

function usageOf(method: string): Usage | undefined {
  return method === 'INVITE' || method === 'SUBSCRIBE' ? method : undefined;
}

/** RFC 3261 §12.2.1.2: the final responses to a request within a dialog that end the dialog (DialogPeers.failed). */
export function dialogEndingStatus(status: number): boolean {
  return status === 481 || status === 408;
}

/** Methods of a subscription (RFC 6665; a REFER's, RFC 3515): within a call, of the REFER's subscription (DialogPeers.failed). */
const SUBSCRIPTION_METHODS: ReadonlySet<string> = new Set(['SUBSCRIBE', 'NOTIFY', 'REFER']);

/**
 * OUR CHOICE: dialogs kept at most. A dialog whose peer vanished without a BYE or final NOTIFY
 * (its tab closed), or a subscription that ended otherwise (JsSIP's Notifier also ends one at an
 * unsubscribe, sending no final NOTIFY unless the app does, and at a NOTIFY answered with a failure
 * other than 481 or 408; its Subscriber at a NOTIFY it finds malformed, and at a refresh SUBSCRIBE
 * answered with any other failure >= 300, Subscriber._receiveSubscribeResponse), is kept until
 * pushed out; a tab has a handful of calls. A dialog pushed out has its later requests refused
 * (481), and a confirmed call whose peer then gets 481 to its BYE, re-INVITE or session refresh
 * ends on that side only: so when the table is full, an ending dialog goes first, then the oldest
 * early one, and a confirmed dialog only for another confirmed one (a 2xx: a call answered here or
 * by the callee), never for an early one.
 */
const MAX_DIALOGS = 256;

/**
 * OUR CHOICE: early dialogs kept per peer. Every 18x with a new To tag makes one (§12.1: a callee
 * may fork, or send 180s with any tags), and JsSIP sends a 180 for every INVITE that comes in, so
 * one peer could otherwise fill the table with early dialogs; beyond this its oldest early one
 * goes. A call has one early dialog per device that rings it, and maxForks (8) devices at most.
 * ResponseContext passes up the provisionals of at most this many To tags per branch (JsSIP keeps
 * an early dialog per tag until the INVITE's final).
 */
export const MAX_EARLY_PER_PEER = 16;

interface DialogPeer {
  readonly peer: string;
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /**
   * The method whose response set it up: INVITE or SUBSCRIBE. JsSIP gives each dialog one owner
   * (an RTCSession or a Subscriber/Notifier), so this is its only usage: a REFER's subscription
   * (RFC 3515) shares the call's dialog, and neither its final NOTIFY (request) nor its failure
   * (failed) ends the call.
   */
  readonly usage: Usage;
  /**
   * Our side of the request that set it up: 'uac' when the UA sent it, 'uas' when it came in. For
   * a SUBSCRIBE, 'uac' makes us the subscriber and the peer the notifier (RFC 6665 §4.1, §4.2).
   */
  readonly side: 'uac' | 'uas';
  /** A 2xx set it up (not just an early dialog). */
  confirmed: boolean;
  ending: boolean;
}

/**
 * RFC 3261 §12.2.2: "Requests that do not change in any way the state of a dialog may be received
 * within a dialog (for example, an OPTIONS request). They are processed as if they had been
 * received outside the dialog." JsSIP (UA.receiveRequest) does so for MESSAGE and OPTIONS even
 * with a To tag: they are checked as requests outside a dialog (OverlaySocket.fromVerified).
 * ACK and CANCEL belong to a transaction, and are checked against it first.
 */
export function withinDialog(m: SipMessage): boolean {
  return m.toTag !== undefined && m.method !== 'MESSAGE' && m.method !== 'OPTIONS';
}

export class DialogPeers {
  private readonly dialogs = new Map<string, DialogPeer>();

  constructor(
    private readonly clock: Pick<Clock, 'setTimer'>,
    /** 64*T1 (RFC 3261 §17): how long the retransmissions of the BYE or final NOTIFY that ends a dialog may come. */
    private readonly lifetimeMs: number,
  ) {}

  /** The Node-ID key of the peer of the dialog incoming request `m` is within; undefined when none is known. */
  peerOf(m: SipMessage): string | undefined {
    const k = dialogKey(m, 'uas');
    return k === undefined ? undefined : this.dialogs.get(k)?.peer;
  }

  /**
   * Whether an INVITE dialog of another peer than `peer` (a Node-ID key) has Call-ID `callId` and,
   * as the From tag of the INVITE that set it up, `fromTag`: the remote tag of one whose INVITE
   * came in, our own of one we sent. JsSIP keys the call (RTCSession) by those two.
   */
  anotherPeersCall(callId: string, fromTag: string | undefined, peer: string): boolean {
    for (const d of this.dialogs.values()) {
      if (d.usage === 'INVITE' && d.callId === callId && (d.side === 'uas' ? d.remoteTag : d.localTag) === fromTag && d.peer !== peer) return true;
    }
    return false;
  }

  /**
   * Response `m` went up to the UA (`side` 'uac', from `peer`) or was sent by it on the channel of
   * its request (`side` 'uas', to `peer`): the dialog it sets up, confirms or ends.
   */
  response(m: SipMessage, side: 'uac' | 'uas', peer: NodeId | undefined): void {
    const usage = usageOf(m.method);
    const { localTag, remoteTag } = tags(m, side);
    if (usage === undefined || m.fromTag === undefined || localTag === undefined) return;
    const k = dialogKey(m, side);
    if (m.status > 100 && m.status < 300 && k !== undefined && remoteTag !== undefined && peer) {
      this.bind(k, { peer: nodeIdKey(peer), callId: m.callId, localTag, remoteTag, usage, side, confirmed: m.status >= 200, ending: false });
    }
    if (m.status < 200) return;
    // §12.3 / §13.2.2.4: the final of the request ends its early dialogs but the one it confirms.
    for (const [k, d] of this.dialogs) {
      if (d.callId === m.callId && d.localTag === localTag && !d.confirmed) this.end(k);
    }
  }

  /**
   * A request within a dialog, sent by the UA (`side` 'uac') or taken in ('uas') once it passed
   * the checks of its peer: the dialog it ends. A BYE ends its dialog (§15). A final NOTIFY from
   * the notifier ends the dialog of a subscription, RFC 6665 §4.4.1: "A subscription is destroyed
   * after a notifier sends a NOTIFY request with a "Subscription-State" of "terminated"", and "If
   * a subscription's destruction leaves no other application state associated with the dialog,
   * the dialog terminates." The notifier is the side that took the SUBSCRIBE in: a NOTIFY going
   * the way the SUBSCRIBE went comes from the subscriber (JsSIP's Notifier answers it 405 and
   * keeps the subscription), and ends nothing.
   */
  request(m: SipMessage, side: 'uac' | 'uas'): void {
    const ends = m.method === 'BYE' || (m.method === 'NOTIFY' && subscriptionState(m) === 'terminated');
    const k = dialogKey(m, side);
    if (!ends || k === undefined) return;
    const d = this.dialogs.get(k);
    if (m.method === 'NOTIFY' && (d?.usage !== 'SUBSCRIBE' || d.side === side)) return;
    this.end(k);
  }

  /**
   * Request `m` within a dialog (withinDialog), sent by the UA (`side` 'uac') or taken in ('uas'),
   * failed: it was answered 481 or 408 (dialogEndingStatus), or the UA's transaction for it timed
   * out with no final. RFC 3261 §12.2.1.2: "If the response for a request within a dialog is a 481
   * (Call/Transaction Does Not Exist) or a 408 (Request Timeout), the UAC SHOULD terminate the
   * dialog. A UAC SHOULD also terminate a dialog if no response at all is received for the
   * request". JsSIP does (Dialog/RequestSender.js onDialogError, onRequestTimeout): an RTCSession
   * ends its call (with a BYE), a Subscriber or Notifier its subscription (with no request at all).
   * When our UA answered a peer's request so, the peer ends the dialog; JsSIP answers a request
   * within a dialog 481 when it knows no such dialog (UA.receiveRequest), and within a call a NOTIFY
   * of no subscription (kept below).
   * A CANCEL ends nothing: it is not within the dialog but within the transaction it cancels, and
   * its 481 says that transaction is unknown (RFC 3261 §9.2: "If the UAS did not find a matching
   * transaction for the CANCEL ..., it SHOULD respond to the CANCEL with a 481"; JsSIP answers it so
   * in Transactions.checkTransaction, To tag kept, while its call goes on). Any peer may send one:
   * a CANCEL whose branch matches no transaction is let through (InboundRequests.fromItsPeer).
   * OUR CHOICE: a REFER, NOTIFY or SUBSCRIBE within a call is of the REFER's subscription (RFC
   * 3515), which shares the call's dialog (DialogPeer.usage): its failure leaves the call's dialog,
   * as JsSIP leaves the call (ReferSubscriber and ReferNotifier end only the REFER's subscription;
   * JsSIP answers a NOTIFY in a call with no such subscription 481 "Subscription does not exist"
   * and keeps the call).
   */
  failed(m: SipMessage, side: 'uac' | 'uas'): void {
    if (m.method === 'CANCEL') return;
    const k = dialogKey(m, side);
    if (k === undefined) return;
    const d = this.dialogs.get(k);
    if (d === undefined || (d.usage === 'INVITE' && SUBSCRIPTION_METHODS.has(m.method))) return;
    this.end(k);
  }

  clear(): void {
    this.dialogs.clear();
  }

  /** OUR CHOICE: a dialog stays with the peer it was set up with (a target refresh to another device's GRUU does not move it). */
  private bind(k: string, d: DialogPeer): void {
    const { peer, confirmed } = d;
    const have = this.dialogs.get(k);
    if (have) {
      if (have.peer === peer) have.confirmed ||= confirmed;
      return;
    }
    if (!confirmed) {
      const early = this.oldest((d) => d.peer === peer && !d.confirmed && !d.ending, MAX_EARLY_PER_PEER);
      if (early !== undefined) this.dialogs.delete(early);
    }
    if (this.dialogs.size >= MAX_DIALOGS) {
      const out = this.oldest((d) => d.ending) ?? this.oldest((d) => !d.confirmed) ?? (confirmed ? this.oldest(() => true) : undefined);
      if (out === undefined) return; // full of confirmed calls: this early dialog is not kept
      this.dialogs.delete(out);
    }
    this.dialogs.set(k, d);
  }

  /** The key of the oldest dialog that `is`, when at least `atLeast` dialogs are. */
  private oldest(is: (d: DialogPeer) => boolean, atLeast = 1): string | undefined {
    let first: string | undefined;
    let n = 0;
    for (const [k, d] of this.dialogs) {
      if (!is(d)) continue;
      first ??= k;
      if (++n >= atLeast) return first;
    }
    return undefined;
  }

  private end(k: string): void {
    const d = this.dialogs.get(k);
    if (!d || d.ending) return;
    d.ending = true;
    this.clock.setTimer(this.lifetimeMs, () => this.dialogs.get(k) === d && this.dialogs.delete(k));
  }
}

/** The local and remote tags of `m` for our `side` of the request it is or answers: 'uac' when the UA sent it (RFC 3261 §12.2.1.1, §12.1.2), 'uas' when it came in (§12.2.2, §12.1.1). */
function tags(m: SipMessage, side: 'uac' | 'uas'): { readonly localTag: string | undefined; readonly remoteTag: string | undefined } {
  return side === 'uac' ? { localTag: m.fromTag, remoteTag: m.toTag } : { localTag: m.toTag, remoteTag: m.fromTag };
}

/** The key of the dialog `m` is within or sets up (tags as `tags`), undefined without both tags: Call-ID and tags, kept apart (JsSIP's own key runs them together). */
function dialogKey(m: SipMessage, side: 'uac' | 'uas'): string | undefined {
  const { localTag, remoteTag } = tags(m, side);
  return localTag === undefined || remoteTag === undefined ? undefined : JSON.stringify([m.callId, localTag, remoteTag]);
}
