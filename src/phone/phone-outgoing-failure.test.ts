/**
 * Phone tells its OverlaySocket when JsSIP gives up on an outgoing call (OverlaySocket.uaGaveUp):
 * a real JsSIP UA and RTCSession over the socket, JsSIP's own transaction timers (lib/Timers.js,
 * global setTimeout) run on vitest's fake timers, the socket's on a ManualClock, so JsSIP's Timer B
 * can fire while the socket's 64*T1 has not (as when JsSIP started it just before, in one send).
 * The phone and its device: testing/jssip-phone.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import { TRANSACTION_LIFETIME_MS } from './sip-timers.js';
import { requests } from './testing/fake-sip-channel.js';
import { alicePhone, jsSipGlobals } from './testing/jssip-phone.js';
import { DOMAIN, flush } from './testing/socket-world.js';
import { sipResponse } from './testing/sip-messages.js';


describe('Phone: the socket hears at once that JsSIP gave up on an outgoing call (OverlaySocket.uaGaveUp)', () => {
  jsSipGlobals();

  it('JsSIP\'s Timer B (RFC 3261 §17.1.1.2, reported as a local CANCELED failure) fails the call; the device\'s first response after it is CANCELed, though the socket\'s own 64*T1 has not run out', async () => {
    const { phone, dave } = await alicePhone();
    const call = await phone.call('dave');
    await flush();
    expect(requests(dave)).toEqual(['INVITE']);
    const invite = dave.sent[0]!;
    vi.advanceTimersByTime(TRANSACTION_LIFETIME_MS - 1);
    expect(call.state).not.toBe('failed');
    vi.advanceTimersByTime(1); // JsSIP's Timer B
    await flush();
    expect(call.state).toBe('failed');
    dave.deliver(sipResponse(invite, 180, 'dt', `sip:dave@${DOMAIN}`));
    await flush();
    expect(requests(dave)).toEqual(['INVITE', 'CANCEL']);
    await phone.stop();
  });
});
