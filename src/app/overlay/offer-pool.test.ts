/**
 * Offers made ahead of the join's Attaches (offer-pool.ts), over real data channels
 * (node-datachannel on loopback, the way webrtc-connection.test.ts runs the link): each prepared
 * offer connects with the answer made for it, with the short host-only gathering
 * (gather-settings.ts); the pool hands each out once, in order; and what is not taken is
 * released (its peer connection closed) on close() or when it grows too old; a network given the
 * pool (webrtc-network.ts `preparedOffers`) makes its first Attach offers from it. Real time.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../platform/system-clock.js';
import { answerWebRtc, type WebRtcInit } from '../../reload/links/webrtc/index.js';
import { nodeRtcConfiguration, nodeWrtc } from '../../reload/links/webrtc/node/index.js';
import { webCryptoRandom } from '../../platform/web-crypto.js';
import { overlayParameters } from '../../reload/forwarding/index.js';
import { createWebRtcNetwork } from '../../reload/overlay/webrtc-network.js';
import { ReloadError } from '../../reload/runtime/reload-error.js';
import { nodeWebSocket } from '../../reload/links/websocket/node/index.js';
import { TestPki } from '../../reload/testing/test-pki.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { gatherSettingsFor, HOST_ONLY_GATHER_QUIET_MS } from './gather-settings.js';
import { createOfferPool, type OfferPool } from './offer-pool.js';
import { stackCloses } from '../../reload/links/webrtc/testing/stack-closes.js';

const deps = { clock: systemClock };
/** Every peer connection made, to see which were closed. */
const made: RTCPeerConnection[] = [];
class Recorded extends nodeWrtc.RTCPeerConnection {
  constructor(config?: RTCConfiguration) {
    super(config);
    made.push(this);
  }
}
const wrtc = { ...nodeWrtc, RTCPeerConnection: Recorded as unknown as typeof RTCPeerConnection };
/** A WebRTC stack that makes no local description (yet): its offers stay gathering until links/webrtc gives up (5 s). */
class Stalling extends Recorded {
  constructor(config?: RTCConfiguration) {
    super(config);
    Object.defineProperty(this, 'createOffer', { value: () => new Promise<never>(() => {}) });
  }
}
const stalling = { ...nodeWrtc, RTCPeerConnection: Stalling as unknown as typeof RTCPeerConnection };
const init: WebRtcInit = { wrtc, rtcConfiguration: nodeRtcConfiguration([], '127.0.0.1'), ...gatherSettingsFor([]) };
const pools: OfferPool[] = [];
const closers: (() => void)[] = [];

const closed = (pc: RTCPeerConnection) => pc.connectionState === 'closed' || pc.signalingState === 'closed';

afterEach(async () => {
  for (const p of pools.splice(0)) p.close();
  for (const c of closers.splice(0)) c();
  // No test leaves a real peer connection open for the next (nor the process).
  const left = made.splice(0);
  await vi.waitFor(() => expect(left.filter((pc) => !closed(pc))).toHaveLength(0), { timeout: 5_000 });
});

