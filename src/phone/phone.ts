/**
 * The Phone: what the UI uses (style.md §9). One JsSIP UA over one OverlaySocket, the user's
 * SIP-REGISTRATION kept in the overlay (RFC 7904 §3), calls and text messages by AoR.
 *
 * ```ts
 * const phone = new Phone({ overlay: peer, apps, clock, random }, { user: 'alice@chordphone.test', domain: 'chordphone.test' });
 * await phone.start();                          // registers alice, starts the UA
 * const call = phone.call('bob');               // PhoneCall: state, answer, hangup, mute, hold
 * await phone.sendMessage('bob', 'hi');         // rejects with PhoneError ("bob is not online.")
 * phone.subscribe(() => render(phone.snapshot()));
 * await phone.stop();                           // unregisters (leave / tab close)
 * ```
 * Contact is the device's GRUU (RFC 7904 §6), so in-dialog requests come straight back here.
 * Media ICE must not hold the INVITE back (issue 6): the session's `icecandidate` event calls
 * `ready()` at the first server-reflexive or relay candidate (the first UDP host candidate when the
 * configuration has no STUN/TURN servers), or `iceReadyMs` after the first candidate (ice-readiness.ts).
 * Call setup (issue 6 bench): the AoR lookup starts while the address is typed (`prepare`, from the
 * dialer) or at the latest at the click, alongside opening the microphone (OverlaySocket.prepare),
 * and the microphone is kept open between calls (LocalMedia).
 */
import { UA } from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession.js';
import type { AppAttachService, OverlayPeer } from '../reload/overlay/index.js';
import { silentLogger, type Clock, type Logger, type Random, type Timer } from '../reload/runtime/components.js';
import { buildGruu, overlayDomainOnly, SipRegistrar, type AorDomains } from '../usages/sip/index.js';
import { aorOfUri, parseCallAddress } from './address.js';
import { tellEach } from './app-listeners.js';
import { iceReadiness, type IceEvent } from './ice-readiness.js';
import { LocalMedia, type MediaLease } from './local-media.js';
import { OverlaySocket } from './overlay-socket.js';
import { PhoneCall, type AnswerCallOptions, type CallSnapshot } from './phone-call.js';
import { microphoneDenied, PhoneError, phoneErrorFor, registrationFailure } from './phone-error.js';

export interface PhoneDeps {
  readonly overlay: Pick<OverlayPeer, 'nodeId' | 'store' | 'fetch'>;
  readonly apps: Pick<AppAttachService, 'channel' | 'onChannel' | 'verifiedUser'>;
  readonly clock: Clock;
  readonly random: Random;
  /** The local media of a call (the browser's getUserMedia; @roamhq/wrtc tracks in Node). */
  readonly getMedia?: (constraints: { audio: boolean; video: boolean }) => Promise<MediaStream>;
  readonly logger?: Logger;
  /** Wall-clock time (ms since 1970) for message timestamps; default Date.now. */
  readonly now?: () => number;
}

export interface PhoneInit {
  /** The certificate's user name, `alice@chordphone.test` (RFC 7904 §3.3). */
  readonly user: string;
  /** The overlay's domain. */
  readonly domain: string;
  /**
   * The AoR domains the overlay serves (RFC 7904 §3.4: usages/sip aorDomainsOf the configuration):
   * what may be called, and whether our own AoR may be registered. Default: `domain` only.
   */
  readonly aorDomains?: AorDomains;
  /** STUN/TURN servers of the configuration, for media ICE. */
  readonly rtcConfiguration?: RTCConfiguration;
  /**
   * Registration lifetime, s; default 600, refreshed at 80 %: short, so a tab that vanished without
   * `stop()` stops being called within minutes (RFC 7904 §3.1: the StoredData lifetime).
   */
  readonly registrationLifetime?: number;
  /** Send the INVITE / 200 this long after the first host candidate at the latest; default 300 ms. */
  readonly iceReadyMs?: number;
  /** OverlaySocket's routing bound; default DEFAULT_ROUTE_TIMEOUT_MS (10 s, request-router.ts). */
  readonly routeTimeoutMs?: number;
  /**
   * Keep the microphone open between calls, and for this long after the last call ended (ms;
   * LocalMedia), so a call does not wait for the device to open. Default: not kept, every call
   * opens its own stream and stops it at its end.
   */
  readonly keepMediaMs?: number;
}

