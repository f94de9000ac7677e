/**
 * OverlaySocket's forking and its responses (RFC 3261 §16.6-16.9 done by the socket), driven with
 * raw SIP over a real overlay: the caller side is the socket itself (as JsSIP would drive it), the
 * devices are scripted UASes on their peers' SIP channels (scripted-devices.ts). Where requests go,
 * and what the socket answers when they cannot get there: overlay-socket-routing.test.ts. (Phone
 * tests cover the socket under a real JsSIP UA.)
 */
import { describe, expect, it } from 'vitest';
import { webCryptoRandom } from '../platform/web-crypto.js';
import { until } from '../reload/overlay/testing/app-overlay-fixture.js';
import { ManualClock } from '../reload/testing/manual-clock.js';
import { buildGruu } from '../usages/sip/index.js';
import { OverlaySocket } from './overlay-socket.js';
import type { SipMessage } from './sip-message.js';
import { TRANSACTION_LIFETIME_MS } from './sip-timers.js';
import { received, receivedOf, scriptedDevices } from './testing/scripted-devices.js';
import { parsed, sipResponse } from './testing/sip-messages.js';

const net = scriptedDevices({ peers: 12, users: ['alice', 'dave', 'erin', 'sole'] }, async (s) => {
  await s.device('dave');
  await s.device('dave', true);
  await s.device('sole');
});
const { device, devices, invite, respond, upStatuses, up } = net;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The same request sent by sole (From sole, as its certificate says). */
const asSole = (text: string) => text.replace(`From: <sip:alice@`, `From: <sip:sole@`).replace('alice.invalid', 'sole.invalid');

