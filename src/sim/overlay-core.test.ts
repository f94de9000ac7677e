/**
 * The layers below the topology working together: peers on the memory network with a static ring
 * router, on the virtual clock (no real timers). RFC 6940 §6.1–6.3, §6.6, §6.7.
 */
import { describe, expect, it } from 'vitest';
import { ReloadError } from '../reload/runtime/reload-error.js';
import type { IncomingRequest } from '../reload/transport/index.js';
import { TransportOverloadError } from '../reload/transport/index.js';
import type { Destination } from '../reload/wire/destination.js';
import { decodeForwardingHeaderOnly } from '../reload/wire/forwarded-message.js';
import { ForwardingOptionFlag } from '../reload/wire/forwarding-option.js';
import { decodeFramedMessage } from '../reload/wire/framing.js';
import { ErrorCode } from '../reload/wire/message-codes.js';
import type { Router } from '../reload/forwarding/index.js';
import type { Signer, Verifier } from '../reload/security/signer.js';
import { FastSigner } from './fast-signer.js';
import type { VirtualClock } from './virtual-clock.js';
import { buildStaticOverlay, type StaticOverlay } from './static-overlay.js';

const node = (nodeId: Uint8Array): Destination => ({ kind: 'node', nodeId });
const ping = (size = 0) => ({ name: 'ping_req', value: { padding: new Uint8Array(size) } }) as const;

/** Every peer answers pings; returns the requests each one handled. */
function answerPings(o: StaticOverlay): IncomingRequest<'ping_req'>[][] {
  return o.peers.map((p, i) => {
    const seen: IncomingRequest<'ping_req'>[] = [];
    p.transport.handle('ping_req', (req) => {
      seen.push(req);
      return { value: { responseId: BigInt(i), time: BigInt(Math.floor(o.clock.now())) } };
    });
    return seen;
  });
}

/** The data frames on the network as "from>to" for RELOAD messages (probes left out). */
function tapPath(o: StaticOverlay): string[] {
  const path: string[] = [];
  o.network.tap((f) => {
    const m = decodeFramedMessage(f.bytes);
    if (m.kind === 'data' && m.message.length > 0 && !f.dropped) path.push(`${f.from}>${f.to}`);
  });
  return path;
}

async function expectReloadError(p: Promise<unknown>, o: StaticOverlay, code: number): Promise<ReloadError> {
  const err = await o.clock.run(p).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ReloadError);
  expect((err as ReloadError).codeName).toBe(Object.entries(ErrorCode).find(([, v]) => v === code)?.[0]);
  return err as ReloadError;
}

describe('symmetric recursive routing (§6.1, §6.2)', () => {
  it('routes a request over several hops and its answer back along the reversed via list', async () => {
    const o = await buildStaticOverlay({ peers: 6 });
    const handled = answerPings(o);
    const path = tapPath(o);
    const answer = await o.clock.run(o.peers[0]!.transport.request([node(o.ids[3]!)], ping()));
    expect(answer.name).toBe('ping_ans');
    expect(answer.value.responseId).toBe(3n);
    expect(answer.sender.nodeId).toEqual(o.ids[3]);
    expect(path).toEqual(['p0>p1', 'p1>p2', 'p2>p3', 'p3>p2', 'p2>p1', 'p1>p0']);
    // At the destination: via list [p0, p1] (each relay appended the node it heard from), from p2.
    const req = handled[3]![0]!;
    expect(req.header.viaList).toEqual([node(o.ids[0]!), node(o.ids[1]!)]);
    expect(req.from).toEqual(o.ids[2]);
    expect(req.header.ttl).toBe(98);
    expect(req.sender.nodeId).toEqual(o.ids[0]);
  });

  it('delivers a request for a Resource-ID to the peer responsible for it', async () => {
    const o = await buildStaticOverlay({ peers: 6 });
    const handled = answerPings(o);
    // Just past peer 1's position: peer 2 is responsible.
    const resourceId = o.ids[1]!.slice();
    resourceId[15] = (resourceId[15]! + 1) & 0xff;
    const answer = await o.clock.run(o.peers[5]!.transport.request([{ kind: 'resource', resourceId }], ping()));
    expect(answer.value.responseId).toBe(2n);
    expect(handled[2]).toHaveLength(1);
  });

  it('answers a request a peer sends to itself without touching a link', async () => {
    const o = await buildStaticOverlay({ peers: 3 });
    answerPings(o);
    const path = tapPath(o);
    const answer = await o.clock.run(o.peers[1]!.transport.request([node(o.ids[1]!)], ping()));
    expect(answer.value.responseId).toBe(1n);
    expect(path).toEqual([]);
  });

  it('follows a source route: destination list [p2, p4] goes through p2', async () => {
    const o = await buildStaticOverlay({ peers: 6 });
    const handled = answerPings(o);
    const path = tapPath(o);
    const answer = await o.clock.run(o.peers[0]!.transport.request([node(o.ids[2]!), node(o.ids[4]!)], ping()));
    expect(answer.value.responseId).toBe(4n);
    expect(handled[2]).toHaveLength(0);
    expect(path.slice(0, 4)).toEqual(['p0>p1', 'p1>p2', 'p2>p3', 'p3>p4']);
  });
});

