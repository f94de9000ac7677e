import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../platform/system-clock.js';
import { webCryptoRandom } from '../platform/web-crypto.js';
import { ApplicationId } from '../reload/wire/methods/app-attach.js';
import { buildSipOverlay, type SipOverlay, type SipOverlayPeer } from '../usages/sip/testing/sip-overlay-fixture.js';
import { until } from '../reload/overlay/testing/app-overlay-fixture.js';
import { AddressError } from './address.js';
import { Phone, type PhoneDeps } from './phone.js';
import { PhoneError } from './phone-error.js';

let f: SipOverlay;
const phones: Phone[] = [];

function phoneOf(p: SipOverlayPeer): Phone {
  const phone = new Phone({ overlay: p.peer, apps: p.apps, clock: systemClock, random: webCryptoRandom }, { user: `${p.name}@${f.domain}`, domain: f.domain });
  phones.push(phone);
  return phone;
}


async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

beforeAll(async () => {
  f = await buildSipOverlay({ peers: 14, users: ['alice', 'bob', 'erin', 'dave'] });
}, 60_000);
afterAll(async () => {
  for (const p of phones) await p.stop().catch(() => {});
  f?.close();
});

describe('Phone over OverlaySocket (JsSIP, RFC 7904 registrations, AppAttach channels)', () => {
  it('alice and bob exchange SIP MESSAGEs by AoR; one AppAttach, the channel reused both ways', async () => {
    const alice = phoneOf(f.user('alice'));
    const bob = phoneOf(f.user('bob'));
    await Promise.all([alice.start(), bob.start()]);
    expect(alice.snapshot().state).toBe('ready');

    await alice.sendMessage('bob', 'hello bob');
    await until(() => bob.snapshot().messages.length === 1);
    expect(bob.snapshot().messages[0]).toMatchObject({ direction: 'incoming', aor: `sip:alice@${f.domain}`, text: 'hello bob' });

    await alice.sendMessage(`sip:bob@${f.domain}`, 'second');
    await bob.sendMessage(`alice@${f.domain}`, 'hi alice');
    await until(() => alice.snapshot().messages.some((m) => m.direction === 'incoming'));
    expect(alice.snapshot().messages.find((m) => m.direction === 'incoming')).toMatchObject({ aor: `sip:bob@${f.domain}`, text: 'hi alice' });

    // One AppAttach (alice → bob) for all three: alice reused her channel, bob used the inbound one.
    const a = f.user('alice').apps.stats();
    const b = f.user('bob').apps.stats();
    expect(a.appAttachesSent).toBe(1);
    expect(b.appAttachesSent).toBe(0);
    expect(b.appAttachesAnswered).toBe(1);
    expect(a.reused).toBeGreaterThanOrEqual(1);
    expect(b.reused).toBeGreaterThanOrEqual(1);
    expect(f.user('alice').apps.channels()).toHaveLength(1);
    expect(f.user('bob').apps.channels()).toHaveLength(1);
  });

  it('a MESSAGE to an AoR nobody registered fails with "is not online": the socket\'s own 480 from the lookup, not a timeout', async () => {
    const alice = phones[0]!;
    const synthesized = alice.socket.stats().synthesized;
    const e = await rejection(alice.sendMessage('nobody', 'hello?'));
    expect(e).toBeInstanceOf(PhoneError);
    // A timeout (the socket's route timeout, JsSIP's Timer F) would be a 408, 'unreachable'.
    expect((e as PhoneError).code).toBe('not-online');
    expect((e as PhoneError).message).toBe('nobody is not online.');
    expect((e as PhoneError).status).toBe(480);
    expect(alice.socket.stats().synthesized).toBe(synthesized + 1);
  });

  it('a malformed address is refused before anything is sent', async () => {
    const e = await rejection(phones[0]!.sendMessage('bob smith', 'x'));
    expect(e).toBeInstanceOf(AddressError);
  });

  it('a MESSAGE to an AoR on two devices is forked to both', async () => {
    const d1 = phoneOf(f.user('dave'));
    const d2 = phoneOf(await f.addUser('dave'));
    await Promise.all([d1.start(), d2.start()]);
    const erin = phoneOf(f.user('erin'));
    await erin.start();
    await erin.sendMessage('dave', 'to every dave');
    await until(() => d1.snapshot().messages.length === 1 && d2.snapshot().messages.length === 1);
    expect(erin.socket.stats().forked).toBe(1);
    expect(d1.snapshot().messages[0]!.text).toBe('to every dave');
    expect(d2.snapshot().messages[0]!.text).toBe('to every dave');
  });

  it('an address prepared (typed) before its user came online is looked up again when used', async () => {
    const g = await f.addUser('gina');
    let settled = 0;
    const overlay: PhoneDeps['overlay'] = {
      nodeId: g.peer.nodeId,
      store: (...a) => g.peer.store(...a),
      fetch: (...a) => g.peer.fetch(...a).finally(() => settled++),
    };
    const gina = new Phone({ overlay, apps: g.apps, clock: systemClock, random: webCryptoRandom }, { user: `gina@${f.domain}`, domain: f.domain });
    phones.push(gina);
    await gina.start();
    gina.prepare('frank');
    await until(() => settled === 1);
    const frank = phoneOf(await f.addUser('frank'));
    await frank.start();
    await gina.sendMessage('frank', 'you are online now');
    await until(() => frank.snapshot().messages.length === 1);
    expect(frank.snapshot().messages[0]).toMatchObject({ aor: `sip:gina@${f.domain}`, text: 'you are online now' });
    expect(gina.socket.stats().synthesized).toBe(0);
  });

  it('stop() during start() (the registration Store in flight) leaves the phone stopped and not online', async () => {
    const jo = phoneOf(await f.addUser('jo'));
    const starting = jo.start();
    await jo.stop();
    await starting;
    expect(jo.snapshot().state).toBe('stopped');
    const e = await rejection(phones[0]!.sendMessage('jo', 'are you there?'));
    expect((e as PhoneError).code).toBe('not-online');
  });

  it('stop() removes the registration: bob is then not online', async () => {
    const [alice, bob] = phones;
    await bob!.stop();
    const e = await rejection(alice!.sendMessage('bob', 'still there?'));
    expect((e as PhoneError).code).toBe('not-online');
  });
});

