/**
 * What a call's peer sends into the call cannot make JsSIP throw: a real JsSIP UA and RTCSession
 * over OverlaySocket (testing/jssip-phone.ts), dave's device a fake SIP channel.
 */
import { describe, expect, it } from 'vitest';
import { requests, responses } from './testing/fake-sip-channel.js';
import { alicePhone, jsSipGlobals, SDP } from './testing/jssip-phone.js';
import { DOMAIN, flush } from './testing/socket-world.js';
import { sipRequest, sipResponse, withBody } from './testing/sip-messages.js';

const DAVE_AOR = `sip:dave@${DOMAIN}`;

/** Alice calls dave, and dave's device answers 200: the call is connected. */
async function connectedCall() {
  const w = await alicePhone();
  const call = await w.phone.call('dave');
  await flush();
  const invite = w.dave.sent.find((m) => m.kind === 'request' && m.method === 'INVITE')!;
  w.dave.deliver(withBody(sipResponse(invite, 200, 'dt', w.daveGruu, 'OK'), 'application/sdp', SDP));
  await flush();
  /** Dave's request `method` within the call. */
  const fromDave = (method: string, cseq: number, headers: readonly (readonly [string, string])[] = []) =>
    sipRequest(method, invite.contactUri!, { from: DAVE_AOR, fromTag: 'dt', to: invite.fromUri, toTag: invite.fromTag!, callId: invite.callId, cseq, branch: `z9hG4bK${method}${cseq}`, contact: w.daveGruu, headers });
  return { ...w, call, invite, fromDave };
}

describe('Phone: a call\'s peer cannot make JsSIP throw', () => {
  jsSipGlobals();

  it('a NOTIFY without Event (RFC 6665 §7.2) is answered 400 by the socket and never reaches JsSIP (RTCSession._receiveNotify would throw); the call goes on and takes dave\'s BYE', async () => {
    const { phone, dave, call, fromDave } = await connectedCall();
    expect(requests(dave)).toEqual(['INVITE', 'ACK']);
    expect(call.state).toBe('connected');
    dave.deliver(fromDave('NOTIFY', 2, [['Subscription-State', 'active']]));
    await flush();
    expect(responses(dave)).toEqual(['400 NOTIFY']);
    // The socket's answer (with its Warning), not JsSIP's bare 400 before it throws.
    expect(dave.sent.at(-1)!.headers.find(([k]) => k === 'warning')?.[1]).toMatch(/Event header/);
    expect(call.state).toBe('connected');
    dave.deliver(fromDave('BYE', 3));
    await flush();
    expect(responses(dave)).toEqual(['400 NOTIFY', '200 BYE']);
    expect(call.state).toBe('ended');
    await phone.stop();
  });
});
