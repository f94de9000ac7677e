/**
 * The one JsSIP Socket of a tab's UA (ARCHITECTURE.md "SIP"): JsSIP sends every message to its
 * single socket and keeps no registrar, so the routing lives here.
 *
 * - An outgoing request goes where its Request-URI says (RequestRouter): a GRUU (RFC 7904 §6)
 *   straight to the Node-ID in it; an AoR through a lookup of its SIP-REGISTRATION (§4.2) to every
 *   device registered, then AppAttach (§5) — or the SIP channel we already have to that peer (§5.1
 *   "A previously established SIP connection MAY be used").
 * - A response goes back on the channel its request arrived on (matched by the top Via branch,
 *   RFC 3261 §17.2.3).
 * - Requests to one target are sent in order; a request waits (queued) while its lookup and
 *   AppAttach run, at most `routeTimeoutMs`. A lookup may be started ahead (`prepare`, while the
 *   address is typed or at the click); a request whose prepared route reaches no device looks
 *   the AoR up again before giving up (the registration may have moved since).
 * - An AoR registered on several devices is forked in parallel (RFC 3261 §16.6-16.7 done here, as
 *   a forking proxy would, in a ResponseContext): provisional responses pass up; the first 2xx wins
 *   and the other INVITE branches get CANCEL (§9.1); a 2xx arriving later from another branch is
 *   ACKed and BYEd (§13.2.2.4); other finals are held (a 6xx CANCELs the INVITE branches still
 *   ringing) and the best is passed up once every branch is final (§16.7 step 6); a branch whose
 *   channel closes counts as a 503 (§16.9); Timer C bounds each branch of a forked INVITE (§16.8;
 *   with one branch it is reset while the UA waits, and a CANCEL's final is awaited 64*T1, §9.1).
 * - When the UA has given up on a request (its transaction timed out with nothing received, 64*T1,
 *   JsSIP's own Timer B or F, sip-timers.ts; an INVITE whose session failed before any response,
 *   `uaGaveUp`; or the socket answered it 408 while it was still being routed), the request is not sent, and
 *   an INVITE's devices that answer late are CANCELed, a late 2xx ACKed and BYEd (ResponseContext).
 * - When a request cannot be routed, the socket answers it itself (§8.2.6) so JsSIP fails at once:
 *   480 Temporarily Unavailable when nobody is registered under the AoR (or no device is
 *   reachable), 482 for a registration loop, 404 for an AoR outside the overlay, 408 when the
 *   overlay did not answer in time; a `Warning: 399` header (§20.43) says why in words.
 * - A request that starts a dialog or stands alone must come From the AoR of the certificate
 *   behind its channel (verified on the signed AppAttach); otherwise it is answered 403 here. A
 *   request within a dialog or transaction must come from the peer (Node-ID) of that dialog or
 *   transaction (DialogPeers); otherwise it is answered 481 (482 for a branch that collides) here,
 *   and a response from a peer its request was not sent to is dropped.
 * - At most `maxForks` devices per request (RFC 7904 §8.2.1 "throttle at some reasonable number").
 * - When a SIP channel closes, the UA gets a CANCEL of each INVITE that came in on it and is not
 *   answered yet (InboundRequests.channelClosed): its caller has gone, and the call stops ringing.
 */
import type { AppAttachService, AppChannel, AppChannelData, OverlayPeer } from '../reload/overlay/index.js';
import { silentLogger, type Clock, type Logger, type Random } from '../reload/runtime/components.js';
import { toHex } from '../reload/wire/codec/hex.js';
import { ApplicationId } from '../reload/wire/methods/app-attach.js';
import { SipUsageError, type AorDomains } from '../usages/sip/index.js';
import { ClientTransactions, type ClientTx } from './client-transactions.js';
import { InboundRequests } from './inbound-requests.js';
import { RequestRouter } from './request-router.js';
import { ResponseContext } from './response-context.js';
import { statusForRoutingFailure } from './routing-outcomes.js';
import { errorDetail } from './app-listeners.js';
import { answerWithWarningMessage, parseSipMessage, type SipMessage } from './sip-message.js';

export { DEFAULT_ROUTE_TIMEOUT_MS } from './request-router.js';

export interface OverlaySocketDeps {
  readonly apps: Pick<AppAttachService, 'channel' | 'onChannel' | 'verifiedUser'>;
  readonly overlay: Pick<OverlayPeer, 'fetch' | 'nodeId'>;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger?: Logger;
}

