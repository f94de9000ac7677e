/**
 * OverlaySocket and the peer behind each message: a request within a dialog or transaction is
 * taken only from the peer (Node-ID) it belongs to, and a request the UA has given up on rings
 * nobody. Devices are scripted on fake SIP channels, time is virtual (ManualClock); the UA is the
 * test, as JsSIP would drive the socket (testing/socket-world.ts). overlay-socket.test.ts covers
 * forking over a real overlay; overlay-socket-dialog-failures.test.ts, dialogs that end on a 481 or 408.
 */
import { describe, expect, it } from 'vitest';
import { MAX_UNANSWERED_INVITES_PER_PEER } from './inbound-requests.js';
import { DEFAULT_ROUTE_TIMEOUT_MS } from './overlay-socket.js';
import { requests, responses } from './testing/fake-sip-channel.js';
import { parsed, sipRequest as request, sipResponse as answer } from './testing/sip-messages.js';
import { ALICE, ALICE_GRUU, aliceSends, daveSends, flush, incomingCall, LIFETIME_MS, outgoingInvite, upLines, world } from './testing/socket-world.js';

describe('OverlaySocket: requests within a dialog come only from its peer (RFC 3261 §12.2.2)', () => {
  it('callee side: a BYE in dave\'s call sent by another peer over its own channel is answered 481 and never reaches the UA; dave\'s is taken', () => {
    const w = world();
    const [dave, sole] = [w.peer(1, 'dave'), w.peer(2, 'sole')];
    incomingCall(w, dave, 'call-a');
    expect(responses(dave.ch)).toEqual(['180 INVITE', '200 INVITE']);
    const inDialog = { from: dave.aor, fromTag: 'dt', to: ALICE, toTag: 'at', callId: 'call-a', contact: dave.gruu };
    sole.ch.deliver(request('BYE', ALICE_GRUU, { ...inDialog, cseq: 2, branch: 'z9hG4bKsolebye' }));
    // JsSIP's UA._findDialog also takes the tags the other way round.
    sole.ch.deliver(request('BYE', ALICE_GRUU, { ...inDialog, fromTag: 'at', toTag: 'dt', cseq: 3, branch: 'z9hG4bKsolebye2' }));
    sole.ch.deliver(request('INVITE', ALICE_GRUU, { ...inDialog, cseq: 4, branch: 'z9hG4bKsolereinvite' }));
    expect(responses(sole.ch)).toEqual(['481 BYE', '481 BYE', '481 INVITE']);
    // The ACK of the 2xx from another peer is dropped: an ACK is never answered.
    sole.ch.deliver(request('ACK', ALICE_GRUU, { ...inDialog, cseq: 1, branch: 'z9hG4bKsoleack' }));
    expect(upLines(w.up)).toEqual(['INVITE']);
    daveSends(dave, 'ACK', 'call-a', 1);
    daveSends(dave, 'BYE', 'call-a', 2);
    expect(upLines(w.up)).toEqual(['INVITE', 'ACK', 'BYE']);
  });

  it('caller side: the callee\'s dialog takes in-dialog requests from the callee\'s Node-ID only', async () => {
    const w = world();
    const [dave, sole] = [w.peer(1, 'dave'), w.peer(2, 'sole')];
    const invite = await outgoingInvite(w, dave, 'call-b');
    dave.ch.deliver(answer(invite, 180, 'dt', dave.gruu));
    dave.ch.deliver(answer(invite, 200, 'dt', dave.gruu));
    expect(upLines(w.up)).toEqual(['180 INVITE', '200 INVITE']);
    const inDialog = { from: dave.aor, fromTag: 'dt', to: ALICE, toTag: 'at', callId: 'call-b' };
    sole.ch.deliver(request('BYE', ALICE_GRUU, { ...inDialog, cseq: 2, branch: 'z9hG4bKsb' }));
    sole.ch.deliver(request('INFO', ALICE_GRUU, { ...inDialog, cseq: 3, branch: 'z9hG4bKsi' }));
    expect(responses(sole.ch)).toEqual(['481 BYE', '481 INFO']);
    daveSends(dave, 'INFO', 'call-b', 2);
    expect(upLines(w.up)).toEqual(['180 INVITE', '200 INVITE', 'INFO']);
  });

  it('a response to our request from a peer it was not sent to is dropped', async () => {
    const w = world();
    const [dave, sole] = [w.peer(1, 'dave'), w.peer(2, 'sole')];
    const invite = await outgoingInvite(w, dave, 'call-c');
    sole.ch.deliver(answer(invite, 200, 'st', sole.gruu));
    expect(w.up).toEqual([]);
    sole.ch.deliver(request('BYE', ALICE_GRUU, { from: sole.aor, fromTag: 'st', to: ALICE, toTag: 'at', callId: 'call-c', cseq: 2, branch: 'z9hG4bKsc' }));
    expect(responses(sole.ch)).toEqual(['481 BYE']);
  });

  it('a CANCEL, ACK or request with the branch of dave\'s INVITE from another peer: 481, dropped, 482; dave\'s transaction keeps its channel', () => {
    const w = world();
    const [dave, sole] = [w.peer(1, 'dave'), w.peer(2, 'sole')];
    const invite = incomingCall(w, dave, 'call-d', true);
    const same = { from: dave.aor, fromTag: 'dt', to: ALICE, callId: 'call-d', cseq: 1, branch: invite.branch };
    sole.ch.deliver(request('CANCEL', ALICE_GRUU, same));
    sole.ch.deliver(request('ACK', ALICE_GRUU, { ...same, toTag: 'at' }));
    sole.ch.deliver(request('INVITE', ALICE_GRUU, { ...same, from: sole.aor }));
    expect(responses(sole.ch)).toEqual(['481 CANCEL', '482 INVITE']);
    expect(upLines(w.up)).toEqual(['INVITE']);
    w.socket.send(answer(invite, 486, 'at'));
    expect(responses(dave.ch)).toEqual(['180 INVITE', '486 INVITE']);
    // dave's own CANCEL and ACK go up, and the answer to the CANCEL goes back to dave.
    dave.ch.deliver(request('CANCEL', ALICE_GRUU, same));
    w.socket.send(answer(w.up.at(-1)!, 200, 'at'));
    dave.ch.deliver(request('ACK', ALICE_GRUU, { ...same, toTag: 'at' }));
    expect(upLines(w.up)).toEqual(['INVITE', 'CANCEL', 'ACK']);
    expect(responses(dave.ch)).toEqual(['180 INVITE', '486 INVITE', '200 CANCEL']);
  });

  it('a CANCEL on the branch of sole\'s own INVITE that names another request (RFC 3261 §9.1): 481, nothing goes up', () => {
    const w = world();
    const [dave, sole] = [w.peer(1, 'dave'), w.peer(2, 'sole')];
    incomingCall(w, dave, 'call-d', true);
    const soleInvite = incomingCall(w, sole, 'call-s', true);
    const daves = { from: dave.aor, fromTag: 'dt', to: ALICE, callId: 'call-d', cseq: 1, branch: soleInvite.branch };
    sole.ch.deliver(request('CANCEL', ALICE_GRUU, daves));
    sole.ch.deliver(request('CANCEL', ALICE_GRUU, { ...daves, callId: 'call-s', cseq: 2 }));
    expect(responses(sole.ch)).toEqual(['180 INVITE', '481 CANCEL', '481 CANCEL']);
    expect(upLines(w.up)).toEqual(['INVITE', 'INVITE']);
  });

  it('an ACK on the branch of sole\'s own INVITE, answered 2xx, that names dave\'s dialog is dropped; sole\'s own goes up', () => {
    const w = world();
    const [dave, sole] = [w.peer(1, 'dave'), w.peer(2, 'sole')];
    incomingCall(w, dave, 'call-d');
    const soleInvite = incomingCall(w, sole, 'call-s');
    const daves = { from: dave.aor, fromTag: 'dt', to: ALICE, toTag: 'at', callId: 'call-d', cseq: 1, branch: soleInvite.branch };
    sole.ch.deliver(request('ACK', ALICE_GRUU, daves));
    expect(upLines(w.up)).toEqual(['INVITE', 'INVITE']);
    sole.ch.deliver(request('ACK', ALICE_GRUU, { ...daves, from: sole.aor, callId: 'call-s' }));
    expect(upLines(w.up)).toEqual(['INVITE', 'INVITE', 'ACK']);
    expect(w.up.at(-1)!.callId).toBe('call-s');
  });

  it('an INVITE from sole with the Call-ID and From tag of dave\'s ringing or connected call (any CSeq) is refused 482 (RFC 3261 §8.2.2.2); another From tag is another call', () => {
    const w = world();
    const [dave, sole] = [w.peer(1, 'dave'), w.peer(2, 'sole')];
    incomingCall(w, dave, 'call-ring', true);
    incomingCall(w, dave, 'call-up');
    w.clock.advance(LIFETIME_MS); // call-up's INVITE transaction is gone: its dialog remains
    const intruder = (callId: string, cseq: number) => request('INVITE', ALICE_GRUU, { from: sole.aor, fromTag: 'dt', to: ALICE, callId, cseq, branch: `z9hG4bKsole${callId}`, contact: sole.gruu });
    sole.ch.deliver(intruder('call-ring', 2));
    sole.ch.deliver(intruder('call-up', 1));
    expect(responses(sole.ch)).toEqual(['482 INVITE', '482 INVITE']);
    expect(upLines(w.up)).toEqual(['INVITE', 'INVITE']);
    // Another From tag is another call.
    sole.ch.deliver(request('INVITE', ALICE_GRUU, { from: sole.aor, fromTag: 'st', to: ALICE, callId: 'call-ring', cseq: 1, branch: 'z9hG4bKsole-own', contact: sole.gruu }));
    expect(upLines(w.up)).toEqual(['INVITE', 'INVITE', 'INVITE']);
  });

  it('callee side: a call answered after ringing longer than 64*T1 still sends its 200 back to the caller, and takes the caller\'s ACK and BYE', () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    const invite = incomingCall(w, dave, 'call-long', true);
    w.clock.advance(3 * LIFETIME_MS); // JsSIP lets it ring up to its no_answer_timeout (60 s)
    expect(w.socket.send(answer(invite, 200, 'at', ALICE_GRUU))).toBe(true);
    expect(responses(dave.ch)).toEqual(['180 INVITE', '200 INVITE']);
    daveSends(dave, 'ACK', 'call-long', 1);
    daveSends(dave, 'BYE', 'call-long', 2);
    expect(upLines(w.up)).toEqual(['INVITE', 'ACK', 'BYE']);
    // Once final, the transaction goes after 64*T1 (its retransmissions' time, RFC 3261 §17.2.1).
    w.clock.advance(LIFETIME_MS);
    expect(w.socket.send(answer(invite, 200, 'at', ALICE_GRUU))).toBe(false);
  });

  it('a dialog ended with BYE takes no more requests once the BYE\'s transaction is over; a call that failed leaves no dialog', () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    incomingCall(w, dave, 'call-e');
    daveSends(dave, 'BYE', 'call-e', 2);
    w.clock.advance(LIFETIME_MS - 1);
    daveSends(dave, 'BYE', 'call-e', 2); // a retransmission
    expect(upLines(w.up)).toEqual(['INVITE', 'BYE', 'BYE']);
    w.clock.advance(1);
    daveSends(dave, 'INFO', 'call-e', 3);
    expect(responses(dave.ch).at(-1)).toBe('481 INFO');
    const failed = incomingCall(w, dave, 'call-f', true); // an early dialog (the 180's tag) ...
    w.socket.send(answer(failed, 486, 'at')); // ... that ends with the 486
    w.clock.advance(LIFETIME_MS);
    daveSends(dave, 'INFO', 'call-f', 2);
    expect(responses(dave.ch).at(-1)).toBe('481 INFO');
  });

  it('a subscription ended by the notifier\'s NOTIFY (Subscription-State: terminated, RFC 6665 §4.4.1) takes no more requests once the NOTIFY\'s transaction is over, either side', async () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    const event: [string, string] = ['Event', 'presence'];
    const final: [string, string] = ['Subscription-State', 'terminated;reason=noresource'];
    // alice subscribes to dave; dave's final NOTIFY ends it.
    dave.ch.deliver(answer(await aliceSends(w, dave, 'SUBSCRIBE', 'sub-a', 1, { headers: [event] }), 200, 'dt', dave.gruu));
    daveSends(dave, 'NOTIFY', 'sub-a', 1, [event, final]);
    // dave subscribes to alice; alice's final NOTIFY ends it.
    dave.ch.deliver(request('SUBSCRIBE', ALICE_GRUU, { from: dave.aor, fromTag: 'dt', to: ALICE, callId: 'sub-b', cseq: 1, branch: 'z9hG4bKsb', contact: dave.gruu, headers: [event] }));
    w.socket.send(answer(w.up.find((m) => m.callId === 'sub-b')!, 200, 'at', ALICE_GRUU));
    await aliceSends(w, dave, 'NOTIFY', 'sub-b', 1, { toTag: 'dt', headers: [event, final] });
    expect(upLines(w.up)).toEqual(['200 SUBSCRIBE', 'NOTIFY', 'SUBSCRIBE']);
    w.clock.advance(LIFETIME_MS);
    daveSends(dave, 'NOTIFY', 'sub-a', 2, [event, ['Subscription-State', 'active']]);
    dave.ch.deliver(request('SUBSCRIBE', ALICE_GRUU, { from: dave.aor, fromTag: 'dt', to: ALICE, toTag: 'at', callId: 'sub-b', cseq: 2, branch: 'z9hG4bKsb2', contact: dave.gruu, headers: [event] }));
    expect(upLines(w.up)).toEqual(['200 SUBSCRIBE', 'NOTIFY', 'SUBSCRIBE']);
    expect(responses(dave.ch).slice(-2)).toEqual(['481 NOTIFY', '481 SUBSCRIBE']);
  });

  it('a final NOTIFY from the subscriber ends nothing: dave, subscribed to alice, still refreshes and unsubscribes after 64*T1', () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    const event: [string, string] = ['Event', 'presence'];
    const fromDave = { from: dave.aor, fromTag: 'dt', to: ALICE, callId: 'sub-c', contact: dave.gruu };
    dave.ch.deliver(request('SUBSCRIBE', ALICE_GRUU, { ...fromDave, cseq: 1, branch: 'z9hG4bKsc1', headers: [event] }));
    w.socket.send(answer(w.up[0]!, 200, 'at', ALICE_GRUU));
    // Not the notifier's: JsSIP's Notifier answers it 405 and keeps the subscription.
    dave.ch.deliver(request('NOTIFY', ALICE_GRUU, { ...fromDave, toTag: 'at', cseq: 2, branch: 'z9hG4bKsc2', headers: [event, ['Subscription-State', 'terminated']] }));
    w.clock.advance(LIFETIME_MS);
    dave.ch.deliver(request('SUBSCRIBE', ALICE_GRUU, { ...fromDave, toTag: 'at', cseq: 3, branch: 'z9hG4bKsc3', headers: [event, ['Expires', '0']] }));
    expect(upLines(w.up)).toEqual(['SUBSCRIBE', 'NOTIFY', 'SUBSCRIBE']);
    expect(responses(dave.ch)).toEqual(['200 SUBSCRIBE']);
  });

  it('a BYE or final NOTIFY from another peer, refused 481, leaves the dialog to its peer past 64*T1', async () => {
    const w = world();
    const [dave, sole] = [w.peer(1, 'dave'), w.peer(2, 'sole')];
    const event: [string, string] = ['Event', 'presence'];
    incomingCall(w, dave, 'call-o');
    dave.ch.deliver(answer(await aliceSends(w, dave, 'SUBSCRIBE', 'sub-o', 1, { headers: [event] }), 200, 'dt', dave.gruu));
    const fromDave = { from: dave.aor, fromTag: 'dt', to: ALICE, toTag: 'at' };
    sole.ch.deliver(request('BYE', ALICE_GRUU, { ...fromDave, callId: 'call-o', cseq: 2, branch: 'z9hG4bKob' }));
    sole.ch.deliver(request('NOTIFY', ALICE_GRUU, { ...fromDave, callId: 'sub-o', cseq: 1, branch: 'z9hG4bKon', headers: [event, ['Subscription-State', 'terminated']] }));
    expect(responses(sole.ch)).toEqual(['481 BYE', '481 NOTIFY']);
    w.clock.advance(LIFETIME_MS);
    daveSends(dave, 'INFO', 'call-o', 2);
    daveSends(dave, 'NOTIFY', 'sub-o', 1, [event, ['Subscription-State', 'active']]);
    expect(upLines(w.up)).toEqual(['INVITE', '200 SUBSCRIBE', 'INFO', 'NOTIFY']);
  });
});

