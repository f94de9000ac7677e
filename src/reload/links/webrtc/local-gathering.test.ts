/**
 * LocalGathering's bounded wait for our ICE parameters (RFC 6940 §6.5.1: one AttachReqAns carries
 * every candidate), on the virtual clock: how often it wakes while it waits.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../sim/virtual-clock.js';
import { silentLogger } from '../../runtime/components.js';
import { LocalGathering, NoLocalDescriptionError } from './local-gathering.js';

/** A description without candidates (Chromium's shape, as in ice-parameters.test.ts). */
const OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:Wq3x',
  'a=ice-pwd:Bz0o7RV7Yuc4uYwXW5f4Tlw8',
  'a=fingerprint:sha-256 2E:93:B7:B0:02:97:2F:12:AC:7C:58:38:89:E7:6F:CC:75:4E:E1:08:E3:57:C4:5B:6E:CE:4B:18:65:3C:F7:0D',
  'a=setup:actpass',
  'a=mid:0',
  'a=sctp-port:5000',
  '',
].join('\r\n');

/** A VirtualClock that counts the timers set on it. */
class CountingClock extends VirtualClock {
  timers = 0;
  override setTimer(ms: number, fn: () => void) {
    this.timers++;
    return super.setTimer(ms, fn);
  }
}

describe('LocalGathering', () => {
  it('without a local description it waits for one, or for its own deadline, with a timer or two, not one every millisecond once gatherTimeoutMs is over', async () => {
    const clock = new CountingClock();
    const gathering = new LocalGathering(clock, silentLogger, 1, { gatherTimeoutMs: 1_500 });
    const result = gathering.gathered({}).catch((e: unknown) => e);
    await clock.advance(4_999);
    expect(clock.timers).toBeLessThanOrEqual(2);
    await clock.advance(1);
    expect(await result).toBeInstanceOf(NoLocalDescriptionError);
    expect(clock.timers).toBeLessThanOrEqual(2);
  });

  it('a description that comes after gatherTimeoutMs, before the no-description deadline, is taken at once', async () => {
    const clock = new CountingClock();
    const gathering = new LocalGathering(clock, silentLogger, 1, { gatherTimeoutMs: 1_500 });
    const result = gathering.gathered({});
    await clock.advance(3_000);
    gathering.signal({ type: 'offer', sdp: OFFER });
    await clock.advance(0);
    expect((await result).parameters.ufrag).toBe('Wq3x');
    expect(clock.now()).toBe(3_000);
  });
});
