/**
 * Test Phones in Node whose microphone is a @roamhq/wrtc tone: one factory for every phone test
 * that needs real audio, and one teardown. `tonePhoneSuite` wraps both around a test overlay for a
 * whole test file (beforeAll builds it, afterAll stops the phones and closes it).
 */
import { afterAll, beforeAll } from 'vitest';
import { systemClock } from '../../../platform/system-clock.js';
import { webCryptoRandom } from '../../../platform/web-crypto.js';
import type { PhoneCall } from '../../phone-call.js';
import type { PhoneDeps } from '../../phone.js';
import { Phone } from '../../phone.js';
import { createAudioOut, installWrtcGlobals, type AudioOut } from '../wrtc-media.js';

/** What a phone needs of a test overlay peer. */
export interface TonePhonePeer {
  readonly name: string;
  readonly peer: PhoneDeps['overlay'];
  readonly apps: PhoneDeps['apps'];
}

export interface TonePhones {
  /** Every phone made here, in order. */
  readonly phones: readonly Phone[];
  /** A Phone for `p` as `name@domain`, whose every call sends a `toneHz` tone. */
  phoneOf(p: TonePhonePeer, domain: string, toneHz?: number): Phone;
  /** Stop every phone and tone made here. */
  stopAll(): Promise<void>;
}

export function createTonePhones(): TonePhones {
  const phones: Phone[] = [];
  const outs: AudioOut[] = [];
  return {
    phones,
    phoneOf(p, domain, toneHz) {
      const getMedia = async () => {
        const out = createAudioOut();
        out.startTone(toneHz);
        outs.push(out);
        return out.stream;
      };
      const phone = new Phone({ overlay: p.peer, apps: p.apps, clock: systemClock, random: webCryptoRandom, getMedia }, { user: `${p.name}@${domain}`, domain });
      phones.push(phone);
      return phone;
    },
    async stopAll() {
      for (const p of phones) await p.stop().catch(() => {});
      for (const o of outs) o.stop();
    },
  };
}

/** The next call `phone` receives. */
export function nextIncoming(phone: Phone): Promise<PhoneCall> {
  return new Promise((resolve) => {
    const off = phone.onIncomingCall((c) => {
      off();
      resolve(c);
    });
  });
}

/** What a test file's phones need of its overlay fixture (SipOverlay, AppOverlay). */
export interface TonePhoneOverlay {
  readonly domain: string;
  close(): void;
}

export interface TonePhoneSuite<F extends TonePhoneOverlay> {
  /** The overlay `build` made (in beforeAll). */
  readonly overlay: F;
  /** Every phone made here, in order. */
  readonly phones: readonly Phone[];
  /** A Phone for `p` on the overlay's domain, whose every call sends a `toneHz` tone. */
  phoneOf(p: TonePhonePeer, toneHz?: number): Phone;
}

/**
 * For a whole test file: beforeAll installs the wrtc globals and builds the overlay (within
 * `timeoutMs`); afterAll stops every phone and tone made here, then closes the overlay.
 */
export function tonePhoneSuite<F extends TonePhoneOverlay>(build: () => Promise<F>, timeoutMs = 60_000): TonePhoneSuite<F> {
  const tone = createTonePhones();
  let built: F | undefined;
  beforeAll(async () => {
    installWrtcGlobals();
    built = await build();
  }, timeoutMs);
  afterAll(async () => {
    await tone.stopAll();
    built?.close();
  });
  const overlay = (): F => {
    if (!built) throw new Error('the overlay is built in beforeAll');
    return built;
  };
  return {
    get overlay() {
      return overlay();
    },
    phones: tone.phones,
    phoneOf: (p, toneHz) => tone.phoneOf(p, overlay().domain, toneHz),
  };
}
