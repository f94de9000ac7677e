import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { FakePhone, FakeSession } from '../history/fake-session.js';
import { createAppStoreHub } from './app-store-hub.js';
import { appStoreName } from './app-store.js';
import { APP_STORE_VERSION } from './app-store-schema.js';

let n = 0;
const until = async (f: () => boolean) => {
  for (let i = 0; i < 100 && !f(); i++) await new Promise((r) => setTimeout(r, 0));
  expect(f()).toBe(true);
};

describe('AppStoreHub', () => {
  it('opens the store of the session\'s user, switches with the user, and keeps each user\'s data apart', async () => {
    const session = new FakeSession();
    const hub = createAppStoreHub(session);
    expect(hub.getSnapshot()).toMatchObject({ user: undefined, store: undefined });
    const alice = `alice-${n++}`;
    session.ready(alice, 'test.example', new FakePhone('sip:alice@test.example'));
    await until(() => hub.getSnapshot().store !== undefined);
    expect(hub.getSnapshot().store!.name).toBe(appStoreName('test.example', `${alice}@test.example`));
    await hub.getSnapshot().store!.contacts.put({ aor: 'sip:bob@test.example', displayName: 'Bob', addedAt: 1 });

    const carol = `carol-${n++}`;
    session.ready(carol, 'test.example', new FakePhone('sip:carol@test.example'));
    expect(hub.getSnapshot()).toMatchObject({ user: `${carol}@test.example`, store: undefined });
    await until(() => hub.getSnapshot().store !== undefined);
    expect(await hub.getSnapshot().store!.contacts.list()).toEqual([]);
    // The previous user's store stays open for late writes, and is the same object when asked again.
    const aliceStore = await hub.storeFor('test.example', `${alice}@test.example`);
    expect(await aliceStore.contacts.list()).toHaveLength(1);
    expect(await hub.storeFor('test.example', `${alice}@test.example`)).toBe(aliceStore);
    hub.close();
  });

  it('bumps the revision after each write through its stores, so views read again', async () => {
    const session = new FakeSession();
    const hub = createAppStoreHub(session);
    session.ready(`dave-${n++}`, 'test.example', new FakePhone('sip:dave@test.example'));
    await until(() => hub.getSnapshot().store !== undefined);
    const store = hub.getSnapshot().store!;
    const r0 = hub.getSnapshot().revision;
    let told = 0;
    hub.subscribe(() => told++);
    await store.history.add({ direction: 'in', aor: 'sip:bob@test.example', start: 1, durationMs: 0, outcome: 'missed' });
    const id = await store.chat.append({ aor: 'sip:bob@test.example', direction: 'out', text: 'x', at: 1, status: 'sending' });
    await store.chat.setStatus(id, 'delivered');
    await store.history.list();
    expect(hub.getSnapshot().revision).toBe(r0 + 3);
    expect(told).toBe(3);
    hub.close();
  });

  it('another tab\'s write to the same user\'s store bumps this tab\'s revision too, so its views (and badges) read again', async () => {
    const user = `frank-${n++}`;
    const [tabA, tabB, other] = [new FakeSession(), new FakeSession(), new FakeSession()];
    const [hubA, hubB, hubOther] = [createAppStoreHub(tabA), createAppStoreHub(tabB), createAppStoreHub(other)];
    tabA.ready(user, 'test.example', new FakePhone('sip:frank@test.example'));
    tabB.ready(user, 'test.example', new FakePhone('sip:frank@test.example'));
    other.ready(`grace-${n++}`, 'test.example', new FakePhone('sip:grace@test.example'));
    await until(() => [hubA, hubB, hubOther].every((h) => h.getSnapshot().store !== undefined));
    const [b0, o0] = [hubB.getSnapshot().revision, hubOther.getSnapshot().revision];
    await hubA.getSnapshot().store!.contacts.put({ aor: 'sip:bob@test.example', displayName: 'Bob', addedAt: 1 });
    await until(() => hubB.getSnapshot().revision > b0);
    expect(await hubB.getSnapshot().store!.contacts.list()).toHaveLength(1);
    expect(hubOther.getSnapshot().revision).toBe(o0);
    for (const h of [hubA, hubB, hubOther]) h.close();
  });

  it('says in words when the store cannot be opened', async () => {
    const session = new FakeSession();
    const hub = createAppStoreHub(session, { open: () => Promise.reject(new Error('IndexedDB is disabled')) });
    session.ready('erin', 'test.example', new FakePhone('sip:erin@test.example'));
    await until(() => hub.getSnapshot().error !== undefined);
    expect(hub.getSnapshot().error).toContain('IndexedDB is disabled');
    hub.close();
  });

  // A tab of a newer chordphone was open in this browser: the user's database is of a version this build does not know.
  it('says what is wrong and what to do when a newer chordphone wrote the store (StorageTooNewError)', async () => {
    const session = new FakeSession();
    const hub = createAppStoreHub(session);
    const user = `fay-${n++}`;
    const name = appStoreName('test.example', `${user}@test.example`);
    (await openDB(name, APP_STORE_VERSION + 1)).close();
    session.ready(user, 'test.example', new FakePhone('sip:fay@test.example'));
    await until(() => hub.getSnapshot().error !== undefined);
    const error = hub.getSnapshot().error!;
    expect(error).toContain(`the database ${name} was written by a newer chordphone (schema ${APP_STORE_VERSION + 1}, this build knows up to ${APP_STORE_VERSION})`);
    expect(error).toMatch(/reload the page/i);
    expect(error).toContain('“Clear identity and data”');
    expect(error).not.toMatch(/VersionError|DOMException/);
    hub.close();
  });

  it('a claimed sent message is taken once; a released claim is gone', () => {
    const hub = createAppStoreHub(new FakeSession());
    hub.claimSent('sip:bob@x', 'hi');
    hub.claimSent('sip:bob@x', 'hi');
    const release = hub.claimSent('sip:bob@x', 'other');
    release();
    release();
    expect(hub.takeSent('sip:bob@x', 'other')).toBe(false);
    expect(hub.takeSent('sip:bob@x', 'hi')).toBe(true);
    expect(hub.takeSent('sip:bob@x', 'hi')).toBe(true);
    expect(hub.takeSent('sip:bob@x', 'hi')).toBe(false);
    hub.close();
  });
});
