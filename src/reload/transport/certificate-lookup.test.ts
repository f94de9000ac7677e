/**
 * Looking up a signer's omitted certificate (RFC 6940 §6.3.4: "In systems that have an alternative
 * certificate distribution mechanism, some certificates MAY be omitted"; the §8 usage is
 * TransportInit.certificateSource) without letting junk messages drive it: the Node-ID looked up is
 * the first via-list entry, which no signature covers, and each lookup is an overlay Fetch.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../wire/codec/hex.js';
import { decodeForwardedMessage } from '../wire/forwarded-message.js';
import { DEFAULT_OVERLAY_RELIABILITY_TIMER_MS } from '../forwarding/index.js';
import { MAX_CERTIFICATE_LOOKUPS, certificateLookupShare, certificateLookupTimeoutMs } from './certificate-lookups.js';
import { TransportOverloadError, type MessageTransport, type TransportInit } from './message-transport.js';
import { deliver, id, lastSent, node, omittedUnlessKnown, ping, pingAns, setup, type ScriptedForwarding } from './testing/scripted-forwarding.js';

/** A Node-ID made from `n` (never one of id()'s). */
const nodeIdOf = (n: number) => {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setUint32(0, n + 1);
  return b;
};

/** `transport` answers pings. */
const answersPings = (transport: MessageTransport) => transport.handle('ping_req', () => ({ value: { responseId: 1n, time: 0n } }));

/**
 * A transport whose lookups run as the §8 usage's do in composePeer, as an overlay Fetch (one more
 * pending request of ours), that finds a certificate only for Node-IDs in `published`.
 */
function withLookups(published: Uint8Array[] = [], init: TransportInit = {}) {
  const known = new Set<string>();
  const looked: string[] = [];
  let transport!: MessageTransport;
  const certificateSource = async (nodeId: Uint8Array) => {
    looked.push(toHex(nodeId));
    await transport.request([{ kind: 'resource', resourceId: nodeId }], ping).catch(() => undefined);
    if (!published.some((p) => toHex(p) === toHex(nodeId))) return false;
    known.add(toHex(nodeId));
    return true;
  };
  const t = setup({ certificateSource, ...init }, omittedUnlessKnown(known));
  transport = t.transport;
  answersPings(transport);
  return { ...t, known, looked };
}

/** The transaction id of the last request `fwd` sent. */
const lastTransactionId = (fwd: ScriptedForwarding) => decodeForwardedMessage(fwd.sent.at(-1)!).forwardingHeader.transactionId;

/** Answer the lookup requests sent since the first `skip` messages, from `from` (whose certificate is made `known`). */
async function answerLookups(fwd: ScriptedForwarding, skip: number, from: Uint8Array, known: Set<string>) {
  known.add(toHex(from));
  for (const m of fwd.sent.slice(skip)) await deliver(fwd, { from, transactionId: decodeForwardedMessage(m).forwardingHeader.transactionId, body: pingAns() });
}

describe('certificates omitted by the signer (§6.3.4) are looked up (§8)', () => {
  it('a request whose signer omitted its certificate is verified after the lookup of its Node-ID, and answered', async () => {
    const signer = nodeIdOf(1);
    const { clock, fwd, known, looked } = withLookups([signer]);
    const sentBefore = fwd.sent.length;
    await deliver(fwd, { from: id(0xb0), signer, transactionId: 5n, header: { viaList: [node(signer)] }, body: ping });
    await clock.advance(0);
    // The lookup's Fetch went out; its answer comes from a node whose certificate is known.
    await answerLookups(fwd, sentBefore, id(0xd0), known);
    expect(looked).toEqual([toHex(signer)]);
    await clock.advance(0);
    expect(lastSent(fwd).body.name).toBe('ping_ans');
  });

  it('an answer whose signer omitted its certificate is verified after the lookup of the Node-ID the request went to', async () => {
    const target = nodeIdOf(2);
    const { clock, fwd, transport, known, looked } = withLookups([target]);
    const answer = transport.request([node(target)], ping);
    await clock.advance(0);
    const sentBefore = fwd.sent.length;
    await deliver(fwd, { from: target, transactionId: lastTransactionId(fwd), body: pingAns() });
    await clock.advance(0);
    await answerLookups(fwd, sentBefore, id(0xd0), known);
    expect(await clock.run(answer)).toMatchObject({ sender: { nodeId: target } });
    expect(looked).toEqual([toHex(target)]);
  });

  it('a lookup lasts until its Fetch has had its second transmission answered, at the overlay-reliability-timer configured (§6.2.1)', async () => {
    const signer = nodeIdOf(1);
    const { clock, fwd, known } = withLookups([signer]);
    fwd.parameters = { ...fwd.parameters, overlayReliabilityTimerMs: 4_000 };
    await deliver(fwd, { from: id(0xb0), signer, transactionId: 5n, header: { viaList: [node(signer)] }, body: ping });
    await clock.advance(0);
    const firstTransmission = fwd.sent.length;
    await clock.advance(4_000);
    expect(fwd.sent.length).toBe(firstTransmission + 1); // the Fetch's retransmission
    await clock.advance(3_000);
    await answerLookups(fwd, firstTransmission, id(0xd0), known);
    await clock.advance(0);
    expect(lastSent(fwd).body.name).toBe('ping_ans');
  });
});

