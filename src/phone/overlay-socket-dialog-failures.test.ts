/**
 * OverlaySocket ends a dialog when a request within it fails, RFC 3261 §12.2.1.2: "If the response
 * for a request within a dialog is a 481 (Call/Transaction Does Not Exist) or a 408 (Request
 * Timeout), the UAC SHOULD terminate the dialog. A UAC SHOULD also terminate a dialog if no
 * response at all is received for the request", as JsSIP ends its call or subscription then: the
 * peer's later requests in it are refused 481 here, and it no longer counts against the table's cap.
 * The UA is the test (testing/socket-world.ts); time is virtual.
 */
import { describe, expect, it } from 'vitest';
import { responses } from './testing/fake-sip-channel.js';
import type { FakeSipPeer } from './testing/fake-sip-apps.js';
import { sipRequest as request, sipResponse as answer } from './testing/sip-messages.js';
import { DEFAULT_ROUTE_TIMEOUT_MS } from './overlay-socket.js';
import { ALICE, ALICE_GRUU, aliceSends, daveSends, flush, incomingCall, LIFETIME_MS, upLines, world, type SocketWorld } from './testing/socket-world.js';

const EVENT: [string, string] = ['Event', 'presence'];

/** alice's request within the dialog with dave (dave's tag 'dt'; aliceSends). */
const IN_DIALOG = { toTag: 'dt' } as const;

/** alice subscribed to dave (SUBSCRIBE `callId`, 200 with dave's tag 'dt'): dave notifies. */
async function subscribedToDave(w: SocketWorld, dave: FakeSipPeer, callId: string): Promise<void> {
  dave.ch.deliver(answer(await aliceSends(w, dave, 'SUBSCRIBE', callId, 1, { headers: [EVENT] }), 200, 'dt', dave.gruu));
}

