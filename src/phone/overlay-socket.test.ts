/**
 * OverlaySocket's routing and forking, driven with raw SIP over a real overlay: the caller side is
 * the socket itself (as JsSIP would drive it), the devices are scripted UASes on their peers' SIP
 * channels. (Phone tests cover the socket under a real JsSIP UA.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../platform/system-clock.js';
import { webCryptoRandom } from '../platform/web-crypto.js';
import type { AppChannel } from '../reload/links/app-channel.js';
import { ApplicationId } from '../reload/wire/methods/app-attach.js';
import { buildGruu, SipRegistrar } from '../usages/sip/index.js';
import { buildSipOverlay, type SipOverlay, type SipOverlayPeer } from '../usages/sip/testing/sip-overlay-fixture.js';
import { until } from '../reload/overlay/testing/app-overlay-fixture.js';
import { ManualClock } from '../reload/storage/testing/manual-clock.js';
import { DEFAULT_ROUTE_TIMEOUT_MS, OverlaySocket } from './overlay-socket.js';
import { TRANSACTION_LIFETIME_MS } from './sip-timers.js';
import { parseSipMessage, type SipMessage } from './sip-message.js';

let f: SipOverlay;
let alice: SipOverlayPeer;
let socket: OverlaySocket;
const up: SipMessage[] = [];

/** A scripted device: what it received, and the channel it came on. */
interface Device {
  readonly peer: SipOverlayPeer;
  readonly got: { m: SipMessage; ch: AppChannel }[];
  readonly gruu: string;
}
const devices = new Map<string, Device[]>();

