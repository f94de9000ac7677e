/**
 * AppAttach's SIP channel (RFC 6940 §6.5.2, RFC 7904 §5) on the real network: between two peers
 * that share a data-channel link, the AppAttach carries no candidates and the channel is a second
 * data channel (`app-5060`) on that same RTCPeerConnection, no new ICE round (ARCHITECTURE.md
 * "SIP"). The real network is the ExistingConnections of ice-app-channels.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../platform/system-clock.js';
import type { AppChannel, AppChannelData } from '../../links/app-channel.js';
import { toHex } from '../../wire/codec/hex.js';
import { ApplicationId } from '../../wire/methods/app-attach.js';
import { AppAttachService } from '../app-attach-service.js';
import { createIceAppChannels } from '../ice-app-channels.js';
import { startWebRtcOverlay, type RealPeer, type WebRtcOverlay } from './testing/webrtc-overlay-fixture.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('a SIP channel on the data-channel link two peers already share', () => {
  let o: WebRtcOverlay | undefined;
  afterAll(async () => {
    await o?.close();
  });

  it('AppAttach opens app-5060 on the existing peer connection, and SIP text flows both ways', async () => {
    o = await startWebRtcOverlay();
    await o.addPeer();
    await o.addPeer();
    const [, a, b] = o.peers as [RealPeer, RealPeer, RealPeer];
    for (let i = 0; i < 100 && !(a.network.connectionTo(b.peer.nodeId) && b.network.connectionTo(a.peer.nodeId)); i++) await sleep(50);
    const shared = a.network.connectionTo(b.peer.nodeId);
    expect(shared).toBeDefined();
    const apps = (p: RealPeer) =>
      new AppAttachService(
        { transport: p.peer.transport, network: createIceAppChannels({ ice: p.network.ice, clock: systemClock, existing: p.network }, { applications: [ApplicationId.SIP] }), clock: systemClock },
        { applications: [ApplicationId.SIP] },
      );
    const appsA = apps(a);
    const appsB = apps(b);
    const atB = new Promise<AppChannel>((r) => appsB.onChannel(ApplicationId.SIP, r));
    const chA = await appsA.channel(b.peer.nodeId, ApplicationId.SIP);
    const chB = await atB;
    expect(toHex(chA.remoteNodeId)).toBe(toHex(b.peer.nodeId));
    expect(toHex(chB.remoteNodeId)).toBe(toHex(a.peer.nodeId));
    // Same peer connection as the overlay link: no second ICE round.
    expect(a.network.connectionTo(b.peer.nodeId)).toBe(shared);
    const gotB = new Promise<AppChannelData>((r) => chB.onMessage(r));
    chA.send('MESSAGE sip:peer2@chordphone.test SIP/2.0\r\n\r\n');
    expect(await gotB).toBe('MESSAGE sip:peer2@chordphone.test SIP/2.0\r\n\r\n');
    const gotA = new Promise<AppChannelData>((r) => chA.onMessage(r));
    chB.send('SIP/2.0 200 OK\r\n\r\n');
    expect(await gotA).toBe('SIP/2.0 200 OK\r\n\r\n');
    // The overlay link on that connection is untouched.
    expect(shared!.link.state).toBe('open');
    appsA.close();
    appsB.close();
  }, 60_000);
});
