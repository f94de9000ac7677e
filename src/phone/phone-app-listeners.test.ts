/**
 * What the app's listeners throw stays with them: Phone calls each in its own try/catch, so a
 * throw never reaches JsSIP (which would leave the session or message half handled, and the
 * socket would answer the request 500: OverlaySocket.up). A real JsSIP UA over OverlaySocket
 * (testing/jssip-phone.ts), dave's device a fake SIP channel.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PhoneCall } from './phone-call.js';
import { responses } from './testing/fake-sip-channel.js';
import { alicePhone, CalleePeerConnection, jsSipGlobals, SDP } from './testing/jssip-phone.js';
import { DOMAIN, flush } from './testing/socket-world.js';
import { sipRequest, withBody } from './testing/sip-messages.js';

const DAVE_AOR = `sip:dave@${DOMAIN}`;
const ALICE_AOR = `sip:alice@${DOMAIN}`;

describe('Phone: an app listener that throws', () => {
  jsSipGlobals();
  beforeEach(() => {
    vi.stubGlobal('RTCPeerConnection', CalleePeerConnection);
  });

  it('on an incoming call: the other listeners still hear of it, it rings (180, no 500) and can be answered (200)', async () => {
    const { phone, dave, daveGruu } = await alicePhone();
    const heard: PhoneCall[] = [];
    phone.onIncomingCall(() => {
      throw new Error('the app failed');
    });
    phone.onIncomingCall((call) => heard.push(call));
    phone.subscribe(() => {
      throw new Error('the render failed');
    });
    dave.deliver(withBody(sipRequest('INVITE', phone.gruu, { from: DAVE_AOR, fromTag: 'dt', to: ALICE_AOR, callId: 'throwing-app', cseq: 1, branch: 'z9hG4bKta1', contact: daveGruu }), 'application/sdp', SDP));
    await flush();
    expect(heard).toHaveLength(1);
    expect(heard[0]!.state).toBe('incoming');
    expect(responses(dave)).toEqual(['100 INVITE', '180 INVITE']);
    await heard[0]!.answer();
    await flush();
    expect(responses(dave)).toEqual(['100 INVITE', '180 INVITE', '200 INVITE']);
    expect(heard[0]!.state).not.toMatch(/failed|ended/);
    await phone.stop();
  });

  it('on an incoming MESSAGE: it is kept, the other listeners hear of it, and it is answered 200', async () => {
    const { phone, dave, daveGruu } = await alicePhone();
    let renders = 0;
    phone.subscribe(() => {
      throw new Error('the render failed');
    });
    phone.subscribe(() => renders++);
    dave.deliver(sipRequest('MESSAGE', phone.gruu, { from: DAVE_AOR, fromTag: 'dt', to: ALICE_AOR, callId: 'throwing-render', cseq: 1, branch: 'z9hG4bKta2', contact: daveGruu, body: 'hi' }));
    await flush();
    expect(responses(dave)).toEqual(['200 MESSAGE']);
    expect(renders).toBe(1);
    expect(phone.snapshot().messages).toMatchObject([{ direction: 'incoming', aor: DAVE_AOR, text: 'hi' }]);
    await phone.stop();
  });
});