describe('errors made on the path (§6.3.2, §6.3.3.1)', () => {
  it('TTL exceeded: a relay that receives TTL 0 answers Error_TTL_Exceeded', async () => {
    const o = await buildStaticOverlay({ peers: 6 });
    const handled = answerPings(o);
    await expectReloadError(o.peers[0]!.transport.request([node(o.ids[4]!)], ping(), { ttl: 1 }), o, ErrorCode.Error_TTL_Exceeded);
    expect(handled[4]).toHaveLength(0);
  });

  it('a TTL above initial-ttl is refused with Error_TTL_Exceeded', async () => {
    const o = await buildStaticOverlay({ peers: 3 });
    answerPings(o);
    await expectReloadError(o.peers[0]!.transport.request([node(o.ids[1]!)], ping(), { ttl: 101 }), o, ErrorCode.Error_TTL_Exceeded);
  });

  it('loop detected: a request that comes back to a relay on its via list gets Error_Loop_Detected (RFC 7851 §6.2)', async () => {
    const o = await buildStaticOverlay({ peers: 6 });
    answerPings(o);
    // A broken router at p1 and p2 that bounce everything back and forth.
    const bounce = (to: Uint8Array): Router => ({ isResponsible: () => false, nextHop: () => to });
    o.peers[1]!.setRouter(bounce(o.ids[2]!));
    o.peers[2]!.setRouter(bounce(o.ids[1]!));
    await expectReloadError(o.peers[0]!.transport.request([node(o.ids[4]!)], ping()), o, ErrorCode.Error_Loop_Detected);
  });

  it('a request of max-message-size when sent is not refused by a relay for the via list the relays added (§6.6)', async () => {
    const o = await buildStaticOverlay({ peers: 6 });
    answerPings(o);
    // The largest padding the sealer lets out: the request is then at most max-message-size, and within a few bytes of it.
    let size = 4800;
    for (;;) {
      const err = await o.clock.run(Promise.resolve().then(() => o.peers[0]!.transport.request([node(o.ids[1]!)], ping(size + 1)))).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (err) {
        expect((err as ReloadError).codeName).toBe('Error_Message_Too_Large');
        break;
      }
      size++;
    }
    // p0>p1>p2>p3>p4: 5018 bytes at p2 on the old code, refused there with Error_Message_Too_Large.
    const answer = await o.clock.run(o.peers[0]!.transport.request([node(o.ids[4]!)], ping(size)));
    expect(answer.value.responseId).toBe(4n);
  });

  it('an unknown FORWARD_CRITICAL option is refused by the first relay', async () => {
    const o = await buildStaticOverlay({ peers: 6 });
    const handled = answerPings(o);
    const option = { type: 0x99, flags: ForwardingOptionFlag.FORWARD_CRITICAL, option: Uint8Array.of(1) };
    const err = await expectReloadError(o.peers[0]!.transport.request([node(o.ids[3]!)], ping(), { forwardingOptions: [option] }), o, ErrorCode.Error_Unsupported_Forwarding_Option);
    expect(err.message).toMatch(/FORWARD_CRITICAL/);
    expect(handled[3]).toHaveLength(0);
  });

  it('an unknown DESTINATION_CRITICAL option is relayed but refused by the destination', async () => {
    const o = await buildStaticOverlay({ peers: 6 });
    const handled = answerPings(o);
    const option = { type: 0x99, flags: ForwardingOptionFlag.DESTINATION_CRITICAL, option: new Uint8Array() };
    const err = await expectReloadError(o.peers[0]!.transport.request([node(o.ids[3]!)], ping(), { forwardingOptions: [option] }), o, ErrorCode.Error_Unsupported_Forwarding_Option);
    expect(err.message).toMatch(/DESTINATION_CRITICAL/);
    expect(handled[3]).toHaveLength(0);
  });

  it('an option with RESPONSE_COPY comes back in the answer with the three flags cleared (§6.3.2.3)', async () => {
    const o = await buildStaticOverlay({ peers: 3 });
    answerPings(o);
    const option = { type: 0x42, flags: ForwardingOptionFlag.RESPONSE_COPY | 0x80, option: Uint8Array.of(9) };
    const answer = await o.clock.run(o.peers[0]!.transport.request([node(o.ids[2]!)], ping(), { forwardingOptions: [option] }));
    expect(answer.header.options).toEqual([{ type: 0x42, flags: 0x80, option: Uint8Array.of(9) }]);
  });

  it('a request for another overlay gets Error_Incompatible_with_Overlay', async () => {
    const o = await buildStaticOverlay({ peers: 3, peer: (i) => (i === 0 ? { parameters: { overlay: 0x0badbad0, configurationSequence: 0, initialTtl: 100, maxMessageSize: 5000, overlayReliabilityTimerMs: 3000 } } : {}) });
    answerPings(o);
    await expectReloadError(o.peers[0]!.transport.request([node(o.ids[1]!)], ping()), o, ErrorCode.Error_Incompatible_with_Overlay);
  });

  it('a message over max-message-size is refused: locally before sending, and by a receiver with a smaller limit', async () => {
    const o = await buildStaticOverlay({ peers: 3, peer: (i) => (i === 0 ? { parameters: { overlay: 0x0c0ffee0, configurationSequence: 0, initialTtl: 100, maxMessageSize: 20_000, overlayReliabilityTimerMs: 3000 } } : {}) });
    answerPings(o);
    await expectReloadError(o.peers[1]!.transport.request([node(o.ids[2]!)], ping(6000)), o, ErrorCode.Error_Message_Too_Large);
    await expectReloadError(o.peers[0]!.transport.request([node(o.ids[1]!)], ping(8000)), o, ErrorCode.Error_Message_Too_Large);
  });
});

