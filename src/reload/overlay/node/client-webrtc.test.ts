/**
 * Client mode (RFC 6940 §4.2) on the real network: a client joins nothing, connects to the seed's
 * ws:// bootstrap URL, Attaches (ICE, WebRTC data channel) to the peer responsible for its Node-ID
 * and keeps that one link; it stores and fetches with real certificates, requests to its Node-ID
 * reach it, and no peer puts it in its routing table.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { clockwise, ringPosition } from '../../topology/chord/ring.js';
import { toHex } from '../../wire/codec/hex.js';
import type { Kind } from '../../wire/config/index.js';
import { startWebRtcOverlay, type WebRtcOverlay } from './testing/webrtc-overlay-fixture.js';

const KIND = 0xf000_0001;

describe('a client on a real overlay (WebSocket bootstrap, WebRTC by Attach)', () => {
  let o: WebRtcOverlay | undefined;
  afterAll(async () => {
    await o?.close();
  });

  it('attaches to the responsible peer over one link, stores and fetches, and is in no routing table', async () => {
    const kind = { id: KIND, dataModel: 'SINGLE', accessControl: 'USER-MATCH', maxCount: 1, maxSize: 256, extensions: [] } as unknown as Kind;
    o = await startWebRtcOverlay({ requiredKinds: [{ kind }] });
    for (let i = 0; i < 5; i++) await o.addPeer();
    const peers = o.peers.map((p) => p.peer);
    const t0 = performance.now();
    const client = (await o.addPeer({ mode: 'client' })).peer;
    const attachMs = performance.now() - t0;

    const k = ringPosition(client.nodeId);
    const responsible = peers.reduce((a, b) => (clockwise(k, ringPosition(b.nodeId)) < clockwise(k, ringPosition(a.nodeId)) ? b : a));
    const status = client.status();
    expect(status).toMatchObject({ mode: 'client', joined: false, links: 1 });
    expect(toHex(status.attachedPeer!)).toBe(toHex(responsible.nodeId));

    const value = new TextEncoder().encode('sip:client@chordphone.test');
    await client.store(client.userName, KIND, [{ value }]);
    const fetched = await peers[2]!.fetch(client.userName, [{ kind: KIND }]);
    const v = fetched.answer.kindResponses[0]?.values[0]?.value;
    expect(v?.model === 'single' ? v.singleValueEntry.value : undefined).toEqual(value);
    await peers[4]!.store(peers[4]!.userName, KIND, [{ value: new TextEncoder().encode('peer4') }]);
    const back = (await client.fetch(peers[4]!.userName, [{ kind: KIND }])).answer.kindResponses[0]?.values[0]?.value;
    expect(back?.model === 'single' ? new TextDecoder().decode(back.singleValueEntry.value) : undefined).toBe('peer4');

    const answer = await peers[1]!.transport.request([{ kind: 'node', nodeId: client.nodeId }], { name: 'ping_req', value: { padding: new Uint8Array() } }, { signal: AbortSignal.timeout(5_000) });
    expect(toHex(answer.sender.nodeId)).toBe(toHex(client.nodeId));
    for (const p of peers) {
      const s = p.status();
      expect([...s.predecessors, ...s.successors, ...s.fingers].map(toHex)).not.toContain(toHex(client.nodeId));
    }
    console.log(`client attach on loopback: ${Math.round(attachMs)} ms (WebSocket bootstrap + Attach over ICE)`);
  }, 120_000);
});
