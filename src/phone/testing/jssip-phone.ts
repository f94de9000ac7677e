/**
 * Alice's Phone with its real JsSIP UA over OverlaySocket, for tests that need JsSIP itself: the
 * socket runs on a ManualClock, JsSIP's own timers (lib/Timers.js, global setTimeout) on vitest's
 * fake timers (`jsSipGlobals`). The peer connection makes an SDP offer and takes the answer, nothing
 * else (media plays no part here); dave's device is a fake SIP channel behind a scripted
 * registration lookup.
 */
import { afterEach, beforeEach, vi } from 'vitest';
import { webCryptoRandom } from '../../platform/web-crypto.js';
import type { FetchOutcome, StoreOutcome } from '../../reload/overlay/overlay-types.js';
import { ManualClock } from '../../reload/testing/manual-clock.js';
import { encodeSipRegistration } from '../../reload/wire/storage/kinds/sip-registration.js';
import { syntheticNonexistentSignature } from '../../reload/wire/storage/stored-data.js';
import { routeRegistration, SIP_REGISTRATION_KIND } from '../../usages/sip/index.js';
import { Phone, type PhoneDeps } from '../phone.js';
import type { FakeSipChannel } from './fake-sip-channel.js';
import { fakeSipApps } from './fake-sip-apps.js';
import { DOMAIN, flush, SELF } from './socket-world.js';

const DAVE = 1;

/** A minimal SDP, for the offer and an answer. */
export const SDP = 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n';

/** A caller's RTCPeerConnection: it makes an offer with its ICE gathering complete (JsSIP then sends the INVITE at once) and takes the answer; it makes no answer itself. */
class CallerPeerConnection {
  readonly iceGatheringState = 'complete';
  readonly iceConnectionState = 'new';
  signalingState = 'stable';
  localDescription: { type: string; sdp: string } | null = null;
  addEventListener(): void {}
  removeEventListener(): void {}
  addTrack(): void {}
  getSenders(): never[] {
    return [];
  }
  close(): void {}
  async createOffer(): Promise<{ type: string; sdp: string }> {
    return { type: 'offer', sdp: SDP };
  }
  async setLocalDescription(d: { type: string; sdp: string }): Promise<void> {
    this.localDescription = d;
    this.signalingState = 'have-local-offer';
  }
  async setRemoteDescription(): Promise<void> {
    this.signalingState = 'stable';
  }
}

/** A callee's RTCPeerConnection: it takes the offer and makes an answer (ICE gathering complete, so JsSIP sends its 200 at once). `vi.stubGlobal('RTCPeerConnection', CalleePeerConnection)` after jsSipGlobals's. */
export class CalleePeerConnection extends CallerPeerConnection {
  async createAnswer(): Promise<{ type: string; sdp: string }> {
    return { type: 'answer', sdp: SDP };
  }
}

/** What JsSIP wraps an SDP in (RTCSession: `new RTCSessionDescription(...)`), absent in Node. */
class PlainSessionDescription {
  readonly type: string;
  readonly sdp: string;
  constructor(init: { type: string; sdp: string }) {
    this.type = init.type;
    this.sdp = init.sdp;
  }
}

/** Around each test of the file: JsSIP's timers fake (setImmediate, for `flush`, stays real), the WebRTC globals stubbed. */
export function jsSipGlobals(): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    vi.stubGlobal('RTCPeerConnection', CallerPeerConnection);
    vi.stubGlobal('RTCSessionDescription', PlainSessionDescription);
    vi.stubGlobal('window', globalThis);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });
}

/** Alice's phone, started, with dave's device registered on Node-ID DAVE (its fake channel). */
export async function alicePhone(): Promise<{ phone: Phone; clock: ManualClock; dave: FakeSipChannel; daveGruu: string }> {
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
  const dave = peer(DAVE, 'dave');
  return { phone, clock, dave: dave.ch, daveGruu: dave.gruu };
}