describe('errors made by the destination (§6.3.2.1, §6.3.3)', () => {
  it('an unknown critical extension gets Error_Unknown_Extension; an unknown non-critical one is ignored', async () => {
    const o = await buildStaticOverlay({ peers: 3 });
    const handled = answerPings(o);
    const ext = (critical: boolean) => [{ type: 0x7777, critical, extensionContents: Uint8Array.of(1, 2) }];
    await expectReloadError(o.peers[0]!.transport.request([node(o.ids[2]!)], ping(), { extensions: ext(true) }), o, ErrorCode.Error_Unknown_Extension);
    expect(handled[2]).toHaveLength(0);
    const answer = await o.clock.run(o.peers[0]!.transport.request([node(o.ids[2]!)], ping(), { extensions: ext(false) }));
    expect(answer.value.responseId).toBe(2n);
  });

  it('a configuration sequence that differs gets Error_Config_Too_Old / Error_Config_Too_New', async () => {
    const params = (configurationSequence: number) => ({ parameters: { overlay: 0x0c0ffee0, configurationSequence, initialTtl: 100, maxMessageSize: 5000, overlayReliabilityTimerMs: 3000 } });
    const stale: number[] = [];
    const o = await buildStaticOverlay({
      peers: 3,
      peer: (i) => (i === 0 ? params(4) : i === 1 ? params(6) : { ...params(5), transport: { onStaleConfiguration: (_s, seq) => stale.push(seq) } }),
    });
    answerPings(o);
    await expectReloadError(o.peers[0]!.transport.request([node(o.ids[2]!)], ping()), o, ErrorCode.Error_Config_Too_Old);
    await expectReloadError(o.peers[1]!.transport.request([node(o.ids[2]!)], ping()), o, ErrorCode.Error_Config_Too_New);
    expect(stale).toEqual([4]);
  });

  it('a request code without a handler gets Error_Invalid_Message', async () => {
    const o = await buildStaticOverlay({ peers: 3 });
    await expectReloadError(o.peers[0]!.transport.request([node(o.ids[2]!)], { name: 'stat_req', value: { resource: Uint8Array.of(1), specifiers: [] } }), o, ErrorCode.Error_Invalid_Message);
  });

  it('a handler that throws a ReloadError answers with that error (§6.3.3.1)', async () => {
    const o = await buildStaticOverlay({ peers: 3 });
    o.peers[2]!.transport.handle('ping_req', () => {
      throw ReloadError.of('Error_Forbidden', 'not you');
    });
    const err = await expectReloadError(o.peers[0]!.transport.request([node(o.ids[2]!)], ping()), o, ErrorCode.Error_Forbidden);
    expect(new TextDecoder().decode(err.info)).toBe('not you');
  });

  it('an answer larger than max_response_length becomes Error_Response_Too_Large', async () => {
    const o = await buildStaticOverlay({ peers: 3 });
    answerPings(o);
    await expectReloadError(o.peers[0]!.transport.request([node(o.ids[2]!)], ping(), { maxResponseLength: 60 }), o, ErrorCode.Error_Response_Too_Large);
    const ok = await o.clock.run(o.peers[0]!.transport.request([node(o.ids[2]!)], ping(), { maxResponseLength: 1000 }));
    expect(ok.name).toBe('ping_ans');
  });
});