export type PhoneState = 'stopped' | 'starting' | 'ready' | 'stopping' | 'failed';

export interface ChatMessage {
  readonly direction: 'incoming' | 'outgoing';
  /** The other party's AoR, `sip:bob@a.my.example` (address.ts aorOfUri / parseCallAddress form). */
  readonly aor: string;
  readonly text: string;
  readonly at: number;
  /** The MESSAGE's Call-ID (received messages): one message forked to two tabs of a user is the same message. */
  readonly callId?: string;
}

export interface PhoneSnapshot {
  readonly state: PhoneState;
  readonly aor: string;
  readonly calls: readonly CallSnapshot[];
  readonly messages: readonly ChatMessage[];
  readonly error: PhoneError | undefined;
}

export class Phone {
  readonly aor: string;
  readonly gruu: string;
  readonly socket: OverlaySocket;
  /** The AoR domains the overlay serves (PhoneInit.aorDomains). */
  readonly domains: AorDomains;
  private readonly ua: UA;
  private readonly registrar: SipRegistrar;
  private readonly localMedia: LocalMedia | undefined;
  private readonly log: Logger;
  private current: PhoneState = 'stopped';
  private error: PhoneError | undefined;
  private readonly calls = new Map<string, PhoneCall>();
  private readonly messages: ChatMessage[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly incomingListeners = new Set<(call: PhoneCall) => void>();
  private snap: PhoneSnapshot | undefined;
  private pendingEmit: Timer | undefined;
  /** Calls made since the last deferred emit (emitAfterTask). */
  private readonly fresh = new Set<PhoneCall>();
  /** Incoming sessions whose answer has started. */
  private readonly answering = new WeakSet<RTCSession>();

  constructor(
    private readonly deps: PhoneDeps,
    private readonly init: PhoneInit,
  ) {
    this.log = deps.logger ?? silentLogger;
    this.aor = `sip:${init.user}`;
    this.gruu = buildGruu(this.aor, deps.overlay.nodeId);
    this.domains = init.aorDomains ?? overlayDomainOnly(init.domain);
    this.registrar = new SipRegistrar({ overlay: deps.overlay, clock: deps.clock, logger: this.log }, { aor: this.aor, domains: this.domains, lifetime: init.registrationLifetime ?? 600 });
    this.socket = new OverlaySocket(
      { apps: deps.apps, overlay: deps.overlay, clock: deps.clock, random: deps.random, logger: this.log },
      { domain: init.domain, domains: this.domains, ...(init.routeTimeoutMs ? { routeTimeoutMs: init.routeTimeoutMs } : {}) },
    );
    this.localMedia = deps.getMedia ? new LocalMedia(deps.getMedia, deps.clock, { keepMs: init.keepMediaMs ?? 0 }) : undefined;
    this.ua = new UA({
      sockets: [this.socket as never],
      uri: this.aor,
      contact_uri: this.gruu,
      register: false,
      user_agent: 'Chordphone',
      connection_recovery_min_interval: 2,
    });
    this.ua.on('newRTCSession', (e: { originator: string; session: RTCSession; request: { call_id: string } }) => {
      if (e.originator !== 'remote') {
        // JsSIP's Timer B (RFC 3261 §17.1.1.2) fails the session before the socket's own 64*T1
        // timer fires: the socket must know at once, or a device's first response in between
        // would ring a call nobody waits for (OverlaySocket.uaGaveUp).
        const callId = e.request.call_id;
        e.session.on('failed', () => this.socket.uaGaveUp(callId));
        return;
      }
      const call = this.track(new PhoneCall(e.session, 'incoming', (s, o) => this.answerSession(s, o), this.log));
      tellEach(this.log, 'an incoming-call listener', this.incomingListeners, call);
    });
    this.ua.on('newMessage', (e: { originator: string; request: { body?: string; call_id?: string; from: { uri: { user?: string; host: string } } } }) => {
      if (e.originator !== 'remote') return;
      const callId = e.request.call_id;
      const aor = aorOfUri(e.request.from.uri.user ?? '', e.request.from.uri.host);
      this.messages.push({ direction: 'incoming', aor, text: e.request.body ?? '', at: (this.deps.now ?? Date.now)(), ...(callId ? { callId } : {}) });
      this.emit();
    });
  }

  get state(): PhoneState {
    return this.current;
  }

  /** Register in the overlay and start the UA; resolves when calls can be made and received. */
  async start(): Promise<void> {
    if (this.current === 'ready' || this.current === 'starting') return;
    this.setState('starting');
    const stopped = (): boolean => this.current !== 'starting';
    try {
      await this.registrar.register();
      // stop() came while the registration was being stored: it removed it; the UA stays stopped.
      if (stopped()) return;
      await new Promise<void>((resolve) => {
        this.ua.once('connected', () => resolve());
        this.ua.start();
      });
      if (!stopped()) this.setState('ready');
    } catch (e) {
      if (stopped()) return; // stopped meanwhile: nothing failed that still matters
      this.error = registrationFailure(this.init.user, e, this.domains);
      this.setState('failed');
      throw this.error;
    }
  }

  /** End every call, remove the registration (RFC 7904: "removed on leave") and stop the UA. */
  async stop(): Promise<void> {
    if (this.current === 'stopped') return;
    this.setState('stopping');
    for (const c of this.calls.values()) c.hangup();
    try {
      await this.registrar.unregister();
    } catch (e) {
      this.log.warn('could not remove the registration', { error: String(e) });
    }
    this.ua.stop();
    this.socket.close();
    this.localMedia?.close();
    this.setState('stopped');
  }

  /**
   * Call `address` (`bob`, `bob@domain`, `sip:bob@domain`), audio (video when asked), with local
   * media from `getMedia` when injected. Rejects with AddressError for a malformed address,
   * PhoneError `microphone-denied` when the microphone is blocked; later failures (not online,
   * busy, declined) show on the PhoneCall.
   */
  async call(address: string, options: { video?: boolean } = {}): Promise<PhoneCall> {
    this.requireReady();
    const target = parseCallAddress(address, this.init.domain, this.domains);
    const video = options.video ?? false;
    // The lookup runs while the microphone opens and the offer is made (issue 6 call setup).
    this.socket.prepare(target.aor);
    const lease = this.localMedia?.acquireNow({ audio: true, video }) ?? (await this.media(video));
    let session: RTCSession;
    try {
      session = this.ua.call(target.aor, {
        ...(lease ? { mediaStream: lease.stream } : { mediaConstraints: { audio: true, video } }),
        pcConfig: this.init.rtcConfiguration ?? {},
        eventHandlers: { icecandidate: this.iceReadiness() },
      } as never) as RTCSession;
    } catch (e) {
      lease?.release();
      throw e;
    }
    if (lease) releaseAtEnd(session, lease);
    return this.track(new PhoneCall(session, 'outgoing', (s, o) => this.answerSession(s, o), this.log));
  }

  /**
   * Start the lookup of `address` before the call (the dialer calls this, debounced, while the
   * address is typed, issue 6 call setup): the next request to it within 10 s uses this lookup
   * (OverlaySocket.prepare; a failed lookup is not kept, a route whose device has gone is looked up
   * again). A malformed address is ignored; nothing is sent to the callee.
   */
  prepare(address: string): void {
    if (this.current !== 'ready') return;
    let aor: string;
    try {
      aor = parseCallAddress(address, this.init.domain, this.domains).aor;
    } catch {
      return;
    }
    this.socket.prepare(aor);
  }

  /** Send a text (SIP MESSAGE, RFC 3428); resolves on 2xx, rejects with PhoneError / AddressError. */
  async sendMessage(address: string, text: string): Promise<void> {
    this.requireReady();
    const target = parseCallAddress(address, this.init.domain, this.domains);
    return new Promise<void>((resolve, reject) => {
      this.ua.sendMessage(target.aor, text, {
        contentType: 'text/plain',
        eventHandlers: {
          succeeded: () => {
            this.messages.push({ direction: 'outgoing', aor: target.aor, text, at: (this.deps.now ?? Date.now)() });
            this.emit();
            resolve();
          },
          failed: (e: { cause: string; response?: { status_code?: number; getHeader(n: string): string | undefined } | null }) => {
            const status = e.response?.status_code;
            const warning = e.response?.getHeader('Warning');
            reject(phoneErrorFor(target.user, { cause: e.cause, ...(status ? { status } : {}), ...(warning ? { warning } : {}) }));
          },
        },
      } as never);
    });
  }

  /** Be told of each incoming call (it rings until answered, declined or cancelled). */
  onIncomingCall(listener: (call: PhoneCall) => void): () => void {
    this.incomingListeners.add(listener);
    return () => this.incomingListeners.delete(listener);
  }

  /** For useSyncExternalStore: called on every change; `snapshot()` is immutable and cached. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(): PhoneSnapshot {
    this.snap ??= { state: this.current, aor: this.aor, calls: [...this.calls.values()].map((c) => c.snapshot()), messages: [...this.messages], error: this.error };
    return this.snap;
  }

  private requireReady(): void {
    if (this.current !== 'ready') throw new PhoneError('not-started', 'The phone is not connected to the overlay yet.');
  }

  private async media(video: boolean): Promise<MediaLease | undefined> {
    if (!this.localMedia) return undefined;
    try {
      return await this.localMedia.acquire({ audio: true, video });
    } catch (e) {
      if (e instanceof Error && (e.name === 'NotAllowedError' || e.name === 'SecurityError')) throw microphoneDenied();
      throw new PhoneError('failed', `No microphone could be opened: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async answerSession(session: RTCSession, options: AnswerCallOptions): Promise<void> {
    this.answering.add(session);
    try {
      await this.startAnswer(session, options);
    } catch (e) {
      // Not answered after all: the call rings (the listeners hear of it now if they had not).
      this.answering.delete(session);
      this.emit();
      throw e;
    }
  }

  private async startAnswer(session: RTCSession, options: AnswerCallOptions): Promise<void> {
    const video = options.video ?? false;
    // With the microphone kept open this answers synchronously (issue 6 call setup).
    const lease = options.mediaStream ? undefined : (this.localMedia?.acquireNow({ audio: true, video }) ?? (await this.media(video)));
    const stream = options.mediaStream ?? lease?.stream;
    if (lease) releaseAtEnd(session, lease);
    session.on('icecandidate', this.iceReadiness());
    try {
      session.answer({ ...(stream ? { mediaStream: stream } : { mediaConstraints: { audio: true, video } }), pcConfig: this.init.rtcConfiguration ?? {} });
    } catch (e) {
      lease?.release();
      throw e;
    }
  }

  /** The `icecandidate` handler of one session (ice-readiness.ts). */
  private iceReadiness(): (e: IceEvent) => void {
    return iceReadiness(this.deps.clock, this.init.rtcConfiguration, this.init.iceReadyMs ?? 300);
  }

  private track(call: PhoneCall): PhoneCall {
    this.calls.set(call.id, call);
    call.onChange(() => {
      if (call.state === 'ended' || call.state === 'failed') this.deps.clock.setTimer(60_000, () => this.calls.get(call.id) === call && this.calls.delete(call.id) && this.emit());
      this.emit();
    });
    this.emitAfterTask(call);
    return call;
  }

  private setState(s: PhoneState): void {
    this.current = s;
    this.emit();
  }

  /**
   * A new call: `snapshot()` has it at once, the listeners (the UI's render) hear of it after this
   * task (issue 6 call setup). JsSIP's offer goes on in this task's microtasks, so the browser
   * makes the SDP while the page renders instead of after it. An incoming call answered in the
   * task it came in (an `onIncomingCall` listener that answers at once) never rings: the listeners
   * hear of it when it connects or fails, and no ring view or ringtone holds up the answer.
   */
  private emitAfterTask(call: PhoneCall): void {
    this.snap = undefined;
    this.fresh.add(call);
    this.pendingEmit ??= this.deps.clock.setTimer(0, () => {
      this.pendingEmit = undefined;
      const calls = [...this.fresh];
      this.fresh.clear();
      if (calls.every((c) => c.state === 'incoming' && this.answering.has(c.session))) return;
      this.emit();
    });
  }

  private emit(): void {
    this.snap = undefined;
    tellEach(this.log, 'a subscriber', this.listeners);
  }
}

/** Stop a call's media when the call is over (JsSIP leaves a stream it was given running). */
function releaseAtEnd(session: RTCSession, lease: MediaLease): void {
  session.on('ended', () => lease.release());
  session.on('failed', () => lease.release());
}