describe('OverlaySocket: a 481 or 408 to a request within a call ends its dialog (RFC 3261 §12.2.1.2)', () => {
  it('alice\'s re-INVITE answered 481 and INFO answered 408 by dave: once their transactions are over, dave\'s requests in those calls are refused 481 here', async () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    incomingCall(w, dave, 'call-a');
    incomingCall(w, dave, 'call-b');
    dave.ch.deliver(answer(await aliceSends(w, dave, 'INVITE', 'call-a', 1, IN_DIALOG), 481, 'dt'));
    dave.ch.deliver(answer(await aliceSends(w, dave, 'INFO', 'call-b', 1, IN_DIALOG), 408, 'dt'));
    expect(upLines(w.up).slice(-2)).toEqual(['481 INVITE', '408 INFO']);
    w.clock.advance(LIFETIME_MS);
    daveSends(dave, 'INFO', 'call-a', 2);
    daveSends(dave, 'INFO', 'call-b', 2);
    expect(responses(dave.ch).slice(-2)).toEqual(['481 INFO', '481 INFO']);
    expect(upLines(w.up).slice(-1)).toEqual(['408 INFO']);
  });

  it('dave\'s INFO in a call answered 481 by alice\'s UA (it has no such dialog) ends it; another peer\'s request refused 481 here ends nothing', () => {
    const w = world();
    const [dave, sole] = [w.peer(1, 'dave'), w.peer(2, 'sole')];
    incomingCall(w, dave, 'call-c');
    incomingCall(w, dave, 'call-d');
    daveSends(dave, 'INFO', 'call-c', 2);
    w.socket.send(answer(w.up.at(-1)!, 481, 'at'));
    sole.ch.deliver(request('INFO', ALICE_GRUU, { from: dave.aor, fromTag: 'dt', to: ALICE, toTag: 'at', callId: 'call-d', cseq: 2, branch: 'z9hG4bKsole' }));
    expect(responses(sole.ch)).toEqual(['481 INFO']);
    w.clock.advance(LIFETIME_MS);
    daveSends(dave, 'INFO', 'call-c', 3);
    daveSends(dave, 'INFO', 'call-d', 3);
    expect(upLines(w.up)).toEqual(['INVITE', 'INVITE', 'INFO', 'INFO']);
    expect(w.up.at(-1)!.callId).toBe('call-d');
    expect(responses(dave.ch).at(-1)).toBe('481 INFO');
  });

  it('a CANCEL answered 481 ends no dialog (RFC 3261 §9.2: the 481 says its transaction is unknown): a stranger\'s, or dave\'s own late one', () => {
    const w = world();
    const [dave, sole] = [w.peer(1, 'dave'), w.peer(2, 'sole')];
    incomingCall(w, dave, 'call-x');
    incomingCall(w, dave, 'call-y');
    // sole learnt call-x's Call-ID and tags: its CANCEL, with a branch of no transaction, goes up,
    // and JsSIP answers it 481 (Transactions.checkTransaction, reply_sl keeps the To tag).
    sole.ch.deliver(request('CANCEL', ALICE_GRUU, { from: dave.aor, fromTag: 'dt', to: ALICE, toTag: 'at', callId: 'call-x', cseq: 1, branch: 'z9hG4bKmadeup' }));
    w.socket.send(answer(w.up.at(-1)!, 481, 'at'));
    expect(responses(sole.ch)).toEqual(['481 CANCEL']);
    // dave CANCELs its re-INVITE in call-y after its final: JsSIP has no such transaction left.
    daveSends(dave, 'CANCEL', 'call-y', 2);
    w.socket.send(answer(w.up.at(-1)!, 481, 'at'));
    w.clock.advance(LIFETIME_MS);
    daveSends(dave, 'BYE', 'call-x', 3);
    daveSends(dave, 'BYE', 'call-y', 3);
    expect(upLines(w.up).slice(-2)).toEqual(['BYE', 'BYE']);
  });

  it('the 481 to alice\'s CANCEL of her re-INVITE ends no dialog (it answers the CANCEL, RFC 3261 §9.2, and goes up on the INVITE\'s context)', async () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    incomingCall(w, dave, 'call-z');
    const reinvite = await aliceSends(w, dave, 'INVITE', 'call-z', 1, IN_DIALOG);
    dave.ch.deliver(answer(reinvite, 100, 'dt'));
    await aliceSends(w, dave, 'CANCEL', 'call-z', 1, IN_DIALOG);
    dave.ch.deliver(answer(dave.ch.sent.find((m) => m.method === 'CANCEL')!, 481, 'dt'));
    dave.ch.deliver(answer(reinvite, 487, 'dt'));
    expect(upLines(w.up).slice(-3)).toEqual(['100 INVITE', '481 CANCEL', '487 INVITE']);
    w.clock.advance(LIFETIME_MS);
    daveSends(dave, 'INFO', 'call-z', 2);
    expect(upLines(w.up).at(-1)).toBe('INFO');
  });

  it('a REFER\'s subscription failing in a call (its REFER or NOTIFY answered 481 or 408) leaves the call, as JsSIP does', async () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    incomingCall(w, dave, 'call-e');
    dave.ch.deliver(answer(await aliceSends(w, dave, 'REFER', 'call-e', 1, { ...IN_DIALOG, headers: [['Refer-To', `<${dave.gruu}>`]] }), 481, 'dt'));
    dave.ch.deliver(answer(await aliceSends(w, dave, 'NOTIFY', 'call-e', 2, { ...IN_DIALOG, headers: [['Event', 'refer'], ['Subscription-State', 'active']] }), 408, 'dt'));
    daveSends(dave, 'NOTIFY', 'call-e', 2, [['Event', 'refer'], ['Subscription-State', 'active']]);
    w.socket.send(answer(w.up.at(-1)!, 481, 'at', undefined, 'Subscription does not exist'));
    w.clock.advance(LIFETIME_MS);
    daveSends(dave, 'BYE', 'call-e', 3);
    expect(upLines(w.up).at(-1)).toBe('BYE');
  });

  it('the socket\'s own 408 to a request within a call (dave not reached in time) ends the call\'s dialog, as it ends JsSIP\'s call', async () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    incomingCall(w, dave, 'call-f');
    const release = w.slowAttach();
    await aliceSends(w, dave, 'INFO', 'call-f', 1, IN_DIALOG);
    w.clock.advance(DEFAULT_ROUTE_TIMEOUT_MS);
    await flush();
    w.clock.advance(0);
    expect(upLines(w.up).at(-1)).toBe('408 INFO');
    release();
    w.clock.advance(LIFETIME_MS);
    daveSends(dave, 'INFO', 'call-f', 2);
    expect(responses(dave.ch).at(-1)).toBe('481 INFO');
  });
});