describe('links failing, loss and retransmission (§6.2.1, §6.6)', () => {
  // Ring 0..5 plus chords 0-3 and 2-4: from p0, p4 is reached through p3, or around it via p1, p2.
  const chords = [
    [0, 3],
    [2, 4],
  ] as const;

  it('routes around a next hop that closed its links', async () => {
    const o = await buildStaticOverlay({ peers: 6, chords });
    answerPings(o);
    const path = tapPath(o);
    o.network.disconnect('p3');
    await o.clock.advance(100);
    const start = o.clock.now();
    const answer = await o.clock.run(o.peers[0]!.transport.request([node(o.ids[4]!)], ping()));
    expect(answer.value.responseId).toBe(4n);
    expect(o.clock.now() - start).toBeLessThan(1000);
    expect(path.slice(0, 3)).toEqual(['p0>p1', 'p1>p2', 'p2>p4']);
  });

  it('routes around a next hop that died silently, once its link turns suspect', async () => {
    const o = await buildStaticOverlay({ peers: 6, chords, network: { link: { failureTimeoutMs: 30_000 } } });
    answerPings(o);
    // Warm the links up so their RTO reflects the 10 ms latency.
    await o.clock.run(o.peers[0]!.transport.request([node(o.ids[4]!)], ping()));
    o.network.crash('p3');
    const start = o.clock.now();
    const answer = await o.clock.run(o.peers[0]!.transport.request([node(o.ids[4]!)], ping()));
    expect(answer.value.responseId).toBe(4n);
    // Lost on the first transmission; the retransmission after the overlay-reliability-timer went around.
    expect(o.clock.now() - start).toBeGreaterThanOrEqual(3000);
    expect(o.clock.now() - start).toBeLessThan(6000);
    expect(o.peers[0]!.forwarding.getLink(o.ids[3]!)?.state).toBe('suspect');
  });

  it('retransmits a request whose message was lost, with the same transaction id', async () => {
    let dropped = 0;
    const o = await buildStaticOverlay({
      peers: 4,
      network: {
        model: {
          drop: (frame, from) => {
            const m = decodeFramedMessage(frame);
            if (from === 'p1' && m.kind === 'data' && m.message.length > 0 && dropped === 0) {
              dropped++;
              return true;
            }
            return false;
          },
        },
      },
    });
    const handled = answerPings(o);
    const start = o.clock.now();
    const answer = await o.clock.run(o.peers[0]!.transport.request([node(o.ids[2]!)], ping()));
    expect(answer.value.responseId).toBe(2n);
    expect(dropped).toBe(1);
    expect(o.clock.now() - start).toBeGreaterThanOrEqual(3000);
    expect(o.peers[0]!.transport.stats().retransmissions).toBe(1);
    expect(handled[2]).toHaveLength(1);
  });

  it('answers a retransmission from its answer cache when the answer was lost (handler runs once)', async () => {
    let dropped = 0;
    const o = await buildStaticOverlay({
      peers: 4,
      network: {
        model: {
          drop: (frame, from, to) => {
            const m = decodeFramedMessage(frame);
            if (from === 'p2' && to === 'p1' && m.kind === 'data' && m.message.length > 0 && dropped === 0) {
              dropped++;
              return true;
            }
            return false;
          },
        },
      },
    });
    const handled = answerPings(o);
    const answer = await o.clock.run(o.peers[0]!.transport.request([node(o.ids[2]!)], ping()));
    expect(answer.value.responseId).toBe(2n);
    expect(dropped).toBe(1);
    expect(handled[2]).toHaveLength(1);
  });

  it('gives up after five transmissions with Error_Request_Timeout (§6.2.1)', async () => {
    const o = await buildStaticOverlay({ peers: 2 });
    answerPings(o);
    o.network.crash('p1');
    const start = o.clock.now();
    await expectReloadError(o.peers[0]!.transport.request([node(o.ids[1]!)], ping()), o, ErrorCode.Error_Request_Timeout);
    expect(o.clock.now() - start).toBe(5 * 3000);
    expect(o.peers[0]!.transport.stats().retransmissions).toBe(4);
    expect(o.peers[0]!.transport.stats().pendingRequests).toBe(0);
  });

  it('loses frames at random and still completes every request (end-to-end retransmission)', async () => {
    const o = await buildStaticOverlay({ peers: 6, seed: 7, network: { model: { loss: 0.02, jitterMs: 5 } } });
    answerPings(o);
    const asks = Array.from({ length: 30 }, (_, k) => o.peers[k % 6]!.transport.request([node(o.ids[(k * 5 + 3) % 6]!)], ping()));
    const results = await o.clock.run(Promise.all(asks));
    expect(results.map((r) => r.value.responseId)).toEqual(Array.from({ length: 30 }, (_, k) => BigInt((k * 5 + 3) % 6)));
    expect(o.network.stats().dropped).toBeGreaterThan(0);
  });
});

