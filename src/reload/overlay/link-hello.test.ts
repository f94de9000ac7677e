/**
 * The WebSocket link hello (link-hello.ts): the acceptor's signed challenge, the dialer's signed
 * Ping bound to it, and the PingAns bind each end of a link to the other's Node-ID, and nothing
 * captured or relayed from another link binds a third party's link. Real certificates (test CA,
 * ECDSA), links of the memory network on the real clock.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../platform/system-clock.js';
import { webCryptoRandom } from '../../platform/web-crypto.js';
import { overlayParameters } from '../forwarding/index.js';
import { MemoryNetwork } from '../links/memory/index.js';
import type { Link } from '../links/link.js';
import type { Signer } from '../security/signer.js';
import type { X509Signer } from '../security/x509-signer.js';
import { TestPki } from '../testing/test-pki.js';
import { toHex } from '../wire/codec/hex.js';
import { decodeForwardedMessage, encodeForwardedMessage } from '../wire/forwarded-message.js';
import { decodeFramedMessage } from '../wire/framing.js';
import { MessageCode } from '../wire/message-codes.js';
import { decodePingReq, encodePingReq } from '../wire/methods/ping.js';
import { messageSignatureInput } from '../wire/message-signature-input.js';
import { RELOAD_VERSION, UNFRAGMENTED } from '../wire/forwarding-header.js';
import { AbortError, type Random } from '../runtime/components.js';
import { FakeLink } from '../testing/fake-link.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import type { NodeId } from '../wire/ids.js';
import type { MessageTransport } from '../transport/index.js';
import { AttachService } from './attach-service.js';
import { HELLO_NONCE_BYTES, HelloVersionError, LinkHelloError, helloAccept, helloDial, type LinkHelloDeps } from './link-hello.js';
import type { PeerNetwork } from './overlay-types.js';

const params = overlayParameters({ overlay: 0x1234_5678 });
let pki: TestPki;
let alice: X509Signer;
let bob: X509Signer;
let mallory: X509Signer;
/** A member of the overlay (its certificate verifies) that attacks the others. */
let carol: X509Signer;

beforeAll(async () => {
  pki = await TestPki.create({ keyType: 'ecdsa-p256' });
  alice = await (await pki.peer(`alice@${pki.overlay}`, { keyType: 'ecdsa-p256' })).signer();
  bob = await (await pki.peer(`bob@${pki.overlay}`, { keyType: 'ecdsa-p256' })).signer();
  carol = await (await pki.peer(`carol@${pki.overlay}`, { keyType: 'ecdsa-p256' })).signer();
  // Same overlay name, another CA: its certificates do not verify here.
  const other = await TestPki.create({ keyType: 'ecdsa-p256' });
  mallory = await (await other.peer(`mallory@${other.overlay}`, { keyType: 'ecdsa-p256' })).signer();
}, 30_000);

const deps = (signer: X509Signer): LinkHelloDeps => ({ clock: systemClock, random: webCryptoRandom, signer, verifier: pki.verifier(), epochClock: () => Date.now() });

function network() {
  const net = new MemoryNetwork({ clock: systemClock, random: webCryptoRandom }, { model: { latencyMs: 1 } });
  const frames: { from: string; bytes: Uint8Array }[] = [];
  net.tap((f) => frames.push({ from: f.from, bytes: f.bytes }));
  /** The RELOAD messages `from` sent, in order. */
  const sent = (from: string) =>
    frames
      .filter((f) => f.from === from)
      .map((f) => decodeFramedMessage(f.bytes))
      .flatMap((f) => (f.kind === 'data' && f.message.length > 0 ? [f.message] : []));
  return { net, frames, sent };
}

async function pair() {
  const { net, frames, sent } = network();
  let accepted: Link | undefined;
  const a = net.listen('a', () => {});
  net.listen('b', (l) => (accepted = l));
  const dialer = await a.linkFactory.open('b');
  return { dialer, acceptor: accepted!, frames, sent };
}

