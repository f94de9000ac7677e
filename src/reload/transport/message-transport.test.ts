/**
 * Message transport against a scripted forwarding layer: what it puts on the wire and how it
 * treats each message handed up to it. (The multi-peer behaviour is in src/sim/overlay-core.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { MAX_REQUEST_LIFETIME_MS } from './answer-cache.js';
import { AbortError } from '../runtime/components.js';
import { ErrorAnswer, ReloadError } from '../runtime/reload-error.js';
import { decodeAll } from '../wire/codec/reader.js';
import { UNFRAGMENTED } from '../wire/forwarding-header.js';
import { ForwardingOptionFlag } from '../wire/forwarding-option.js';
import { encodeMessageBody } from '../wire/message-body.js';
import { ErrorCode } from '../wire/message-codes.js';
import { messageSignatureInput } from '../wire/message-signature-input.js';
import { kindModelsFrom } from '../wire/storage/data-model.js';
import { deliver, id, lastSent, node, OVERLAY, ping, pingAns, setupWith } from '../testing/scripted-forwarding.js';
import type { Signer } from '../security/signer.js';
import { SIGNATURE_TIMINGS, stubSigner, stubVerifier } from '../testing/test-signatures.js';

describe.each(SIGNATURE_TIMINGS)('requests (§6.2.1, §6.3), signer and verifier %s', (timing) => {
  const setup = setupWith(timing);

  it('sends a signed request with a random transaction id and the overlay header fields', async () => {
    const { clock, fwd, transport } = setup();
    void transport.request([node(id(0xc0))], ping, { maxResponseLength: 4000 }).catch(() => {});
    await clock.advance(0);
    const m = lastSent(fwd);
    expect(m.forwardingHeader).toMatchObject({
      overlay: OVERLAY,
      configurationSequence: 9,
      version: 0x0a,
      ttl: 100,
      fragment: UNFRAGMENTED,
      maxResponseLength: 4000,
      viaList: [],
      destinationList: [node(id(0xc0))],
      options: [],
    });
    expect(m.body).toEqual(ping);
    const sig = m.securityBlock.signature;
    await expect(stubVerifier.verify(messageSignatureInput(OVERLAY, m.forwardingHeader.transactionId, m.messageContents, sig.identity), sig, [])).resolves.toMatchObject({ nodeId: id(0xa0) });
    // Another request gets another transaction id.
    void transport.request([node(id(0xc0))], ping).catch(() => {});
    await clock.advance(0);
    expect(lastSent(fwd).forwardingHeader.transactionId).not.toBe(m.forwardingHeader.transactionId);
  });

  it('accepts the answer of the Node-ID asked, drops one from another Node-ID (§6.3.4 check 1)', async () => {
    const { clock, fwd, transport } = setup();
    const p = transport.request([node(id(0xc0))], ping);
    await clock.advance(0);
    const transactionId = lastSent(fwd).forwardingHeader.transactionId;
    await deliver(fwd, { transactionId, body: pingAns(), from: id(0xb0), signer: id(0xdd) });
    await clock.advance(0);
    expect(transport.stats().pendingRequests).toBe(1);
    // Not retransmitted at once: only a rejection under check 2 is (the ring moved under a Resource-ID).
    expect(fwd.sent).toHaveLength(1);
    await deliver(fwd, { transactionId, body: pingAns(7n), from: id(0xb0), signer: id(0xc0) });
    const a = await clock.run(p);
    expect(a.value.responseId).toBe(7n);
    expect(a.sender.nodeId).toEqual(id(0xc0));
  });

  it('an error answer from any verified node rejects with its ReloadError, which names that node (ErrorAnswer.sender)', async () => {
    const { clock, fwd, transport } = setup();
    const p = transport.request([node(id(0xc0))], ping);
    await clock.advance(0);
    const transactionId = lastSent(fwd).forwardingHeader.transactionId;
    await deliver(fwd, { transactionId, body: { name: 'error', value: { errorCode: ErrorCode.Error_Not_Found, errorInfo: Uint8Array.of(0x68, 0x69) } }, signer: id(0x77) });
    const e = await clock.run(p).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ReloadError);
    expect((e as ReloadError).code).toBe(ErrorCode.Error_Not_Found);
    expect((e as ReloadError).info).toEqual(Uint8Array.of(0x68, 0x69));
    expect(e).toBeInstanceOf(ErrorAnswer);
    expect((e as ErrorAnswer).sender).toEqual(id(0x77));
  });

  it('an answer with the wrong code fails the request with Error_Invalid_Message', async () => {
    const { clock, fwd, transport } = setup();
    const p = transport.request([node(id(0xc0))], ping);
    await clock.advance(0);
    await deliver(fwd, { transactionId: lastSent(fwd).forwardingHeader.transactionId, body: { name: 'leave_ans', value: {} }, signer: id(0xc0) });
    await expect(clock.run(p)).rejects.toMatchObject({ code: ErrorCode.Error_Invalid_Message });
  });

  it('drops an answer with a bad signature or an unknown critical extension', async () => {
    const { clock, fwd, transport } = setup();
    const p = transport.request([node(id(0xc0))], ping);
    await clock.advance(0);
    const transactionId = lastSent(fwd).forwardingHeader.transactionId;
    await deliver(fwd, { transactionId, body: pingAns(), signer: id(0xc0), extensions: [{ type: 0x4444, critical: true, extensionContents: new Uint8Array() }] });
    await deliver(fwd, { transactionId, body: pingAns(), signer: id(0xc0), tamper: true });
    await clock.advance(0);
    expect(transport.stats().pendingRequests).toBe(1);
    expect(transport.stats().droppedBadSignature).toBe(1);
    await deliver(fwd, { transactionId, body: pingAns(2n), signer: id(0xc0) });
    await expect(clock.run(p)).resolves.toMatchObject({ value: { responseId: 2n } });
  });

  it('asks the responder check about answers to a Resource-ID (§6.3.4 check 2)', async () => {
    const { clock, fwd, transport } = setup();
    const seen: string[] = [];
    transport.setResponderCheck((resource, responder) => {
      seen.push(`${resource[0]}:${responder[0]}`);
      return responder[0] === 0xc1;
    });
    const p = transport.request([{ kind: 'resource', resourceId: Uint8Array.of(5) }], ping);
    await clock.advance(0);
    const transactionId = lastSent(fwd).forwardingHeader.transactionId;
    await deliver(fwd, { transactionId, body: pingAns(1n), signer: id(0xc0) });
    await deliver(fwd, { transactionId, body: pingAns(2n), signer: id(0xc1) });
    await expect(clock.run(p)).resolves.toMatchObject({ value: { responseId: 2n } });
    expect(seen).toEqual(['5:192', '5:193']);
  });

  it('retransmits at once when it rejects the first answer (§6.3.4 check 2), then only on the timer', async () => {
    const { clock, fwd, transport } = setup();
    transport.setResponderCheck((_resource, responder) => responder[0] === 0xc1);
    const p = transport.request([{ kind: 'resource', resourceId: Uint8Array.of(5) }], ping);
    await clock.advance(0);
    expect(fwd.sent).toHaveLength(1);
    const transactionId = lastSent(fwd).forwardingHeader.transactionId;
    await deliver(fwd, { transactionId, body: pingAns(1n), signer: id(0xc0) });
    await clock.advance(0);
    expect(fwd.sent).toHaveLength(2);
    expect(fwd.sent[1]).toEqual(fwd.sent[0]);
    // A second rejection waits for the timer (3 s after the last transmission).
    await deliver(fwd, { transactionId, body: pingAns(1n), signer: id(0xc0) });
    await clock.advance(2_999);
    expect(fwd.sent).toHaveLength(2);
    await clock.advance(1);
    expect(fwd.sent).toHaveLength(3);
    await deliver(fwd, { transactionId, body: pingAns(2n), signer: id(0xc1) });
    await expect(clock.run(p)).resolves.toMatchObject({ value: { responseId: 2n } });
  });

  it('retransmits every overlay-reliability-timer, 5 transmissions, then Error_Request_Timeout', async () => {
    const { clock, fwd, transport } = setup();
    const p = transport.request([node(id(0xc0))], ping);
    const e = await clock.run(p).catch((x: unknown) => x);
    expect((e as ReloadError).codeName).toBe('Error_Request_Timeout');
    expect(clock.now()).toBe(15_000);
    expect(fwd.sent).toHaveLength(5);
    expect(new Set(fwd.sent.map((b) => b.join()))).toHaveProperty('size', 1);
  });

  it('a final send failure rejects at once; a transient one is retried', async () => {
    const { clock, fwd, transport } = setup();
    fwd.result = { ok: false, errorCode: ErrorCode.Error_Message_Too_Large, reason: 'too big for the link' };
    await expect(clock.run(transport.request([node(id(0xc0))], ping))).rejects.toMatchObject({ code: ErrorCode.Error_Message_Too_Large });
    fwd.result = { ok: false, reason: 'no route yet' };
    fwd.sent = [];
    const p = transport.request([node(id(0xc0))], ping);
    await clock.advance(3000);
    expect(fwd.sent).toHaveLength(2);
    fwd.result = { ok: true };
    await deliver(fwd, { transactionId: lastSent(fwd).forwardingHeader.transactionId, body: pingAns(), signer: id(0xc0) });
    await expect(clock.run(p)).resolves.toBeDefined();
  });

  it('an abort signal or closing the transport rejects with AbortError and clears the transaction', async () => {
    const { clock, transport } = setup();
    const ac = new AbortController();
    const p = transport.request([node(id(0xc0))], ping, { signal: ac.signal });
    await clock.advance(10);
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    const q = transport.request([node(id(0xc0))], ping);
    await clock.advance(10);
    transport.close();
    await expect(q).rejects.toBeInstanceOf(AbortError);
    expect(transport.stats().pendingRequests).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('a request whose signature is not made at once', () => {
  /** A signer that signs once `open` is called. */
  function gatedSigner(): { signer: Signer; open: () => void } {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const base = stubSigner(id(0xa0));
    return { signer: { ...base, sign: async (input, options) => (await gate, base.sign(input, options)) }, open };
  }

  it('is not sent when its caller gave up or the transport closed while it was being signed', async () => {
    const aborting = gatedSigner();
    const a = setupWith('async')({}, undefined, undefined, aborting.signer);
    const ac = new AbortController();
    const p = a.transport.request([node(id(0xc0))], ping, { signal: ac.signal });
    ac.abort();
    aborting.open();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    expect(a.fwd.sent).toHaveLength(0);

    const closing = gatedSigner();
    const c = setupWith('async')({}, undefined, undefined, closing.signer);
    const q = c.transport.request([node(id(0xc0))], ping);
    c.transport.close();
    closing.open();
    await expect(q).rejects.toBeInstanceOf(AbortError);
    expect(c.fwd.sent).toHaveLength(0);
    expect(c.transport.stats().pendingRequests).toBe(0);
  });

  it('tells onSent once it has gone out, before any answer, and never when it did not go out', async () => {
    const gated = gatedSigner();
    const a = setupWith('async')({}, undefined, undefined, gated.signer);
    const events: string[] = [];
    const p = a.transport.request([node(id(0xc0))], ping, { onSent: () => events.push(`sent with ${a.fwd.sent.length} on the wire`) });
    await a.clock.advance(10);
    expect(events).toEqual([]);
    gated.open();
    await a.clock.advance(0);
    expect(events).toEqual(['sent with 1 on the wire']);
    void p.catch(() => undefined);
    a.transport.close();

    const aborted = setupWith('async')();
    const ac = new AbortController();
    ac.abort();
    await expect(aborted.transport.request([node(id(0xc0))], ping, { signal: ac.signal, onSent: () => events.push('sent aborted') })).rejects.toBeInstanceOf(AbortError);
    expect(events).toEqual(['sent with 1 on the wire']);
  });
});

