/**
 * DialogPeers' bound: a full table pushes out ending and early dialogs, never a confirmed call for
 * an early one, and one peer's early dialogs are capped.
 */
import { describe, expect, it } from 'vitest';
import { nodeIdKey } from '../reload/forwarding/index.js';
import { ManualClock } from '../reload/storage/testing/manual-clock.js';
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