/** A lookup's timeout at the default overlay-reliability-timer (3 s). */
const CERTIFICATE_LOOKUP_TIMEOUT_MS = certificateLookupTimeoutMs(DEFAULT_OVERLAY_RELIABILITY_TIMER_MS);

/** The most lookups the messages of one link start while no other link's run (they leave the others' share). */
const ONE_LINK = MAX_CERTIFICATE_LOOKUPS - certificateLookupShare(MAX_CERTIFICATE_LOOKUPS);

describe('lookups junk messages cannot drive (§6.3.4, §13.1)', () => {
  it('forged answers to a request sent to a Node-ID look up no other signer: they cannot fill the pending requests', async () => {
    const { clock, fwd, transport, looked } = withLookups([], { maxPendingRequests: 1024 });
    void transport.request([node(id(0xbb))], ping).catch(() => undefined);
    await clock.advance(0);
    // Whoever sees our request knows its transaction id, and may name any first via entry.
    const transactionId = lastTransactionId(fwd);
    for (let i = 0; i < 1100; i++) await deliver(fwd, { from: id(0xbb), signer: nodeIdOf(i), transactionId, header: { viaList: [node(nodeIdOf(i))] }, body: pingAns() });
    await clock.advance(0);
    expect(looked).toEqual([]);
    expect(transport.stats().pendingRequests).toBe(1);
    const own = transport.request([node(id(0xcc))], ping).catch((e: unknown) => e);
    await clock.advance(0);
    expect(transport.stats().pendingRequests).toBe(2);
    transport.close();
    expect(await own).not.toBeInstanceOf(TransportOverloadError);
  });

  it(`forged answers to a request sent to a Resource-ID, all from one link, start at most ${ONE_LINK} lookups at once; the others are dropped at once`, async () => {
    const { clock, fwd, transport, looked } = withLookups();
    void transport.request([{ kind: 'resource', resourceId: id(0x77) }], ping).catch(() => undefined);
    await clock.advance(0);
    const transactionId = lastTransactionId(fwd);
    for (let i = 0; i < 100; i++) await deliver(fwd, { from: id(0xbb), signer: nodeIdOf(i), transactionId, header: { viaList: [node(nodeIdOf(i))] }, body: pingAns() });
    await clock.advance(0);
    expect(looked).toHaveLength(ONE_LINK);
    expect(transport.stats()).toMatchObject({ pendingRequests: 1 + ONE_LINK, droppedBadSignature: 100 - ONE_LINK });
    transport.close();
  });

  it('junk requests relayed by an honest neighbour hold few of its inbound slots while they are looked up: its genuine requests are answered', async () => {
    const known = new Set<string>();
    // A lookup is an overlay Fetch: seconds; here one that has not come back yet.
    const { clock, fwd, transport } = setup({ certificateSource: () => new Promise<boolean>(() => {}) }, omittedUnlessKnown(known));
    answersPings(transport);
    const relay = id(0xb0);
    for (let i = 0; i < 64; i++) await deliver(fwd, { from: relay, signer: nodeIdOf(i), transactionId: BigInt(i + 1), header: { viaList: [node(nodeIdOf(i))] }, body: ping });
    await clock.advance(0);
    const genuine = id(0x42);
    known.add(toHex(genuine));
    await deliver(fwd, { from: relay, signer: genuine, transactionId: 0x42n, header: { viaList: [node(genuine)] }, body: ping });
    await clock.advance(0);
    expect(transport.stats()).toMatchObject({ droppedOverload: 0, inboundInProgress: ONE_LINK, droppedBadSignature: 64 - ONE_LINK });
    expect(fwd.sent).toHaveLength(1);
    expect(lastSent(fwd).body.name).toBe('ping_ans');
  });

  it('maxCertificateLookups sets the bound over all links', async () => {
    const { clock, fwd, looked } = withLookups([], { maxCertificateLookups: 2 });
    for (let i = 0; i < 5; i++) await deliver(fwd, { from: id(0xb0 + i), signer: nodeIdOf(i), transactionId: BigInt(i + 1), header: { viaList: [node(nodeIdOf(i))] }, body: ping });
    await clock.advance(0);
    expect(looked).toHaveLength(2);
  });

  /**
   * A transport whose lookups of `genuine` Node-IDs find the certificate at once, and whose other
   * lookups (junk) do not come back, as an overlay Fetch that gets no answer; `aborted` counts the
   * junk lookups whose AbortSignal fired.
   */
  function slowJunk(genuine: Uint8Array[], init: TransportInit = {}) {
    const known = new Set<string>();
    let aborted = 0;
    const certificateSource = (nodeId: Uint8Array, options?: { signal?: AbortSignal }) => {
      if (genuine.some((g) => toHex(g) === toHex(nodeId))) {
        known.add(toHex(nodeId));
        return Promise.resolve(true);
      }
      options?.signal?.addEventListener('abort', () => aborted++);
      return new Promise<boolean>(() => {});
    };
    const t = setup({ certificateSource, ...init }, omittedUnlessKnown(known));
    answersPings(t.transport);
    return { ...t, aborted: () => aborted };
  }

  it('junk from one link cannot take every lookup: a genuine request from another link whose certificate was omitted is still verified and answered', async () => {
    const genuine = nodeIdOf(1000);
    const { clock, fwd, transport } = slowJunk([genuine]);
    // One link (a malicious neighbour, or an honest one relaying junk) sends requests naming ever new signers.
    for (let i = 0; i < 20; i++) await deliver(fwd, { from: id(0xb0), signer: nodeIdOf(i), transactionId: BigInt(i + 1), header: { viaList: [node(nodeIdOf(i))] }, body: ping });
    await clock.advance(0);
    await deliver(fwd, { from: id(0xc0), signer: genuine, transactionId: 0x42n, header: { viaList: [node(genuine)] }, body: ping });
    await clock.advance(0);
    expect(fwd.sent).toHaveLength(1);
    expect(lastSent(fwd).body.name).toBe('ping_ans');
    transport.close();
  });

  it(`a lookup that does not come back is given up after ${CERTIFICATE_LOOKUP_TIMEOUT_MS} ms on the clock, its Fetch aborted and its link's count freed`, async () => {
    const genuine = nodeIdOf(1000);
    const { clock, fwd, transport, aborted } = slowJunk([genuine]);
    const junk = async (from: Uint8Array, first: number) => {
      for (let i = first; i < first + 20; i++) await deliver(fwd, { from, signer: nodeIdOf(i), transactionId: BigInt(i + 1), header: { viaList: [node(nodeIdOf(i))] }, body: ping });
    };
    await junk(id(0xb0), 0);
    await clock.advance(CERTIFICATE_LOOKUP_TIMEOUT_MS - 1);
    expect(aborted()).toBe(0);
    await clock.advance(1);
    expect(aborted()).toBe(ONE_LINK);
    expect(transport.stats().inboundInProgress).toBe(0);
    // Another link's junk now holds as many; the first link's genuine request still gets a lookup,
    // which it would not if its count had stayed at ONE_LINK (over its share, and no share free).
    await junk(id(0xb1), 100);
    await clock.advance(0);
    expect(transport.stats().inboundInProgress).toBe(ONE_LINK);
    await deliver(fwd, { from: id(0xb0), signer: genuine, transactionId: 0x42n, header: { viaList: [node(genuine)] }, body: ping });
    await clock.advance(0);
    expect(lastSent(fwd).body.name).toBe('ping_ans');
    transport.close();
  });

  it('junk from two links that fills every lookup does not shut out a third: a link under its share takes the slot of the one furthest over its share', async () => {
    const genuine = nodeIdOf(1000);
    const { clock, fwd, transport, aborted } = slowJunk([genuine]);
    for (let i = 0; i < 20; i++) await deliver(fwd, { from: id(0xb0), signer: nodeIdOf(i), transactionId: BigInt(i + 1), header: { viaList: [node(nodeIdOf(i))] }, body: ping });
    for (let i = 100; i < 120; i++) await deliver(fwd, { from: id(0xb1), signer: nodeIdOf(i), transactionId: BigInt(i + 1), header: { viaList: [node(nodeIdOf(i))] }, body: ping });
    await clock.advance(0);
    expect(transport.stats().inboundInProgress).toBe(MAX_CERTIFICATE_LOOKUPS);
    await deliver(fwd, { from: id(0xc0), signer: genuine, transactionId: 0x42n, header: { viaList: [node(genuine)] }, body: ping });
    await clock.advance(0);
    expect(lastSent(fwd).body.name).toBe('ping_ans');
    // One lookup of the first link (ONE_LINK, over its share) was aborted, its request dropped; the second link's (at its share) run on.
    expect(aborted()).toBe(1);
    expect(transport.stats().inboundInProgress).toBe(MAX_CERTIFICATE_LOOKUPS - 1);
    // The first link, now one below where it was, is still over its share: it cannot take the slot back.
    await deliver(fwd, { from: id(0xb0), signer: nodeIdOf(50), transactionId: 51n, header: { viaList: [node(nodeIdOf(50))] }, body: ping });
    await clock.advance(0);
    expect(transport.stats().inboundInProgress).toBe(MAX_CERTIFICATE_LOOKUPS - 1);
    // At the timeout the rest are given up, each once.
    await clock.advance(CERTIFICATE_LOOKUP_TIMEOUT_MS);
    expect(aborted()).toBe(MAX_CERTIFICATE_LOOKUPS);
    expect(transport.stats().inboundInProgress).toBe(0);
    transport.close();
  });
});

