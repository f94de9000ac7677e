/**
 * The media API of PhoneCall the call screens use (issue 7), between Node phones over the overlay
 * with real WebRTC (@roamhq/wrtc): connect time, hold by side, DTMF received, device switching by
 * replaceTrack, video on and off by re-INVITE, and the getStats summary of the details panel.
 */
import wrtc from '@roamhq/wrtc';
import { describe, expect, it } from 'vitest';
import { buildSipOverlay } from '../../usages/sip/testing/sip-overlay-fixture.js';
import { until } from '../../reload/overlay/testing/app-overlay-fixture.js';
import { readCallStats } from '../media-stats.js';
import type { PhoneCall } from '../phone-call.js';
import { nextIncoming, tonePhoneSuite } from './testing/tone-phones.js';
import { createAudioOut, inboundAudioBytes } from './wrtc-media.js';

const suite = tonePhoneSuite(() => buildSipOverlay({ peers: 10, users: ['alice', 'bob'] }));

/** A wrtc camera: grey I420 frames at ~30 fps until stopped. */
function fakeCamera() {
  const source = new wrtc.nonstandard.RTCVideoSource();
  const track = source.createTrack() as unknown as MediaStreamTrack;
  const width = 320;
  const height = 240;
  const data = new Uint8Array(width * height * 1.5).fill(128);
  const timer = setInterval(() => source.onFrame({ width, height, data }), 33);
  return { track, stream: new wrtc.MediaStream([track as never]) as unknown as MediaStream, stop: () => (clearInterval(timer), track.stop()) };
}

/** Polls an async condition (every 50 ms) until it holds. */
async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${check.toString()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const videoBytesIn = async (c: PhoneCall) => (await readCallStats(c.connection!)).video.in?.bytes ?? 0;

describe('PhoneCall media for the call screens', () => {
  it('connect time, hold by side, DTMF received, replaceTrack, video on and off, stats summary', async () => {
    const alice = suite.phoneOf(suite.overlay.user('alice'), 500);
    const bob = suite.phoneOf(suite.overlay.user('bob'), 900);
    await Promise.all([alice.start(), bob.start()]);
    const ringing = nextIncoming(bob);
    const call = await alice.call('bob');
    const incoming = await ringing;
    expect(incoming.snapshot().connectedAt).toBeUndefined();
    const before = Date.now();
    await incoming.answer();
    await until(() => call.state === 'connected' && incoming.state === 'connected');
    const connectedAt = call.snapshot().connectedAt!;
    expect(connectedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(connectedAt).toBeLessThanOrEqual(Date.now());
    expect(incoming.snapshot().connectedAt).toBeDefined();
    expect(call.snapshot().video).toBe(false);

    // The details panel's figures: bytes both ways, the codec, an RTT.
    await eventually(async () => ((await readCallStats(call.connection!)).audio.in?.bytes ?? 0) > 0, 5000);
    const stats = await readCallStats(call.connection!);
    expect(stats.audio.in?.codec).toMatch(/opus/i);
    expect(stats.audio.out?.bytes).toBeGreaterThan(0);

    // Hold: which side holds is told apart (the UI offers Resume only to the side that held).
    expect(call.hold()).toBe(true);
    await until(() => call.snapshot().held && incoming.snapshot().held);
    expect(call.snapshot().onHold).toEqual({ local: true, remote: false });
    expect(incoming.snapshot().onHold).toEqual({ local: false, remote: true });
    await until(() => call.session.isReadyToReOffer());
    expect(call.hold(false)).toBe(true);
    await until(() => !call.snapshot().held && !incoming.snapshot().held);

    // DTMF (SIP INFO) shows in the receiver's snapshot.
    await until(() => call.session.isReadyToReOffer() && incoming.session.isReadyToReOffer());
    call.sendDtmf('1#');
    await until(() => incoming.snapshot().dtmfReceived === '1#', 5000);
    expect(call.snapshot().dtmfReceived).toBe('');

    // Another microphone: replaceTrack, no renegotiation; a muted call keeps the new track muted.
    call.mute();
    await until(() => call.snapshot().muted);
    const mic = createAudioOut();
    mic.startTone(700);
    const newTrack = mic.stream.getAudioTracks()[0]!;
    const old = await call.replaceTrack(newTrack);
    expect(old).not.toBe(newTrack);
    expect(call.connection!.getSenders().find((s) => s.track?.kind === 'audio')?.track).toBe(newTrack);
    expect(newTrack.enabled).toBe(false);
    call.mute(false);
    await until(() => newTrack.enabled);
    const b0 = await inboundAudioBytes(incoming.connection!);
    await new Promise((r) => setTimeout(r, 500));
    expect(await inboundAudioBytes(incoming.connection!)).toBeGreaterThan(b0);
    await expect(call.replaceTrack(fakeCamera().track)).rejects.toThrow('sends no video');

    // Video on (a re-INVITE adding m=video): bob receives frames; then off again.
    const cam = fakeCamera();
    try {
      await call.setVideo(cam.track, cam.stream);
      expect(call.snapshot().video).toBe(true);
      await eventually(async () => (await videoBytesIn(incoming)) > 0, 8000);
      expect(incoming.snapshot().video).toBe(false);
      await until(() => call.session.isReadyToReOffer() && incoming.session.isReadyToReOffer());
      await call.setVideo(null);
      expect(call.snapshot().video).toBe(false);
      const v0 = await videoBytesIn(incoming);
      await new Promise((r) => setTimeout(r, 700));
      // Allow a packet or two in flight at the switch.
      expect((await videoBytesIn(incoming)) - v0).toBeLessThan(5000);
    } finally {
      cam.stop();
      mic.stop();
    }
    expect(call.state).toBe('connected');
    call.hangup();
    await until(() => call.state === 'ended' && incoming.state === 'ended');
  }, 40_000);
});