export interface OverlaySocketInit {
  /** The overlay's domain (RFC 7904 §3.4), this socket's `reload://` URL and Warning host. */
  readonly domain: string;
  /** The AoR domains the overlay serves (RFC 7904 §3.4, §4.1); default the overlay's domain only. */
  readonly domains?: AorDomains;
  /** Application-ID of the channels; default 5060 (SIP, RFC 7904 §5.1). */
  readonly application?: number;
  /** Longest wait for a lookup and AppAttach before answering 408 locally; default DEFAULT_ROUTE_TIMEOUT_MS (request-router.ts). */
  readonly routeTimeoutMs?: number;
  /**
   * How long a lookup started by `prepare` waits to be used (the dialer prepares while the address
   * is typed, and a person may pause before the click); default 10 000 ms.
   */
  readonly preparedRouteMs?: number;
  /** Most devices one request is forked to (RFC 7904 §8.2.1 "throttle at some reasonable number"); default 8. */
  readonly maxForks?: number;
  /** Timer C of a forked INVITE's branches (RFC 3261 §16.8); default DEFAULT_TIMER_C_MS (response-context.ts). */
  readonly timerCMs?: number;
}

export interface OverlaySocketStats {
  /** Requests the socket answered itself (no route). */
  readonly synthesized: number;
  /** Requests sent to more than one device. */
  readonly forked: number;
  /** CANCELs the socket sent to branches that lost. */
  readonly cancelsSent: number;
  readonly requestsSent: number;
  readonly responsesSent: number;
  readonly received: number;
}

const RELOAD_TRANSPORT = 'RELOAD';
const utf8 = new TextDecoder();

export class OverlaySocket {
  /** JsSIP Socket interface (lib/Socket.js). */
  readonly via_transport: string = RELOAD_TRANSPORT;
  readonly url: string;
  readonly sip_uri: string;
  onconnect: () => void = () => {};
  ondisconnect: (error: boolean, code?: number, reason?: string) => void = () => {};
  ondata: (data: string) => void = () => {};

  private connected = false;
  private readonly log: Logger;
  private readonly application: number;
  /** RFC 3261 64*T1, JsSIP's (sip-timers.ts): the socket's transactions end with the UA's. */
  private readonly clientTx: ClientTransactions;
  private readonly inbound: InboundRequests;
  private readonly router: RequestRouter;
  private readonly unsubscribe: () => void;
  private counters = { synthesized: 0, forked: 0, cancelsSent: 0, requestsSent: 0, responsesSent: 0, received: 0 };

  constructor(
    private readonly deps: OverlaySocketDeps,
    private readonly init: OverlaySocketInit,
  ) {
    this.log = deps.logger ?? silentLogger;
    this.application = init.application ?? ApplicationId.SIP;
    this.router = new RequestRouter({ apps: deps.apps, overlay: deps.overlay, clock: deps.clock, logger: this.log }, { ...init, application: this.application });
    this.inbound = new InboundRequests({ apps: deps.apps, clock: deps.clock, random: deps.random, logger: this.log }, { domain: init.domain });
    this.clientTx = new ClientTransactions({ clock: deps.clock, requestTimedOut: (r) => this.inbound.requestTimedOut(r) });
    this.url = `reload://${init.domain}`;
    this.sip_uri = `sip:${init.domain}`;
    const offMessages = new Set<() => void>();
    const offChannels = deps.apps.onChannel(this.application, (ch) => {
      const off = ch.onMessage((data) => this.receive(ch, data));
      offMessages.add(off);
      ch.onClose(() => {
        offMessages.delete(off);
        // The caller of an INVITE still ringing here has gone: the UA is told as by its CANCEL.
        for (const cancel of this.inbound.channelClosed(ch)) this.up(cancel);
      });
    });
    this.unsubscribe = () => {
      offChannels();
      for (const off of offMessages) off();
      offMessages.clear();
    };
  }

  connect(): void {
    this.connected = true;
    this.deps.clock.setTimer(0, () => this.connected && this.onconnect());
  }

  disconnect(): void {
    this.connected = false;
  }

  /** Stop for good (the UA is gone). */
  close(): void {
    this.connected = false;
    this.unsubscribe();
    this.clientTx.close();
    this.router.close();
    this.inbound.close();
  }