/** Resolves with the first message `link` receives. */
const nextMessage = (link: Link) => new Promise<Uint8Array>((resolve) => link.onMessage(resolve));

describe('link hello', () => {
  it('binds each end to the other\'s Node-ID: the acceptor\'s challenge, the dialer\'s Ping bound to it, the PingAns', async () => {
    const { dialer, acceptor, frames } = await pair();
    const [atAcceptor, atDialer] = await Promise.all([helloAccept(deps(bob), params, acceptor), helloDial(deps(alice), params, dialer)]);
    expect(toHex(atAcceptor)).toBe(toHex(alice.nodeId));
    expect(toHex(atDialer)).toBe(toHex(bob.nodeId));
    const messages = frames
      .map((f) => ({ from: f.from, frame: decodeFramedMessage(f.bytes) }))
      .filter((f) => f.frame.kind === 'data' && f.frame.message.length > 0)
      .map((f) => ({ from: f.from, m: decodeForwardedMessage((f.frame as { message: Uint8Array }).message) }));
    expect(messages.map((x) => [x.from, x.m.messageContents.messageCode])).toEqual([
      ['b', MessageCode.ping_req],
      ['a', MessageCode.ping_req],
      ['b', MessageCode.ping_ans],
    ]);
    const [challenge, ping, answer] = messages.map((x) => x.m);
    expect(challenge!.forwardingHeader.viaList).toEqual([]);
    expect(challenge!.forwardingHeader.destinationList).toEqual([{ kind: 'node', nodeId: new Uint8Array(16).fill(0xff) }]);
    const nonce = decodePingReq(challenge!.messageContents.messageBody).padding;
    expect(nonce.length).toBe(HELLO_NONCE_BYTES);
    expect(ping!.forwardingHeader.viaList).toEqual([]);
    expect(ping!.forwardingHeader.destinationList).toEqual([{ kind: 'node', nodeId: bob.nodeId }]);
    expect(toHex(decodePingReq(ping!.messageContents.messageBody).padding)).toBe(toHex(nonce) + toHex(bob.nodeId));
    expect(answer!.forwardingHeader.destinationList).toEqual([{ kind: 'node', nodeId: alice.nodeId }]);
    expect(answer!.forwardingHeader.transactionId).toBe(ping!.forwardingHeader.transactionId);
  });

  it('refuses a first message that is not a signed Ping bound to its challenge', async () => {
    const { dialer, acceptor } = await pair();
    const refused = helloAccept(deps(bob), params, acceptor);
    dialer.send(Uint8Array.of(1, 2, 3));
    await expect(refused).rejects.toBeInstanceOf(LinkHelloError);
  });

  it('refuses a Ping whose certificate does not chain to the overlay CA', async () => {
    const { dialer, acceptor } = await pair();
    const refused = helloAccept(deps(bob), params, acceptor);
    const dialing = helloDial({ ...deps(mallory), verifier: pki.verifier() }, params, dialer, { timeoutMs: 500 });
    await expect(refused).rejects.toBeInstanceOf(LinkHelloError);
    await expect(dialing).rejects.toBeInstanceOf(LinkHelloError);
  });

  it('gives up when the other end proves nothing in time, or closes', async () => {
    const { dialer, acceptor } = await pair();
    await expect(helloDial(deps(alice), params, dialer, { timeoutMs: 200 })).rejects.toBeInstanceOf(LinkHelloError);
    const waiting = helloAccept(deps(bob), params, acceptor, { timeoutMs: 5_000 });
    dialer.close();
    await expect(waiting).rejects.toBeInstanceOf(LinkHelloError);
  });

  it('refuses a Ping replayed on another link: it carries the other link\'s nonce', async () => {
    const { net, sent } = network();
    const accepted: Link[] = [];
    const a = net.listen('a', () => {});
    const m = net.listen('m', () => {});
    net.listen('b', (l) => accepted.push(l));
    // Alice's genuine hello to Bob; Carol sees it (sniffed, or Alice dialed her).
    const aliceLink = await a.linkFactory.open('b');
    await Promise.all([helloAccept(deps(bob), params, accepted[0]!), helloDial(deps(alice), params, aliceLink)]);
    const [alicePing] = sent('a');

    const carolLink = await m.linkFactory.open('b');
    const bound = helloAccept(deps(bob), params, accepted[1]!);
    carolLink.send(alicePing!);
    await expect(bound).rejects.toBeInstanceOf(LinkHelloError);
  });

  it('refuses a Ping bound to another acceptor, even over this link\'s nonce (a relay that answers the dialer itself)', async () => {
    // Alice dials Carol; Carol passes Bob's nonce off as her own challenge, answers Alice herself
    // (Alice binds her link to Carol), and forwards Alice's Ping to Bob to bind her link to Bob as Alice.
    const { net, sent } = network();
    const atBob: Link[] = [];
    const atCarol: Link[] = [];
    const a = net.listen('a', () => {});
    const m = net.listen('m', (l) => atCarol.push(l));
    net.listen('b', (l) => atBob.push(l));
    const carolToBob = await m.linkFactory.open('b');
    const bobsChallenge = nextMessage(carolToBob);
    const bound = helloAccept(deps(bob), params, atBob[0]!);
    const bobsNonce = decodePingReq(decodeForwardedMessage(await bobsChallenge).messageContents.messageBody).padding;
    const echoing: Random = { bytes: (n) => (n === HELLO_NONCE_BYTES ? bobsNonce.slice() : webCryptoRandom.bytes(n)), float: () => webCryptoRandom.float() };

    const aliceLink = await a.linkFactory.open('m');
    const [atCarolSide, atAliceSide] = await Promise.all([helloAccept({ ...deps(carol), random: echoing }, params, atCarol[0]!), helloDial(deps(alice), params, aliceLink)]);
    expect(toHex(atCarolSide)).toBe(toHex(alice.nodeId));
    expect(toHex(atAliceSide)).toBe(toHex(carol.nodeId));
    // The destination list is outside the signature (RFC 6940 §6.3.4): Carol readdresses the Ping to Bob.
    const alicePing = decodeForwardedMessage(sent('a')[0]!);
    carolToBob.send(encodeForwardedMessage({ ...alicePing, forwardingHeader: { ...alicePing.forwardingHeader, destinationList: [{ kind: 'node', nodeId: bob.nodeId }] } }));
    await expect(bound).rejects.toBeInstanceOf(LinkHelloError);
  });

  it('through a relay that forwards everything both ways (a reverse proxy), binds each end to the other\'s own Node-ID', async () => {
    const { net } = network();
    const atBob: Link[] = [];
    const atRelay: Link[] = [];
    const a = net.listen('a', () => {});
    const proxy = net.listen('proxy', (l) => atRelay.push(l));
    net.listen('b', (l) => atBob.push(l));
    const aliceLink = await a.linkFactory.open('proxy');
    const upstream = await proxy.linkFactory.open('b');
    atRelay[0]!.onMessage((bytes) => upstream.send(bytes));
    upstream.onMessage((bytes) => atRelay[0]!.send(bytes));
    const [atBobSide, atAliceSide] = await Promise.all([helloAccept(deps(bob), params, atBob[0]!), helloDial(deps(alice), params, aliceLink)]);
    expect(toHex(atBobSide)).toBe(toHex(alice.nodeId));
    expect(toHex(atAliceSide)).toBe(toHex(bob.nodeId));
  });

  it('a replayed Ping does not displace the genuine link to its signer in the link table', async () => {
    const { net, sent } = network();
    const accepted: Link[] = [];
    const a = net.listen('a', () => {});
    const m = net.listen('m', () => {});
    net.listen('b', (l) => accepted.push(l));
    // Bob's side as webrtc-network.ts composes it: the hello binds, then onInbound → AttachService.install.
    const bindings = new Map<Link, NodeId>();
    let inbound!: (l: Link) => void;
    const unused = () => Promise.reject(new Error('unused'));
    const peerNetwork: PeerNetwork = {
      address: 'webrtc:bob',
      linkFactory: { open: unused },
      onInbound: (l) => (inbound = l),
      authenticate: (l) => bindings.get(l),
      close: () => {},
      ice: { offer: unused, answer: unused },
    };
    const table = new Map<string, Link>();
    const forwarding = {
      localNodeId: bob.nodeId,
      addLink: (n: NodeId, l: Link) => void table.set(toHex(n), l),
      retireLink: () => {},
      getLink: (n: NodeId) => table.get(toHex(n)),
      isUsable: (n: NodeId) => table.has(toHex(n)),
      onLinkEvent: () => () => {},
    };
    const transport = { handle: () => () => {} } as unknown as MessageTransport;
    new AttachService({ clock: systemClock, random: webCryptoRandom, transport, forwarding, network: peerNetwork });
    const acceptAndInstall = async (link: Link) => {
      bindings.set(link, await helloAccept(deps(bob), params, link));
      inbound(link);
    };

    const aliceLink = await a.linkFactory.open('b');
    await Promise.all([acceptAndInstall(accepted[0]!), helloDial(deps(alice), params, aliceLink)]);
    expect(table.get(toHex(alice.nodeId))).toBe(accepted[0]);

    const carolLink = await m.linkFactory.open('b');
    const replayed = acceptAndInstall(accepted[1]!);
    carolLink.send(sent('a')[0]!);
    await expect(replayed).rejects.toBeInstanceOf(LinkHelloError);
    expect(table.get(toHex(alice.nodeId))).toBe(accepted[0]);
  });
});

