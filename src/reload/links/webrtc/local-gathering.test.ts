/**
 * LocalGathering's bounded wait for our ICE parameters (RFC 6940 §6.5.1: one AttachReqAns carries
 * every candidate), on the virtual clock: how often it wakes while it waits.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../sim/virtual-clock.js';
import { silentLogger } from '../../runtime/components.js';
import { ClosedWhileGatheringError, LocalGathering, NoLocalDescriptionError } from './local-gathering.js';
import { CHROMIUM_OFFER } from './testing/chromium-offer.js';

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
    gathering.signal({ type: 'offer', sdp: CHROMIUM_OFFER });
    await clock.advance(0);
    expect((await result).parameters.ufrag).toBe('Wq3x');
    expect(clock.now()).toBe(3_000);
  });

  it('its peer connection closing ends the wait at once with ClosedWhileGatheringError, which says so, before or after the description', async () => {
    for (const described of [false, true]) {
      const clock = new CountingClock();
      const gathering = new LocalGathering(clock, silentLogger, 1, { gatherTimeoutMs: 1_500 });
      // Without candidates the wait goes on until gatherTimeoutMs.
      if (described) gathering.signal({ type: 'offer', sdp: CHROMIUM_OFFER });
      const result = gathering.gathered({}).catch((e: unknown) => e);
      await clock.advance(100);
      gathering.end();
      await clock.advance(0);
      const error = await result;
      expect(error).toBeInstanceOf(ClosedWhileGatheringError);
      expect(error).not.toBeInstanceOf(NoLocalDescriptionError);
      expect(String(error)).toBe('ClosedWhileGatheringError: the peer connection closed before its ICE parameters were gathered');
      expect(clock.now()).toBe(100);
    }
  });
});