describe('a message whose signer is being looked up waits for that lookup (§6.3.4, §13.1)', () => {
  /**
   * A transport whose lookups come back only when the test says (`finish`), finding the
   * certificate; `aborted` lists the Node-IDs (hex) whose lookup's AbortSignal fired.
   */
  function gated(init: TransportInit = {}) {
    const known = new Set<string>();
    const running = new Map<string, () => void>();
    const aborted: string[] = [];
    const certificateSource = (nodeId: Uint8Array, options?: { signal?: AbortSignal }) =>
      new Promise<boolean>((resolve) => {
        options?.signal?.addEventListener('abort', () => aborted.push(toHex(nodeId)));
        running.set(toHex(nodeId), () => {
          known.add(toHex(nodeId));
          resolve(true);
        });
      });
    const t = setup({ certificateSource, ...init }, omittedUnlessKnown(known));
    answersPings(t.transport);
    const finish = (nodeId: Uint8Array) => running.get(toHex(nodeId))!();
    return { ...t, finish, aborted, lookups: () => running.size };
  }

  /** Junk requests from `from` naming the signers nodeIdOf(first) … nodeIdOf(first + count - 1). */
  const junk = async (fwd: ScriptedForwarding, from: Uint8Array, first: number, count: number) => {
    for (let i = first; i < first + count; i++) await deliver(fwd, { from, signer: nodeIdOf(i), transactionId: BigInt(i + 1), header: { viaList: [node(nodeIdOf(i))] }, body: ping, tamper: true });
  };

  /** The transaction ids of the answers `fwd` sent. */
  const answered = (fwd: ScriptedForwarding) => fwd.sent.map((m) => decodeForwardedMessage(m).forwardingHeader.transactionId);

  it(`messages waiting for a lookup that times out fail then (after ${CERTIFICATE_LOOKUP_TIMEOUT_MS} ms), their inbound slots freed; the signer's next message starts a lookup anew`, async () => {
    const signer = nodeIdOf(5);
    const { clock, fwd, transport, finish, lookups } = gated();
    await deliver(fwd, { from: id(0xb0), signer, transactionId: 1n, header: { viaList: [node(signer)] }, body: ping, tamper: true });
    await deliver(fwd, { from: id(0xc0), signer, transactionId: 2n, header: { viaList: [node(signer)] }, body: ping });
    await deliver(fwd, { from: id(0xc1), signer, transactionId: 3n, header: { viaList: [node(signer)] }, body: ping });
    await clock.advance(CERTIFICATE_LOOKUP_TIMEOUT_MS - 1);
    expect(transport.stats()).toMatchObject({ droppedBadSignature: 0, inboundInProgress: 3 });
    await clock.advance(1);
    expect(transport.stats()).toMatchObject({ droppedBadSignature: 3, inboundInProgress: 0 });
    await deliver(fwd, { from: id(0xc0), signer, transactionId: 4n, header: { viaList: [node(signer)] }, body: ping });
    await clock.advance(0);
    expect(lookups()).toBe(1);
    finish(signer);
    await clock.advance(0);
    expect(answered(fwd)).toEqual([4n]);
    transport.close();
  });

  it('messages waiting for a lookup that is preempted fail at once when their link could not take it (at its share), their inbound slots freed', async () => {
    const share = certificateLookupShare(MAX_CERTIFICATE_LOOKUPS);
    const { clock, fwd, transport, finish, aborted } = gated();
    await junk(fwd, id(0xb0), 0, 20); // ONE_LINK lookups: nodeIdOf(0) … nodeIdOf(ONE_LINK - 1)
    await junk(fwd, id(0xb1), 100, 20); // `share` lookups
    // The second link, at its share, has messages waiting for the first link's oldest lookup.
    for (let i = 0; i < share; i++) await deliver(fwd, { from: id(0xb1), signer: nodeIdOf(0), transactionId: BigInt(200 + i), header: { viaList: [node(nodeIdOf(0))] }, body: ping });
    await clock.advance(0);
    expect(transport.stats().inboundInProgress).toBe(MAX_CERTIFICATE_LOOKUPS + share);
    const genuine = nodeIdOf(1000);
    await deliver(fwd, { from: id(0xc0), signer: genuine, transactionId: 0x42n, header: { viaList: [node(genuine)] }, body: ping });
    await clock.advance(0);
    expect(aborted).toEqual([toHex(nodeIdOf(0))]);
    // The preempted lookup's message and its waiters dropped; the genuine one's lookup in their place.
    expect(transport.stats().inboundInProgress).toBe(MAX_CERTIFICATE_LOOKUPS);
    finish(genuine);
    await clock.advance(0);
    expect(answered(fwd)).toEqual([0x42n]);
    transport.close();
  });

  it('a lookup another link\'s message waits for is not preempted from under it: it is charged to that link (under its share), and the next oldest lookup is preempted instead', async () => {
    const { clock, fwd, transport, finish, aborted } = gated();
    await junk(fwd, id(0xb0), 0, 20); // the first link's oldest lookup is of nodeIdOf(0)
    // nodeIdOf(0)'s own request, from a link with no lookup, waits for it.
    await deliver(fwd, { from: id(0xd0), signer: nodeIdOf(0), transactionId: 0xd0n, header: { viaList: [node(nodeIdOf(0))] }, body: ping });
    await junk(fwd, id(0xb1), 100, 20);
    await clock.advance(0);
    const genuine = nodeIdOf(1000);
    await deliver(fwd, { from: id(0xc0), signer: genuine, transactionId: 0x42n, header: { viaList: [node(genuine)] }, body: ping });
    await clock.advance(0);
    expect(aborted).toEqual([toHex(nodeIdOf(1))]);
    finish(nodeIdOf(0));
    finish(genuine);
    await clock.advance(0);
    expect(answered(fwd).sort((a, b) => Number(a - b))).toEqual([0x42n, 0xd0n]);
    transport.close();
  });

  it(`at most ${MAX_CERTIFICATE_LOOKUPS} messages wait for one lookup over all links, a link's share each: the others fail at once`, async () => {
    const signer = nodeIdOf(6);
    const share = certificateLookupShare(MAX_CERTIFICATE_LOOKUPS);
    const links = MAX_CERTIFICATE_LOOKUPS / share + 1;
    const { clock, fwd, transport, finish } = gated();
    await deliver(fwd, { from: id(0xb0), signer, transactionId: 1n, header: { viaList: [node(signer)] }, body: ping, tamper: true });
    for (let l = 0; l < links; l++) {
      for (let i = 0; i < share; i++) await deliver(fwd, { from: id(0xc0 + l), signer, transactionId: BigInt(0x100 * (l + 1) + i), header: { viaList: [node(signer)] }, body: ping });
    }
    await clock.advance(0);
    expect(transport.stats()).toMatchObject({ inboundInProgress: 1 + MAX_CERTIFICATE_LOOKUPS, droppedBadSignature: links * share - MAX_CERTIFICATE_LOOKUPS });
    finish(signer);
    await clock.advance(0);
    expect(answered(fwd)).toHaveLength(MAX_CERTIFICATE_LOOKUPS);
    expect(transport.stats().inboundInProgress).toBe(0);
    transport.close();
  });

  it('a junk request naming a genuine signer does not make the signer\'s real request from another link fail: it waits for the lookup the junk started', async () => {
    const signer = nodeIdOf(1);
    const { clock, fwd, transport, finish, lookups } = gated();
    // The junk (its signature does not verify) names the signer, and starts the lookup.
    await deliver(fwd, { from: id(0xb0), signer, transactionId: 1n, header: { viaList: [node(signer)] }, body: ping, tamper: true });
    await deliver(fwd, { from: id(0xc0), signer, transactionId: 0x42n, header: { viaList: [node(signer)] }, body: ping });
    await clock.advance(0);
    expect(lookups()).toBe(1);
    expect(transport.stats().droppedBadSignature).toBe(0);
    finish(signer);
    await clock.advance(0);
    expect(transport.stats().droppedBadSignature).toBe(1);
    expect(fwd.sent).toHaveLength(1);
    expect(decodeForwardedMessage(fwd.sent[0]!).forwardingHeader.transactionId).toBe(0x42n);
    transport.close();
  });

  it('the real answer of a Node-ID being looked up because of a forged answer waits for that lookup and is accepted', async () => {
    const target = nodeIdOf(2);
    const { clock, fwd, transport, finish } = gated();
    let answered: unknown;
    void transport.request([node(target)], ping).then((a) => (answered = a));
    await clock.advance(0);
    const transactionId = lastTransactionId(fwd);
    await deliver(fwd, { from: id(0xbb), signer: target, transactionId, header: { viaList: [node(target)] }, body: pingAns(), tamper: true });
    await deliver(fwd, { from: target, signer: target, transactionId, body: pingAns() });
    await clock.advance(0);
    finish(target);
    await clock.advance(0);
    expect(answered).toMatchObject({ sender: { nodeId: target } });
    transport.close();
  });

  it('an answer to a request sent after the lookup started (the lookup\'s own Fetch, answered by the node looked up) does not wait for it: it fails at once, no deadlock', async () => {
    const signer = nodeIdOf(3);
    const { clock, fwd, transport, lookups } = gated();
    await deliver(fwd, { from: id(0xb0), signer, transactionId: 1n, header: { viaList: [node(signer)] }, body: ping });
    await clock.advance(0);
    expect(lookups()).toBe(1);
    // As the §8 usage's Fetch would be, sent while the lookup runs and answered by the node looked up.
    void transport.request([{ kind: 'resource', resourceId: signer }], ping).catch(() => undefined);
    await clock.advance(0);
    await deliver(fwd, { from: signer, signer, transactionId: lastTransactionId(fwd), body: pingAns() });
    await clock.advance(0);
    expect(transport.stats().droppedBadSignature).toBe(1);
    transport.close();
  });

  it(`junk from one link naming a signer being looked up holds at most ${certificateLookupShare(MAX_CERTIFICATE_LOOKUPS)} waits on it; the signer's real message from another link still waits`, async () => {
    const signer = nodeIdOf(4);
    const share = certificateLookupShare(MAX_CERTIFICATE_LOOKUPS);
    const { clock, fwd, transport, finish } = gated();
    for (let i = 0; i < 20; i++) await deliver(fwd, { from: id(0xb0), signer, transactionId: BigInt(i + 1), header: { viaList: [node(signer)] }, body: ping, tamper: true });
    await clock.advance(0);
    // One started the lookup, `share` wait on it; the rest are dropped at once.
    expect(transport.stats()).toMatchObject({ droppedBadSignature: 20 - 1 - share, inboundInProgress: 1 + share });
    await deliver(fwd, { from: id(0xc0), signer, transactionId: 0x42n, header: { viaList: [node(signer)] }, body: ping });
    await clock.advance(0);
    finish(signer);
    await clock.advance(0);
    expect(lastSent(fwd).body.name).toBe('ping_ans');
    expect(transport.stats()).toMatchObject({ droppedBadSignature: 20, inboundInProgress: 0 });
    transport.close();
  });
});
