/**
 * The whole SIP path over real WebRTC in Node: SIP on data channels that AppAttach set up with ICE
 * and DTLS (node-datachannel, reload/links/webrtc), audio on JsSIP's own RTCPeerConnection
 * (@roamhq/wrtc); registrations and lookups over a real overlay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../platform/system-clock.js';
import { webCryptoRandom } from '../../platform/web-crypto.js';
import { createIceAppChannels } from '../../reload/overlay/ice-app-channels.js';
import { buildAppOverlay, realClock, type AppOverlay, type AppOverlayPeer, until } from '../../reload/overlay/testing/app-overlay-fixture.js';
import { webRtcIce } from '../../reload/overlay/testing/webrtc-ice.js';
import { sipRegistrationKindBlock } from '../../usages/sip/index.js';
import type { PhoneCall } from '../phone-call.js';
import { Phone } from '../phone.js';
import { createAudioOut, inboundAudioBytes, installWrtcGlobals, type AudioOut } from './wrtc-media.js';

let f: AppOverlay;
const phones: Phone[] = [];
const outs: AudioOut[] = [];

const phoneOf = (p: AppOverlayPeer) => {
  const phone = new Phone(
    {
      overlay: p.peer,
      apps: p.apps,
      clock: systemClock,
      random: webCryptoRandom,
      getMedia: async () => {
        const out = createAudioOut();
        out.startTone();
        outs.push(out);
        return out.stream;
      },
    },
    { user: `${p.name}@${f.domain}`, domain: f.domain },
  );
  phones.push(phone);
  return phone;
};


beforeAll(async () => {
  installWrtcGlobals();
  f = await buildAppOverlay({ peers: 10, users: ['alice', 'bob'], requiredKinds: [sipRegistrationKindBlock()], appChannels: () => createIceAppChannels({ ice: webRtcIce(), clock: realClock }) });
}, 60_000);
afterAll(async () => {
  for (const p of phones) await p.stop().catch(() => {});
  for (const o of outs) o.stop();
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
