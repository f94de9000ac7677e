/**
 * The real network's caps on the peer connections it makes for Attaches (RFC 6940 §6.5.1.2: "If
 * the peer is overloaded or detects some other kind of error, it MAY generate an error instead of
 * an AttachReqAns"): real data channels (node-datachannel on loopback), a counted
 * RTCPeerConnection, small caps.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../platform/system-clock.js';
import { webCryptoRandom } from '../../../platform/web-crypto.js';
import { overlayParameters } from '../../forwarding/index.js';
import { nodeRtcConfiguration, nodeWrtc } from '../../links/webrtc/node/index.js';
import { stackCloses } from '../../links/webrtc/testing/stack-closes.js';
import { nodeWebSocket } from '../../links/websocket/node/index.js';
import type { Clock } from '../../runtime/components.js';
import { LocalGatheringError, LocalFailure, OverloadError, ReloadError } from '../../runtime/reload-error.js';
import { VirtualClock } from '../../../sim/virtual-clock.js';
import { TestPki } from '../../testing/test-pki.js';
import type { X509Signer } from '../../security/x509-signer.js';
import type { IceAnswer, IceAttachParameters } from '../overlay-types.js';
import type { PeerConnectionLimits } from '../peer-connection-budget.js';
import { createWebRtcNetwork, type WebRtcPeerNetwork } from '../webrtc-network.js';

let pki: TestPki;
let signers: X509Signer[];

beforeAll(async () => {
  pki = await TestPki.create({ keyType: 'ecdsa-p256' });
  signers = await Promise.all([0, 1, 2].map(async (i) => (await pki.peer(`peer${i}@${pki.overlay}`, { keyType: 'ecdsa-p256' })).signer()));
}, 30_000);

/** Peer connections made (constructed) through `wrtc`; `refuse` makes the constructor throw, as a browser tab past its limit does. */
function countingWrtc() {
  const state = { made: 0, refuse: false };
  class Counting extends nodeWrtc.RTCPeerConnection {
    constructor(config?: RTCConfiguration) {
      if (state.refuse) throw new DOMException('Cannot create so many PeerConnections', 'UnknownError');
      super(config);
      state.made++;
    }
  }
  return { state, wrtc: { ...nodeWrtc, RTCPeerConnection: Counting } };
}

/** Every offer's description waits forever, as a WebRTC stack that makes none does; `made` gets each peer connection. */
function stallingWrtc(made: RTCPeerConnection[] = []) {
  class Stalling extends nodeWrtc.RTCPeerConnection {
    constructor(config?: RTCConfiguration) {
      super(config);
      made.push(this);
      Object.defineProperty(this, 'createOffer', { value: () => new Promise<never>(() => {}) });
    }
  }
  return { ...nodeWrtc, RTCPeerConnection: Stalling };
}

function network(index: number, limits?: PeerConnectionLimits, wrtc = nodeWrtc, clock: Clock = systemClock): WebRtcPeerNetwork {
  return createWebRtcNetwork(
    { clock, random: webCryptoRandom, signer: signers[index]!, verifier: pki.verifier(), WebSocket: nodeWebSocket },
    {
      overlayParameters: overlayParameters({ overlay: 0x0a0b0c0d }),
      webrtc: { wrtc, rtcConfiguration: nodeRtcConfiguration([], '127.0.0.1'), connectTimeoutMs: 3_000 },
      ...(limits ? { peerConnectionLimits: limits } : {}),
    },
  );
}

/** An offer's parameters (withdrawn at once: answers to it never connect). */
async function withdrawnOffer(from: WebRtcPeerNetwork): Promise<IceAttachParameters> {
  const offer = await from.ice.offer();
  offer.cancel();
  return offer.local;
}

const outcome = (p: Promise<IceAnswer>, answers: IceAnswer[]) =>
  p.then(
    (a) => {
      // Never connected here (the offer was withdrawn): its link fails when the answer is cancelled.
      a.link.catch(() => undefined);
      answers.push(a);
      return 'answered';
    },
    (e: unknown) => (e instanceof ReloadError ? e.codeName : String(e)),
  );

