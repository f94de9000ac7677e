/**
 * Where OverlaySocket's requests go over a real overlay (RFC 7904 §4-5: the AoR lookup, AppAttach,
 * the lookup started ahead by `prepare`), and what the socket answers itself when they cannot get
 * there (RFC 3261 §8.2.6: 480, 404, 408). Devices are scripted (scripted-devices.ts); forking and
 * its responses: overlay-socket.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../platform/system-clock.js';
import { webCryptoRandom } from '../platform/web-crypto.js';
import type { Clock } from '../reload/runtime/components.js';
import { ManualClock } from '../reload/testing/manual-clock.js';
import { until } from '../reload/overlay/testing/app-overlay-fixture.js';
import { ApplicationId } from '../reload/wire/methods/app-attach.js';
import { DEFAULT_ROUTE_TIMEOUT_MS, OverlaySocket } from './overlay-socket.js';
import type { SipMessage } from './sip-message.js';
import { received, scriptedDevices } from './testing/scripted-devices.js';
import { parsed } from './testing/sip-messages.js';

const net = scriptedDevices({ peers: 12, users: ['alice', 'dave', 'sole', 'zed'] }, async (s) => {
  await s.device('dave');
  await s.device('dave', true);
  await s.device('sole');
});
const { device, devices, invite, upStatuses } = net;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Another socket of alice (on `clock`), whose Fetches are counted; what it passes up is in `got`. */
function countingSocket(routeTimeoutMs: number, preparedRouteMs?: number, clock: Clock = systemClock) {
  const fetches: string[] = [];
  const overlay = { nodeId: net.alice.peer.nodeId, fetch: ((...a: Parameters<typeof net.alice.peer.fetch>) => (fetches.push(String(a[0])), net.alice.peer.fetch(...a))) as typeof net.alice.peer.fetch };
  const s = new OverlaySocket({ apps: net.alice.apps, overlay, clock, random: webCryptoRandom }, { domain: net.f.domain, routeTimeoutMs, ...(preparedRouteMs ? { preparedRouteMs } : {}) });
  const got: SipMessage[] = [];
  s.ondata = (text) => got.push(parsed(text));
  s.connect();
  return { s, fetches, got };
}

describe('OverlaySocket when a request cannot be routed (RFC 3261 §8.2.6)', () => {
  it('an AoR nobody registered: a local 480 with a Warning saying why, from the lookup\'s answer and not a timer (no time passes on the socket\'s clock); its ACK goes nowhere', async () => {
    // The socket's clock stands still: an answer that waited for a timer of the socket (the route
    // timeout's 408, or a 480 held back until it) would never come.
    const clock = new ManualClock();
    const { s, got, fetches } = countingSocket(DEFAULT_ROUTE_TIMEOUT_MS, undefined, clock);
    s.send(invite(`sip:ghost@${net.f.domain}`, 'z9hG4bKghost', 'call-6'));
    await until(() => s.stats().synthesized === 1);
    clock.advance(0); // answerLocally passes its answer up on the clock's next turn
    expect(got.map((m) => `${m.status} ${m.method}`)).toEqual(['480 INVITE']);
    const r = got[0]!;
    expect(r.toTag).toBeTruthy();
    expect(r.headers.find(([k]) => k === 'warning')![1]).toMatch(/ghost@chordphone\.test is not registered/);
    expect(fetches).toHaveLength(1);
    expect(s.send(invite(`sip:ghost@${net.f.domain}`, 'z9hG4bKghost', 'call-6', 'ACK'))).toBe(true);
    clock.advance(0);
    expect(got).toHaveLength(1);
    s.close();
  });

  it('an AoR of another domain gets 404, a broken GRUU 404', async () => {
    net.socket.send(invite('sip:bob@elsewhere.example', 'z9hG4bKdom', 'call-7'));
    net.socket.send(invite(`sip:bob@${net.f.domain};gr=AAAA`, 'z9hG4bKgr', 'call-8'));
    await until(() => upStatuses('call-7').length === 1 && upStatuses('call-8').length === 1);
    expect(upStatuses('call-7')).toEqual(['404 INVITE']);
    expect(upStatuses('call-8')).toEqual(['404 INVITE']);
  });
});

