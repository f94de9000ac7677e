/**
 * Looking up a signer's omitted certificate (RFC 6940 §6.3.4: "In systems that have an alternative
 * certificate distribution mechanism, some certificates MAY be omitted"; the §8 usage is
 * TransportInit.certificateSource) without letting junk messages drive it: the Node-ID looked up is
 * the first via-list entry, which no signature covers, and each lookup is an overlay Fetch.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../wire/codec/hex.js';
import { decodeForwardedMessage } from '../wire/forwarded-message.js';
import { MAX_CERTIFICATE_LOOKUPS } from './certificate-lookups.js';
import { TransportOverloadError, type MessageTransport, type TransportInit } from './message-transport.js';
import { answersPings, CERTIFICATE_LOOKUP_TIMEOUT_MS, junk, lastTransactionId, nodeIdOf, ONE_LINK } from './testing/certificate-lookup-fixtures.js';
import { deliver, id, lastSent, node, ping, pingAns, setupWith, type ScriptedForwarding } from '../testing/scripted-forwarding.js';
import { omittedUnlessKnown, SIGNATURE_TIMINGS, type SignatureTiming } from '../testing/test-signatures.js';

/**
 * A transport whose lookups run as the §8 usage's do in composePeer, as an overlay Fetch (one more
 * pending request of ours), that finds a certificate only for Node-IDs in `published`; its signer
 * and verifier answer as `timing` says.
 */
function withLookups(timing: SignatureTiming, published: Uint8Array[] = [], init: TransportInit = {}) {
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
  const t = setupWith(timing)({ certificateSource, ...init }, omittedUnlessKnown(known, timing));
  transport = t.transport;
  answersPings(transport);
  return { ...t, known, looked };
}

/** Answer the lookup requests sent since the first `skip` messages, from `from` (whose certificate is made `known`). */
async function answerLookups(fwd: ScriptedForwarding, skip: number, from: Uint8Array, known: Set<string>) {
  known.add(toHex(from));
  for (const m of fwd.sent.slice(skip)) await deliver(fwd, { from, transactionId: decodeForwardedMessage(m).forwardingHeader.transactionId, body: pingAns() });
}

describe.each(SIGNATURE_TIMINGS)('certificates omitted by the signer (§6.3.4) are looked up (§8), signer and verifier %s', (timing) => {
  it('a request whose signer omitted its certificate is verified after the lookup of its Node-ID, and answered', async () => {
    const signer = nodeIdOf(1);
    const { clock, fwd, known, looked } = withLookups(timing, [signer]);
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
    const { clock, fwd, transport, known, looked } = withLookups(timing, [target]);
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
    const { clock, fwd, known } = withLookups(timing, [signer]);
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

describe.each(SIGNATURE_TIMINGS)('lookups junk messages cannot drive (§6.3.4, §13.1), signer and verifier %s', (timing) => {
  const setup = setupWith(timing);

  it('forged answers to a request sent to a Node-ID look up no other signer: they cannot fill the pending requests', async () => {
    const { clock, fwd, transport, looked } = withLookups(timing, [], { maxPendingRequests: 1024 });
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
    const { clock, fwd, transport, looked } = withLookups(timing);
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
    const { clock, fwd, transport } = setup({ certificateSource: () => new Promise<boolean>(() => {}) }, omittedUnlessKnown(known, timing));
    answersPings(transport);
    const relay = id(0xb0);
    await junk(fwd, relay, 0, 64);
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
    const { clock, fwd, looked } = withLookups(timing, [], { maxCertificateLookups: 2 });
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
    const t = setup({ certificateSource, ...init }, omittedUnlessKnown(known, timing));
    answersPings(t.transport);
    return { ...t, aborted: () => aborted };
  }

  it('junk from one link cannot take every lookup: a genuine request from another link whose certificate was omitted is still verified and answered', async () => {
    const genuine = nodeIdOf(1000);
    const { clock, fwd, transport } = slowJunk([genuine]);
    // One link (a malicious neighbour, or an honest one relaying junk) sends requests naming ever new signers.
    await junk(fwd, id(0xb0), 0);
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
    await junk(fwd, id(0xb0), 0);
    await clock.advance(CERTIFICATE_LOOKUP_TIMEOUT_MS - 1);
    expect(aborted()).toBe(0);
    await clock.advance(1);
    expect(aborted()).toBe(ONE_LINK);
    expect(transport.stats().inboundInProgress).toBe(0);
    // Another link's junk now holds as many; the first link's genuine request still gets a lookup,
    // which it would not if its count had stayed at ONE_LINK (over its share, and no share free).
    await junk(fwd, id(0xb1), 100);
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
    await junk(fwd, id(0xb0), 0);
    await junk(fwd, id(0xb1), 100);
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
