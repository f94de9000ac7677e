/**
 * The whole SIP path over real WebRTC in Node: SIP on data channels that AppAttach set up with ICE
 * and DTLS (node-datachannel, reload/links/webrtc), audio on JsSIP's own RTCPeerConnection
 * (@roamhq/wrtc); registrations and lookups over a real overlay.
 */
import { describe, expect, it } from 'vitest';
import { createIceAppChannels } from '../../reload/overlay/ice-app-channels.js';
import { buildAppOverlay, realClock, until } from '../../reload/overlay/testing/app-overlay-fixture.js';
import { webRtcIce } from '../../reload/overlay/testing/webrtc-ice.js';
import { sipRegistrationKindBlock } from '../../usages/sip/index.js';
import type { PhoneCall } from '../phone-call.js';
import { tonePhoneSuite } from './testing/tone-phones.js';
import { inboundAudioBytes } from './wrtc-media.js';

const suite = tonePhoneSuite(() =>
  buildAppOverlay({ peers: 10, users: ['alice', 'bob'], requiredKinds: [sipRegistrationKindBlock()], appChannels: () => createIceAppChannels({ ice: webRtcIce(), clock: realClock }) }),
);
const { phones, phoneOf } = suite;

describe('phones over WebRTC application channels', () => {
  it('MESSAGE, then a call with audio both ways, on one AppAttach\'d data channel', async () => {
    const alice = phoneOf(suite.overlay.user('alice'));
    const bob = phoneOf(suite.overlay.user('bob'));
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
    expect(suite.overlay.user('alice').apps.stats().appAttachesSent + suite.overlay.user('bob').apps.stats().appAttachesSent).toBe(1);
  }, 30_000);

  it('a new call is in snapshot() at once; subscribers (the UI) hear of it after the task that placed it', async () => {
    const [alice, bob] = [phones[0]!, phones[1]!];
    let offAnswer = () => {};
    const answered = new Promise<PhoneCall>((resolve) => (offAnswer = bob.onIncomingCall((c) => void c.answer().then(() => resolve(c)))));
    let heard = false;
    const off = alice.subscribe(() => {
      heard ||= alice.snapshot().calls.some((c) => c.direction === 'outgoing' && c.state === 'calling');
    });
    const call = await alice.call('bob');
    expect(alice.snapshot().calls.find((c) => c.id === call.id)?.state).toBe('calling');
    expect(heard).toBe(false);
    await until(() => heard);
    off();
    await answered;
    offAnswer();
    await until(() => call.state === 'connected');
    call.hangup();
    await until(() => call.state === 'ended');
  }, 30_000);

  it('an incoming call answered at once never rings; one answered later does', async () => {
    const [alice, bob] = [phones[0]!, phones[1]!];
    const seen: string[] = [];
    const off = bob.subscribe(() => {
      const c = bob.snapshot().calls.find((x) => x.direction === 'incoming' && x.state !== 'ended');
      if (c && seen.at(-1) !== c.state) seen.push(c.state);
    });
    const offAnswer = bob.onIncomingCall((c) => void c.answer());
    const first = await alice.call('bob');
    await until(() => first.state === 'connected' && seen.includes('connected'));
    expect(seen).toEqual(['connected']);
    offAnswer();
    first.hangup();
    await until(() => bob.snapshot().calls.every((c) => c.state === 'ended'));

    seen.length = 0;
    let offLater = () => {};
    const later = new Promise<PhoneCall>((resolve) => (offLater = bob.onIncomingCall(resolve)));
    const second = await alice.call('bob');
    const incoming = await later;
    offLater();
    await until(() => seen.includes('incoming'));
    await incoming.answer();
    await until(() => second.state === 'connected' && seen.includes('connected'));
    expect(seen).toEqual(['incoming', 'connected']);
    off();
    second.hangup();
    await until(() => second.state === 'ended');
  }, 30_000);
});
