/**
 * Phone tells its OverlaySocket when JsSIP gives up on an outgoing call (OverlaySocket.uaGaveUp):
 * a real JsSIP UA and RTCSession over the socket, JsSIP's own transaction timers (lib/Timers.js,
 * global setTimeout) run on vitest's fake timers, the socket's on a ManualClock, so JsSIP's Timer B
 * can fire while the socket's 64*T1 has not (as when JsSIP started it just before, in one send).
 * The peer connection makes an SDP offer and nothing else (media plays no part here); the device is
 * a fake SIP channel behind a scripted registration lookup.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { webCryptoRandom } from '../platform/web-crypto.js';
import type { FetchOutcome, StoreOutcome } from '../reload/overlay/overlay-types.js';
import { ManualClock } from '../reload/storage/testing/manual-clock.js';
import { encodeSipRegistration } from '../reload/wire/storage/kinds/sip-registration.js';
import { syntheticNonexistentSignature } from '../reload/wire/storage/stored-data.js';
import { routeRegistration, SIP_REGISTRATION_KIND } from '../usages/sip/index.js';
import { Phone, type PhoneDeps } from './phone.js';
import { TRANSACTION_LIFETIME_MS } from './sip-timers.js';
import { fakeSipApps } from './testing/fake-sip-apps.js';
import type { FakeSipChannel } from './testing/fake-sip-channel.js';
import { sipResponse } from './testing/sip-messages.js';

const DOMAIN = 'chordphone.test';
const SELF = new Uint8Array(16).fill(0xaa);
const DAVE = 1;

/** An RTCPeerConnection that makes an offer with its ICE gathering complete (JsSIP then sends the INVITE at once). */
class OfferOnlyPeerConnection {
  readonly iceGatheringState = 'complete';
  readonly iceConnectionState = 'new';
  readonly signalingState = 'stable';
  localDescription: { type: string; sdp: string } | null = null;
  addEventListener(): void {}
  removeEventListener(): void {}
  addTrack(): void {}
  getSenders(): never[] {
    return [];
  }
  close(): void {}
  async createOffer(): Promise<{ type: string; sdp: string }> {
    return { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n' };
  }
  async setLocalDescription(d: { type: string; sdp: string }): Promise<void> {
    this.localDescription = d;
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

/** Alice's phone, started, with dave's device registered on Node-ID DAVE (its fake channel). */
async function alicePhone() {
  const clock = new ManualClock();
  const { apps, peer } = fakeSipApps(DOMAIN);
  const overlay: PhoneDeps['overlay'] = {
    nodeId: SELF,
    store: async (): Promise<StoreOutcome> => ({ answer: { kindResponses: [] }, hops: 0, responder: SELF }),
    fetch: async (): Promise<FetchOutcome> => {
      const device = new Uint8Array(16).fill(DAVE);
      const value = { exists: true, value: encodeSipRegistration(routeRegistration(device)) };
      const stored = { storageTime: 0n, lifetime: 60, value: { model: 'dictionary' as const, dictionaryEntry: { key: device, value } }, signature: syntheticNonexistentSignature() };
      return { answer: { kindResponses: [{ kind: SIP_REGISTRATION_KIND, generation: 0n, values: [stored] }] }, hops: 1, responder: device, rejected: [] };
    },
  };
  const stream = { getTracks: () => [] } as unknown as MediaStream;
  const phone = new Phone({ overlay, apps, clock, random: webCryptoRandom, getMedia: async () => stream }, { user: `alice@${DOMAIN}`, domain: DOMAIN });
  const started = phone.start();
  for (let i = 0; i < 5; i++) {
    await flush();
    clock.advance(0); // the socket's connect (OverlaySocket.connect) on the virtual clock
  }
  await started;
  return { phone, clock, dave: peer(DAVE, 'dave').ch };
}

const requests = (ch: FakeSipChannel) => ch.sent.filter((m) => m.kind === 'request').map((m) => m.method);

describe('Phone: the socket hears at once that JsSIP gave up on an outgoing call (OverlaySocket.uaGaveUp)', () => {
  beforeEach(() => {
    // JsSIP's timers only: the socket runs on its ManualClock, and setImmediate (flush) stays real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    vi.stubGlobal('RTCPeerConnection', OfferOnlyPeerConnection);
    vi.stubGlobal('window', globalThis);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

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
