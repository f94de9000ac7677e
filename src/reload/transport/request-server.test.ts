/**
 * The server side of message transport (request-server.ts) under a signer and verifier that answer
 * at once and under ones that answer with promises (SIGNATURE_TIMINGS): a request's answer that
 * could not be sent, and the answer cache (RFC 6940 §6.2.1).
 */
import { describe, expect, it } from 'vitest';
import { ReloadError } from '../runtime/reload-error.js';
import type { Signer } from '../security/signer.js';
import { deliver, id, lastSent, ping, setupWith } from '../testing/scripted-forwarding.js';
import { SIGNATURE_TIMINGS, stubSigner, type SignatureTiming } from '../testing/test-signatures.js';

/** stubSigner of id(0xa0) whose next `failures` signatures fail with a TypeError: thrown ('sync') or rejected ('async'). */
function failingSigner(timing: SignatureTiming) {
  const signer = stubSigner(id(0xa0), timing);
  const state = { failures: 0 };
  const failing: Signer = {
    ...signer,
    sign(input, options) {
      if (state.failures === 0) return signer.sign(input, options);
      state.failures--;
      const e = new TypeError('the signer broke');
      if (timing === 'sync') throw e;
      return Promise.reject(e);
    },
  };
  return { signer: failing, state };
}

describe.each(SIGNATURE_TIMINGS)('answering requests, signer and verifier %s', (timing) => {
  const setup = setupWith(timing);

  it('a request whose answer could not be sent is not left in progress: its retransmission is processed and answered (§6.2.1)', async () => {
    const { signer, state } = failingSigner(timing);
    const { clock, fwd, transport } = setup({}, undefined, undefined, signer);
    let calls = 0;
    transport.handle('ping_req', (req) => {
      calls++;
      if (req.header.transactionId === 6n) throw ReloadError.of('Error_Forbidden', 'not for you');
      return { value: { responseId: 1n, time: 0n } };
    });
    /** Deliver request `transactionId`, then its retransmission; the frames sent after the first. */
    const sentTwice = async (transactionId: bigint): Promise<number> => {
      await deliver(fwd, { transactionId, body: ping });
      await clock.advance(0);
      const afterFirst = fwd.sent.length;
      await deliver(fwd, { transactionId, body: ping });
      await clock.advance(0);
      return afterFirst;
    };
    // The answer's signature fails (not a ReloadError: no error answer either).
    state.failures = 1;
    expect(await sentTwice(5n)).toBe(0);
    expect(calls).toBe(2);
    expect(lastSent(fwd).body).toMatchObject({ name: 'ping_ans' });
    // The error answer's signature fails.
    state.failures = 1;
    expect(await sentTwice(6n)).toBe(1);
    expect(calls).toBe(4);
    expect(lastSent(fwd).body).toMatchObject({ name: 'error', value: { errorCode: ReloadError.of('Error_Forbidden', '').code } });
    // Forwarding throws as the answer is sent.
    const send = fwd.send.bind(fwd);
    fwd.send = () => {
      fwd.send = send;
      throw new Error('the link broke');
    };
    expect(await sentTwice(7n)).toBe(2);
    expect(calls).toBe(6);
    expect(fwd.sent).toHaveLength(3);
    expect(transport.stats()).toMatchObject({ inboundInProgress: 0, answerCacheEntries: 3 });
  });
});
