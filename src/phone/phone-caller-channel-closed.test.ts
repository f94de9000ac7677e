/**
 * The caller's SIP channel closes while alice's phone rings (the caller's tab closed, or its
 * overlay link dropped): its socket fails its INVITE at once (ResponseContext: a closed channel
 * counts as 503), and no answer could reach it. The socket hands alice's UA a CANCEL of the INVITE
 * (InboundRequests.channelClosed), so the call stops ringing now, not at JsSIP's no-answer timeout
 * (60 s) with an answer failing then ("Connection Error").
 */
import { describe, expect, it } from 'vitest';
import { jsSipGlobals } from './testing/jssip-phone.js';
import { alicePhoneWithPeers } from './testing/phone-with-peers.js';
import { ALICE, ALICE_GRUU, flush } from './testing/socket-world.js';
import { sipRequest } from './testing/sip-messages.js';

describe('Phone: the caller\'s channel closes while the call rings', () => {
  jsSipGlobals();

  it('the ringing incoming call ends at once, as CANCELed, when the caller\'s only SIP channel closes (not at the 60 s no-answer timeout)', async () => {
    const { phone, peer, incoming } = await alicePhoneWithPeers();
    const dave = peer(1, 'dave');
    dave.ch.deliver(sipRequest('INVITE', ALICE_GRUU, { from: dave.aor, fromTag: 'dt', to: ALICE, callId: 'call-gone', cseq: 1, branch: 'z9hG4bKgone1', contact: dave.gruu }));
    await flush();
    expect(incoming.map((c) => c.state)).toEqual(['incoming']);
    dave.ch.close();
    await flush();
    // At once, on neither clock: JsSIP ends it as a call its caller CANCELed.
    expect(incoming[0]!.state).toBe('failed');
    expect(incoming[0]!.snapshot().error?.code).toBe('cancelled');
    await phone.stop();
  });
});
