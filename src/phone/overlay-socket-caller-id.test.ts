/**
 * Caller ID that cannot be forged (InboundRequests.fromVerified): a request that starts a dialog
 * must come From the AoR of the certificate behind its channel, and a channel with no certificate
 * user known (no AppAttach seen, RFC 7904 §5.1) vouches for none. Nor does a peer that shares a
 * peer connection with us get a SIP channel without an AppAttach (AppAttachService over
 * ice-app-channels.ts).
 */
import { describe, expect, it } from 'vitest';
import { webCryptoRandom } from '../platform/web-crypto.js';
import { AppAttachService } from '../reload/overlay/app-attach-service.js';
import { createIceAppChannels } from '../reload/overlay/ice-app-channels.js';
import { fakeExistingConnections } from '../reload/overlay/testing/fake-data-channel.js';
import { ManualClock } from '../reload/testing/manual-clock.js';
import { ApplicationId } from '../reload/wire/methods/app-attach.js';
import { OverlaySocket } from './overlay-socket.js';
import { ALICE, ALICE_GRUU, DOMAIN, SELF, world } from './testing/socket-world.js';
import { parsed, sipRequest } from './testing/sip-messages.js';
import { responses } from './testing/fake-sip-channel.js';

const MALLORY = new Uint8Array(16).fill(7);
/** mallory's INVITE, claiming to come from bob. */
const spoofed = sipRequest('INVITE', ALICE_GRUU, { from: `sip:bob@${DOMAIN}`, fromTag: 'mt', to: ALICE, callId: 'spoof-1', cseq: 1, branch: 'z9hG4bKspoof1', contact: `sip:bob@${DOMAIN}` });

describe('OverlaySocket: caller ID on a channel with no AppAttach behind it', () => {
  it('an INVITE on a channel whose certificate user is not known is refused 403 and never reaches the UA', () => {
    const w = world();
    const mallory = w.peer(7, 'mallory', false);
    mallory.ch.deliver(spoofed);
    expect(w.up).toEqual([]);
    expect(responses(mallory.ch)).toEqual(['403 INVITE']);
  });

  it('an app-5060 data channel a peer opens on a shared peer connection with no AppAttach is closed, and its INVITE From bob goes nowhere', () => {
    const clock = new ManualClock();
    const shared = fakeExistingConnections([MALLORY]);
    const noIce = { offer: () => Promise.reject(new Error('no ICE')), answer: () => Promise.reject(new Error('no ICE')) };
    const network = createIceAppChannels({ ice: noIce as never, clock, existing: shared.existing }, { applications: [ApplicationId.SIP] });
    const transport = { localNodeId: SELF, request: () => Promise.reject(new Error('no transport')), handle: () => () => {} };
    const apps = new AppAttachService({ transport: transport as never, network, clock }, { applications: [ApplicationId.SIP] });
    const socket = new OverlaySocket({ apps, overlay: { nodeId: SELF, fetch: () => Promise.reject(new Error('no lookups')) }, clock, random: webCryptoRandom }, { domain: DOMAIN });
    const up: string[] = [];
    socket.ondata = (t) => up.push(t);
    socket.connect();
    clock.advance(0);

    const ch = shared.openedBy(MALLORY, 'app-5060');
    ch.deliver(spoofed);
    expect(ch.closed()).toBe(true);
    expect(apps.channels()).toEqual([]);
    expect(up.map((t) => parsed(t).fromUri)).toEqual([]);
  });
});
