/**
 * DialogPeers: its bound (a full table pushes out ending and early dialogs, never a confirmed call
 * for an early one, and one peer's early dialogs are capped), and the end of a subscription's
 * dialog with the notifier's final NOTIFY (RFC 6665 §4.4.1), not the subscriber's.
 */
import { describe, expect, it } from 'vitest';
import { nodeIdKey } from '../reload/forwarding/index.js';
import { ManualClock } from '../reload/testing/manual-clock.js';
import { DialogPeers } from './dialog-peers.js';
import type { SipMessage } from './sip-message.js';
import { parsed, sipRequest, sipResponse } from './testing/sip-messages.js';

const node = (n: number) => new Uint8Array(16).fill(n);

/** A response to our INVITE `callId` (From tag 'at') with To tag `tag`. */
function response(status: number, callId: string, tag: string): SipMessage {
  const invite = parsed(sipRequest('INVITE', 'sip:x@d', { via: 'a.invalid', from: 'sip:alice@d', fromTag: 'at', to: 'sip:x@d', callId, cseq: 1, branch: 'z9hG4bKx' }));
  return parsed(sipResponse(invite, status, tag));
}

/** A request from the peer of dialog (callId, remote tag `tag`) within it. */
function inDialog(callId: string, tag: string): SipMessage {
  return parsed(sipRequest('BYE', 'sip:alice@d', { from: 'sip:x@d', fromTag: tag, to: 'sip:alice@d', toTag: 'at', callId, cseq: 2, branch: 'z9hG4bKb' }));
}

describe('DialogPeers bound', () => {
  it('a flood of early dialogs (180s with new To tags) does not push out a confirmed call', () => {
    const dialogs = new DialogPeers(new ManualClock(), 32_000);
    dialogs.response(response(200, 'call-dave', 'dt'), 'uac', node(1));
    for (let i = 0; i < 300; i++) dialogs.response(response(180, `call-eve-${i % 40}`, `et${i}`), 'uac', node(2 + (i % 20)));
    expect(dialogs.peerOf(inDialog('call-dave', 'dt'))).toBe(nodeIdKey(node(1)));
  });

  it('one peer\'s early dialogs beyond the cap push out its own oldest, not another peer\'s', () => {
    const dialogs = new DialogPeers(new ManualClock(), 32_000);
    dialogs.response(response(180, 'call-carol', 'ct'), 'uac', node(3));
    for (let i = 0; i < 20; i++) dialogs.response(response(180, 'call-eve', `et${i}`), 'uac', node(2));
    expect(dialogs.peerOf(inDialog('call-carol', 'ct'))).toBe(nodeIdKey(node(3)));
    expect(dialogs.peerOf(inDialog('call-eve', 'et0'))).toBeUndefined();
    expect(dialogs.peerOf(inDialog('call-eve', 'et19'))).toBe(nodeIdKey(node(2)));
  });

  it('full of confirmed calls: a new confirmed one pushes out the oldest, an early one is not kept', () => {
    const dialogs = new DialogPeers(new ManualClock(), 32_000);
    for (let i = 0; i < 256; i++) dialogs.response(response(200, `call-${i}`, 't'), 'uac', node(1));
    dialogs.response(response(180, 'call-early', 't'), 'uac', node(2));
    expect(dialogs.peerOf(inDialog('call-early', 't'))).toBeUndefined();
    expect(dialogs.peerOf(inDialog('call-0', 't'))).toBe(nodeIdKey(node(1)));
    dialogs.response(response(200, 'call-new', 't'), 'uac', node(2));
    expect(dialogs.peerOf(inDialog('call-new', 't'))).toBe(nodeIdKey(node(2)));
    expect(dialogs.peerOf(inDialog('call-0', 't'))).toBeUndefined();
  });
});

/** Our SUBSCRIBE `callId` (From tag 'at') answered 200 by the notifier with To tag `tag`: the subscription's dialog (RFC 6665 §4.1.2.4). */
function subscribed(callId: string, tag: string): SipMessage {
  const subscribe = parsed(sipRequest('SUBSCRIBE', 'sip:x@d', { from: 'sip:alice@d', fromTag: 'at', to: 'sip:x@d', callId, cseq: 1, branch: 'z9hG4bKs', headers: [['Event', 'presence']] }));
  return parsed(sipResponse(subscribe, 200, tag));
}

