/**
 * The ringtone as a state machine on an injected clock (style.md §4, §6), so its pattern and its
 * stopping are tested without sound or real time. The sound itself is a ToneOutput (web-audio.ts:
 * Web Audio oscillators).
 *
 * ```
 *  idle ──start──► on ──(pattern step)──► off ──(pattern step)──► on … (loops)
 *    ▲              │                      │
 *    └─────stop─────┴──────────stop────────┘      (stop in idle: nothing)
 * ```
 * `start` while ringing with another pattern switches the pattern (a call-waiting beep becomes a
 * full ring when the other call ends); with the same pattern it does nothing.
 */

export interface RingTimer {
  cancel(): void;
}

/** The part of the runtime Clock the ringtone uses (reload/runtime Clock fits). */
export interface RingClock {
  setTimer(ms: number, fn: () => void): RingTimer;
}

/** Something that sounds while on (Web Audio oscillators in the browser, a recorder in tests). */
export interface ToneOutput {
  on(frequencies: readonly number[]): void;
  off(): void;
}

/** A ring cadence: sound for `on` ms, then silence for `off` ms, step after step, looping. */
export interface RingPattern {
  readonly name: string;
  readonly frequencies: readonly number[];
  readonly steps: readonly { readonly on: number; readonly off: number }[];
}

/** The ring of a call (a double ring, 400 + 450 Hz, like a European phone line). */
export const RING: RingPattern = { name: 'ring', frequencies: [400, 450], steps: [{ on: 400, off: 200 }, { on: 400, off: 2000 }] };

/** Call waiting: a short double beep every few seconds, for a call that comes in during another one. */
export const CALL_WAITING: RingPattern = { name: 'call-waiting', frequencies: [440], steps: [{ on: 150, off: 150 }, { on: 150, off: 3500 }] };

/** Ringback: what the caller hears while the other side rings (425 Hz, 1 s on, 4 s off, the ITU-T E.180 common tone). */
export const RINGBACK: RingPattern = { name: 'ringback', frequencies: [425], steps: [{ on: 1000, off: 4000 }] };

export type RingtoneState = 'idle' | 'on' | 'off';

const TRANSITIONS: Readonly<Record<RingtoneState, readonly RingtoneState[]>> = {
  idle: ['on'],
  on: ['off', 'idle'],
  off: ['on', 'idle'],
};

export class Ringtone {
  private current: RingtoneState = 'idle';
  private pattern: RingPattern | undefined;
  private step = 0;
  private timer: RingTimer | undefined;

  constructor(
    private readonly clock: RingClock,
    private readonly output: ToneOutput,
  ) {}

  get state(): RingtoneState {
    return this.current;
  }

  get playing(): RingPattern | undefined {
    return this.pattern;
  }

  /** Ring with `pattern` (until stop). */
  start(pattern: RingPattern = RING): void {
    if (this.current !== 'idle' && this.pattern === pattern) return;
    if (this.current !== 'idle') this.stop();
    this.pattern = pattern;
    this.step = 0;
    this.sound();
  }

  /** Silence at once (answered, declined, cancelled, the layer went away). */
  stop(): void {
    if (this.current === 'idle') return;
    if (this.current === 'on') this.output.off();
    this.transition('idle');
    this.pattern = undefined;
  }

  private sound(): void {
    const p = this.pattern;
    const step = p?.steps[this.step];
    if (!p || !step) return;
    this.transition('on');
    this.output.on(p.frequencies);
    this.timer = this.clock.setTimer(step.on, () => {
      this.output.off();
      this.transition('off');
      this.timer = this.clock.setTimer(step.off, () => {
        this.step = (this.step + 1) % p.steps.length;
        this.sound();
      });
    });
  }

  private transition(to: RingtoneState): void {
    if (!TRANSITIONS[this.current].includes(to)) throw new Error(`ringtone: ${this.current} → ${to} is not a transition`);
    this.timer?.cancel();
    this.timer = undefined;
    this.current = to;
  }
}
