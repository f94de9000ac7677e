/**
 * OverlaySocket keeps each request's server transaction (InboundRequests), and a retransmission of
 * a request it has answered gets that final again, RFC 3261 §17.2.2: "While in the "Completed"
 * state, the server transaction MUST pass the final response to the transport layer for
 * retransmission whenever a retransmission of the request is received" (§17.2.1 for an INVITE's
 * non-2xx). Our channels are reliable and JsSIP never retransmits a request (it has no Timer A or
 * E), but RFC 7904 §5.1 lets a peer send SIP over DTLS, where its client transaction retransmits.
 */
import { describe, expect, it } from 'vitest';
import { responses } from './testing/fake-sip-channel.js';
import { parsed, sipRequest as request, sipResponse as answer } from './testing/sip-messages.js';
import { ALICE, ALICE_GRUU, incomingCall, upLines, world } from './testing/socket-world.js';

describe('OverlaySocket: a retransmitted request gets its transaction\'s final again (RFC 3261 §17.2.1, §17.2.2)', () => {
  it('a request the UA threw on, answered 500 here: its retransmissions get the same 500 and do not reach the UA again', () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    w.socket.ondata = (text) => {
      const m = parsed(text);
      w.up.push(m);
      // JsSIP's server transaction sends an INVITE's 100 before the request is handed on, and again for its retransmission.
      if (m.method === 'INVITE') w.socket.send(answer(m, 100, 'at'));
      throw new TypeError('an app listener threw');
    };
    const fromDave = { from: dave.aor, fromTag: 'dt', to: ALICE, contact: dave.gruu };
    const invite = request('INVITE', ALICE_GRUU, { ...fromDave, callId: 're-i', cseq: 1, branch: 'z9hG4bKr1' });
    const message = request('MESSAGE', ALICE_GRUU, { ...fromDave, callId: 're-m', cseq: 1, branch: 'z9hG4bKr2', body: 'hi' });
    dave.ch.deliver(invite);
    dave.ch.deliver(message);
    dave.ch.deliver(invite);
    dave.ch.deliver(message);
    expect(responses(dave.ch)).toEqual(['100 INVITE', '500 INVITE', '500 MESSAGE', '500 INVITE', '500 MESSAGE']);
    const [first, again] = dave.ch.sent.filter((m) => m.status === 500 && m.method === 'INVITE');
    expect(again!.raw).toBe(first!.raw);
    expect(upLines(w.up)).toEqual(['INVITE', 'MESSAGE']);
  });

  it('the UA\'s non-2xx final to an INVITE and final to a non-INVITE go again for a retransmission; a retransmitted INVITE answered 2xx goes up (RFC 6026 §7.1: the UA absorbs it)', () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    const fromDave = { from: dave.aor, fromTag: 'dt', to: ALICE, contact: dave.gruu };
    const busy = request('INVITE', ALICE_GRUU, { ...fromDave, callId: 're-b', cseq: 1, branch: 'z9hG4bKr3' });
    const ok = request('INVITE', ALICE_GRUU, { ...fromDave, callId: 're-o', cseq: 1, branch: 'z9hG4bKr4' });
    const options = request('OPTIONS', ALICE_GRUU, { ...fromDave, callId: 're-p', cseq: 1, branch: 'z9hG4bKr5' });
    for (const r of [busy, ok, options]) dave.ch.deliver(r);
    w.socket.send(answer(w.up[0]!, 486, 'at'));
    w.socket.send(answer(w.up[1]!, 200, 'at', ALICE_GRUU));
    w.socket.send(answer(w.up[2]!, 200, 'at'));
    for (const r of [busy, ok, options]) dave.ch.deliver(r);
    expect(responses(dave.ch)).toEqual(['486 INVITE', '200 INVITE', '200 OPTIONS', '486 INVITE', '200 OPTIONS']);
    expect(upLines(w.up)).toEqual(['INVITE', 'INVITE', 'OPTIONS', 'INVITE']);
  });

  it('a request of another method with an answered request\'s branch is no retransmission (RFC 3261 §17.2.3: the method must match): it goes up, and gets the UA\'s answer', () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    const fromDave = { from: dave.aor, fromTag: 'dt', to: ALICE, contact: dave.gruu, callId: 're-x', branch: 'z9hG4bKr7' };
    dave.ch.deliver(request('OPTIONS', ALICE_GRUU, { ...fromDave, cseq: 1 }));
    w.socket.send(answer(w.up.at(-1)!, 200, 'at'));
    dave.ch.deliver(request('MESSAGE', ALICE_GRUU, { ...fromDave, cseq: 2, body: 'hi' }));
    expect(upLines(w.up)).toEqual(['OPTIONS', 'MESSAGE']);
    w.socket.send(answer(w.up.at(-1)!, 202, 'at2'));
    expect(responses(dave.ch)).toEqual(['200 OPTIONS', '202 MESSAGE']);
  });

  it('a NOTIFY without Event, refused 400 here, is refused again when retransmitted (it never gets a transaction)', () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    incomingCall(w, dave, 're-n');
    const notify = request('NOTIFY', ALICE_GRUU, { from: dave.aor, fromTag: 'dt', to: ALICE, toTag: 'at', callId: 're-n', cseq: 2, branch: 'z9hG4bKr6', headers: [['Subscription-State', 'active']] });
    dave.ch.deliver(notify);
    dave.ch.deliver(notify);
    expect(responses(dave.ch)).toEqual(['180 INVITE', '200 INVITE', '400 NOTIFY', '400 NOTIFY']);
    expect(upLines(w.up)).toEqual(['INVITE']);
  });
});