describe('the real network: caps on peer connections for Attaches', () => {
  it('answers one requester at most its cap of pending connections, refusing the rest with Error_Request_Timeout before making a peer connection', async () => {
    const { state, wrtc } = countingWrtc();
    const b = network(1, { pendingPerRequester: 2, pending: 3, total: 10 }, wrtc);
    const remote = await withdrawnOffer(network(0));
    const a = signers[0]!.nodeId;
    const c = signers[2]!.nodeId;
    const answers: IceAnswer[] = [];
    const fromA = await Promise.all([1, 2, 3, 4].map(() => outcome(b.ice.answer(a, remote), answers)));
    expect(fromA).toEqual(['answered', 'answered', 'Error_Request_Timeout', 'Error_Request_Timeout']);
    expect(state.made).toBe(2);
    // Another requester gets the last pending place in all, then nobody does.
    expect(await outcome(b.ice.answer(c, remote), answers)).toBe('answered');
    expect(await outcome(b.ice.answer(c, remote), answers)).toBe('Error_Request_Timeout');
    expect(state.made).toBe(3);
    // A withdrawn answer gives its place back.
    answers.shift()!.cancel();
    expect(await outcome(b.ice.answer(a, remote), answers)).toBe('answered');
    for (const x of answers) x.cancel();
  }, 30_000);

  it('counts connected links in the total until they close', async () => {
    const a = network(0);
    const b = network(1, { pendingPerRequester: 4, pending: 4, total: 2 });
    const offer = await a.ice.offer();
    const answer = await b.ice.answer(signers[0]!.nodeId, offer.local);
    const atA = await offer.complete(signers[1]!.nodeId, answer.local);
    const atB = await answer.link;
    const remote = await withdrawnOffer(a);
    const answers: IceAnswer[] = [];
    expect(await outcome(b.ice.answer(signers[2]!.nodeId, remote), answers)).toBe('answered');
    expect(await outcome(b.ice.answer(signers[2]!.nodeId, remote), answers)).toBe('Error_Request_Timeout');
    atB.close();
    expect(await outcome(b.ice.answer(signers[2]!.nodeId, remote), answers)).toBe('answered');
    for (const x of answers) x.cancel();
    atA.close();
  }, 30_000);

  it('gives the place back when the WebRTC stack closes a connected peer connection by itself', async () => {
    const a = network(0);
    const b = network(1, { pendingPerRequester: 4, pending: 4, total: 1 });
    const offer = await a.ice.offer();
    const answer = await b.ice.answer(signers[0]!.nodeId, offer.local);
    const atA = await offer.complete(signers[1]!.nodeId, answer.local);
    await answer.link;
    const remote = await withdrawnOffer(a);
    const answers: IceAnswer[] = [];
    expect(await outcome(b.ice.answer(signers[2]!.nodeId, remote), answers)).toBe('Error_Request_Timeout');
    stackCloses(b.connectionTo(signers[0]!.nodeId)!.peerConnection);
    await new Promise((r) => setTimeout(r, 0)); // simple-peer closes on a microtask
    expect(await outcome(b.ice.answer(signers[2]!.nodeId, remote), answers)).toBe('answered');
    for (const x of answers) x.cancel();
    atA.close();
  }, 30_000);

  it('answers Error_Request_Timeout when the WebRTC stack refuses a peer connection, and gives the place back', async () => {
    const { state, wrtc } = countingWrtc();
    const b = network(1, { pendingPerRequester: 1, pending: 1, total: 1 }, wrtc);
    const remote = await withdrawnOffer(network(0));
    const answers: IceAnswer[] = [];
    state.refuse = true;
    expect(await outcome(b.ice.answer(signers[0]!.nodeId, remote), answers)).toBe('Error_Request_Timeout');
    // Our own offer: our refusal (OverloadError), not a failure of the peer it was for.
    await expect(b.ice.offer()).rejects.toThrow(/no peer connection/);
    await expect(b.ice.offer()).rejects.toBeInstanceOf(OverloadError);
    state.refuse = false;
    expect(await outcome(b.ice.answer(signers[0]!.nodeId, remote), answers)).toBe('answered');
    for (const x of answers) x.cancel();
  }, 30_000);

  it('keeps no place for an answer whose remote parameters cannot be read (a throw before any peer connection is held)', async () => {
    const b = network(1, { pendingPerRequester: 1, pending: 1, total: 1 });
    const remote = await withdrawnOffer(network(0));
    const answers: IceAnswer[] = [];
    // Not what a decoded Attach holds: converting it throws.
    const unreadable = { ...remote, ufrag: 5 } as unknown as IceAttachParameters;
    expect(await outcome(b.ice.answer(signers[0]!.nodeId, unreadable), answers)).toMatch(/TypeError/);
    expect(await outcome(b.ice.answer(signers[0]!.nodeId, remote), answers)).toBe('answered');
    for (const x of answers) x.cancel();
  }, 30_000);

  it('rejects our offer with LocalGatheringError when the WebRTC stack makes no local description: our own failure (not the peer\'s), but no overload; and gives the place back', async () => {
    const clock = new VirtualClock();
    const b = network(1, { pendingPerRequester: 1, pending: 1, total: 1 }, stallingWrtc(), clock);
    const error = await clock.run(b.ice.offer().catch((e: unknown) => e));
    expect(error).not.toBeInstanceOf(OverloadError);
    expect(error).toBeInstanceOf(LocalGatheringError);
    expect(error).toBeInstanceOf(LocalFailure);
    // The place is back: the next offer is not refused (OverloadError) but made, and fails the same
    // way. It stalls too, so nothing real races the virtual clock's 5 s wait.
    const again = await clock.run(b.ice.offer().catch((e: unknown) => e));
    expect(again).toBeInstanceOf(LocalGatheringError);
    expect((again as ReloadError).message).toMatch(/no local description/);
  }, 30_000);

  it('rejects our offer with LocalGatheringError saying so when the WebRTC stack closes its peer connection while it gathers', async () => {
    const clock = new VirtualClock();
    const made: RTCPeerConnection[] = [];
    const b = network(1, { pendingPerRequester: 1, pending: 1, total: 1 }, stallingWrtc(made), clock);
    const offer = b.ice.offer().catch((e: unknown) => e);
    stackCloses(made[0]!);
    // No virtual time passes: not the 5 s wait for a description.
    const error = await offer;
    expect(error).toBeInstanceOf(LocalGatheringError);
    expect(error).toBeInstanceOf(LocalFailure);
    expect((error as ReloadError).codeName).toBe('Error_Request_Timeout');
    expect((error as ReloadError).message).toBe('Error_Request_Timeout: the peer connection closed before its ICE parameters were gathered');
    expect(clock.now()).toBe(0);
  }, 30_000);
});