/** The first message of a dialer of the hello before the challenge (commit 2bfcb53): a signed Ping to the wildcard, empty padding. */
async function firstHelloPing(signer: X509Signer): Promise<Uint8Array> {
  const contents = { messageCode: MessageCode.ping_req, messageBody: encodePingReq({ padding: new Uint8Array(0) }), extensions: [] };
  const transactionId = 7n;
  const signature = await signer.sign(messageSignatureInput(params.overlay, transactionId, contents, signer.identity()));
  const forwardingHeader = {
    overlay: params.overlay, configurationSequence: params.configurationSequence, version: RELOAD_VERSION, ttl: params.initialTtl, fragment: UNFRAGMENTED, length: 0,
    transactionId, maxResponseLength: 0, viaList: [], destinationList: [{ kind: 'node' as const, nodeId: new Uint8Array(16).fill(0xff) }], options: [],
  };
  return encodeForwardedMessage({ forwardingHeader, messageContents: contents, securityBlock: { certificates: signer.certificates(), signature } });
}

describe('link hello against the hello before the challenge (a page loaded before the server was upgraded, or the other way round)', () => {
  it('the acceptor refuses a dialer\'s first-hello Ping with a HelloVersionError that says to reload its page, and binds nothing', async () => {
    const { dialer, acceptor } = await pair();
    const refused = helloAccept(deps(bob), params, acceptor);
    dialer.send(await firstHelloPing(alice));
    const error = await refused.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HelloVersionError);
    expect((error as Error).message).not.toContain(toHex(alice.nodeId)); // a replayed Ping names someone else's Node-ID
    expect((error as Error).message).toMatch(/older Chordphone.*Reload/);
  });

  it('the dialer in front of a first-hello acceptor (it waits for the dialer to speak first) fails with a HelloVersionError, not a bare timeout', async () => {
    const { dialer, acceptor } = await pair();
    let acceptorHeard = 0;
    acceptor.onMessage(() => acceptorHeard++);
    const error = await helloDial(deps(alice), params, dialer, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HelloVersionError);
    expect((error as Error).message).toMatch(/no challenge came: the server is older \(reload the page\) or not answering/);
    // Nothing went out that a first-hello acceptor would bind (the dialer speaks only to a challenge).
    expect(acceptorHeard).toBe(0);
  });

  it('a dialer that heard something other than a challenge gets the plain LinkHelloError, not the version one', async () => {
    const { dialer, acceptor } = await pair();
    const dialing = helloDial(deps(alice), params, dialer, { timeoutMs: 2_000 });
    acceptor.send(Uint8Array.of(1, 2, 3));
    const error = await dialing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkHelloError);
    expect(error).not.toBeInstanceOf(HelloVersionError);
  });
});

