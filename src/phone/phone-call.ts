/**
 * One call of the Phone: a thin state machine over a JsSIP RTCSession (style.md §6, §9).
 *
 * ```
 *  outgoing: calling ──► ringing ──► connected ──► ended
 *                 └──────────┴──────────┴─────► failed
 *  incoming: incoming ──► connected ──► ended
 *                 └─────► failed (declined, cancelled by the caller, answered elsewhere)
 * ```
 */
import type { RTCSession } from 'jssip/lib/RTCSession.js';
import { silentLogger, type Logger } from '../reload/runtime/components.js';
import { tellEach } from './app-listeners.js';
import { phoneErrorFor, type PhoneError } from './phone-error.js';

export type CallState = 'calling' | 'ringing' | 'incoming' | 'connected' | 'ended' | 'failed';

const TRANSITIONS: Readonly<Record<CallState, readonly CallState[]>> = {
  calling: ['ringing', 'connected', 'ended', 'failed'],
  ringing: ['connected', 'ended', 'failed'],
  incoming: ['connected', 'ended', 'failed'],
  connected: ['ended', 'failed'],
  ended: [],
  failed: [],
};

export interface CallSnapshot {
  readonly id: string;
  readonly direction: 'outgoing' | 'incoming';
  /** The other party's user name (`bob`). */
  readonly remoteUser: string;
  readonly remoteAor: string;
  readonly state: CallState;
  readonly muted: boolean;
  readonly held: boolean;
  readonly error: PhoneError | undefined;
  /** When the call was answered (ms since 1970, JsSIP's start_time); undefined before. */
  readonly connectedAt: number | undefined;
  /** Who put the call on hold (`held` is either): this side (Resume undoes it) or the other one. */
  readonly onHold: { readonly local: boolean; readonly remote: boolean };
  /** Whether this side sends video now (a camera track on a sending video sender). */
  readonly video: boolean;
  /** DTMF tones received from the other party (SIP INFO, application/dtmf-relay), the last 32. */
  readonly dtmfReceived: string;
}

/** How many received DTMF tones a snapshot keeps. */
const DTMF_KEPT = 32;

/** What JsSIP's failure events carry. */
interface FailureEvent {
  readonly cause: string;
  readonly message?: { status_code?: number; getHeader?(name: string): string | undefined } | null;
}

export interface AnswerCallOptions {
  readonly video?: boolean;
  /** Answer with this stream instead of one from the Phone's getMedia (the echo peer's). */
  readonly mediaStream?: MediaStream;
}

export class PhoneCall {
  private current: CallState;
  private error: PhoneError | undefined;
  private muted = false;
  private held = false;
  private dtmfReceived = '';
  private readonly listeners = new Set<(call: PhoneCall) => void>();

  constructor(
    readonly session: RTCSession,
    readonly direction: 'outgoing' | 'incoming',
    private readonly answerWith: (session: RTCSession, options: AnswerCallOptions) => Promise<void>,
    /** Where what an onChange listener throws is logged. */
    private readonly log: Logger = silentLogger,
  ) {
    this.current = direction === 'incoming' ? 'incoming' : 'calling';
    session.on('progress', () => this.transition('ringing'));
    session.on('confirmed', () => this.transition('connected'));
    session.on('accepted', () => this.transition('connected'));
    session.on('ended', () => this.transition('ended'));
    session.on('failed', (e: FailureEvent) => {
      const status = e.message?.status_code;
      const warning = e.message?.getHeader?.('Warning');
      this.error = phoneErrorFor(this.remoteUser, { cause: e.cause, ...(status ? { status } : {}), ...(warning ? { warning } : {}) });
      this.transition('failed');
    });
    session.on('muted', () => this.changed(() => (this.muted = true)));
    session.on('unmuted', () => this.changed(() => (this.muted = false)));
    session.on('hold', () => this.changed(() => (this.held = true)));
    session.on('unhold', () => this.changed(() => (this.held = false)));
    // OUR CHOICE: no call taken over by an INVITE with Replaces (RFC 3891; the UI offers no
    // transfer). JsSIP answers such an INVITE only once the app accepts or rejects it (RTCSession
    // 'replaces'), so without this it would never be answered: rejected (JsSIP answers 486).
    session.on('replaces', (e: { reject(): void }) => e.reject());
    session.on('newDTMF', (e: { originator: string; dtmf: { tone?: string } }) => {
      if (e.originator === 'remote' && e.dtmf.tone) this.changed(() => (this.dtmfReceived = (this.dtmfReceived + e.dtmf.tone).slice(-DTMF_KEPT)));
    });
  }

  get id(): string {
    return this.session.id;
  }

  get state(): CallState {
    return this.current;
  }

  get remoteAor(): string {
    const u = this.session.remote_identity.uri;
    return `sip:${u.user}@${u.host}`;
  }

  get remoteUser(): string {
    return this.session.remote_identity.uri.user ?? '';
  }

  snapshot(): CallSnapshot {
    return {
      id: this.id,
      direction: this.direction,
      remoteUser: this.remoteUser,
      remoteAor: this.remoteAor,
      state: this.current,
      muted: this.muted,
      held: this.held,
      error: this.error,
      connectedAt: this.session.start_time?.getTime(),
      onHold: this.session.isOnHold(),
      video: this.sendsVideo(),
      dtmfReceived: this.dtmfReceived,
    };
  }

