/** AUDIT harness: alice's real Phone (JsSIP) over OverlaySocket with fake SIP channels, any number of peers (fakeSipApps.peer). */
import { webCryptoRandom } from '../../platform/web-crypto.js';
import type { FetchOutcome, StoreOutcome } from '../../reload/overlay/overlay-types.js';
import { ManualClock } from '../../reload/testing/manual-clock.js';
import { Phone, type PhoneDeps } from '../phone.js';
import type { PhoneCall } from '../phone-call.js';
import { fakeSipApps } from './fake-sip-apps.js';
import { DOMAIN, flush, SELF } from './socket-world.js';

export async function alicePhoneWithPeers() {
  const clock = new ManualClock();
  const { apps, peer } = fakeSipApps(DOMAIN);
  const overlay: PhoneDeps['overlay'] = {
    nodeId: SELF,
    store: async (): Promise<StoreOutcome> => ({ answer: { kindResponses: [] }, hops: 0, responder: SELF }),
    fetch: async (): Promise<FetchOutcome> => ({ answer: { kindResponses: [] }, hops: 1, responder: SELF, rejected: [] }),
  };
  const stream = { getTracks: () => [] } as unknown as MediaStream;
  const phone = new Phone({ overlay, apps, clock, random: webCryptoRandom, getMedia: async () => stream }, { user: `alice@${DOMAIN}`, domain: DOMAIN });
  const incoming: PhoneCall[] = [];
  phone.onIncomingCall((c) => incoming.push(c));
  const started = phone.start();
  for (let i = 0; i < 5; i++) {
    await flush();
    clock.advance(0);
  }
  await started;
  return { phone, clock, peer, incoming };
}
