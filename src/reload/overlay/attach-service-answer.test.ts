/**
 * The answering side of an Attach over ICE (RFC 6940 §6.5.1.2), through the real message
 * transport (over a scripted forwarding layer, on the virtual clock): an ICE answer holds a peer
 * connection, and with it a slot of the PeerConnectionBudget, until its channel opens or the
 * connect timeout is over (webrtc-network.ts); only the requester, once it has our AttachAns, can
 * complete it. So an answer whose AttachAns does not go is cancelled at once (testing/budgeted-ice.ts).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../links/webrtc/index.js';
import { silentLogger, type Logger } from '../runtime/components.js';
import { deliver, lastSent, setup, type ScriptedForwarding } from '../testing/scripted-forwarding.js';
import { MAX_REQUEST_LIFETIME_MS } from '../transport/index.js';
import { ErrorCode } from '../wire/message-codes.js';
import { AttachService } from './attach-service.js';
import { attachFromIce } from './ice-attach-fields.js';
import type { IceAttachParameters, PeerNetwork } from './overlay-types.js';
import { PeerConnectionBudget } from './peer-connection-budget.js';
import { budgetedIce, iceParams as params } from './testing/budgeted-ice.js';

function answerer(local: IceAttachParameters, gatherMs = 0) {
  const { clock, fwd, transport } = setup();
  const debug: string[] = [];
  const logger: Logger = { ...silentLogger, debug: (message) => void debug.push(message) };
  const budget = new PeerConnectionBudget();
  const network = { address: 'webrtc:answerer', ice: budgetedIce(clock, budget, local, gatherMs), linkFactory: { open: () => Promise.reject(new Error('no')) }, onInbound: () => {}, authenticate: () => undefined, close: () => {} } as unknown as PeerNetwork;
  const service = new AttachService({ clock, random: { bytes: (n: number) => new Uint8Array(n), float: () => 0 }, transport, forwarding: fwd, network, logger });
  return { clock, fwd, budget, service, debug };
}

/** An Attach from id(0xb0) (the requester's ICE parameters, our 0xC001 extension), as a request of transaction `transactionId`. */
function attachFrom(fwd: ScriptedForwarding, transactionId: bigint, maxResponseLength = 0) {
  const { value, extensions } = attachFromIce(params('req'), 'passive', false);
  return deliver(fwd, { transactionId, body: { name: 'attach_req', value }, extensions, header: { maxResponseLength } });
}

describe('AttachService answering over ICE: an ICE answer whose AttachAns does not go is cancelled at once', () => {
  it('answered: the slot stays taken while the requester may complete the answer', async () => {
    const { clock, fwd, budget } = answerer(params('ans'));
    await attachFrom(fwd, 1n);
    await clock.advance(0);
    expect(lastSent(fwd).body).toMatchObject({ name: 'attach_ans' });
    expect(budget.pending).toBe(1);
    await clock.advance(DEFAULT_CONNECT_TIMEOUT_MS);
    expect(budget.pending).toBe(0);
  });

  it('the AttachAns cannot be built (our DTLS fingerprint does not fit it): the error answer goes and the slot is free at once', async () => {
    const { clock, fwd, budget } = answerer(params('ans', 300));
    await attachFrom(fwd, 2n);
    await clock.advance(0);
    expect(lastSent(fwd).body).toMatchObject({ name: 'error' });
    expect(budget.pending).toBe(0);
    expect(budget.total).toBe(0);
  });

  it('the AttachAns is larger than the request\'s max_response_length (RFC 6940 §6.3.2): Error_Response_Too_Large goes and the slot is free at once', async () => {
    const { clock, fwd, budget, debug } = answerer(params('ans'));
    await attachFrom(fwd, 3n, 100);
    await clock.advance(0);
    expect(lastSent(fwd).body).toMatchObject({ name: 'error', value: { errorCode: ErrorCode.Error_Response_Too_Large } });
    expect(budget.pending).toBe(0);
    expect(budget.total).toBe(0);
    // Logged once, as cancelled: not again as a channel that did not open (the cancel closed it).
    expect(debug.filter((m) => m.includes('AttachAns') || m.includes('did not open'))).toEqual(['the AttachAns did not go; its ICE answer is cancelled']);
  });

  it('the AttachAns is ready only after the request lifetime ended (RFC 6940 §6.2.1): nothing goes and the slot is free at once', async () => {
    const { clock, fwd, budget } = answerer(params('ans'), MAX_REQUEST_LIFETIME_MS + 1_000);
    await attachFrom(fwd, 4n);
    await clock.advance(MAX_REQUEST_LIFETIME_MS);
    // The transport gave up on the request; the answer still gathers, holding its slot.
    expect(budget.pending).toBe(1);
    await clock.advance(1_000);
    expect(fwd.sent).toHaveLength(0);
    expect(budget.pending).toBe(0);
    expect(budget.total).toBe(0);
  });
});
