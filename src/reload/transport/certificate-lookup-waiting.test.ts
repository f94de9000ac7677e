/**
 * A message whose signer is being looked up (RFC 6940 §6.3.4, the §8 usage as
 * TransportInit.certificateSource) waits for that lookup, bounded so that junk messages cannot make
 * a genuine one fail (§13.1): waiters per lookup and per link, answers to requests made after the
 * lookup started, and a lookup another link waits for charged to that link when a newcomer needs
 * its slot (CertificateLookups.makeRoom). The lookups junk cannot drive: certificate-lookup.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../wire/codec/hex.js';
import { decodeForwardedMessage } from '../wire/forwarded-message.js';
import { MAX_CERTIFICATE_LOOKUPS, certificateLookupShare } from './certificate-lookups.js';
import type { TransportInit } from './message-transport.js';
import { answersPings, CERTIFICATE_LOOKUP_TIMEOUT_MS, junk, lastTransactionId, nodeIdOf } from './testing/certificate-lookup-fixtures.js';
import { deliver, id, lastSent, node, ping, pingAns, setupWith, type ScriptedForwarding } from '../testing/scripted-forwarding.js';
import { omittedUnlessKnown, SIGNATURE_TIMINGS } from '../testing/test-signatures.js';

describe.each(SIGNATURE_TIMINGS)('a message whose signer is being looked up waits for that lookup (§6.3.4, §13.1), signer and verifier %s', (timing) => {
  const setup = setupWith(timing);

  /**
   * A transport whose lookups come back only when the test says (`finish`), finding the
   * certificate; `aborted` lists the Node-IDs (hex) whose lookup's AbortSignal fired, `lookups`
   * counts the lookups started.
   */
  function gated(init: TransportInit = {}) {
    const known = new Set<string>();
    const running = new Map<string, () => void>();
    const aborted: string[] = [];
    let started = 0;
    const certificateSource = (nodeId: Uint8Array, options?: { signal?: AbortSignal }) =>
      new Promise<boolean>((resolve) => {
        started++;
        options?.signal?.addEventListener('abort', () => aborted.push(toHex(nodeId)));
        running.set(toHex(nodeId), () => {
          known.add(toHex(nodeId));
          resolve(true);
        });
      });
    const t = setup({ certificateSource, ...init }, omittedUnlessKnown(known, timing));
    answersPings(t.transport);
    const finish = (nodeId: Uint8Array) => running.get(toHex(nodeId))!();
    return { ...t, finish, aborted, lookups: () => started };
  }

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
    expect(lookups()).toBe(2);
    finish(signer);
    await clock.advance(0);
    expect(answered(fwd)).toEqual([4n]);
    transport.close();
  });

  it('messages waiting for a lookup that is preempted fail at once when their link could not take it (at its share), their inbound slots freed', async () => {
    const share = certificateLookupShare(MAX_CERTIFICATE_LOOKUPS);
    const { clock, fwd, transport, finish, aborted } = gated();
    await junk(fwd, id(0xb0), 0); // ONE_LINK lookups: nodeIdOf(0) … nodeIdOf(ONE_LINK - 1)
    await junk(fwd, id(0xb1), 100); // `share` lookups
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
    await junk(fwd, id(0xb0), 0); // the first link's oldest lookup is of nodeIdOf(0)
    // nodeIdOf(0)'s own request, from a link with no lookup, waits for it.
    await deliver(fwd, { from: id(0xd0), signer: nodeIdOf(0), transactionId: 0xd0n, header: { viaList: [node(nodeIdOf(0))] }, body: ping });
    await junk(fwd, id(0xb1), 100);
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

  /** `signer`'s own request from `link` (its signature verifies once its certificate is found); transaction id `link`'s byte. */
  const own = (fwd: ScriptedForwarding, link: number, signer: Uint8Array) => deliver(fwd, { from: id(link), signer, transactionId: BigInt(link), header: { viaList: [node(signer)] }, body: ping });

  it('a lookup charged to the link that waits for it stays with it: a second newcomer preempts the next lookup of the link furthest over its share, not it', async () => {
    const { clock, fwd, transport, finish, aborted } = gated();
    await junk(fwd, id(0xb0), 0); // ONE_LINK lookups, the oldest nodeIdOf(0)
    await own(fwd, 0xd0, nodeIdOf(0));
    await junk(fwd, id(0xb1), 100);
    const [first, second] = [nodeIdOf(1000), nodeIdOf(1001)];
    await own(fwd, 0xc0, first); // nodeIdOf(0) charged to 0xd0, nodeIdOf(1) preempted
    await own(fwd, 0xc1, second);
    await clock.advance(0);
    expect(aborted).toEqual([toHex(nodeIdOf(1)), toHex(nodeIdOf(2))]);
    for (const n of [nodeIdOf(0), first, second]) finish(n);
    await clock.advance(0);
    expect(answered(fwd).sort((a, b) => Number(a - b))).toEqual([0xc0n, 0xc1n, 0xd0n]);
    transport.close();
  });

  it('a newcomer whose messages wait for the lookups it would preempt is charged them instead, and at its share starts no lookup of its own: refused, nothing preempted', async () => {
    const { clock, fwd, transport, finish, aborted, lookups } = gated();
    await junk(fwd, id(0xb0), 0);
    await junk(fwd, id(0xb1), 100);
    await clock.advance(0);
    const before = lookups();
    // Link 0xc0 waits for the two oldest lookups of the link furthest over its share (0xb0).
    await deliver(fwd, { from: id(0xc0), signer: nodeIdOf(0), transactionId: 0xc00n, header: { viaList: [node(nodeIdOf(0))] }, body: ping });
    await deliver(fwd, { from: id(0xc0), signer: nodeIdOf(1), transactionId: 0xc01n, header: { viaList: [node(nodeIdOf(1))] }, body: ping });
    const dropped = transport.stats().droppedBadSignature;
    await own(fwd, 0xc0, nodeIdOf(1000));
    await clock.advance(0);
    expect(aborted).toEqual([]);
    expect(lookups()).toBe(before);
    expect(transport.stats().droppedBadSignature).toBe(dropped + 1);
    finish(nodeIdOf(0));
    finish(nodeIdOf(1));
    await clock.advance(0);
    expect(answered(fwd).sort((a, b) => Number(a - b))).toEqual([0xc00n, 0xc01n]);
    transport.close();
  });

  it('one newcomer may charge several lookups in a row, one to each link waiting, before it preempts one no link under its share waits for', async () => {
    const { clock, fwd, transport, finish, aborted } = gated();
    await junk(fwd, id(0xb0), 0);
    for (let i = 0; i < 3; i++) await own(fwd, 0xd0 + i, nodeIdOf(i));
    await junk(fwd, id(0xb1), 100);
    const genuine = nodeIdOf(1000);
    await own(fwd, 0xc0, genuine);
    await clock.advance(0);
    expect(aborted).toEqual([toHex(nodeIdOf(3))]);
    for (const n of [nodeIdOf(0), nodeIdOf(1), nodeIdOf(2), genuine]) finish(n);
    await clock.advance(0);
    expect(answered(fwd).sort((a, b) => Number(a - b))).toEqual([0xc0n, 0xd0n, 0xd1n, 0xd2n]);
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