describe('OverlaySocket: what the UA throws on a message a peer sent stays in the socket', () => {
  it('the throw is caught (it would leave the channel\'s message listener), and the next message goes up', () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    const took: string[] = [];
    w.socket.ondata = (text) => {
      if (text.startsWith('OPTIONS')) throw new TypeError('Cannot read properties of undefined');
      took.push(parsed(text).method);
    };
    const fromDave = { from: dave.aor, fromTag: 'dt', to: ALICE, callId: 'throw', contact: dave.gruu };
    expect(() => dave.ch.deliver(request('OPTIONS', ALICE_GRUU, { ...fromDave, cseq: 1, branch: 'z9hG4bKt1' }))).not.toThrow();
    dave.ch.deliver(request('MESSAGE', ALICE_GRUU, { ...fromDave, cseq: 2, branch: 'z9hG4bKt2', body: 'hi' }));
    expect(took).toEqual(['MESSAGE']);
  });

  it('a request the UA threw on before its final is answered 500 here (RFC 3261 §21.5.1), with a Warning; one it answered first is not', () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    const fromDave = { from: dave.aor, fromTag: 'dt', to: ALICE, contact: dave.gruu };
    w.socket.ondata = (text) => {
      const m = parsed(text);
      // JsSIP's server transaction sends an INVITE's 100 before the request is handed on (UA.receiveRequest).
      if (m.method === 'INVITE') w.socket.send(answer(m, 100, 'at'));
      if (m.method === 'MESSAGE') w.socket.send(answer(m, 200, 'at'));
      throw new TypeError('Cannot read properties of undefined');
    };
    dave.ch.deliver(request('OPTIONS', ALICE_GRUU, { ...fromDave, callId: 'throw-o', cseq: 1, branch: 'z9hG4bKt1' }));
    dave.ch.deliver(request('INVITE', ALICE_GRUU, { ...fromDave, callId: 'throw-i', cseq: 1, branch: 'z9hG4bKt2' }));
    dave.ch.deliver(request('MESSAGE', ALICE_GRUU, { ...fromDave, callId: 'throw-m', cseq: 1, branch: 'z9hG4bKt3', body: 'hi' }));
    expect(responses(dave.ch)).toEqual(['500 OPTIONS', '100 INVITE', '500 INVITE', '200 MESSAGE']);
    expect(dave.ch.sent[0]!.headers.find(([k]) => k === 'warning')?.[1]).toMatch(/^399 chordphone\.test "/);
    // An answered INVITE no longer counts against the peer's cap on unanswered ones (MAX_UNANSWERED_INVITES_PER_PEER).
    w.socket.ondata = () => {};
    for (let i = 0; i < MAX_UNANSWERED_INVITES_PER_PEER; i++) dave.ch.deliver(request('INVITE', ALICE_GRUU, { ...fromDave, callId: `next-${i}`, cseq: 1, branch: `z9hG4bKn${i}` }));
    expect(responses(dave.ch)).toHaveLength(4);
  });

  it('after a final on a server transaction only that final goes again (RFC 3261 §17.2.1): the UA\'s late answer to a request answered 500 here is dropped', () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    const fromDave = { from: dave.aor, fromTag: 'dt', to: ALICE, contact: dave.gruu };
    w.socket.ondata = (text) => {
      const m = parsed(text);
      w.up.push(m);
      if (m.method === 'INVITE') w.socket.send(answer(m, 100, 'at'));
      throw new TypeError('an app listener threw');
    };
    dave.ch.deliver(request('INVITE', ALICE_GRUU, { ...fromDave, callId: 'late-i', cseq: 1, branch: 'z9hG4bKl1' }));
    dave.ch.deliver(request('MESSAGE', ALICE_GRUU, { ...fromDave, callId: 'late-m', cseq: 1, branch: 'z9hG4bKl2', body: 'hi' }));
    expect(responses(dave.ch)).toEqual(['100 INVITE', '500 INVITE', '500 MESSAGE']);
    const [invite, message] = w.up;
    // The user answers the call that stayed answerable in JsSIP; its expiresTimer's 487; the MESSAGE's 200.
    expect(w.socket.send(answer(invite!, 180, 'at', ALICE_GRUU))).toBe(false);
    expect(w.socket.send(answer(invite!, 200, 'at', ALICE_GRUU))).toBe(false);
    expect(w.socket.send(answer(invite!, 487, 'at'))).toBe(false);
    expect(w.socket.send(answer(message!, 200, 'at'))).toBe(false);
    expect(responses(dave.ch)).toEqual(['100 INVITE', '500 INVITE', '500 MESSAGE']);
    // The UA's own final, resent (its 2xx until the ACK, §13.3.1.4), still goes; another final does not.
    w.socket.ondata = (text) => w.up.push(parsed(text));
    dave.ch.deliver(request('INVITE', ALICE_GRUU, { ...fromDave, callId: 'ok-i', cseq: 1, branch: 'z9hG4bKl3' }));
    const ok = w.up.at(-1)!;
    expect(w.socket.send(answer(ok, 200, 'at', ALICE_GRUU))).toBe(true);
    expect(w.socket.send(answer(ok, 200, 'at', ALICE_GRUU))).toBe(true);
    expect(w.socket.send(answer(ok, 486, 'at'))).toBe(false);
    expect(responses(dave.ch).slice(3)).toEqual(['200 INVITE', '200 INVITE']);
  });
});

