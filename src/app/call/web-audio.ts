/**
 * Sound for the call screens (browser only): one shared AudioContext for the ringtone and the
 * keypad's feedback beeps (Web Audio oscillators, no audio files to load).
 *
 * Autoplay rules: a page may start sound only after the person interacted with it; an
 * AudioContext made before that starts "suspended". `unlockAudioOnGesture()` (called when the
 * call layer mounts) makes or resumes the context on the first click or key press, so a later
 * incoming call can ring. Until then the ringtone stays silent and the incoming-call screen (and the
 * notification, when the tab is hidden) are what tell the person.
 */
import { dtmfFrequencies } from './dtmf.js';
import type { ToneOutput } from './ringtone.js';

let context: AudioContext | undefined;

function audioContext(): AudioContext | undefined {
  if (context) return context;
  const Ctor = globalThis.AudioContext ?? (globalThis as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Ctor) return undefined;
  try {
    context = new Ctor();
  } catch {
    return undefined;
  }
  return context;
}

let unlocking = false;

/** Make (or resume) the AudioContext on the first user gesture, so that sound may play later. Idempotent. */
export function unlockAudioOnGesture(): void {
  if (unlocking || typeof window === 'undefined') return;
  unlocking = true;
  const unlock = () => {
    const ctx = audioContext();
    if (!ctx || ctx.state === 'running') return done();
    void ctx.resume().then(done, () => {});
  };
  const done = () => {
    window.removeEventListener('pointerdown', unlock, true);
    window.removeEventListener('keydown', unlock, true);
  };
  window.addEventListener('pointerdown', unlock, true);
  window.addEventListener('keydown', unlock, true);
}

/** A ToneOutput of oscillators summed at a moderate volume. */
export function webAudioToneOutput(volume = 0.12): ToneOutput {
  let playing: { oscillators: OscillatorNode[]; gain: GainNode } | undefined;
  return {
    on(frequencies) {
      const ctx = audioContext();
      if (!ctx || playing) return;
      if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
      const gain = ctx.createGain();
      gain.gain.value = volume / Math.max(1, frequencies.length);
      gain.connect(ctx.destination);
      const oscillators = frequencies.map((f) => {
        const o = ctx.createOscillator();
        o.frequency.value = f;
        o.connect(gain);
        o.start();
        return o;
      });
      playing = { oscillators, gain };
    },
    off() {
      const p = playing;
      playing = undefined;
      if (!p) return;
      for (const o of p.oscillators) {
        try {
          o.stop();
        } catch {
          // already stopped
        }
        o.disconnect();
      }
      p.gain.disconnect();
    },
  };
}

/** The keypad's local feedback: the tone's two frequencies for `ms`. */
export function playDtmfFeedback(tone: string, ms = 120): void {
  const f = dtmfFrequencies(tone);
  const ctx = audioContext();
  if (!f || !ctx || ctx.state !== 'running') return;
  const gain = ctx.createGain();
  gain.gain.value = 0.08;
  gain.connect(ctx.destination);
  const end = ctx.currentTime + ms / 1000;
  for (const hz of f) {
    const o = ctx.createOscillator();
    o.frequency.value = hz;
    o.connect(gain);
    o.start();
    o.stop(end);
    o.onended = () => o.disconnect();
  }
  setTimeout(() => gain.disconnect(), ms + 50);
}