  isConnected(): boolean {
    return this.connected;
  }

  isConnecting(): boolean {
    return false;
  }

  /**
   * Start routing a request to `requestUri` before it exists (the dialer calls this while the
   * address is typed, the Phone at the click, while the microphone opens and the offer is made):
   * its AoR lookup (RFC 7904 §4.2) and AppAttach (§5) run now, and the next request to that URI
   * within `preparedRouteMs` uses what they found (PreparedRoutes). A GRUU or malformed URI does
   * nothing here (the request fails as usual).
   */
  prepare(requestUri: string): void {
    if (this.connected) this.router.prepare(requestUri);
  }

  /**
   * The UA's INVITE session with this Call-ID failed before any response reached it (Phone hears
   * it from JsSIP): Timer B fired (RFC 3261 §17.1.1.2; JsSIP 3.13 reports it as a local CANCELED
   * failure, from terminate()), or the user hung up before any response. Its INVITE transaction is
   * then as good as gone, so the socket gives up on it now rather than at its own 64*T1: were a
   * device's first response to come between JsSIP's Timer B and the socket's timer, it would go up
   * to a UA that drops it, and the device would ring with nobody waiting. Here it is CANCELed (a
   * 2xx ACKed and BYEd, ResponseContext.uaTimedOut), as JsSIP does after a hangup, or not sent at
   * all while still being routed. Nothing changes once a response went up (JsSIP then handles it).
   */
  uaGaveUp(callId: string): void {
    this.clientTx.uaGaveUp(callId);
  }

  stats(): OverlaySocketStats {
    return { ...this.counters };
  }

  send(data: string | ArrayBufferLike | ArrayBufferView | Blob): boolean {
    if (!this.connected || typeof data !== 'string') return false;
    const m = parseSipMessage(data);
    if (!m) {
      this.log.warn('not a SIP message: not sent');
      return false;
    }
    if (m.kind === 'response') return this.sendResponse(m);
    this.sendRequest(m);
    return true;
  }

  /** RFC 3261 §18.2.2: a response goes back where its request came from. */
  private sendResponse(m: SipMessage): boolean {
    const ch = this.inbound.responding(m);
    if (!ch || ch.state !== 'open') {
      this.log.debug('response with no channel to go back on', { branch: m.branch, status: m.status });
      return false;
    }
    this.counters.responsesSent++;
    return ch.send(m.raw);
  }

  private sendRequest(m: SipMessage): void {
    this.inbound.requestSent(m);
    const tx = this.clientTx.get(m.branch);
    if (tx && (m.method === 'ACK' || m.method === 'CANCEL')) {
      void tx.ready.then(() => this.inTransaction(tx, m));
      return;
    }
    if (m.method === 'ACK') {
      // The ACK of a 2xx (§13.2.2.4) has its own branch and goes to the remote target (a GRUU).
      void this.router.queue(m, async ({ lists }, signal) => {
        for (const ch of await this.router.channels(lists, signal)) this.transmit(ch, m.raw);
      });
      return;
    }
    const fresh: ClientTx = { ready: Promise.resolve(), request: m, heard: 'nothing' };
    this.clientTx.remember(m.branch, fresh);
    fresh.ready = this.router.queue(m, async ({ lists, prepared }, signal) => {
      let channels = await this.router.channels(lists, signal);
      // A prepared route may be some seconds old: before answering 480, look the AoR up again.
      if (channels.length === 0 && prepared) channels = await this.router.channels(await this.router.lookUp(m.requestUri, signal), signal);
      // The UA has its answer already (the 408 of the route timeout) or has given up (64*T1): a
      // request sent now would ring a call nobody waits for.
      if (signal.aborted || fresh.givenUp) {
        this.log.info('request routed after the UA gave up on it: not sent', { method: m.method, callId: m.callId });
        return;
      }
      if (channels.length === 0) throw new SipUsageError('not-registered', `no device of ${m.requestUri} can be reached`);
      if (channels.length > 1) this.counters.forked++;
      fresh.context = new ResponseContext(
        m,
        channels,
        {
          up: (r, branch) => this.responseUp(fresh, r, branch),
          send: (ch, raw) => this.transmit(ch, raw),
          cancelled: () => this.counters.cancelsSent++,
          token: () => toHex(this.deps.random.bytes(8)),
          domain: this.init.domain,
          clock: this.deps.clock,
        },
        this.init.timerCMs === undefined ? {} : { timerCMs: this.init.timerCMs },
      );
    }).catch((e: unknown) => this.answerLocally(fresh, e));
  }

