/**
 * Calls between Phones in Node: JsSIP RTCSessions over OverlaySocket (SIP by AoR through the overlay
 * and AppAttach channels), real WebRTC audio from @roamhq/wrtc.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../platform/system-clock.js';
import { webCryptoRandom } from '../../platform/web-crypto.js';
import { buildSipOverlay } from '../../usages/sip/testing/sip-overlay-fixture.js';
import { until } from '../../reload/overlay/testing/app-overlay-fixture.js';
import { nextIncoming, tonePhoneSuite } from './testing/tone-phones.js';
import { startEchoPeer } from './echo-peer.js';
import { inboundAudioBytes, listenTo, type AudioFrame } from './wrtc-media.js';

const suite = tonePhoneSuite(() => buildSipOverlay({ peers: 12, users: ['alice', 'bob', 'carol', 'echo', 'erin'] }));
const { phones, phoneOf } = suite;

describe('calls by AoR between Node phones', () => {
  it('alice calls bob, bob answers, audio flows both ways, alice hangs up and both end', async () => {
    const alice = phoneOf(suite.overlay.user('alice'));
    const bob = phoneOf(suite.overlay.user('bob'));
    await Promise.all([alice.start(), bob.start()]);
    const ringing = nextIncoming(bob);
    const call = await alice.call('bob');
    const incoming = await ringing;
    expect(incoming.remoteUser).toBe('alice');
    await until(() => call.state === 'ringing');
    await incoming.answer();
    await until(() => call.state === 'connected' && incoming.state === 'connected');

    const pcA = call.session.connection as unknown as RTCPeerConnection;
    const pcB = incoming.session.connection as unknown as RTCPeerConnection;
    const a0 = await inboundAudioBytes(pcA);
    const b0 = await inboundAudioBytes(pcB);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await inboundAudioBytes(pcA)).toBeGreaterThan(a0);
    expect(await inboundAudioBytes(pcB)).toBeGreaterThan(b0);

    incoming.mute();
    await until(() => incoming.snapshot().muted);
    // Hold and resume are re-INVITEs inside the dialog: routed by the GRUU in each side's Contact.
    expect(call.hold()).toBe(true);
    await until(() => call.snapshot().held && incoming.snapshot().held);
    await until(() => call.session.isReadyToReOffer());
    expect(call.hold(false)).toBe(true);
    await until(() => !call.snapshot().held && !incoming.snapshot().held);
    const tones: string[] = [];
    incoming.session.on('newDTMF', (e: { originator: string; dtmf: { tone: string } }) => e.originator === 'remote' && tones.push(e.dtmf.tone));
    call.sendDtmf('42');
    await until(() => tones.join('') === '42');

    // The SIP channel goes down mid-call: media is direct, the call stays up, and the BYE later
    // gets a new channel through a new AppAttach to the GRUU's Node-ID.
    const attaches = suite.overlay.user('alice').apps.stats().appAttachesSent + suite.overlay.user('bob').apps.stats().appAttachesSent;
    for (const ch of suite.overlay.user('alice').apps.channels()) ch.close();
    await until(() => suite.overlay.user('bob').apps.channels().length === 0);
    const a1 = await inboundAudioBytes(pcA);
    await new Promise((r) => setTimeout(r, 300));
    expect(await inboundAudioBytes(pcA)).toBeGreaterThan(a1);
    expect(call.state).toBe('connected');
    call.hangup();
    await until(() => call.state === 'ended' && incoming.state === 'ended');
    expect(suite.overlay.user('alice').apps.stats().appAttachesSent + suite.overlay.user('bob').apps.stats().appAttachesSent).toBe(attaches + 1);
  }, 20_000);

  it('a call to an AoR nobody registered fails with "nobody is not online": the socket\'s own 480 from the lookup, not a timeout', async () => {
    const alice = phones[0]!;
    const synthesized = alice.socket.stats().synthesized;
    const call = await alice.call('nobody');
    await until(() => call.state === 'failed');
    // A timeout (the socket's route timeout, JsSIP's Timer B) would be a 408, 'unreachable'.
    expect(call.snapshot().error).toMatchObject({ code: 'not-online', message: 'nobody is not online.', status: 480 });
    expect(alice.socket.stats().synthesized).toBe(synthesized + 1);
  });

  it('a declined call says so', async () => {
    const [alice, bob] = phones;
    const ringing = nextIncoming(bob!);
    const call = await alice!.call('bob');
    (await ringing).decline();
    await until(() => call.state === 'failed');
    expect(call.snapshot().error?.code).toBe('declined');
  }, 10_000);

  it('carol on two devices: both ring, one answers, the other stops ringing', async () => {
    const c1 = phoneOf(suite.overlay.user('carol'));
    const c2 = phoneOf(await suite.overlay.addUser('carol'));
    await Promise.all([c1.start(), c2.start()]);
    const r1 = nextIncoming(c1);
    const r2 = nextIncoming(c2);
    const call = await phones[0]!.call('carol');
    const [i1, i2] = await Promise.all([r1, r2]);
    expect(i1.state).toBe('incoming');
    expect(i2.state).toBe('incoming');
    await i2.answer();
    await until(() => call.state === 'connected' && i2.state === 'connected');
    await until(() => i1.state === 'failed');
    expect(i1.snapshot().error?.code).toBe('cancelled');
    expect(phones[0]!.socket.stats().cancelsSent).toBe(1);
    call.hangup();
    await until(() => i2.state === 'ended');
  }, 20_000);

  it('the echo peer answers and sends back what it hears (a 1 kHz tone, not its own 200 Hz one)', async () => {
    const e = suite.overlay.user('echo');
    const echo = await startEchoPeer({ overlay: e.peer, apps: e.apps, clock: systemClock, random: webCryptoRandom }, { name: 'echo', domain: suite.overlay.domain, toneHz: 200 });
    const erin = phoneOf(suite.overlay.user('erin'), 1000);
    await erin.start();
    const call = await erin.call('echo');
    await until(() => call.state === 'connected');
    expect(echo.answered).toBe(1);
    const pc = call.session.connection as unknown as RTCPeerConnection;
    const track = pc.getReceivers().map((r) => r.track).find((t) => t.kind === 'audio')!;
    const frames: AudioFrame[] = [];
    const stop = listenTo(track, (fr) => frames.push(fr));
    await new Promise((r) => setTimeout(r, 1500));
    stop();
    expect(echo.echoedFrames).toBeGreaterThan(20);
    // Zero crossings per 10 ms frame: ~20 for 1 kHz (erin's tone echoed), ~4 for the echo's own 200 Hz.
    const last = frames.slice(-30);
    const crossings = last.map((fr) => {
      let n = 0;
      for (let i = 1; i < fr.samples.length; i++) if (fr.samples[i - 1]! < 0 !== fr.samples[i]! < 0) n++;
      return n;
    });
    const loud = last.filter((fr) => fr.samples.some((v) => Math.abs(v) > 1000));
    expect(loud.length).toBeGreaterThan(20);
    expect(crossings.reduce((a, b) => a + b, 0) / crossings.length).toBeGreaterThan(12);
    call.hangup();
    await echo.stop();
  }, 20_000);
});
