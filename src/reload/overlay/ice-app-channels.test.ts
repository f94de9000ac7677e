/**
 * AppAttach over real WebRTC: each AppAttach gathers and connects its own peer connection
 * (node-datachannel on loopback, through reload/links/webrtc), its ICE fields and DTLS fingerprint
 * carried in the signed AppAttachReq/Ans over a real overlay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppChannelData } from '../links/app-channel.js';
import { answerWebRtc, offerWebRtc, type WebRtcConnection } from '../links/webrtc/index.js';
import { nodeRtcConfiguration, nodeWrtc } from '../links/webrtc/node/index.js';
import { bytesEqual } from '../wire/codec/hex.js';
import { ApplicationId } from '../wire/methods/app-attach.js';
import { createIceAppChannels, type ExistingConnections } from './ice-app-channels.js';
import { buildAppOverlay, realClock, type AppOverlay, until } from './testing/app-overlay-fixture.js';
import { webRtcIce } from './testing/webrtc-ice.js';

let f: AppOverlay;
beforeAll(async () => {
  f = await buildAppOverlay({ peers: 6, users: ['alice', 'bob'], appChannels: () => createIceAppChannels({ ice: webRtcIce(), clock: realClock }) });
}, 60_000);
afterAll(() => f?.close());


describe('AppAttach channels over WebRTC (ICE fields and DTLS fingerprint in the signed AppAttach)', () => {
  it('alice AppAttaches to bob and they exchange text and bytes on the new data channel link', async () => {
    const alice = f.user('alice');
    const bob = f.user('bob');
    const atBob: { from: Uint8Array; data: AppChannelData }[] = [];
    bob.apps.onChannel(ApplicationId.SIP, (ch) => ch.onMessage((data) => atBob.push({ from: ch.remoteNodeId, data })));
    const ch = await alice.apps.channel(bob.nodeId, ApplicationId.SIP);
    expect(ch.send('MESSAGE sip:bob@chordphone.test SIP/2.0')).toBe(true);
    expect(ch.send(Uint8Array.of(9, 8, 7))).toBe(true);
    await until(() => atBob.length === 2);
    expect(atBob.map((m) => m.data)).toEqual(['MESSAGE sip:bob@chordphone.test SIP/2.0', Uint8Array.of(9, 8, 7)]);
    expect(bytesEqual(atBob[0]!.from, alice.nodeId)).toBe(true);
    const back: AppChannelData[] = [];
    ch.onMessage((d) => back.push(d));
    bob.apps.existing(alice.nodeId, ApplicationId.SIP)!.send('SIP/2.0 200 OK');
    await until(() => back.length === 1);
    expect(back).toEqual(['SIP/2.0 200 OK']);
    // Reused for the next request: no second AppAttach.
    expect(await alice.apps.channel(bob.nodeId, ApplicationId.SIP)).toBe(ch);
    expect(alice.apps.stats().appAttachesSent).toBe(1);
  }, 30_000);
});

describe('the fast path: a labelled data channel on an existing peer connection', () => {
  it('an AppAttach between peers that share a connection carries no candidates and opens channel app-5060 on it', async () => {
    const init = { wrtc: nodeWrtc, rtcConfiguration: nodeRtcConfiguration([], '127.0.0.1') };
    const offer = await offerWebRtc({ clock: realClock }, init);
    const answer = await answerWebRtc({ clock: realClock }, init, offer.local);
    const connA = await offer.complete(answer.local);
    const connB = await answer.connection;
    const idA = new Uint8Array(16).fill(1);
    const idB = new Uint8Array(16).fill(2);
    const existing = (peer: Uint8Array, conn: WebRtcConnection): ExistingConnections => ({
      connectionTo: (n) => (bytesEqual(n, peer) ? conn : undefined),
      onChannel: (l) => void conn.onChannel((dc) => l(peer, dc)),
    });
    const noIce = { offer: () => Promise.reject(new Error('no ICE round expected')), answer: () => Promise.reject(new Error('no ICE round expected')) };
    const netA = createIceAppChannels({ ice: noIce, clock: realClock, existing: existing(idB, connA) });
    const netB = createIceAppChannels({ ice: noIce, clock: realClock, existing: existing(idA, connB) });
    const inboundAtB: { remote: Uint8Array; app: number; got: AppChannelData[] }[] = [];
    netB.onInbound((ch) => {
      const entry = { remote: ch.remoteNodeId, app: ch.application, got: [] as AppChannelData[] };
      inboundAtB.push(entry);
      ch.onMessage((d) => entry.got.push(d));
    });
    netA.onInbound(() => {});
    const req = await netA.offer(idB, ApplicationId.SIP);
    expect(req.candidates).toEqual([]);
    const { local: ans } = await netB.answer(idA, ApplicationId.SIP, req);
    expect(ans.candidates).toEqual([]);
    const ch = await netA.open(idB, ApplicationId.SIP, ans);
    expect(ch.send('INVITE')).toBe(true);
    await until(() => inboundAtB[0]?.got.length === 1);
    expect(inboundAtB[0]).toMatchObject({ app: ApplicationId.SIP, got: ['INVITE'] });
    expect(bytesEqual(inboundAtB[0]!.remote, idA)).toBe(true);
    // The overlay link on the same connection is untouched.
    expect(connA.link.state).toBe('open');
    netA.close();
    netB.close();
    connA.close();
  }, 30_000);
});
