/**
 * The whole SIP path over real WebRTC in Node: SIP on data channels that AppAttach set up with ICE
 * and DTLS (node-datachannel, reload/links/webrtc), audio on JsSIP's own RTCPeerConnection
 * (@roamhq/wrtc); registrations and lookups over a real overlay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIceAppChannels } from '../../reload/overlay/ice-app-channels.js';
import { buildAppOverlay, realClock, type AppOverlay, until } from '../../reload/overlay/testing/app-overlay-fixture.js';
import { webRtcIce } from '../../reload/overlay/testing/webrtc-ice.js';
import { sipRegistrationKindBlock } from '../../usages/sip/index.js';
import type { PhoneCall } from '../phone-call.js';
import { createTonePhones, type TonePhonePeer } from './testing/tone-phones.js';
import { inboundAudioBytes, installWrtcGlobals } from './wrtc-media.js';

let f: AppOverlay;
const tone = createTonePhones();
const phones = tone.phones;
const phoneOf = (p: TonePhonePeer, toneHz?: number) => tone.phoneOf(p, f.domain, toneHz);

beforeAll(async () => {
  installWrtcGlobals();
  f = await buildAppOverlay({ peers: 10, users: ['alice', 'bob'], requiredKinds: [sipRegistrationKindBlock()], appChannels: () => createIceAppChannels({ ice: webRtcIce(), clock: realClock }) });
}, 60_000);
afterAll(async () => {
  await tone.stopAll();
  f?.close();
});

describe('phones over WebRTC application channels', () => {
  it('MESSAGE, then a call with audio both ways, on one AppAttach\'d data channel', async () => {
    const alice = phoneOf(f.user('alice'));
    const bob = phoneOf(f.user('bob'));
    await Promise.all([alice.start(), bob.start()]);
    await alice.sendMessage('bob', 'over webrtc');
    await until(() => bob.snapshot().messages.length === 1);
    const ringing = new Promise<PhoneCall>((resolve) => bob.onIncomingCall(resolve));
    const call = await alice.call('bob');
    const incoming = await ringing;
    await incoming.answer();
    await until(() => call.state === 'connected' && incoming.state === 'connected');
    const pc = incoming.session.connection as unknown as RTCPeerConnection;
    const b0 = await inboundAudioBytes(pc);
    await new Promise((r) => setTimeout(r, 500));
    expect(await inboundAudioBytes(pc)).toBeGreaterThan(b0);
    incoming.hangup(); // BYE from the callee, back over the channel alice opened
    await until(() => call.state === 'ended');
    expect(f.user('alice').apps.stats().appAttachesSent + f.user('bob').apps.stats().appAttachesSent).toBe(1);
  }, 30_000);
});