describe('fragmentation (§6.7)', () => {
  it('fragments over a small-MTU link and reassembles at the destination', async () => {
    const o = await buildStaticOverlay({ peers: 6, network: { model: {} } });
    o.network.setModel('p1', 'p2', { mtu: 600 });
    // Links are made when the overlay is built; rebuild p1-p2 with the small MTU.
    o.peers[1]!.forwarding.removeLink(o.ids[2]!);
    await o.clock.run(o.peers[1]!.connect(o.peers[2]!));
    const handled = answerPings(o);
    const sizes: number[] = [];
    o.network.tap((f) => {
      if (f.from === 'p1' && f.to === 'p2') sizes.push(f.bytes.length);
    });
    const answer = await o.clock.run(o.peers[0]!.transport.request([node(o.ids[3]!)], ping(2000)));
    expect(answer.value.responseId).toBe(3n);
    expect(handled[3]![0]!.value.padding).toHaveLength(2000);
    expect(o.peers[1]!.forwarding.stats().fragmentsSent).toBeGreaterThanOrEqual(4);
    expect(o.peers[3]!.forwarding.stats().reassembled).toBe(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(608);
  });

  it('each fragment carries a full forwarding header with the fragment field of §6.7', async () => {
    const o = await buildStaticOverlay({ peers: 3 });
    o.network.setModel('p0', 'p1', { mtu: 700 });
    o.peers[0]!.forwarding.removeLink(o.ids[1]!);
    await o.clock.run(o.peers[0]!.connect(o.peers[1]!));
    answerPings(o);
    const fragments: number[] = [];
    o.network.tap((f) => {
      const m = decodeFramedMessage(f.bytes);
      if (f.from === 'p0' && m.kind === 'data' && m.message.length > 0) fragments.push(decodeForwardingHeaderOnly(m.message).header.fragment);
    });
    await o.clock.run(o.peers[0]!.transport.request([node(o.ids[1]!)], ping(1500)));
    expect(fragments.length).toBeGreaterThanOrEqual(3);
    expect(fragments[0]).toBe(0x80000000);
    expect(fragments.at(-1)! & 0x40000000).toBe(0x40000000);
    expect(fragments.slice(0, -1).every((f) => (f & 0x40000000) === 0)).toBe(true);
  });
});

describe('signatures (§6.3.4)', () => {
  it('drops a request with a forged signature: nothing is delivered, the requester times out', async () => {
    const o = await buildStaticOverlay({
      peers: 3,
      // p0 signs with a key the overlay does not share.
      peer: (i, nodeId) => (i === 0 ? { signer: new FastSigner(nodeId, 'mallory@sim', 0xbad) } : {}),
    });
    const handled = answerPings(o);
    await expectReloadError(o.peers[0]!.transport.request([node(o.ids[2]!)], ping()), o, ErrorCode.Error_Request_Timeout);
    expect(handled[2]).toHaveLength(0);
    expect(o.peers[2]!.transport.stats().droppedBadSignature).toBe(5);
  });
});

describe('real WebCrypto under the virtual clock', () => {
  /** An HMAC-SHA-256 signer on crypto.subtle whose work the clock tracks (virtual-clock.ts). */
  function hmacIdentity(key: CryptoKey, nodeId: Uint8Array, clock: VirtualClock): { signer: Signer; verifier: Verifier } {
    const identity = { identityType: 1, hashAlg: 4, hash: nodeId } as const;
    const signer: Signer = {
      nodeId,
      userName: 'hmac@sim',
      certificates: () => [],
      identity: () => identity,
      sign: async (input) => ({ algorithm: { hash: 4, signature: 0 }, identity, signatureValue: new Uint8Array(await clock.track(crypto.subtle.sign('HMAC', key, input.slice()))) }),
    };
    const verifier: Verifier = {
      async verify(input, signature) {
        const ok = await clock.track(crypto.subtle.verify('HMAC', key, signature.signatureValue.slice(), input.slice()));
        if (!ok || !('hash' in signature.identity)) throw ReloadError.of('Error_Forbidden', 'bad HMAC');
        return { nodeId: signature.identity.hash, nodeIds: [signature.identity.hash], userName: 'hmac@sim' };
      },
    };
    return { signer, verifier };
  }

  it('signs and verifies every message with crypto.subtle and still takes only network time', async () => {
    const key = await crypto.subtle.importKey('raw', new Uint8Array(32).fill(7), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    const o = await buildStaticOverlay({ peers: 4, peer: (_i, nodeId, clock) => hmacIdentity(key, nodeId, clock) });
    answerPings(o);
    const start = o.clock.now();
    const answer = await o.clock.run(o.peers[0]!.transport.request([node(o.ids[2]!)], ping()));
    expect(answer.value.responseId).toBe(2n);
    // Two hops each way at 10 ms: signing and verifying took no virtual time.
    expect(o.clock.now() - start).toBe(40);
  });
});

describe('flood bounds', () => {
  it('bounds the requests of ours outstanding', async () => {
    const o = await buildStaticOverlay({ peers: 2, peer: (i) => (i === 0 ? { transport: { maxPendingRequests: 10 } } : {}) });
    // p1 never answers.
    o.peers[1]!.transport.handle('ping_req', () => new Promise(() => {}));
    const pending = Array.from({ length: 10 }, () => o.peers[0]!.transport.request([node(o.ids[1]!)], ping()).catch((e: unknown) => e));
    await o.clock.advance(10);
    await expect(o.peers[0]!.transport.request([node(o.ids[1]!)], ping())).rejects.toBeInstanceOf(TransportOverloadError);
    expect(o.peers[0]!.transport.stats().pendingRequests).toBe(10);
    await o.clock.advance(20_000);
    expect((await Promise.all(pending)).every((e) => e instanceof ReloadError)).toBe(true);
  });

  it('a flood of requests from one link cannot exhaust the receiver: work in progress stays bounded', async () => {
    const o = await buildStaticOverlay({
      peers: 2,
      peer: (i) => (i === 1 ? { transport: { maxInboundPerNeighbour: 16, maxInboundInProgress: 32 } } : { transport: { maxPendingRequests: 5000 } }),
    });
    // p1's handler never finishes: every admitted request stays in progress.
    o.peers[1]!.transport.handle('ping_req', () => new Promise(() => {}));
    for (let i = 0; i < 500; i++) void o.peers[0]!.transport.request([node(o.ids[1]!)], ping()).catch(() => {});
    await o.clock.advance(1000);
    const s = o.peers[1]!.transport.stats();
    expect(s.inboundInProgress).toBe(16);
    expect(s.droppedOverload).toBe(500 - 16);
    expect(s.answerCacheEntries).toBeLessThanOrEqual(16);
    // A handler that never answers holds its slot no longer than the request lifetime (15 s).
    await o.clock.advance(15_000);
    expect(o.peers[1]!.transport.stats().inboundInProgress).toBeLessThanOrEqual(16);
    await o.clock.advance(20_000);
    expect(o.peers[1]!.transport.stats().inboundInProgress).toBe(0);
  });
});