/** x's SUBSCRIBE `callId` (From tag `tag`) to alice, answered 200 by alice's UA with To tag 'at': alice is the notifier. */
function subscribedTo(callId: string, tag: string): SipMessage {
  const subscribe = parsed(sipRequest('SUBSCRIBE', 'sip:alice@d', { from: 'sip:x@d', fromTag: tag, to: 'sip:alice@d', callId, cseq: 1, branch: 'z9hG4bKs', headers: [['Event', 'presence']] }));
  return parsed(sipResponse(subscribe, 200, 'at'));
}

/** x's NOTIFY in dialog (callId, its tag `tag`) with Subscription-State `state`. */
function notify(callId: string, tag: string, state: string): SipMessage {
  return parsed(sipRequest('NOTIFY', 'sip:alice@d', { from: 'sip:x@d', fromTag: tag, to: 'sip:alice@d', toTag: 'at', callId, cseq: 2, branch: `z9hG4bKn${callId}`, headers: [['Event', 'presence'], ['Subscription-State', state]] }));
}

/** Alice's NOTIFY in dialog (callId, x's tag `tag`) with Subscription-State `state`. */
function notifyOfAlice(callId: string, tag: string, state: string): SipMessage {
  return parsed(sipRequest('NOTIFY', 'sip:x@d', { from: 'sip:alice@d', fromTag: 'at', to: 'sip:x@d', toTag: tag, callId, cseq: 2, branch: `z9hG4bKa${callId}`, headers: [['Event', 'presence'], ['Subscription-State', state]] }));
}

describe('DialogPeers: a subscription ended by NOTIFY (RFC 6665 §4.4.1)', () => {
  it('its dialog ends: gone after the NOTIFY\'s transaction, and the first pushed out of a full table, before a call', () => {
    const clock = new ManualClock();
    const dialogs = new DialogPeers(clock, 32_000);
    dialogs.response(response(200, 'call-live', 't'), 'uac', node(1));
    for (let i = 0; i < 255; i++) {
      dialogs.response(subscribed(`sub-${i}`, 'n'), 'uac', node(2));
      dialogs.request(notify(`sub-${i}`, 'n', 'terminated;reason=noresource'), 'uas');
    }
    // The table is full: a new call pushes out an ended subscription, not the live call.
    dialogs.response(response(200, 'call-new', 't'), 'uac', node(3));
    expect(dialogs.peerOf(inDialog('call-live', 't'))).toBe(nodeIdKey(node(1)));
    expect(dialogs.peerOf(inDialog('call-new', 't'))).toBe(nodeIdKey(node(3)));
    // Its retransmissions are taken for the NOTIFY's transaction lifetime (64*T1), then nothing.
    expect(dialogs.peerOf(notify('sub-254', 'n', 'terminated'))).toBe(nodeIdKey(node(2)));
    clock.advance(32_000);
    expect(dialogs.peerOf(notify('sub-254', 'n', 'terminated'))).toBeUndefined();
  });

  it('a NOTIFY that is not final, or the final NOTIFY of a REFER within a call (RFC 3515), leaves the dialog', () => {
    const clock = new ManualClock();
    const dialogs = new DialogPeers(clock, 32_000);
    dialogs.response(subscribed('sub', 'n'), 'uac', node(2));
    dialogs.request(notify('sub', 'n', 'active;expires=600'), 'uas');
    dialogs.response(response(200, 'call', 'n'), 'uac', node(1));
    dialogs.request(notify('call', 'n', 'terminated;reason=noresource'), 'uas');
    clock.advance(32_000);
    expect(dialogs.peerOf(notify('sub', 'n', 'active'))).toBe(nodeIdKey(node(2)));
    expect(dialogs.peerOf(inDialog('call', 'n'))).toBe(nodeIdKey(node(1)));
  });
});