describe('link hello: a caller that aborted before the hello', () => {
  const onVirtualClock = (signer: X509Signer, clock: VirtualClock): LinkHelloDeps => ({ ...deps(signer), clock });

  it('the dialer rejects at once with an AbortError and sends nothing (no wait for the hello timeout)', async () => {
    const clock = new VirtualClock();
    const [dialer] = FakeLink.pair('hello');
    const dialing = helloDial(onVirtualClock(alice, clock), params, dialer, { signal: AbortSignal.abort(), timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(await clock.run(dialing)).toBeInstanceOf(AbortError);
    expect(clock.now()).toBe(0);
    expect(dialer.sent).toEqual([]);
  });

  it('the acceptor rejects at once with an AbortError and sends no challenge', async () => {
    const clock = new VirtualClock();
    const [acceptor] = FakeLink.pair('hello');
    const accepting = helloAccept(onVirtualClock(bob, clock), params, acceptor, { signal: AbortSignal.abort(), timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(await clock.run(accepting)).toBeInstanceOf(AbortError);
    expect(clock.now()).toBe(0);
    expect(acceptor.sent).toEqual([]);
  });

  /** `signer`, but the caller gives up (aborts `controller`) while it makes its `nth` signature (1: the first). */
  const abortingWhenSigning = (signer: Signer, controller: AbortController, nth = 1): Signer => {
    let signed = 0;
    return {
      nodeId: signer.nodeId,
      userName: signer.userName,
      certificates: () => signer.certificates(),
      identity: () => signer.identity(),
      sign: (input) => {
        if (++signed === nth) controller.abort();
        return signer.sign(input);
      },
    };
  };

  it('the dialer aborted while it signs its Ping sends no Ping', async () => {
    const { dialer, acceptor, sent } = await pair();
    const accepting = helloAccept(deps(bob), params, acceptor, { timeoutMs: 5_000 }).catch((e: unknown) => e);
    const controller = new AbortController();
    const error = await helloDial({ ...deps(alice), signer: abortingWhenSigning(alice, controller) }, params, dialer, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    dialer.close();
    expect(await accepting).toBeInstanceOf(LinkHelloError);
    expect(sent('a')).toEqual([]);
  });

  it('the acceptor aborted while it signs its challenge sends no challenge', async () => {
    const [acceptor] = FakeLink.pair('hello');
    const controller = new AbortController();
    const error = await helloAccept({ ...deps(bob), signer: abortingWhenSigning(bob, controller) }, params, acceptor, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(acceptor.sent).toEqual([]);
  });

  it('the acceptor aborted while it signs its PingAns sends no PingAns and binds nothing', async () => {
    const { dialer, acceptor, sent } = await pair();
    const controller = new AbortController();
    const accepting = helloAccept({ ...deps(bob), signer: abortingWhenSigning(bob, controller, 2) }, params, acceptor, { signal: controller.signal }).catch((e: unknown) => e);
    const dialing = helloDial(deps(alice), params, dialer, { timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(await accepting).toBeInstanceOf(AbortError);
    acceptor.close();
    expect(await dialing).toBeInstanceOf(LinkHelloError);
    expect(sent('b').map((m) => decodeForwardedMessage(m).messageContents.messageCode)).toEqual([MessageCode.ping_req]);
  });
});