async function device(name: string, fresh = false): Promise<Device> {
  const peer = fresh ? await f.addUser(name) : f.user(name);
  const d: Device = { peer, got: [], gruu: buildGruu(`sip:${name}@${f.domain}`, peer.nodeId) };
  peer.apps.onChannel(ApplicationId.SIP, (ch) => ch.onMessage((data) => d.got.push({ m: parseSipMessage(String(data))!, ch })));
  await new SipRegistrar({ overlay: peer.peer, clock: systemClock }, { aor: `sip:${name}@${f.domain}` }).register();
  devices.set(name, [...(devices.get(name) ?? []), d]);
  return d;
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The same request sent by sole (From sole, as its certificate says). */
const asSole = (text: string) => text.replace(`From: <sip:alice@`, `From: <sip:sole@`).replace('alice.invalid', 'sole.invalid');

function invite(to: string, branch: string, callId: string, method = 'INVITE'): string {
  return [
    `${method} ${to} SIP/2.0`,
    `Via: SIP/2.0/RELOAD alice.invalid;branch=${branch}`,
    'Max-Forwards: 69',
    `To: <${to}>`,
    `From: <sip:alice@${f.domain}>;tag=atag`,
    `Call-ID: ${callId}`,
    `CSeq: 7 ${method}`,
    `Contact: <${buildGruu(`sip:alice@${f.domain}`, alice.nodeId)}>`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** The device's response to request `req`. */
function respond(d: Device, req: SipMessage, status: number, reason: string, tag: string): void {
  const from = req.headers.find(([k]) => k === 'from')![1];
  const to = req.headers.find(([k]) => k === 'to')![1];
  const via = req.headers.filter(([k]) => k === 'via').map(([, v]) => `Via: ${v}`);
  const text = [`SIP/2.0 ${status} ${reason}`, ...via, `From: ${from}`, `To: ${to};tag=${tag}`, `Call-ID: ${req.callId}`, `CSeq: ${req.cseq} ${req.method}`, `Contact: <${d.gruu}>`, 'Content-Length: 0', '', ''].join('\r\n');
  const entry = d.got.find((g) => g.m === req)!;
  entry.ch.send(text);
}

const received = (d: Device, method: string) => d.got.filter((g) => g.m.kind === 'request' && g.m.method === method).map((g) => g.m);
/** The request `method` of call `callId` that device `d` received. */
const receivedOf = (d: Device, method: string, callId: string) => received(d, method).filter((m) => m.callId === callId);
const upStatuses = (callId: string) => up.filter((m) => m.callId === callId && m.kind === 'response').map((m) => `${m.status} ${m.method}`);

beforeAll(async () => {
  f = await buildSipOverlay({ peers: 12, users: ['alice', 'dave', 'erin', 'sole', 'zed'] });
  alice = f.user('alice');
  socket = new OverlaySocket({ apps: alice.apps, overlay: alice.peer, clock: systemClock, random: webCryptoRandom }, { domain: f.domain });
  socket.ondata = (text) => up.push(parseSipMessage(text)!);
  socket.connect();
  await device('dave');
  await device('dave', true);
  await device('sole');
}, 60_000);
afterAll(() => {
  socket?.close();
  f?.close();
});

describe('OverlaySocket', () => {
  it('forks an INVITE to every device; the first 2xx wins, the other branch is CANCELed and its 487 ACKed', async () => {
    const [d1, d2] = devices.get('dave')!;
    expect(socket.send(invite(`sip:dave@${f.domain}`, 'z9hG4bKfork1', 'call-1'))).toBe(true);
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
    socket.send(invite(d1!.gruu, 'z9hG4bKack1', 'call-1', 'ACK'));
    await until(() => received(d1!, 'ACK').length === 1);
    expect(received(d2!, 'ACK')).toHaveLength(1);
    expect(socket.stats()).toMatchObject({ forked: 1, cancelsSent: 1 });
  });

  it('when every branch refuses, the best final (a 6xx) goes up once all are in; all are ACKed here', async () => {
    const [d1, d2] = devices.get('dave')!;
    socket.send(invite(`sip:dave@${f.domain}`, 'z9hG4bKfork2', 'call-2'));
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
    socket.send(invite(`sip:dave@${f.domain}`, 'z9hG4bKfork2', 'call-2', 'ACK'));
    await sleep(30);
    expect(received(d1!, 'ACK')).toHaveLength(2);
    expect(received(d2!, 'ACK')).toHaveLength(2);
  });

  it('a second 2xx from another branch is ACKed and ended with BYE (RFC 3261 §13.2.2.4); the call takes a BYE from the winner only', async () => {
    const [d1, d2] = devices.get('dave')!;
    socket.send(invite(`sip:dave@${f.domain}`, 'z9hG4bKfork3', 'call-3'));
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
    const aliceGruu = buildGruu(`sip:alice@${f.domain}`, alice.nodeId);
    const byeInD1 = (branch: string) => invite(aliceGruu, branch, 'call-3', 'BYE').replace(/^To: .*$/m, `To: <sip:alice@${f.domain}>;tag=atag`).replace(/^From: .*$/m, `From: <sip:dave@${f.domain}>;tag=w1`);
    d2!.got[0]!.ch.send(byeInD1('z9hG4bKbye3d2'));
    await until(() => d2!.got.some((g) => g.m.kind === 'response' && g.m.callId === 'call-3' && g.m.method === 'BYE'));
    expect(d2!.got.filter((g) => g.m.kind === 'response' && g.m.method === 'BYE').map((g) => g.m.status)).toEqual([481]);
    d1!.got[0]!.ch.send(byeInD1('z9hG4bKbye3d1'));
    await until(() => up.some((m) => m.callId === 'call-3' && m.method === 'BYE'));
    expect(up.filter((m) => m.callId === 'call-3' && m.method === 'BYE').map((m) => m.branch)).toEqual(['z9hG4bKbye3d1']);
  });

  it('one device: the UA\'s CANCEL goes after the device\'s first provisional (RFC 3261 §9.1), and responses pass through', async () => {
    const [sole] = devices.get('sole')!;
    socket.send(invite(`sip:sole@${f.domain}`, 'z9hG4bKsole', 'call-4'));
    socket.send(invite(`sip:sole@${f.domain}`, 'z9hG4bKsole', 'call-4', 'CANCEL'));
    await until(() => received(sole!, 'INVITE').length === 1);
    expect(received(sole!, 'CANCEL')).toEqual([]);
    respond(sole!, received(sole!, 'INVITE')[0]!, 180, 'Ringing', 's');
    await until(() => received(sole!, 'CANCEL').length === 1);
    expect(sole!.got.map((g) => g.m.method)).toEqual(['INVITE', 'CANCEL']);
    respond(sole!, received(sole!, 'CANCEL')[0]!, 200, 'OK', 's');
    respond(sole!, received(sole!, 'INVITE')[0]!, 487, 'Request Terminated', 's');
    await until(() => upStatuses('call-4').length === 3);
    expect(upStatuses('call-4').sort()).toEqual(['180 INVITE', '200 CANCEL', '487 INVITE']);
    socket.send(invite(`sip:sole@${f.domain}`, 'z9hG4bKsole', 'call-4', 'ACK'));
    await until(() => received(sole!, 'ACK').length === 1);
  });

  it('a response goes back on the channel its request came in on', async () => {
    const [sole] = devices.get('sole')!;
    const ch = sole!.got[0]!.ch;
    const gruu = buildGruu(`sip:alice@${f.domain}`, alice.nodeId);
    ch.send(asSole(invite(gruu, 'z9hG4bKfromsole', 'call-5', 'OPTIONS')));
    await until(() => up.some((m) => m.callId === 'call-5' && m.kind === 'request'));
    const req = up.find((m) => m.callId === 'call-5')!;
    const answer = ['SIP/2.0 200 OK', `Via: ${req.headers.find(([k]) => k === 'via')![1]}`, `From: <sip:sole@${f.domain}>;tag=stag`, `To: <${gruu}>;tag=x`, 'Call-ID: call-5', 'CSeq: 7 OPTIONS', 'Content-Length: 0', '', ''].join('\r\n');
    expect(socket.send(answer)).toBe(true);
    await until(() => sole!.got.some((g) => g.m.kind === 'response' && g.m.callId === 'call-5'));
    expect(socket.send(answer.replace('z9hG4bKfromsole', 'z9hG4bKunknown'))).toBe(false);
  });

  it('a request From an AoR other than the channel\'s certificate user is refused with 403 and never reaches the UA', async () => {
    const [sole] = devices.get('sole')!;
    const ch = sole!.got[0]!.ch;
    const gruu = buildGruu(`sip:alice@${f.domain}`, alice.nodeId);
    // sole's certificate says sole@…, the INVITE claims to be from dave.
    ch.send(invite(gruu, 'z9hG4bKspoof', 'call-spoof').replace(`From: <sip:alice@${f.domain}>`, `From: <sip:dave@${f.domain}>`));
    await until(() => sole!.got.some((g) => g.m.kind === 'response' && g.m.callId === 'call-spoof'));
    expect(sole!.got.find((g) => g.m.callId === 'call-spoof')!.m.status).toBe(403);
    expect(up.some((m) => m.callId === 'call-spoof')).toBe(false);
  });

  it('an AoR nobody registered: a local 480 with a Warning saying why, well within 2 s; its ACK goes nowhere', async () => {
    const t0 = performance.now();
    socket.send(invite(`sip:ghost@${f.domain}`, 'z9hG4bKghost', 'call-6'));
    await until(() => upStatuses('call-6').length === 1, 2000);
    expect(performance.now() - t0).toBeLessThan(2000);
    const r = up.find((m) => m.callId === 'call-6')!;
    expect(r.status).toBe(480);
    expect(r.toTag).toBeTruthy();
    expect(r.headers.find(([k]) => k === 'warning')![1]).toMatch(/ghost@chordphone\.test is not registered/);
    expect(socket.send(invite(`sip:ghost@${f.domain}`, 'z9hG4bKghost', 'call-6', 'ACK'))).toBe(true);
  });

  it('an AoR of another domain gets 404, a broken GRUU 404', async () => {
    socket.send(invite('sip:bob@elsewhere.example', 'z9hG4bKdom', 'call-7'));
    socket.send(invite(`sip:bob@${f.domain};gr=AAAA`, 'z9hG4bKgr', 'call-8'));
    await until(() => upStatuses('call-7').length === 1 && upStatuses('call-8').length === 1);
    expect(upStatuses('call-7')).toEqual(['404 INVITE']);
    expect(upStatuses('call-8')).toEqual(['404 INVITE']);
  });

  it('a 6xx from one device CANCELs the branches still ringing, and goes up once they are final (RFC 3261 §16.7 step 5)', async () => {
    const [d1, d2] = devices.get('dave')!;
    socket.send(invite(`sip:dave@${f.domain}`, 'z9hG4bKdecline', 'call-decline'));
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
    socket.send(invite(`sip:erin@${f.domain}`, 'z9hG4bKgone', 'call-gone'));
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
    const s = new OverlaySocket({ apps: alice.apps, overlay: alice.peer, clock, random: webCryptoRandom }, { domain: f.domain });
    const got: SipMessage[] = [];
    s.ondata = (text) => got.push(parseSipMessage(text)!);
    s.connect();
    const ringer = await device('ringer', true);
    s.send(invite(`sip:ringer@${f.domain}`, 'z9hG4bKlongring', 'call-long'));
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
    const [d1, d2] = devices.get('dave')!;
    socket.send(invite(`sip:dave@${f.domain}`, 'z9hG4bKmsgfork', 'msg-fork', 'MESSAGE'));
    await until(() => receivedOf(d1!, 'MESSAGE', 'msg-fork').length === 1 && receivedOf(d2!, 'MESSAGE', 'msg-fork').length === 1);
    const got = socket.stats().received;
    respond(d1!, receivedOf(d1!, 'MESSAGE', 'msg-fork')[0]!, 480, 'Temporarily Unavailable', 'x1');
    await until(() => socket.stats().received === got + 1);
    expect(upStatuses('msg-fork')).toEqual([]);
    respond(d2!, receivedOf(d2!, 'MESSAGE', 'msg-fork')[0]!, 200, 'OK', 'x2');
    await until(() => upStatuses('msg-fork').length === 1);
    expect(upStatuses('msg-fork')).toEqual(['200 MESSAGE']);
    expect([...receivedOf(d1!, 'ACK', 'msg-fork'), ...receivedOf(d1!, 'CANCEL', 'msg-fork'), ...receivedOf(d2!, 'CANCEL', 'msg-fork')]).toEqual([]);
  });

});

describe('OverlaySocket.prepare (the lookup started while the address is typed or at the click, issue 6 call setup)', () => {
  /** A socket of alice whose Fetches are counted. */
  function countingSocket(routeTimeoutMs: number, preparedRouteMs?: number) {
    const fetches: string[] = [];
    const overlay = { nodeId: alice.peer.nodeId, fetch: ((...a: Parameters<typeof alice.peer.fetch>) => (fetches.push(String(a[0])), alice.peer.fetch(...a))) as typeof alice.peer.fetch };
    const s = new OverlaySocket({ apps: alice.apps, overlay, clock: systemClock, random: webCryptoRandom }, { domain: f.domain, routeTimeoutMs, ...(preparedRouteMs ? { preparedRouteMs } : {}) });
    const got: SipMessage[] = [];
    s.ondata = (text) => got.push(parseSipMessage(text)!);
    s.connect();
    return { s, fetches, got };
  }

  it('the next request to the prepared AoR uses its lookup (one Fetch), once; the one after looks up again', async () => {
    const { s, fetches } = countingSocket(5000);
    const [d1, d2] = devices.get('dave')!;
    const before = [received(d1!, 'INVITE').length, received(d2!, 'INVITE').length];
    s.prepare(`sip:dave@${f.domain}`);
    s.prepare(`sip:Dave@${f.domain}`); // the same target: still one lookup
    expect(fetches).toHaveLength(1);
    s.send(invite(`sip:dave@${f.domain}`, 'z9hG4bKprep1', 'call-p1'));
    await until(() => received(d1!, 'INVITE').length === before[0]! + 1 && received(d2!, 'INVITE').length === before[1]! + 1);
    expect(fetches).toHaveLength(1);
    s.send(invite(`sip:dave@${f.domain}`, 'z9hG4bKprep2', 'call-p2'));
    await until(() => received(d1!, 'INVITE').length === before[0]! + 2 && received(d2!, 'INVITE').length === before[1]! + 2);
    expect(fetches).toHaveLength(2);
    s.close();
  });

  it('a prepared AoR nobody registered still gets the local 480 with its Warning', async () => {
    const { s, got } = countingSocket(5000);
    s.prepare(`sip:ghost@${f.domain}`);
    s.send(invite(`sip:ghost@${f.domain}`, 'z9hG4bKprepghost', 'call-p3'));
    await until(() => got.some((m) => m.callId === 'call-p3'), 2000);
    const r = got.find((m) => m.callId === 'call-p3')!;
    expect(r.status).toBe(480);
    expect(r.headers.find(([k]) => k === 'warning')![1]).toMatch(/ghost@chordphone\.test is not registered/);
    s.close();
  });

  it('a preparation nobody used is dropped after preparedRouteMs: a later request looks up afresh', async () => {
    // The fresh lookup after the expiry must fit in the routing timeout: 5 s keeps it from timing
    // out on a loaded machine.
    const preparedRouteMs = 300;
    const { s, fetches } = countingSocket(5000, preparedRouteMs);
    const [sole] = devices.get('sole')!;
    const n = received(sole!, 'INVITE').length;
    s.prepare(`sip:sole@${f.domain}`);
    await sleep(preparedRouteMs + 150);
    s.send(invite(`sip:sole@${f.domain}`, 'z9hG4bKprepsole', 'call-p4'));
    await until(() => received(sole!, 'INVITE').length === n + 1);
    expect(fetches).toHaveLength(2);
    s.close();
  });

  it('a prepared route is kept for a pause longer than the routing timeout (typing, then the click)', async () => {
    const { s, fetches } = countingSocket(300, 10_000);
    const [sole] = devices.get('sole')!;
    const n = received(sole!, 'INVITE').length;
    s.prepare(`sip:sole@${f.domain}`);
    await sleep(600);
    s.send(invite(`sip:sole@${f.domain}`, 'z9hG4bKpreppause', 'call-p5'));
    await until(() => received(sole!, 'INVITE').length === n + 1);
    expect(fetches).toHaveLength(1);
    s.close();
  });

  it('a prepared route whose device has gone is looked up again before the request gives up', async () => {
    const { s, fetches, got } = countingSocket(5000);
    const old = await device('mover', true);
    s.prepare(`sip:mover@${f.domain}`);
    // The preparation warms the SIP channel once its lookup is done.
    await until(() => alice.apps.existing(old.peer.nodeId, ApplicationId.SIP) !== undefined);
    expect(fetches).toHaveLength(1);
    // mover opens another device, and the old one stops taking SIP (its channels close).
    const moved = await device('mover', true);
    old.peer.apps.close();
    await until(() => alice.apps.existing(old.peer.nodeId, ApplicationId.SIP) === undefined);
    s.send(invite(`sip:mover@${f.domain}`, 'z9hG4bKprepmoved', 'call-p6'));
    await until(() => received(moved, 'INVITE').length === 1 || got.some((m) => m.callId === 'call-p6'));
    expect(got.filter((m) => m.callId === 'call-p6')).toEqual([]);
    expect(received(moved, 'INVITE').map((m) => m.callId)).toEqual(['call-p6']);
    expect(fetches).toHaveLength(2);
    s.close();
  });
});

describe('OverlaySocket when a message of the route is lost', () => {
  it('a lookup whose first Fetch is lost waits for the retransmission (RFC 6940 §6.2.1, 3 s) and reaches the device, not a 408 (DEFAULT_ROUTE_TIMEOUT_MS)', async () => {
    const [d] = devices.get('sole')!;
    // For 500 ms nothing alice's peer sends arrives (its links stay up: a moment of loss).
    const until500 = Date.now() + 500;
    const lossy = (_frame: Uint8Array, from: string) => from === alice.address && Date.now() < until500;
    for (const n of alice.peer.neighbours()) f.network.setModel(alice.address, n.link.remoteAddress, { drop: lossy });
    const before = received(d!, 'INVITE').length;
    socket.send(invite(`sip:sole@${f.domain}`, 'z9hG4bKlost1', 'call-lost'));
    await until(() => received(d!, 'INVITE').length > before || upStatuses('call-lost').length > 0, DEFAULT_ROUTE_TIMEOUT_MS + 2_000);
    expect(upStatuses('call-lost')).toEqual([]);
    expect(received(d!, 'INVITE').map((m) => m.callId)).toContain('call-lost');
    for (const n of alice.peer.neighbours()) f.network.setModel(alice.address, n.link.remoteAddress, { drop: undefined });
  }, DEFAULT_ROUTE_TIMEOUT_MS + 10_000);
});

// Last in the file: the crashed peer's Node-ID stays in the others' tables until failure detection
// routes around it (RFC 6940 §10.7.1), which would slow the lookups of any test after this one.
describe('OverlaySocket after a crash', () => {
  it('a registered device that cannot be reached answers 480 (stale registration after a crash)', async () => {
    const zed = await device('zed');
    f.network.crash(zed.peer.address);
    f.network.crash(zed.peer.address.replace(/:\d+$/, ':5060'));
    zed.peer.peer.close();
    socket.send(invite(`sip:zed@${f.domain}`, 'z9hG4bKzed', 'call-9'));
    await until(() => upStatuses('call-9').length === 1, DEFAULT_ROUTE_TIMEOUT_MS + 5000);
    expect(['480 INVITE', '408 INVITE']).toContain(upStatuses('call-9')[0]);
  }, DEFAULT_ROUTE_TIMEOUT_MS + 15_000);
});