describe('OverlaySocket: callee-side state stays bounded', () => {
  it('an early dialog ends with the UA\'s late final even when the INVITE\'s transaction is gone (the caller\'s channel closed while it rang)', () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    const invite = incomingCall(w, dave, 'call-gone', true);
    dave.ch.close();
    w.clock.advance(LIFETIME_MS); // the transaction is dropped: its channel is closed
    expect(w.socket.send(answer(invite, 408, 'at'))).toBe(false); // JsSIP's no-answer 408 at 60 s
    w.clock.advance(LIFETIME_MS);
    const back = w.peer(1, 'dave'); // dave's node on a new channel
    back.ch.deliver(request('INFO', ALICE_GRUU, { from: dave.aor, fromTag: 'dt', to: ALICE, toTag: 'at', callId: 'call-gone', cseq: 2, branch: 'z9hG4bKgone' }));
    expect(responses(back.ch)).toEqual(['481 INFO']);
  });

  it('a peer\'s INVITEs the UA has not answered are capped (JsSIP answers no INVITE with Replaces until the app decides): the next is refused 486 here', () => {
    const w = world();
    const eve = w.peer(3, 'eve');
    const invite = (i: number) => eve.ch.deliver(request('INVITE', ALICE_GRUU, { from: eve.aor, fromTag: `e${i}`, to: ALICE, callId: `flood-${i}`, cseq: 1, branch: `z9hG4bKflood${i}` }));
    for (let i = 0; i < MAX_UNANSWERED_INVITES_PER_PEER; i++) invite(i);
    expect(w.up).toHaveLength(MAX_UNANSWERED_INVITES_PER_PEER);
    invite(99);
    expect(w.up).toHaveLength(MAX_UNANSWERED_INVITES_PER_PEER);
    expect(responses(eve.ch)).toEqual(['486 INVITE']);
    expect(eve.ch.sent[0]!.headers.find(([k]) => k === 'warning')?.[1]).toMatch(/^399 chordphone\.test "/);
    // Once the UA answers one, the peer may send another; other peers were never limited.
    w.socket.send(answer(w.up[0]!, 486, 'at'));
    invite(100);
    expect(w.up).toHaveLength(MAX_UNANSWERED_INVITES_PER_PEER + 1);
    incomingCall(w, w.peer(1, 'dave'), 'call-dave', true);
    expect(w.up).toHaveLength(MAX_UNANSWERED_INVITES_PER_PEER + 2);
  });
});

