/**
 * One caller cannot CANCEL or take over another caller's ringing call: a real JsSIP UA over
 * OverlaySocket (testing/phone-with-peers.ts), each caller a fake SIP channel. JsSIP matches a
 * CANCEL to its transaction by the branch, then gives it to the session of the CANCEL's own Call-ID
 * and From tag (UA._findSession); its session id is Call-ID + From tag. RFC 3261 §9.1, §9.2: a
 * CANCEL cancels the request it names, the one of the transaction it matches.
 */
import { describe, expect, it } from 'vitest';
import { responses } from './testing/fake-sip-channel.js';
import { jsSipGlobals } from './testing/jssip-phone.js';
import { alicePhoneWithPeers } from './testing/phone-with-peers.js';
import { ALICE, ALICE_GRUU, flush } from './testing/socket-world.js';
import { sipRequest } from './testing/sip-messages.js';

describe('Phone: one caller\'s requests cannot reach another caller\'s ringing call', () => {
  jsSipGlobals();

  it('sole cannot cancel dave\'s ringing call by sending a CANCEL on the branch of its own ringing INVITE', async () => {
    const { phone, peer, incoming } = await alicePhoneWithPeers();
    const dave = peer(1, 'dave');
    const sole = peer(2, 'sole');
    dave.ch.deliver(sipRequest('INVITE', ALICE_GRUU, { from: dave.aor, fromTag: 'dt', to: ALICE, callId: 'call-dave', cseq: 1, branch: 'z9hG4bKdave1', contact: dave.gruu }));
    sole.ch.deliver(sipRequest('INVITE', ALICE_GRUU, { from: sole.aor, fromTag: 'st', to: ALICE, callId: 'call-sole', cseq: 1, branch: 'z9hG4bKsole1', contact: sole.gruu }));
    await flush();
    expect(incoming.map((c) => [c.remoteUser, c.state])).toEqual([['dave', 'incoming'], ['sole', 'incoming']]);

    // sole's CANCEL: the branch of sole's own INVITE, the Call-ID and From tag of dave's.
    sole.ch.deliver(sipRequest('CANCEL', ALICE_GRUU, { from: dave.aor, fromTag: 'dt', to: ALICE, callId: 'call-dave', cseq: 1, branch: 'z9hG4bKsole1' }));
    await flush();

    // dave's call still rings (dave gets no 487); sole's CANCEL matches no transaction.
    expect(responses(sole.ch)).toContain('481 CANCEL');
    expect(responses(dave.ch)).not.toContain('487 INVITE');
    expect(incoming[0]!.state).toBe('incoming');
    await phone.stop();
  });

  it('dave\'s CANCEL still cancels dave\'s call (487 to dave, the call fails) after sole sent an INVITE with dave\'s Call-ID and From tag', async () => {
    const { phone, peer, incoming } = await alicePhoneWithPeers();
    const dave = peer(1, 'dave');
    const sole = peer(2, 'sole');
    const daveInvite = { from: dave.aor, fromTag: 'dt', to: ALICE, callId: 'call-dave', cseq: 1, branch: 'z9hG4bKdave1', contact: dave.gruu };
    dave.ch.deliver(sipRequest('INVITE', ALICE_GRUU, daveInvite));
    await flush();
    // sole learnt dave's Call-ID and tag; its INVITE is From sole (its own certificate), CSeq 2.
    sole.ch.deliver(sipRequest('INVITE', ALICE_GRUU, { from: sole.aor, fromTag: 'dt', to: ALICE, callId: 'call-dave', cseq: 2, branch: 'z9hG4bKsole1', contact: sole.gruu }));
    await flush();
    // dave hangs up before alice answers.
    dave.ch.deliver(sipRequest('CANCEL', ALICE_GRUU, daveInvite));
    await flush();
    expect(responses(sole.ch)).toEqual(['482 INVITE']);
    expect(responses(dave.ch)).toContain('487 INVITE');
    expect(incoming[0]!.remoteUser).toBe('dave');
    expect(incoming[0]!.state).toBe('failed');
    await phone.stop();
  });
});
