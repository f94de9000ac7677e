/**
 * The caller hangs up while the callee rings (JsSIP RTCSession.terminate in 1XX_RECEIVED: CANCEL
 * sent, session ended at once) and the callee's 200 crosses the CANCEL. JsSIP 3.13 drops that 2xx
 * (its session is no longer in INVITE_SENT or 1XX_RECEIVED), so the socket ACKs it and ends its
 * dialog with BYE (ResponseContext.success). RFC 3261 §13.2.2.4: "The UAC core MUST generate an
 * ACK request for each 2xx received from the transaction layer"; §15: the dialog is then ended.
 */
import { describe, expect, it, vi } from 'vitest';
import { requests } from './testing/fake-sip-channel.js';
import { alicePhone, jsSipGlobals, SDP } from './testing/jssip-phone.js';
import { flush } from './testing/socket-world.js';
import { sipResponse, withBody } from './testing/sip-messages.js';

type World = Awaited<ReturnType<typeof alicePhone>>;

/** Alice calls dave, dave rings, alice hangs up (CANCEL), and dave's 200 INVITE crosses it, then its 200 CANCEL; 2 s pass. `ringing` runs while dave rings. */
async function answerCrossesCancel(w: World, ringing: () => void = () => {}): Promise<void> {
  const call = await w.phone.call('dave');
  await flush();
  const invite = w.dave.sent.find((m) => m.kind === 'request' && m.method === 'INVITE')!;
  w.dave.deliver(sipResponse(invite, 180, 'dt', w.daveGruu, 'Ringing'));
  await flush();
  ringing();
  call.hangup(); // CANCEL
  await flush();
  expect(requests(w.dave)).toEqual(['INVITE', 'CANCEL']);
  // dave answered just before the CANCEL reached it: its 200 INVITE, then its 200 CANCEL.
  w.dave.deliver(withBody(sipResponse(invite, 200, 'dt', w.daveGruu, 'OK'), 'application/sdp', SDP));
  const cancel = w.dave.sent.find((m) => m.method === 'CANCEL')!;
  w.dave.deliver(sipResponse(cancel, 200, 'dt', undefined, 'OK'));
  await flush();
  w.clock.advance(2_000);
  vi.advanceTimersByTime(2_000);
  await flush();
}

describe('Phone: a 200 OK crossing the caller\'s CANCEL', () => {
  jsSipGlobals();

  it('the 2xx that crossed the CANCEL is ACKed and its dialog ended with BYE (RFC 3261 §13.2.2.4, §15)', async () => {
    const w = await alicePhone();
    await answerCrossesCancel(w);
    expect(requests(w.dave)).toEqual(['INVITE', 'CANCEL', 'ACK', 'BYE']);
    await w.phone.stop();
  });
  it('JsSIP\'s INVITE transaction ends: it is given a 487 for the CANCELed INVITE (RFC 3261 §9.2), whose ACK stays here', async () => {
    const w = await alicePhone();
    const ua = (w.phone as unknown as { ua: { _transactions: { ict: Record<string, unknown> } } }).ua;
    await answerCrossesCancel(w, () => expect(Object.keys(ua._transactions.ict)).toHaveLength(1));
    // The UA's INVITE client transaction got its final and is gone (Timer D), not kept till ua.stop().
    expect(Object.keys(ua._transactions.ict)).toHaveLength(0);
    // dave got the ACK of its 2xx and the BYE, and no ACK of a 487 it never sent (§17.1.1.3: hop by hop).
    expect(requests(w.dave)).toEqual(['INVITE', 'CANCEL', 'ACK', 'BYE']);
    await w.phone.stop();
  });
});