  /** Answer an incoming call (audio, video when asked). */
  answer(options: AnswerCallOptions = {}): Promise<void> {
    if (this.current !== 'incoming') return Promise.reject(new Error(`cannot answer a call that is ${this.current}`));
    return this.answerWith(this.session, options);
  }

  /** Decline an incoming call (603 Decline). */
  decline(): void {
    if (this.current === 'incoming') this.session.terminate({ status_code: 603, reason_phrase: 'Decline' });
  }

  /** Hang up (BYE), cancel (CANCEL) or decline, whichever fits the state. */
  hangup(): void {
    if (this.current === 'ended' || this.current === 'failed') return;
    if (this.current === 'incoming') this.decline();
    else this.session.terminate();
  }

  mute(on = true): void {
    if (on) this.session.mute({ audio: true });
    else this.session.unmute({ audio: true });
  }

  /**
   * Hold (or resume with `false`): a re-INVITE. False when it cannot start now: the previous
   * offer/answer has not finished (JsSIP's isReadyToReOffer), or the call is already so.
   */
  hold(on = true): boolean {
    return on ? this.session.hold() : this.session.unhold();
  }

  /** Send DTMF tones (`0-9`, `*`, `#`, `A-D`) as SIP INFO (JsSIP's default); throws on other characters or before the call is up. */
  sendDtmf(tones: string): void {
    this.session.sendDTMF(tones);
  }

  /** The call's RTCPeerConnection (JsSIP creates it with the session). */
  get connection(): RTCPeerConnection | undefined {
    return (this.session.connection as RTCPeerConnection | null | undefined) ?? undefined;
  }

  /**
   * Send `track` instead of the current track of its kind (another microphone or camera) without
   * renegotiating (RTCRtpSender.replaceTrack). The new track starts muted when the call is muted or
   * held, as JsSIP's own mute does (track.enabled). Resolves with the replaced track (the caller
   * stops it when it opened it); rejects when the call sends no track of that kind.
   */
  async replaceTrack(track: MediaStreamTrack): Promise<MediaStreamTrack | null> {
    const sender = this.connection?.getSenders().find((s) => s.track?.kind === track.kind);
    if (!sender) throw new Error(`this call sends no ${track.kind}`);
    const old = sender.track;
    track.enabled = !this.held && !(track.kind === 'audio' && this.muted);
    await sender.replaceTrack(track);
    // Listeners re-read the call's media (a camera preview shows the new track).
    this.emit();
    return old;
  }

  /**
   * Turn this side's video on with `track` (a camera), or off: a re-INVITE (JsSIP renegotiate, RFC
   * 3264 §8: a new or changed m=video line). On: the track goes into a video transceiver (an unused
   * one the other side offered, else a new one); off: the sender stops (direction recvonly), so the
   * other side's video, if any, keeps coming. Resolves when the answer is applied; rejects when the
   * call is not up, is on hold, or another offer/answer is still running (try again then).
   */
  async setVideo(track: MediaStreamTrack | null, stream?: MediaStream): Promise<void> {
    const pc = this.connection;
    if (!pc || this.current !== 'connected') throw new Error('video can change only during a connected call');
    if (this.held) throw new Error('resume the call before turning video on or off');
    if (!this.session.isReadyToReOffer()) throw new Error('the call is still changing; try again in a moment');
    const sender = pc.getSenders().find((s) => s.track?.kind === 'video');
    if (track) {
      if (sender) await sender.replaceTrack(track);
      else pc.addTrack(track, ...(stream ? [stream] : []));
    } else if (sender) {
      pc.removeTrack(sender);
    }
    await this.renegotiate();
    this.emit();
  }

  /**
   * Whether a live camera track is being sent: attached to a video sender whose negotiated
   * direction sends (a camera offered to an audio-only call is not sent until video is turned on;
   * on hold the direction says hold, so the attached track counts).
   */
  private sendsVideo(): boolean {
    const pc = this.connection;
    if (!pc) return false;
    return pc.getTransceivers().some((t) => {
      const track = t.sender.track;
      if (track?.kind !== 'video' || track.readyState !== 'live') return false;
      const dir = t.currentDirection;
      return this.held || dir === 'sendrecv' || dir === 'sendonly';
    });
  }

  /** A re-INVITE with a fresh offer from the current tracks; resolves once the answer is applied. */
  private renegotiate(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const started = this.session.renegotiate({}, () => resolve());
      if (!started) reject(new Error('the call is still changing; try again in a moment'));
      // JsSIP ends the call when the re-INVITE fails ("Media Renegotiation Failed").
      const settle = () => reject(new Error('the call ended while its media changed'));
      this.session.once('ended', settle);
      this.session.once('failed', settle);
    });
  }

  onChange(listener: (call: PhoneCall) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Moves along the table above; anything else is ignored (JsSIP may repeat an event). */
  private transition(to: CallState): void {
    if (!TRANSITIONS[this.current].includes(to)) return;
    this.current = to;
    this.emit();
  }

  private changed(fn: () => void): void {
    fn();
    this.emit();
  }

  private emit(): void {
    tellEach(this.log, 'a call listener', this.listeners, this);
  }
}