describe('DialogPeers: only the notifier\'s final NOTIFY ends a subscription (RFC 6665 §4.4.1)', () => {
  it('a final NOTIFY from the subscriber, taken in or sent, leaves the dialog past 64*T1', () => {
    const clock = new ManualClock();
    const dialogs = new DialogPeers(clock, 32_000);
    // x subscribed to alice (alice notifies): x's own final NOTIFY ends nothing.
    dialogs.response(subscribedTo('sub-in', 'n'), 'uas', node(2));
    dialogs.request(notify('sub-in', 'n', 'terminated'), 'uas');
    // alice subscribed to x (x notifies): a final NOTIFY alice's UA sends ends nothing.
    dialogs.response(subscribed('sub-out', 'n'), 'uac', node(3));
    dialogs.request(notifyOfAlice('sub-out', 'n', 'terminated'), 'uac');
    clock.advance(32_000);
    expect(dialogs.peerOf(notify('sub-in', 'n', 'active'))).toBe(nodeIdKey(node(2)));
    expect(dialogs.peerOf(notify('sub-out', 'n', 'active'))).toBe(nodeIdKey(node(3)));
  });

  it('alice\'s final NOTIFY as the notifier ends the dialog after 64*T1', () => {
    const clock = new ManualClock();
    const dialogs = new DialogPeers(clock, 32_000);
    dialogs.response(subscribedTo('sub-in', 'n'), 'uas', node(2));
    dialogs.request(notifyOfAlice('sub-in', 'n', 'terminated;reason=timeout'), 'uac');
    clock.advance(32_000);
    expect(dialogs.peerOf(notify('sub-in', 'n', 'active'))).toBeUndefined();
  });
});

/** Alice's request `method` within dialog (callId, x's tag `tag`), as sent by her UA. */
function ofAlice(method: string, callId: string, tag: string): SipMessage {
  return parsed(sipRequest(method, 'sip:x@d', { from: 'sip:alice@d', fromTag: 'at', to: 'sip:x@d', toTag: tag, callId, cseq: 3, branch: `z9hG4bKf${callId}` }));
}

/** x's request `method` within dialog (callId, its tag `tag`), as taken in. */
function ofX(method: string, callId: string, tag: string): SipMessage {
  return parsed(sipRequest(method, 'sip:alice@d', { from: 'sip:x@d', fromTag: tag, to: 'sip:alice@d', toTag: 'at', callId, cseq: 3, branch: `z9hG4bKg${callId}` }));
}

describe('DialogPeers.failed: a request within a dialog that failed (RFC 3261 §12.2.1.2)', () => {
  it('ends the dialog after 64*T1, on either side', () => {
    const clock = new ManualClock();
    const dialogs = new DialogPeers(clock, 32_000);
    dialogs.response(response(200, 'call-out', 'xt'), 'uac', node(1));
    dialogs.response(subscribedTo('sub-in', 'xt'), 'uas', node(2));
    dialogs.failed(ofAlice('INFO', 'call-out', 'xt'), 'uac');
    dialogs.failed(ofX('SUBSCRIBE', 'sub-in', 'xt'), 'uas');
    expect(dialogs.peerOf(inDialog('call-out', 'xt'))).toBe(nodeIdKey(node(1)));
    clock.advance(32_000);
    expect(dialogs.peerOf(inDialog('call-out', 'xt'))).toBeUndefined();
    expect(dialogs.peerOf(notify('sub-in', 'xt', 'active'))).toBeUndefined();
  });

  it('a CANCEL (RFC 3261 §9.2: its 481 is of its transaction), or a REFER, NOTIFY or SUBSCRIBE within a call (RFC 3515), leaves the call', () => {
    const clock = new ManualClock();
    const dialogs = new DialogPeers(clock, 32_000);
    dialogs.response(response(200, 'call', 'xt'), 'uac', node(1));
    for (const method of ['CANCEL', 'REFER', 'NOTIFY', 'SUBSCRIBE']) {
      dialogs.failed(ofAlice(method, 'call', 'xt'), 'uac');
      dialogs.failed(ofX(method, 'call', 'xt'), 'uas');
    }
    clock.advance(32_000);
    expect(dialogs.peerOf(inDialog('call', 'xt'))).toBe(nodeIdKey(node(1)));
  });
});