describe.each(SIGNATURE_TIMINGS)('requests for this node (§6.2.2, §6.3.3.1), signer and verifier %s', (timing) => {
  const setup = setupWith(timing);

  it('answers along [previous hop, reversed via list] with RESPONSE_COPY options, TTL reset and max_response_length 0', async () => {
    const { clock, fwd, transport } = setup();
    const seen: { from?: Uint8Array; sender: Uint8Array }[] = [];
    transport.handle('ping_req', (req) => {
      seen.push({ from: req.from, sender: req.sender.nodeId });
      return { value: { responseId: 42n, time: 1n } };
    });
    const option = { type: 9, flags: ForwardingOptionFlag.RESPONSE_COPY | ForwardingOptionFlag.DESTINATION_CRITICAL, option: Uint8Array.of(1) };
    await deliver(fwd, {
      transactionId: 77n,
      body: ping,
      from: id(0xb2),
      signer: id(0xb0),
      header: { viaList: [node(id(0xb0)), node(id(0xb1))], maxResponseLength: 3000, options: [option] },
    });
    await clock.advance(0);
    // DESTINATION_CRITICAL and not understood: refused.
    expect(lastSent(fwd).body).toMatchObject({ name: 'error', value: { errorCode: ErrorCode.Error_Unsupported_Forwarding_Option } });
    await deliver(fwd, {
      transactionId: 78n,
      body: ping,
      from: id(0xb2),
      signer: id(0xb0),
      header: { viaList: [node(id(0xb0)), node(id(0xb1))], maxResponseLength: 3000, options: [{ ...option, flags: ForwardingOptionFlag.RESPONSE_COPY }] },
    });
    await clock.advance(0);
    const a = lastSent(fwd);
    expect(a.body).toEqual({ name: 'ping_ans', value: { responseId: 42n, time: 1n } });
    expect(a.forwardingHeader).toMatchObject({
      transactionId: 78n,
      ttl: 100,
      maxResponseLength: 0,
      viaList: [],
      destinationList: [node(id(0xb2)), node(id(0xb1)), node(id(0xb0))],
      options: [{ type: 9, flags: 0, option: Uint8Array.of(1) }],
    });
    expect(seen).toEqual([{ from: id(0xb2), sender: id(0xb0) }]);
  });

  it('drops a request whose handler has not answered within the request lifetime (§6.2.1) and frees its slot', async () => {
    const { clock, fwd, transport } = setup();
    const waiting: (() => void)[] = [];
    transport.handle('ping_req', () => new Promise((resolve) => waiting.push(() => resolve({ value: { responseId: 1n, time: 0n } }))));
    await deliver(fwd, { transactionId: 5n, body: ping });
    await clock.advance(1000);
    await deliver(fwd, { transactionId: 6n, body: ping });
    await clock.advance(MAX_REQUEST_LIFETIME_MS - 1001);
    // A retransmission of a request still in progress is not processed twice.
    await deliver(fwd, { transactionId: 5n, body: ping });
    await clock.advance(0);
    expect(waiting).toHaveLength(2);
    expect(transport.stats()).toMatchObject({ inboundInProgress: 2, droppedOther: 0 });
    await clock.advance(1);
    expect(transport.stats()).toMatchObject({ inboundInProgress: 1, answerCacheEntries: 1, droppedOther: 1 });
    await clock.advance(999);
    expect(transport.stats()).toMatchObject({ inboundInProgress: 1 });
    await clock.advance(1);
    expect(transport.stats()).toMatchObject({ inboundInProgress: 0, answerCacheEntries: 0, droppedOther: 2 });
    // Answers that come too late are not sent; the request, if it comes again, is processed anew.
    for (const answer of waiting) answer();
    await clock.advance(0);
    expect(fwd.sent).toHaveLength(0);
    await deliver(fwd, { transactionId: 5n, body: ping });
    await clock.advance(0);
    expect(waiting).toHaveLength(3);
    waiting[2]!();
    await clock.advance(0);
    expect(lastSent(fwd).body).toMatchObject({ name: 'ping_ans' });
    expect(transport.stats()).toMatchObject({ inboundInProgress: 0, answerCacheEntries: 1 });
  });

  it('answers a retransmitted request from the answer cache, under a header for its new path', async () => {
    const { clock, fwd, transport } = setup();
    let calls = 0;
    transport.handle('ping_req', () => ({ value: { responseId: BigInt(++calls), time: 0n } }));
    await deliver(fwd, { transactionId: 5n, body: ping, from: id(0xb1), signer: id(0xb0), header: { viaList: [node(id(0xb0))] } });
    await clock.advance(0);
    const first = lastSent(fwd);
    await deliver(fwd, { transactionId: 5n, body: ping, from: id(0xb3), signer: id(0xb0), header: { viaList: [node(id(0xb0))] } });
    await clock.advance(0);
    const second = lastSent(fwd);
    expect(calls).toBe(1);
    expect(second.body).toEqual(first.body);
    expect(second.securityBlock).toEqual(first.securityBlock);
    expect(second.forwardingHeader.destinationList).toEqual([node(id(0xb3)), node(id(0xb0))]);
  });

  it('an unknown Kind in a request body gets Error_Unknown_Kind listing the Kinds (§7.4.1.2)', async () => {
    const { clock, fwd, transport } = setup();
    transport.handle('store_req', () => ({ value: { kindResponses: [] } }));
    const senderKinds = { kinds: kindModelsFrom([[0x7f000001, 'single']]) };
    const signature = { algorithm: { hash: 0, signature: 0 }, identity: { identityType: 3 }, signatureValue: new Uint8Array() } as const;
    await deliver(fwd, {
      transactionId: 6n,
      bodyContext: senderKinds,
      body: {
        name: 'store_req',
        value: {
          resource: Uint8Array.of(1),
          replicaNumber: 0,
          kindData: [{ kind: 0x7f000001, generationCounter: 0n, values: [{ storageTime: 1n, lifetime: 60, value: { model: 'single', singleValueEntry: { exists: true, value: Uint8Array.of(1) } }, signature }] }],
        },
      },
    });
    await clock.advance(0);
    const a = lastSent(fwd);
    expect(a.body).toMatchObject({ name: 'error', value: { errorCode: ErrorCode.Error_Unknown_Kind } });
    if (a.body.name !== 'error') throw new Error('not an error');
    expect(decodeAll(a.body.value.errorInfo, 'unknown_kinds', (r) => r.vector('kinds', 1, (s) => s.u32('kind')))).toEqual([0x7f000001]);
  });

  it('never processes a request whose signature fails (§6.3.4)', async () => {
    const { clock, fwd, transport } = setup();
    let calls = 0;
    transport.handle('ping_req', () => ({ value: { responseId: BigInt(++calls), time: 0n } }));
    await deliver(fwd, { transactionId: 4n, body: ping, tamper: true });
    await clock.advance(0);
    expect(calls).toBe(0);
    expect(fwd.sent).toHaveLength(0);
    expect(transport.stats().droppedBadSignature).toBe(1);
    // Its inbound slot is freed (KeyedLimiter).
    expect(transport.stats().inboundInProgress).toBe(0);
  });

  it('a request without a handler gets Error_Invalid_Message; an answer nobody waits for is dropped', async () => {
    const { clock, fwd, transport } = setup();
    await deliver(fwd, { transactionId: 8n, body: { name: 'probe_req', value: { requestedInfo: [] } } });
    await clock.advance(0);
    expect(lastSent(fwd).body).toMatchObject({ name: 'error', value: { errorCode: ErrorCode.Error_Invalid_Message } });
    const n = fwd.sent.length;
    await deliver(fwd, { transactionId: 9n, body: pingAns() });
    await clock.advance(0);
    expect(fwd.sent.length).toBe(n);
    expect(transport.stats().droppedOther).toBe(1);
  });

  it('answers a routing failure only for a request (forwarding never looks past the header)', async () => {
    const { clock, fwd } = setup();
    const request = encodeMessageBody(ping);
    const header = { overlay: OVERLAY, configurationSequence: 9, version: 10, ttl: 0, fragment: UNFRAGMENTED, length: 0, transactionId: 3n, maxResponseLength: 0, viaList: [node(id(0xb0))], destinationList: [node(id(0xee))], options: [] };
    const payload = Uint8Array.of(request.code >> 8, request.code & 0xff, 0, 0, 0, 0);
    fwd.delegate.routingFailed({ header, payload, from: id(0xb1), errorCode: ErrorCode.Error_TTL_Exceeded, reason: 'ttl' });
    await clock.advance(0);
    expect(lastSent(fwd).forwardingHeader.destinationList).toEqual([node(id(0xb1)), node(id(0xb0))]);
    expect(lastSent(fwd).body).toMatchObject({ name: 'error', value: { errorCode: ErrorCode.Error_TTL_Exceeded } });
    const n = fwd.sent.length;
    fwd.delegate.routingFailed({ header, payload: Uint8Array.of(0, 0x18, 0, 0, 0, 0), from: id(0xb1), errorCode: ErrorCode.Error_TTL_Exceeded, reason: 'ttl' });
    await clock.advance(0);
    expect(fwd.sent.length).toBe(n);
  });
});