describe('OverlaySocket: a re-INVITE that gets no final (RFC 3261 §12.2.1.2: "no response at all")', () => {
  it('one that hears nothing ends the call (JsSIP\'s Timer B); one that got a provisional does not (Timer B runs only in Calling, §17.1.1.2)', async () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    incomingCall(w, dave, 'call-g');
    incomingCall(w, dave, 'call-h');
    await aliceSends(w, dave, 'INVITE', 'call-g', 1, IN_DIALOG);
    dave.ch.deliver(answer(await aliceSends(w, dave, 'INVITE', 'call-h', 1, IN_DIALOG), 180, 'dt'));
    w.clock.advance(2 * LIFETIME_MS);
    daveSends(dave, 'INFO', 'call-g', 2);
    daveSends(dave, 'INFO', 'call-h', 2);
    expect(responses(dave.ch).at(-1)).toBe('481 INFO');
    expect(dave.ch.sent.at(-1)!.callId).toBe('call-g');
    expect(w.up.at(-1)).toMatchObject({ method: 'INFO', callId: 'call-h' });
  });
});

describe('OverlaySocket: a subscription whose request fails ends its dialog (RFC 3261 §12.2.1.2; JsSIP\'s Subscriber and Notifier end it, sending nothing)', () => {
  it('alice\'s refresh SUBSCRIBE answered 481 by dave: dave\'s NOTIFY after 64*T1 is refused 481 here', async () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    await subscribedToDave(w, dave, 'sub-a');
    dave.ch.deliver(answer(await aliceSends(w, dave, 'SUBSCRIBE', 'sub-a', 2, { ...IN_DIALOG, headers: [EVENT] }), 481, 'dt'));
    w.clock.advance(LIFETIME_MS);
    daveSends(dave, 'NOTIFY', 'sub-a', 1, [EVENT, ['Subscription-State', 'active']]);
    expect(upLines(w.up)).toEqual(['200 SUBSCRIBE', '481 SUBSCRIBE']);
    expect(responses(dave.ch)).toEqual(['481 NOTIFY']);
  });

  it('alice\'s refresh SUBSCRIBE that gets no final (JsSIP\'s Timer F: as a 408) ends the subscription, a 100 or not', async () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    await subscribedToDave(w, dave, 'sub-b');
    dave.ch.deliver(answer(await aliceSends(w, dave, 'SUBSCRIBE', 'sub-b', 2, { ...IN_DIALOG, headers: [EVENT] }), 100, 'dt'));
    await subscribedToDave(w, dave, 'sub-c');
    await aliceSends(w, dave, 'SUBSCRIBE', 'sub-c', 2, { ...IN_DIALOG, headers: [EVENT] });
    w.clock.advance(2 * LIFETIME_MS);
    daveSends(dave, 'NOTIFY', 'sub-b', 1, [EVENT, ['Subscription-State', 'active']]);
    daveSends(dave, 'NOTIFY', 'sub-c', 1, [EVENT, ['Subscription-State', 'active']]);
    expect(responses(dave.ch)).toEqual(['481 NOTIFY', '481 NOTIFY']);
  });

  it('alice\'s NOTIFY as the notifier answered 408 by dave ends the subscription; one answered 200 does not', async () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    for (const callId of ['sub-d', 'sub-e']) {
      dave.ch.deliver(request('SUBSCRIBE', ALICE_GRUU, { from: dave.aor, fromTag: 'dt', to: ALICE, callId, cseq: 1, branch: `z9hG4bK${callId}`, contact: dave.gruu, headers: [EVENT] }));
      w.socket.send(answer(w.up.at(-1)!, 200, 'at', ALICE_GRUU));
    }
    dave.ch.deliver(answer(await aliceSends(w, dave, 'NOTIFY', 'sub-d', 1, { ...IN_DIALOG, headers: [EVENT, ['Subscription-State', 'active']] }), 408, 'dt'));
    dave.ch.deliver(answer(await aliceSends(w, dave, 'NOTIFY', 'sub-e', 1, { ...IN_DIALOG, headers: [EVENT, ['Subscription-State', 'active']] }), 200, 'dt'));
    w.clock.advance(LIFETIME_MS);
    daveSends(dave, 'SUBSCRIBE', 'sub-d', 2, [EVENT]);
    daveSends(dave, 'SUBSCRIBE', 'sub-e', 2, [EVENT]);
    expect(responses(dave.ch)).toEqual(['200 SUBSCRIBE', '200 SUBSCRIBE', '481 SUBSCRIBE']);
    expect(w.up.at(-1)).toMatchObject({ method: 'SUBSCRIBE', callId: 'sub-e' });
  });
});