  /** Response `r` to the request of `tx` goes up to the UA, from the device at the end of `branch` (none for one made here). */
  private responseUp(tx: ClientTx, r: SipMessage, branch?: AppChannel): void {
    this.inbound.responseUp(r, branch);
    // The answer to the UA's CANCEL of an INVITE goes up on the INVITE's context too: it answers the CANCEL, not the INVITE.
    if (r.method === tx.request.method) {
      if (tx.heard !== 'final') tx.heard = r.status >= 200 ? 'final' : 'provisional';
      this.inbound.requestAnswered(tx.request, r.status);
    }
    this.up(r.raw);
  }

  /** ACK or CANCEL within a client transaction we sent. */
  private inTransaction(tx: ClientTx, m: SipMessage): void {
    // No context: the ACK of our own 480 & co.; nothing to CANCEL.
    tx.context?.fromUa(m);
  }

  private transmit(ch: AppChannel, raw: string): boolean {
    this.counters.requestsSent++;
    const sent = ch.send(raw);
    if (!sent) this.log.debug('the SIP channel did not take the message', { channel: ch.id });
    return sent;
  }

  /** RFC 3261 §8.2.6: answer a request we could not route, so the UA fails at once. */
  private answerLocally(tx: ClientTx, e: unknown): void {
    const m = tx.request;
    const [status, reason] = statusForRoutingFailure(e);
    this.counters.synthesized++;
    const response = this.ownResponse(m, status, reason, e instanceof Error ? e.message : String(e));
    this.deps.clock.setTimer(0, () => this.responseUp(tx, response));
  }

  /** A response of the socket's own to `m`, with a new To tag and a Warning saying `why` (RFC 3261 §20.43). */
  private ownResponse(m: SipMessage, status: number, reason: string, why: string): SipMessage {
    return answerWithWarningMessage(m, status, reason, toHex(this.deps.random.bytes(5)), this.init.domain, why);
  }

  private receive(ch: AppChannel, data: AppChannelData): void {
    const text = typeof data === 'string' ? data : utf8.decode(data);
    const m = parseSipMessage(text);
    if (!m) return;
    this.counters.received++;
    if (m.kind === 'request') {
      if (this.inbound.admit(ch, m)) this.up(text, m);
      return;
    }
    const tx = this.clientTx.get(m.branch);
    if (!tx) {
      this.up(text); // no transaction here (over, or not ours): the UA's to drop
      return;
    }
    // A response to a request of ours counts only from a device the request went to.
    if (!tx.context?.response(ch, m)) this.log.warn('a response from a peer its request was not sent to: dropped', { status: m.status, callId: m.callId });
  }

  /**
   * Hand `text` (a peer's `request`, if it is one) to the UA (JsSIP's Transport parses it and runs
   * the UA on it, synchronously). What the UA throws on one message is caught and logged here: it
   * would otherwise come out of the channel's message listener (an uncaught exception, which may
   * end a Node peer), from a message any peer can send. The UA takes the next message as usual.
   * A request it threw on before sending its final response is answered 500 here (RFC 3261
   * §21.5.1 Server Internal Error), with a Warning, so that its sender does not wait out its own
   * timeout. JsSIP's server transaction for it may stay open: JsSIP 3.13 creates it before handing
   * the request on (UA.receiveRequest; an INVITE's sends 100 at once), and a non-INVITE one whose
   * final never comes stays in the UA for good. What the UA sends on it after the 500 (an answer
   * of the session still ringing in JsSIP, its no-answer 408) is dropped (InboundRequests.responding),
   * and a retransmission of the request gets the 500 again (InboundRequests.resentFinal).
   */
  private up(text: string, request?: SipMessage): void {
    if (!this.connected) return;
    try {
      this.ondata(text);
    } catch (e) {
      this.log.error('the UA threw on a message it received: dropped', { message: text.split('\r\n', 1)[0], error: errorDetail(e) });
      if (request && request.method !== 'ACK' && this.inbound.awaitsFinal(request)) {
        this.sendResponse(this.ownResponse(request, 500, 'Server Internal Error', 'the phone failed on this request'));
      }
    }
  }
}