describe('OverlaySocket forking (RFC 3261 §16.7)', () => {
  it('forks an INVITE to every device; the first 2xx wins, the other branch is CANCELed and its 487 ACKed', async () => {
    const [d1, d2] = devices('dave');
    expect(net.socket.send(invite(`sip:dave@${net.f.domain}`, 'z9hG4bKfork1', 'call-1'))).toBe(true);
    await until(() => received(d1!, 'INVITE').length === 1 && received(d2!, 'INVITE').length === 1);
    const i1 = received(d1!, 'INVITE')[0]!;
    const i2 = received(d2!, 'INVITE')[0]!;
    respond(d1!, i1, 180, 'Ringing', 'd1');
    respond(d2!, i2, 180, 'Ringing', 'd2');
    await until(() => upStatuses('call-1').length === 2);
    respond(d1!, i1, 200, 'OK', 'd1');
    await until(() => received(d2!, 'CANCEL').length === 1);
    const cancel = received(d2!, 'CANCEL')[0]!;
    expect(cancel.branch).toBe('z9hG4bKfork1');
    expect(cancel.cseq).toBe(7);
    expect(received(d1!, 'CANCEL')).toHaveLength(0);
    respond(d2!, cancel, 200, 'OK', 'd2');
    respond(d2!, i2, 487, 'Request Terminated', 'd2');
    await until(() => received(d2!, 'ACK').length === 1);
    expect(received(d2!, 'ACK')[0]).toMatchObject({ branch: 'z9hG4bKfork1', toTag: 'd2', cseq: 7 });
    await sleep(30);
    // Up to the UA: both 180s and the winner's 200, not the loser's CANCEL answer nor its 487.
    expect(upStatuses('call-1')).toEqual(['180 INVITE', '180 INVITE', '200 INVITE']);
    expect(up.find((m) => m.callId === 'call-1' && m.status === 200)!.toTag).toBe('d1');
    // The UA's ACK of the 2xx goes to the winner's GRUU (its Contact).
    net.socket.send(invite(d1!.gruu, 'z9hG4bKack1', 'call-1', 'ACK'));
    await until(() => received(d1!, 'ACK').length === 1);
    expect(received(d2!, 'ACK')).toHaveLength(1);
    expect(net.socket.stats()).toMatchObject({ forked: 1, cancelsSent: 1 });
  });

  it('when every branch refuses, the best final (a 6xx) goes up once all are in; all are ACKed here', async () => {
    const [d1, d2] = devices('dave');
    net.socket.send(invite(`sip:dave@${net.f.domain}`, 'z9hG4bKfork2', 'call-2'));
    await until(() => received(d1!, 'INVITE').length === 2 && received(d2!, 'INVITE').length === 2);
    respond(d1!, received(d1!, 'INVITE')[1]!, 486, 'Busy Here', 'b1');
    await until(() => received(d1!, 'ACK').length === 2);
    await sleep(20);
    expect(upStatuses('call-2')).toEqual([]); // d2 still rings
    respond(d2!, received(d2!, 'INVITE')[1]!, 603, 'Decline', 'b2');
    await until(() => upStatuses('call-2').length === 1);
    expect(upStatuses('call-2')).toEqual(['603 INVITE']);
    await until(() => received(d2!, 'ACK').length === 2);
    // The UA's own ACK of the 603 is not sent again: the socket ACKed every branch.
    net.socket.send(invite(`sip:dave@${net.f.domain}`, 'z9hG4bKfork2', 'call-2', 'ACK'));
    await sleep(30);
    expect(received(d1!, 'ACK')).toHaveLength(2);
    expect(received(d2!, 'ACK')).toHaveLength(2);
  });

  it('a second 2xx from another branch is ACKed and ended with BYE (RFC 3261 §13.2.2.4); the call takes a BYE from the winner only', async () => {
    const [d1, d2] = devices('dave');
    net.socket.send(invite(`sip:dave@${net.f.domain}`, 'z9hG4bKfork3', 'call-3'));
    await until(() => received(d1!, 'INVITE').length === 3 && received(d2!, 'INVITE').length === 3);
    respond(d1!, received(d1!, 'INVITE')[2]!, 200, 'OK', 'w1');
    respond(d2!, received(d2!, 'INVITE')[2]!, 200, 'OK', 'w2');
    await until(() => received(d2!, 'BYE').length === 1);
    const bye = received(d2!, 'BYE')[0]!;
    expect(bye).toMatchObject({ toTag: 'w2', fromTag: 'atag', callId: 'call-3', cseq: 8 });
    expect(bye.requestUri).toBe(d2!.gruu);
    expect(received(d2!, 'ACK').some((a) => a.callId === 'call-3' && a.toTag === 'w2')).toBe(true);
    expect(upStatuses('call-3')).toEqual(['200 INVITE']);
    // The call is with d1 alone: d2, which knows the Call-ID and tags, cannot end it (RFC 3261 §12.2.2).
    const aliceGruu = buildGruu(`sip:alice@${net.f.domain}`, net.alice.nodeId);
    const byeInD1 = (branch: string) => invite(aliceGruu, branch, 'call-3', 'BYE').replace(/^To: .*$/m, `To: <sip:alice@${net.f.domain}>;tag=atag`).replace(/^From: .*$/m, `From: <sip:dave@${net.f.domain}>;tag=w1`);
    d2!.got[0]!.ch.send(byeInD1('z9hG4bKbye3d2'));
    await until(() => d2!.got.some((g) => g.m.kind === 'response' && g.m.callId === 'call-3' && g.m.method === 'BYE'));
    expect(d2!.got.filter((g) => g.m.kind === 'response' && g.m.method === 'BYE').map((g) => g.m.status)).toEqual([481]);
    d1!.got[0]!.ch.send(byeInD1('z9hG4bKbye3d1'));
    await until(() => up.some((m) => m.callId === 'call-3' && m.method === 'BYE'));
    expect(up.filter((m) => m.callId === 'call-3' && m.method === 'BYE').map((m) => m.branch)).toEqual(['z9hG4bKbye3d1']);
  });

  it('one device: the UA\'s CANCEL goes after the device\'s first provisional (RFC 3261 §9.1), and responses pass through', async () => {
    const [sole] = devices('sole');
    net.socket.send(invite(`sip:sole@${net.f.domain}`, 'z9hG4bKsole', 'call-4'));
    net.socket.send(invite(`sip:sole@${net.f.domain}`, 'z9hG4bKsole', 'call-4', 'CANCEL'));
    await until(() => received(sole!, 'INVITE').length === 1);
    expect(received(sole!, 'CANCEL')).toEqual([]);
    respond(sole!, received(sole!, 'INVITE')[0]!, 180, 'Ringing', 's');
    await until(() => received(sole!, 'CANCEL').length === 1);
    expect(sole!.got.map((g) => g.m.method)).toEqual(['INVITE', 'CANCEL']);
    respond(sole!, received(sole!, 'CANCEL')[0]!, 200, 'OK', 's');
    respond(sole!, received(sole!, 'INVITE')[0]!, 487, 'Request Terminated', 's');
    await until(() => upStatuses('call-4').length === 3);
    expect(upStatuses('call-4').sort()).toEqual(['180 INVITE', '200 CANCEL', '487 INVITE']);
    net.socket.send(invite(`sip:sole@${net.f.domain}`, 'z9hG4bKsole', 'call-4', 'ACK'));
    await until(() => received(sole!, 'ACK').length === 1);
  });

  it('a response goes back on the channel its request came in on', async () => {
    const [sole] = devices('sole');
    const ch = sole!.got[0]!.ch;
    const gruu = buildGruu(`sip:alice@${net.f.domain}`, net.alice.nodeId);
    ch.send(asSole(invite(gruu, 'z9hG4bKfromsole', 'call-5', 'OPTIONS')));
    await until(() => up.some((m) => m.callId === 'call-5' && m.kind === 'request'));
    const req = up.find((m) => m.callId === 'call-5')!;
    const answer = sipResponse(req, 200, 'x', undefined, 'OK');
    expect(net.socket.send(answer)).toBe(true);
    await until(() => sole!.got.some((g) => g.m.kind === 'response' && g.m.callId === 'call-5'));
    expect(net.socket.send(answer.replace('z9hG4bKfromsole', 'z9hG4bKunknown'))).toBe(false);
  });

  it('a request From an AoR other than the channel\'s certificate user is refused with 403 and never reaches the UA', async () => {
    const [sole] = devices('sole');
    const ch = sole!.got[0]!.ch;
    const gruu = buildGruu(`sip:alice@${net.f.domain}`, net.alice.nodeId);
    // sole's certificate says sole@…, the INVITE claims to be from dave.
    ch.send(invite(gruu, 'z9hG4bKspoof', 'call-spoof').replace(`From: <sip:alice@${net.f.domain}>`, `From: <sip:dave@${net.f.domain}>`));
    await until(() => sole!.got.some((g) => g.m.kind === 'response' && g.m.callId === 'call-spoof'));
    expect(sole!.got.find((g) => g.m.callId === 'call-spoof')!.m.status).toBe(403);
    expect(up.some((m) => m.callId === 'call-spoof')).toBe(false);
  });

  it('a 6xx from one device CANCELs the branches still ringing, and goes up once they are final (RFC 3261 §16.7 step 5)', async () => {
    const [d1, d2] = devices('dave');
    net.socket.send(invite(`sip:dave@${net.f.domain}`, 'z9hG4bKdecline', 'call-decline'));
    await until(() => receivedOf(d1!, 'INVITE', 'call-decline').length === 1 && receivedOf(d2!, 'INVITE', 'call-decline').length === 1);
    const [i1, i2] = [receivedOf(d1!, 'INVITE', 'call-decline')[0]!, receivedOf(d2!, 'INVITE', 'call-decline')[0]!];
    respond(d1!, i1, 180, 'Ringing', 'r1');
    respond(d2!, i2, 180, 'Ringing', 'r2');
    await until(() => upStatuses('call-decline').length === 2);
    respond(d1!, i1, 603, 'Decline', 'r1');
    await until(() => receivedOf(d2!, 'CANCEL', 'call-decline').length === 1);
    expect(receivedOf(d1!, 'CANCEL', 'call-decline')).toEqual([]);
    expect(upStatuses('call-decline')).toEqual(['180 INVITE', '180 INVITE']);
    respond(d2!, receivedOf(d2!, 'CANCEL', 'call-decline')[0]!, 200, 'OK', 'r2');
    respond(d2!, i2, 487, 'Request Terminated', 'r2');
    await until(() => upStatuses('call-decline').length === 3);
    expect(upStatuses('call-decline')).toEqual(['180 INVITE', '180 INVITE', '603 INVITE']);
  });

  it('a device whose SIP channel closes counts as a 503 for its branch (RFC 3261 §16.9): the other device\'s 486 goes up', async () => {
    const e1 = await device('erin');
    const e2 = await device('erin', true);
    net.socket.send(invite(`sip:erin@${net.f.domain}`, 'z9hG4bKgone', 'call-gone'));
    await until(() => received(e1, 'INVITE').length === 1 && received(e2, 'INVITE').length === 1);
    respond(e1, received(e1, 'INVITE')[0]!, 180, 'Ringing', 'g1');
    await until(() => upStatuses('call-gone').length === 1);
    e2.peer.apps.close(); // e2's tab goes away
    respond(e1, received(e1, 'INVITE')[0]!, 486, 'Busy Here', 'g1');
    // With a 180 seen, JsSIP's INVITE transaction has no Timer B: the caller waits for this final.
    await until(() => upStatuses('call-gone').length === 2);
    expect(upStatuses('call-gone')).toEqual(['180 INVITE', '486 INVITE']);
  });

  it('an INVITE still ringing after the transaction lifetime is still watched: its device going away ends it with a 503 (RFC 3261 §8.1.3.1)', async () => {
    const clock = new ManualClock();
    const s = new OverlaySocket({ apps: net.alice.apps, overlay: net.alice.peer, clock, random: webCryptoRandom }, { domain: net.f.domain });
    const got: SipMessage[] = [];
    s.ondata = (text) => got.push(parsed(text));
    s.connect();
    const ringer = await device('ringer', true);
    s.send(invite(`sip:ringer@${net.f.domain}`, 'z9hG4bKlongring', 'call-long'));
    await until(() => received(ringer, 'INVITE').length === 1);
    respond(ringer, received(ringer, 'INVITE')[0]!, 180, 'Ringing', 'l1');
    await until(() => got.some((m) => m.callId === 'call-long'));
    clock.advance(3 * TRANSACTION_LIFETIME_MS); // a person lets it ring for over a minute and a half
    ringer.peer.apps.close();
    await until(() => got.filter((m) => m.callId === 'call-long').length === 2);
    expect(got.map((m) => `${m.status} ${m.method}`)).toEqual(['180 INVITE', '503 INVITE']);
    s.close();
  });

  it('a forked MESSAGE: one device\'s 480 is held, the other\'s 200 goes up, and only it (RFC 3261 §16.7 step 5)', async () => {
    const [d1, d2] = devices('dave');
    net.socket.send(invite(`sip:dave@${net.f.domain}`, 'z9hG4bKmsgfork', 'msg-fork', 'MESSAGE'));
    await until(() => receivedOf(d1!, 'MESSAGE', 'msg-fork').length === 1 && receivedOf(d2!, 'MESSAGE', 'msg-fork').length === 1);
    const got = net.socket.stats().received;
    respond(d1!, receivedOf(d1!, 'MESSAGE', 'msg-fork')[0]!, 480, 'Temporarily Unavailable', 'x1');
    await until(() => net.socket.stats().received === got + 1);
    expect(upStatuses('msg-fork')).toEqual([]);
    respond(d2!, receivedOf(d2!, 'MESSAGE', 'msg-fork')[0]!, 200, 'OK', 'x2');
    await until(() => upStatuses('msg-fork').length === 1);
    expect(upStatuses('msg-fork')).toEqual(['200 MESSAGE']);
    expect([...receivedOf(d1!, 'ACK', 'msg-fork'), ...receivedOf(d1!, 'CANCEL', 'msg-fork'), ...receivedOf(d2!, 'CANCEL', 'msg-fork')]).toEqual([]);
  });
});
