/**
 * Ten Node peers form a real overlay: real certificates (a test CA), one seed reachable by a
 * ws:// URL on loopback that serves the WebSocket bootstrap endpoint, every other link made by
 * Attach (RFC 6940 §6.5.1) over real WebRTC data channels (node-datachannel, ICE on 127.0.0.1,
 * DTLS fingerprints from the signed Attach). They form a ring, store and fetch a value, and the
 * link table holds data-channel links.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DataChannelLink } from '../../links/webrtc/index.js';
import { toHex } from '../../wire/codec/hex.js';
import type { Kind } from '../../wire/config/index.js';
import { startWebRtcOverlay, type WebRtcOverlay } from './testing/webrtc-overlay-fixture.js';

const PEERS = 10;
const KIND = 0xf000_0001;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('a real overlay: WebSocket bootstrap, WebRTC data channels by Attach', () => {
  let o: WebRtcOverlay | undefined;
  afterAll(async () => {
    await o?.close();
  });

  it(`${PEERS} peers join, form the ring, store and fetch, over data channels`, async () => {
    const kind = { id: KIND, dataModel: 'SINGLE', accessControl: 'USER-MATCH', maxCount: 1, maxSize: 256, extensions: [] } as unknown as Kind;
    o = await startWebRtcOverlay({ requiredKinds: [{ kind }] });
    const joinTimes: number[] = [];
    for (let i = 1; i < PEERS; i++) {
      const t0 = performance.now();
      await o.addPeer();
      joinTimes.push(performance.now() - t0);
    }
    const running = o.peers;

    // The ring: every peer's first successor and predecessor are its neighbours in Node-ID order.
    const sorted = [...running].sort((a, b) => (toHex(a.peer.nodeId) < toHex(b.peer.nodeId) ? -1 : 1));
    const ringExact = () =>
      sorted.every((r, i) => {
        const s = r.peer.status();
        const next = sorted[(i + 1) % sorted.length]!.peer.nodeId;
        const prev = sorted[(i - 1 + sorted.length) % sorted.length]!.peer.nodeId;
        return s.joined && s.successors[0] !== undefined && toHex(s.successors[0]) === toHex(next) && s.predecessors[0] !== undefined && toHex(s.predecessors[0]) === toHex(prev);
      });
    const settleStart = performance.now();
    while (!ringExact() && performance.now() - settleStart < 30_000) await sleep(200);
    expect(ringExact()).toBe(true);

    // Store at one peer (USER-MATCH: under its own user name), fetch from another.
    const writer = running[3]!.peer;
    const value = new TextEncoder().encode('sip:peer3@chordphone.test;gr=webrtc');
    await writer.store(writer.userName, KIND, [{ value }]);
    const fetched = await running[7]!.peer.fetch(writer.userName, [{ kind: KIND }]);
    const stored = fetched.answer.kindResponses[0]?.values[0]?.value;
    expect(stored?.model).toBe('single');
    expect(stored?.model === 'single' ? stored.singleValueEntry.value : undefined).toEqual(value);

    // The link tables: every joined non-seed peer has data-channel links, bound to the Node-ID
    // at the other end, over connected RTCPeerConnections.
    for (const r of running.slice(1)) {
      const channels = r.peer.neighbours().filter((n) => n.link instanceof DataChannelLink);
      expect(channels.length).toBeGreaterThan(0);
      for (const n of channels) {
        expect(toHex(r.network.authenticate(n.link)!)).toBe(toHex(n.nodeId));
        expect((n.link as DataChannelLink).connection.peerConnection.connectionState).toBe('connected');
        expect(n.link.remoteAddress).toMatch(/^webrtc:127\.0\.0\.1:\d+$/);
      }
    }
    const all = running.flatMap((r) => r.peer.neighbours());
    console.log(
      `webrtc overlay: ${PEERS} peers; join ms ${joinTimes.map((t) => Math.round(t)).join(' ')}; ring exact after ${Math.round(performance.now() - settleStart)} ms; ` +
        `${all.filter((n) => n.link instanceof DataChannelLink).length} data-channel and ${all.filter((n) => !(n.link instanceof DataChannelLink)).length} WebSocket link ends`,
    );
  }, 120_000);
});