describe('createOfferPool', () => {
  it('hands out each prepared offer once, in order, and each connects with its answer', async () => {
    const pool = createOfferPool(deps, init, { count: 2 });
    pools.push(pool);
    expect(made).toHaveLength(2);
    expect(pool.left()).toBe(2);
    const first = await pool.take()!;
    const second = await pool.take()!;
    expect(pool.take()).toBeUndefined();
    expect(pool.left()).toBe(0);
    expect(first.local.ufrag).not.toBe(second.local.ufrag);
    for (const offer of [first, second]) {
      expect(offer.local.candidates.length).toBeGreaterThan(0);
      const answer = await answerWebRtc(deps, init, offer.local);
      const a = await offer.complete(answer.local);
      const b = await answer.connection;
      closers.push(() => a.close(), () => b.close());
      const got = new Promise<Uint8Array>((resolve) => b.link.onMessage(resolve));
      a.link.send(Uint8Array.of(1, 2, 3));
      expect(await got).toEqual(Uint8Array.of(1, 2, 3));
    }
    // The pool made no connection beyond its two (the answers made theirs).
    expect(made).toHaveLength(4);
  });

  it('releases the offers not taken on close()', async () => {
    const pool = createOfferPool(deps, init, { count: 3 });
    const taken = await pool.take()!;
    closers.push(() => taken.cancel());
    pool.close();
    expect(pool.take()).toBeUndefined();
    const [first, ...rest] = made;
    await vi.waitFor(() => expect(rest.every(closed)).toBe(true), { timeout: 5_000 });
    expect(closed(first!)).toBe(false);
  });

  it('drops a prepared offer at once when the WebRTC stack makes it no peer connection: the network\'s budget no longer counts it', async () => {
    class Refusing extends nodeWrtc.RTCPeerConnection {
      constructor(config?: RTCConfiguration) {
        // As a browser tab past its limit of peer connections does.
        if (config) throw new DOMException('Cannot create so many PeerConnections', 'UnknownError');
        super(config);
      }
    }
    const pool = createOfferPool(deps, { ...init, wrtc: { ...nodeWrtc, RTCPeerConnection: Refusing as unknown as typeof RTCPeerConnection } }, { count: 2 });
    pools.push(pool);
    // `left` is what the budget counts as pending (webrtc-network.ts gives it to PeerConnectionBudget).
    await vi.waitFor(() => expect(pool.left()).toBe(0), { timeout: 2_000 });
    expect(pool.take()).toBeUndefined();
  });

  it('drops a prepared offer at once when its gathering fails after its peer connection is made, and that peer connection closes', async () => {
    const clock = new VirtualClock();
    const pool = createOfferPool({ clock }, { ...init, wrtc: stalling }, { count: 2 });
    pools.push(pool);
    expect(made).toHaveLength(2);
    expect(pool.left()).toBe(2);
    // links/webrtc gives up on a local description after 5 s.
    await clock.advance(5_000);
    expect(pool.left()).toBe(0);
    expect(made.every(closed)).toBe(true);
    expect(pool.take()).toBeUndefined();
  });

  it('drops a prepared offer at once when its peer connection closes before it has a local description, not when gathering gives up', async () => {
    const clock = new VirtualClock();
    const pool = createOfferPool({ clock }, { ...init, wrtc: stalling }, { count: 2 });
    pools.push(pool);
    const [first] = made;
    stackCloses(first!);
    // No virtual time passes: links/webrtc's 5 s wait for a description is not what drops it.
    await vi.waitFor(() => expect(pool.left()).toBe(1), { timeout: 2_000 });
    expect(clock.now()).toBe(0);
    // The other, still gathering, ends with the pool (afterEach checks every peer connection closed).
  });

  it('ends the offers still gathering on close(), without waiting for gathering to give up', async () => {
    const clock = new VirtualClock();
    const pool = createOfferPool({ clock }, { ...init, wrtc: stalling }, { count: 2 });
    pool.close();
    expect(pool.left()).toBe(0);
    // No virtual time passes: their peer connections close now, not after links/webrtc's 5 s.
    await vi.waitFor(() => expect(made.every(closed)).toBe(true), { timeout: 2_000 });
    expect(clock.now()).toBe(0);
  });

  it('drops a prepared offer whose peer connection closes before it is taken (the WebRTC stack closed it)', async () => {
    const described = new Set<RTCPeerConnection>();
    class Describing extends Recorded {
      override setLocalDescription(d?: RTCLocalSessionDescriptionInit): Promise<void> {
        return super.setLocalDescription(d).then(() => void described.add(this));
      }
    }
    const pool = createOfferPool(deps, { ...init, wrtc: { ...nodeWrtc, RTCPeerConnection: Describing as unknown as typeof RTCPeerConnection } }, { count: 2 });
    pools.push(pool);
    const [first, second] = made;
    // Past its description (simple-peer signals it as this resolves): closed after it, while still gathering or after, it is dropped too.
    await vi.waitFor(() => expect(described.has(first!)).toBe(true), { timeout: 5_000 });
    stackCloses(first!);
    await vi.waitFor(() => expect(pool.left()).toBe(1), { timeout: 5_000 });
    const taken = await pool.take()!;
    closers.push(() => taken.cancel());
    expect(taken.local.ufrag).toBe(/a=ice-ufrag:(\S+)/.exec(second!.localDescription?.sdp ?? '')?.[1]);
  });

  it('releases the offers not taken once they are older than maxAgeMs', async () => {
    const pool = createOfferPool(deps, init, { count: 2, maxAgeMs: 100 });
    pools.push(pool);
    await vi.waitFor(() => expect(made.every(closed)).toBe(true), { timeout: 5_000 });
    expect(pool.take()).toBeUndefined();
  });

  it('gives a network its first Attach offers, then the network makes its own', async () => {
    const pool = createOfferPool(deps, init, { count: 1 });
    pools.push(pool);
    const pki = await TestPki.create();
    const peer = await pki.peer(`ada@${pki.overlay}`);
    const network = createWebRtcNetwork(
      { clock: systemClock, random: webCryptoRandom, signer: await peer.signer(), verifier: pki.verifier(), WebSocket: nodeWebSocket },
      { overlayParameters: overlayParameters({ overlay: 1 }), webrtc: init, preparedOffers: pool },
    );
    closers.push(() => network.close());
    const prepared = made[0]!;
    const first = await network.ice.offer();
    closers.push(() => first.cancel());
    expect(made).toHaveLength(1);
    expect(new TextDecoder().decode(first.local.ufrag)).toBe(/a=ice-ufrag:(\S+)/.exec(prepared.localDescription?.sdp ?? '')?.[1]);
    const second = await network.ice.offer();
    closers.push(() => second.cancel());
    expect(made).toHaveLength(2);
  });
});

