/**
 * Test Phones in Node whose microphone is a @roamhq/wrtc tone: one factory for every phone test
 * that needs real audio, and one teardown.
 */
import { systemClock } from '../../../platform/system-clock.js';
import { webCryptoRandom } from '../../../platform/web-crypto.js';
import type { PhoneDeps } from '../../phone.js';
import { Phone } from '../../phone.js';
import { createAudioOut, type AudioOut } from '../wrtc-media.js';

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
