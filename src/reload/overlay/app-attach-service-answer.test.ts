/**
 * The answering side of an AppAttach over ICE (RFC 6940 §6.5.2.2), through the real message
 * transport (over a scripted forwarding layer, on the virtual clock) and the WebRTC peer's
 * AppChannelNetwork (ice-app-channels.ts): the network's answer holds a peer connection, and with
 * it a slot of the PeerConnectionBudget, until its channel opens or the connect timeout is over;
 * only the requester, once it has our AppAttachAns, can complete it. So an answer whose
 * AppAttachAns does not go is cancelled at once, as for Attach (attach-service-answer.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../links/webrtc/index.js';
import { deliver, lastSent, setup, type ScriptedForwarding } from '../testing/scripted-forwarding.js';
import { MAX_REQUEST_LIFETIME_MS } from '../transport/index.js';
import { ErrorCode } from '../wire/message-codes.js';
import { ApplicationId } from '../wire/methods/app-attach.js';
import { AppAttachService } from './app-attach-service.js';
import { attachFromIce } from './ice-attach-fields.js';
import { createIceAppChannels } from './ice-app-channels.js';
import type { IceAttachParameters, IceCapability } from './overlay-types.js';
import { PeerConnectionBudget } from './peer-connection-budget.js';
import { budgetedIce, iceParams } from './testing/budgeted-ice.js';

const utf8 = new TextEncoder();

/**
 * An AppAttachService answering over ICE; each ICE answer is made `delayMs` after it is asked for.
 * `answersMade()`: how many were made (the handler has one once it is made).
 */
function answerer(local: IceAttachParameters, delayMs = 0) {
  const { clock, fwd, transport } = setup();
  const budget = new PeerConnectionBudget();
  const budgeted = budgetedIce(clock, budget, local);
  let made = 0;
  const ice: IceCapability = {
    ...budgeted,
    answer: (requester, remote) =>
      new Promise((resolve) =>
        clock.setTimer(delayMs, () => {
          made++;
          resolve(budgeted.answer(requester, remote));
        }),
      ),
  };
  const network = createIceAppChannels({ ice, clock }, { applications: [ApplicationId.SIP] });
  const service = new AppAttachService({ transport, network, clock }, { applications: [ApplicationId.SIP] });
  return { clock, fwd, budget, service, answersMade: () => made };
}

/** A SIP AppAttach from id(0xb0) (its ICE fields, our 0xC001 extension), as a request of transaction `transactionId`. */
function appAttachFrom(fwd: ScriptedForwarding, transactionId: bigint, maxResponseLength = 0) {
  const { value, extensions } = attachFromIce(iceParams('req'), 'passive', false);
  const req = { ufrag: value.ufrag, password: value.password, candidates: value.candidates, application: ApplicationId.SIP, role: utf8.encode('passive') };
  return deliver(fwd, { transactionId, body: { name: 'app_attach_req', value: req }, extensions, header: { maxResponseLength } });
}

// Each case also reads stats().appAttachesAnswered: up when the handler has built its AppAttachAns,
// down again when the transport reports it unsent (app-attach-service.ts).
describe('AppAttachService answering over ICE: a network answer whose AppAttachAns does not go is cancelled at once (and not counted answered)', () => {
  it('answered: the slot stays taken while the requester may complete the answer, and it counts', async () => {
    const { clock, fwd, budget, service } = answerer(iceParams('ans'));
    await appAttachFrom(fwd, 1n);
    await clock.advance(0);
    expect(lastSent(fwd).body).toMatchObject({ name: 'app_attach_ans' });
    expect(service.stats().appAttachesAnswered).toBe(1);
    expect(budget.pending).toBe(1);
    await clock.advance(DEFAULT_CONNECT_TIMEOUT_MS);
    expect(budget.pending).toBe(0);
  });

  it('the AppAttachAns is larger than the request\'s max_response_length (RFC 6940 §6.3.2): Error_Response_Too_Large goes and the slot is free at once', async () => {
    const { clock, fwd, budget, service } = answerer(iceParams('ans'));
    await appAttachFrom(fwd, 2n, 100);
    await clock.advance(0);
    expect(lastSent(fwd).body).toMatchObject({ name: 'error', value: { errorCode: ErrorCode.Error_Response_Too_Large } });
    expect(service.stats().appAttachesAnswered).toBe(0);
    expect(budget.pending).toBe(0);
    expect(budget.total).toBe(0);
  });

  it.each([
    ['the AppAttachAns cannot be encoded (our ufrag is longer than its opaque<0..2^8-1>, §6.5.2.1)', iceParams('u'.repeat(300)), 3n],
    ['the network cannot describe its answer (our DTLS fingerprint does not fit the 0xC001 extension)', iceParams('ans', 300), 4n],
  ])('%s: the error answer goes and the slot is free at once', async (_case, local, transactionId) => {
    const { clock, fwd, budget, service } = answerer(local);
    await appAttachFrom(fwd, transactionId);
    await clock.advance(0);
    expect(lastSent(fwd).body).toMatchObject({ name: 'error' });
    expect(service.stats().appAttachesAnswered).toBe(0);
    expect(budget.pending).toBe(0);
    expect(budget.total).toBe(0);
  });

  it('the answer is ready only after the request lifetime (RFC 6940 §6.2.1): nothing goes and the slot is free at once', async () => {
    const { clock, fwd, budget, service, answersMade } = answerer(iceParams('ans'), MAX_REQUEST_LIFETIME_MS + 1);
    await appAttachFrom(fwd, 5n);
    const sent = fwd.sent.length;
    await clock.advance(MAX_REQUEST_LIFETIME_MS + 1);
    expect(fwd.sent).toHaveLength(sent);
    // The handler did get its answer (and built its AppAttachAns): the transport reported it unsent.
    expect(answersMade()).toBe(1);
    expect(service.stats().appAttachesAnswered).toBe(0);
    expect(budget.pending).toBe(0);
    expect(budget.total).toBe(0);
  });
});