describe('caller ID cannot be forged over a verified channel (RFC 7904 §3.3, RFC 6940 §6.3.4)', () => {
  /** A MESSAGE from mallory's own peer to ivy, with the given From/To rows. */
  const message = (callId: string, rows: readonly string[], body: string) =>
    [`MESSAGE sip:ivy@${f.domain} SIP/2.0`, `Via: SIP/2.0/RELOAD mallory.invalid;branch=z9hG4bK${callId}`, 'Max-Forwards: 69', ...rows, `Call-ID: ${callId}`, 'CSeq: 1 MESSAGE', 'Content-Type: text/plain', `Content-Length: ${body.length}`, '', body].join('\r\n');
  const d = () => f.domain;
  let ivy: Phone;
  let ivyPeer: SipOverlayPeer;
  let mallory: SipOverlayPeer;

  beforeAll(async () => {
    ivyPeer = await f.addUser('ivy');
    ivy = phoneOf(ivyPeer);
    mallory = await f.addUser('mallory');
    await ivy.start();
  }, 30_000);

  it.each([
    ['a display name holding mallory\'s URI', () => [`From: "<sip:mallory@${d()}>" <sip:carol@${d()}>;tag=m`, `To: <sip:ivy@${d()}>`]],
    ['two From rows, mallory\'s first', () => [`From: <sip:mallory@${d()}>;tag=m`, `From: <sip:carol@${d()}>;tag=m`, `To: <sip:ivy@${d()}>`]],
    ['two To rows, the first with a tag', () => [`From: <sip:carol@${d()}>;tag=m`, `To: <sip:ivy@${d()}>;tag=fake`, `To: <sip:ivy@${d()}>`]],
    ['a To tag on a MESSAGE (RFC 3261 §12.2.2: handled as outside a dialog)', () => [`From: <sip:carol@${d()}>;tag=m`, `To: <sip:ivy@${d()}>;tag=fake`]],
  ])('a MESSAGE From carol with %s is not shown as from carol', async (what, rows) => {
    const ch = await mallory.apps.channel(ivyPeer.nodeId, ApplicationId.SIP);
    const tag = what.replace(/\W/g, '').slice(0, 12);
    ch.send(message(`forged${tag}`, rows(), 'transfer the money'));
    // Then an honest one on the same channel: once it is shown, the forged one has been handled.
    ch.send(message(`honest${tag}`, [`From: <sip:mallory@${d()}>;tag=m`, `To: <sip:ivy@${d()}>`], tag));
    await until(() => ivy.snapshot().messages.some((m) => m.text === tag));
    expect(ivy.snapshot().messages.filter((m) => m.aor !== `sip:mallory@${d()}`)).toEqual([]);
  });
});
