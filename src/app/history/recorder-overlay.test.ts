/**
 * The recorder on real Phones over a real overlay (JsSIP, OverlaySocket, RFC 7904 registrations):
 * SIP MESSAGEs land in the right threads; Bob open on two devices ("tabs" sharing one IndexedDB,
 * fake-indexeddb is global) gets the forked MESSAGE on both and keeps it once; a message to
 * someone offline is kept as failed with the words the chat shows.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Phone } from '../../phone/index.js';
import { systemClock } from '../../platform/system-clock.js';
import { webCryptoRandom } from '../../platform/web-crypto.js';
import { until } from '../../reload/overlay/testing/app-overlay-fixture.js';
import { buildSipOverlay, type SipOverlay, type SipOverlayPeer } from '../../usages/sip/testing/sip-overlay-fixture.js';
import { sendChat } from '../chat/send-chat.js';
import { createAppStoreHub, type AppStore } from '../store/index.js';
import { FakeSession } from './fake-session.js';
import { startRecorder } from './recorder.js';

let f: SipOverlay;
const stops: (() => unknown)[] = [];

/** A "tab": a real Phone of `p`, a session around it, its hub and recorder. */
async function tab(p: SipOverlayPeer) {
  const phone = new Phone({ overlay: p.peer, apps: p.apps, clock: systemClock, random: webCryptoRandom }, { user: `${p.name}@${f.domain}`, domain: f.domain });
  await phone.start();
  const session = new FakeSession();
  const hub = createAppStoreHub(session);
  stops.push(startRecorder(session, { hub }), () => hub.close(), () => phone.stop());
  session.set({ phase: 'ready', userName: `${p.name}@${f.domain}`, domain: f.domain, phone });
  const store = (): Promise<AppStore> => hub.storeFor(f.domain, `${p.name}@${f.domain}`);
  return { phone, session, hub, store };
}

/** Polls an async check until it holds (5 s at most). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (const t0 = Date.now(); !(await check()); ) {
    if (Date.now() - t0 > 5000) throw new Error(`timed out waiting for ${check.toString()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function texts(store: AppStore, aor: string): Promise<string[][]> {
  return (await store.chat.thread(aor)).map((m) => [m.direction, m.text, m.status]);
}

beforeAll(async () => {
  f = await buildSipOverlay({ peers: 8, users: ['alice', 'bob'] });
}, 60_000);
afterAll(async () => {
  for (const s of stops.reverse()) await s();
  f?.close();
});

describe('recorder over a real overlay', () => {
  it('keeps both sides of a chat, a forked message once, and a failed one as failed', async () => {
    const alice = await tab(f.user('alice'));
    const bob1 = await tab(f.user('bob'));
    const bob2 = await tab(await f.addUser('bob'));
    const aliceAor = `sip:alice@${f.domain}`;
    const bobAor = `sip:bob@${f.domain}`;

    await sendChat(alice.session, alice.hub, 'bob', 'hello both of you');
    await until(() => bob1.phone.snapshot().messages.length === 1 && bob2.phone.snapshot().messages.length === 1);
    await sendChat(bob1.session, bob1.hub, 'alice', 'hi alice');
    await eventually(async () => (await (await alice.store()).chat.thread(bobAor)).length === 2);
    await eventually(async () => (await (await bob2.store()).chat.thread(aliceAor)).length === 2);

    expect(await texts(await alice.store(), bobAor)).toEqual([
      ['out', 'hello both of you', 'delivered'],
      ['in', 'hi alice', 'received'],
    ]);
    // bob1 and bob2 share one database: the forked MESSAGE is there once.
    expect(await texts(await bob2.store(), aliceAor)).toEqual([
      ['in', 'hello both of you', 'received'],
      ['out', 'hi alice', 'delivered'],
    ]);

    const e = await sendChat(alice.session, alice.hub, 'nobody', 'anyone?').catch((x: unknown) => x);
    expect((e as Error).message).toBe('nobody is not online.');
    expect(await texts(await alice.store(), `sip:nobody@${f.domain}`)).toEqual([['out', 'anyone?', 'failed']]);
  }, 60_000);
});