describe('createOfferPool: the network\'s peer-connection budget (overlay/peer-connection-budget.ts)', () => {
  it('counts the offers the pool holds: an answer past the caps is refused, and a prepared offer taken stays within them', async () => {
    const pool = createOfferPool(deps, init, { count: 2 });
    pools.push(pool);
    const pki = await TestPki.create();
    const [ada, bob] = await Promise.all([pki.peer(`ada@${pki.overlay}`), pki.peer(`bob@${pki.overlay}`)]);
    const networkDeps = async (p: typeof ada) => ({ clock: systemClock, random: webCryptoRandom, signer: await p.signer(), verifier: pki.verifier(), WebSocket: nodeWebSocket });
    const network = createWebRtcNetwork(await networkDeps(ada), {
      overlayParameters: overlayParameters({ overlay: 1 }),
      webrtc: init,
      preparedOffers: pool,
      peerConnectionLimits: { pendingPerRequester: 4, pending: 2, total: 2 },
    });
    closers.push(() => network.close());
    // Bob's offer, withdrawn at once (its own WebRTC stack: `made` counts Ada's peer connections).
    const other = createWebRtcNetwork(await networkDeps(bob), { overlayParameters: overlayParameters({ overlay: 1 }), webrtc: { ...init, wrtc: nodeWrtc } });
    closers.push(() => other.close());
    const bobs = await other.ice.offer();
    bobs.cancel();
    expect(made).toHaveLength(2); // the pool's
    // Ada holds 2 peer connections, her caps: an Attach answered now would make a third.
    const answered = await network.ice.answer(bob.nodeIds[0]!, bobs.local).then(
      (a) => {
        a.link.catch(() => undefined);
        a.cancel();
        return 'answered';
      },
      (e: unknown) => (e instanceof ReloadError ? e.codeName : String(e)),
    );
    expect(answered).toBe('Error_Request_Timeout');
    expect(made).toHaveLength(2);
    // Her own Attach's offer comes from the pool: no new peer connection, nothing refused.
    const first = await network.ice.offer();
    closers.push(() => first.cancel());
    expect(made).toHaveLength(2);
  });
});

describe('gatherSettingsFor', () => {
  it('ends gathering early only when no STUN/TURN server is configured', () => {
    expect(gatherSettingsFor([])).toEqual({ gatherQuietMs: HOST_ONLY_GATHER_QUIET_MS });
    expect(gatherSettingsFor([{ urls: 'stun:192.0.2.1:3478' }])).toEqual({});
  });
});