describe('OverlaySocket.prepare (the lookup started while the address is typed or at the click, issue 6 call setup)', () => {
  it('the next request to the prepared AoR uses its lookup (one Fetch), once; the one after looks up again', async () => {
    const { s, fetches } = countingSocket(5000);
    const [d1, d2] = devices('dave');
    const before = [received(d1!, 'INVITE').length, received(d2!, 'INVITE').length];
    s.prepare(`sip:dave@${net.f.domain}`);
    s.prepare(`sip:Dave@${net.f.domain}`); // the same target: still one lookup
    expect(fetches).toHaveLength(1);
    s.send(invite(`sip:dave@${net.f.domain}`, 'z9hG4bKprep1', 'call-p1'));
    await until(() => received(d1!, 'INVITE').length === before[0]! + 1 && received(d2!, 'INVITE').length === before[1]! + 1);
    expect(fetches).toHaveLength(1);
    s.send(invite(`sip:dave@${net.f.domain}`, 'z9hG4bKprep2', 'call-p2'));
    await until(() => received(d1!, 'INVITE').length === before[0]! + 2 && received(d2!, 'INVITE').length === before[1]! + 2);
    expect(fetches).toHaveLength(2);
    s.close();
  });

  it('a prepared AoR nobody registered still gets the local 480 with its Warning', async () => {
    const { s, got } = countingSocket(5000);
    s.prepare(`sip:ghost@${net.f.domain}`);
    s.send(invite(`sip:ghost@${net.f.domain}`, 'z9hG4bKprepghost', 'call-p3'));
    await until(() => got.some((m) => m.callId === 'call-p3'));
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
    const [sole] = devices('sole');
    const n = received(sole!, 'INVITE').length;
    s.prepare(`sip:sole@${net.f.domain}`);
    await sleep(preparedRouteMs + 150);
    s.send(invite(`sip:sole@${net.f.domain}`, 'z9hG4bKprepsole', 'call-p4'));
    await until(() => received(sole!, 'INVITE').length === n + 1);
    expect(fetches).toHaveLength(2);
    s.close();
  });

  it('a prepared route is kept for a pause longer than the routing timeout (typing, then the click)', async () => {
    // The pause on the socket's clock: in real time the route would have to be done within 300 ms.
    const clock = new ManualClock();
    const { s, fetches } = countingSocket(300, 10_000, clock);
    const [sole] = devices('sole');
    const n = received(sole!, 'INVITE').length;
    s.prepare(`sip:sole@${net.f.domain}`);
    clock.advance(600);
    s.send(invite(`sip:sole@${net.f.domain}`, 'z9hG4bKpreppause', 'call-p5'));
    await until(() => received(sole!, 'INVITE').length === n + 1);
    expect(fetches).toHaveLength(1);
    s.close();
  });

  it('a prepared route whose device has gone is looked up again before the request gives up', async () => {
    const { s, fetches, got } = countingSocket(5000);
    const old = await device('mover', true);
    s.prepare(`sip:mover@${net.f.domain}`);
    // The preparation warms the SIP channel once its lookup is done.
    await until(() => net.alice.apps.existing(old.peer.nodeId, ApplicationId.SIP) !== undefined);
    expect(fetches).toHaveLength(1);
    // mover opens another device, and the old one stops taking SIP (its channels close).
    const moved = await device('mover', true);
    old.peer.apps.close();
    await until(() => net.alice.apps.existing(old.peer.nodeId, ApplicationId.SIP) === undefined);
    s.send(invite(`sip:mover@${net.f.domain}`, 'z9hG4bKprepmoved', 'call-p6'));
    await until(() => received(moved, 'INVITE').length === 1 || got.some((m) => m.callId === 'call-p6'));
    expect(got.filter((m) => m.callId === 'call-p6')).toEqual([]);
    expect(received(moved, 'INVITE').map((m) => m.callId)).toEqual(['call-p6']);
    expect(fetches).toHaveLength(2);
    s.close();
  });
});

describe('OverlaySocket when a message of the route is lost', () => {
  it('a lookup whose first Fetch is lost waits for the retransmission (RFC 6940 §6.2.1, 3 s) and reaches the device, not a 408 (DEFAULT_ROUTE_TIMEOUT_MS)', async () => {
    const [d] = devices('sole');
    // For 500 ms nothing alice's peer sends arrives (its links stay up: a moment of loss).
    const until500 = Date.now() + 500;
    const lossy = (_frame: Uint8Array, from: string) => from === net.alice.address && Date.now() < until500;
    for (const n of net.alice.peer.neighbours()) net.f.network.setModel(net.alice.address, n.link.remoteAddress, { drop: lossy });
    const before = received(d!, 'INVITE').length;
    net.socket.send(invite(`sip:sole@${net.f.domain}`, 'z9hG4bKlost1', 'call-lost'));
    await until(() => received(d!, 'INVITE').length > before || upStatuses('call-lost').length > 0, DEFAULT_ROUTE_TIMEOUT_MS + 2_000);
    expect(upStatuses('call-lost')).toEqual([]);
    expect(received(d!, 'INVITE').map((m) => m.callId)).toContain('call-lost');
    for (const n of net.alice.peer.neighbours()) net.f.network.setModel(net.alice.address, n.link.remoteAddress, { drop: undefined });
  }, DEFAULT_ROUTE_TIMEOUT_MS + 10_000);
});

// Last in the file: the crashed peer's Node-ID stays in the others' tables until failure detection
// routes around it (RFC 6940 §10.7.1), which would slow the lookups of any test after this one.
describe('OverlaySocket after a crash', () => {
  it('a registered device that cannot be reached answers 480 (stale registration after a crash)', async () => {
    const zed = await device('zed');
    net.f.network.crash(zed.peer.address);
    net.f.network.crash(zed.peer.address.replace(/:\d+$/, ':5060'));
    zed.peer.peer.close();
    net.socket.send(invite(`sip:zed@${net.f.domain}`, 'z9hG4bKzed', 'call-9'));
    await until(() => upStatuses('call-9').length === 1, DEFAULT_ROUTE_TIMEOUT_MS + 5000);
    expect(['480 INVITE', '408 INVITE']).toContain(upStatuses('call-9')[0]);
  }, DEFAULT_ROUTE_TIMEOUT_MS + 15_000);
});
