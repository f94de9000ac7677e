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
}

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
  private readonly listeners = new Set<(call: PhoneCall) => void>();

  constructor(
    readonly session: RTCSession,
    readonly direction: 'outgoing' | 'incoming',
    private readonly answerWith: (session: RTCSession, options: AnswerCallOptions) => Promise<void>,
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
    return { id: this.id, direction: this.direction, remoteUser: this.remoteUser, remoteAor: this.remoteAor, state: this.current, muted: this.muted, held: this.held, error: this.error };
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

  sendDtmf(tones: string): void {
    this.session.sendDTMF(tones);
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
    for (const l of [...this.listeners]) l(this);
  }
}