describe('OverlaySocket: a request the UA has given up on rings nobody', () => {
  it('an AppAttach that ends after the local 408 does not carry the INVITE', async () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    const release = w.slowAttach();
    await outgoingInvite(w, dave, 'call-g');
    w.clock.advance(DEFAULT_ROUTE_TIMEOUT_MS);
    await flush();
    w.clock.advance(0);
    expect(upLines(w.up)).toEqual(['408 INVITE']);
    release();
    await flush();
    expect(requests(dave.ch)).toEqual([]);
  });

  it('an INVITE still being routed when the UA\'s transaction times out (64*T1) is not sent', async () => {
    const w = world({ routeTimeoutMs: 60_000 });
    const dave = w.peer(1, 'dave');
    const release = w.slowAttach();
    await outgoingInvite(w, dave, 'call-h');
    w.clock.advance(LIFETIME_MS);
    release();
    await flush();
    expect(requests(dave.ch)).toEqual([]);
  });

  it('a device that answers after the UA\'s INVITE timed out with nothing (Timer B) is CANCELed, its late 2xx ACKed and BYEd; nothing goes up', async () => {
    const w = world();
    const [dave, erin] = [w.peer(1, 'dave'), w.peer(3, 'erin')];
    const i1 = await outgoingInvite(w, dave, 'call-i');
    const i2 = await outgoingInvite(w, erin, 'call-j');
    w.clock.advance(LIFETIME_MS);
    dave.ch.deliver(answer(i1, 180, 'dt', dave.gruu));
    expect(requests(dave.ch)).toEqual(['INVITE', 'CANCEL']);
    erin.ch.deliver(answer(i2, 200, 'et', erin.gruu));
    expect(requests(erin.ch)).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(erin.ch.sent.at(-1)).toMatchObject({ requestUri: erin.gruu, toTag: 'et', callId: 'call-j' });
    expect(w.up).toEqual([]);
  });

  it('a device whose first response comes after JsSIP\'s Timer B fired but before the socket\'s own 64*T1 timer is CANCELed; nothing goes up to the UA that dropped the transaction', async () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    const invite = await outgoingInvite(w, dave, 'call-k');
    // JsSIP started its Timer B just before the socket's timer (in its transport.send): it fires
    // first, and the session fails; Phone tells the socket.
    w.clock.advance(LIFETIME_MS - 1);
    w.socket.uaGaveUp('call-k');
    dave.ch.deliver(answer(invite, 180, 'dt', dave.gruu));
    w.clock.advance(1);
    expect(requests(dave.ch)).toEqual(['INVITE', 'CANCEL']);
    expect(w.up).toEqual([]);
  });

  it('an INVITE still being routed when the UA\'s session fails (Timer B, or a hangup before any response) is not sent; another Call-ID\'s is', async () => {
    const w = world({ routeTimeoutMs: 60_000 });
    const dave = w.peer(1, 'dave');
    const release = w.slowAttach();
    await outgoingInvite(w, dave, 'call-l');
    await outgoingInvite(w, dave, 'call-m');
    w.socket.uaGaveUp('call-l');
    release();
    await flush();
    expect(dave.ch.sent.filter((m) => m.kind === 'request').map((m) => m.callId)).toEqual(['call-m']);
  });

  it('a session that fails after a response went up changes nothing: the UA sends its own CANCEL', async () => {
    const w = world();
    const dave = w.peer(1, 'dave');
    const invite = await outgoingInvite(w, dave, 'call-n');
    dave.ch.deliver(answer(invite, 180, 'dt', dave.gruu));
    w.socket.uaGaveUp('call-n');
    expect(requests(dave.ch)).toEqual(['INVITE']);
    expect(upLines(w.up)).toEqual(['180 INVITE']);
  });
});

describe('OverlaySocket: a caller whose channel closes while its call rings', () => {
  it('callee side: when a caller\'s channel closes, each of its INVITEs not answered yet is CANCELed to the UA (RFC 3261 §9.1); its answers are dropped', () => {
    const w = world();
    const [dave, sole] = [w.peer(1, 'dave'), w.peer(2, 'sole')];
    const ringing = incomingCall(w, dave, 'call-r', true);
    incomingCall(w, dave, 'call-a');
    incomingCall(w, sole, 'call-s', true);
    dave.ch.close();
    const cancels = w.up.filter((m) => m.method === 'CANCEL');
    expect(cancels.map((m) => m.callId)).toEqual(['call-r']);
    expect(cancels[0]).toMatchObject({ branch: ringing.branch, cseq: 1, requestUri: ringing.requestUri, fromTag: 'dt', toTag: undefined });
    // The UA's 487 goes nowhere: dave's channel is closed.
    expect(w.socket.send(answer(ringing, 487, 'at', ALICE_GRUU))).toBe(false);
  });
});
