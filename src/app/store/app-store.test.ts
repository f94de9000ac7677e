import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { StorageClosedError, StorageTooNewError } from '../../reload/storage/index.js';
import { watchNextConnection } from '../../reload/testing/idb-terminate.js';
import { APP_STORE_VERSION } from './app-store-schema.js';
import { AppStoreError, appStoreName, openAppStore, type AppStore } from './app-store.js';

let n = 0;
const fresh = (limits?: Parameters<typeof openAppStore>[1]) => openAppStore(appStoreName('test.example', `user-${n++}`), limits);
const BOB = 'sip:bob@test.example';
const CAROL = 'sip:carol@test.example';

async function withStore<T>(f: (s: AppStore) => Promise<T>, options?: Parameters<typeof openAppStore>[1]): Promise<T> {
  const s = await fresh(options);
  try {
    return await f(s);
  } finally {
    s.close();
  }
}

describe('openAppStore', () => {
  it('names one database per overlay and user', () => {
    expect(appStoreName('a.example', 'alice')).not.toBe(appStoreName('a.example', 'bob'));
    expect(appStoreName('a.example', 'alice')).not.toBe(appStoreName('b.example', 'alice'));
  });

  it('creates the versioned schema and keeps data across reopening', async () => {
    const name = appStoreName('test.example', 'reopen');
    const a = await openAppStore(name);
    await a.contacts.put({ aor: BOB, displayName: 'Bob', addedAt: 1 });
    a.close();
    const raw = await openDB(name);
    expect(raw.version).toBe(APP_STORE_VERSION);
    expect([...raw.objectStoreNames].sort()).toEqual(['contacts', 'history', 'marks', 'messages']);
    raw.close();
    const b = await openAppStore(name);
    expect(await b.contacts.list()).toEqual([{ aor: BOB, displayName: 'Bob', addedAt: 1 }]);
    b.close();
  });

  // A newer chordphone in this browser (a tab of a newer build, then an older one served again).
  it('a database a newer release wrote is refused at open with StorageTooNewError, not IndexedDB’s VersionError, and left as it was', async () => {
    const name = appStoreName('test.example', 'newer');
    const newer = await openDB(name, APP_STORE_VERSION + 1, { upgrade: (db) => db.createObjectStore('contacts-of-tomorrow') });
    newer.close();
    const failure = await openAppStore(name).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StorageTooNewError);
    expect(failure).toMatchObject({ version: APP_STORE_VERSION + 1, known: APP_STORE_VERSION, message: `the database ${name} was written by a newer chordphone (schema ${APP_STORE_VERSION + 1}, this build knows up to ${APP_STORE_VERSION}): upgrade` });
    const after = await openDB(name);
    expect([after.version, [...after.objectStoreNames]]).toEqual([APP_STORE_VERSION + 1, ['contacts-of-tomorrow']]);
    after.close();
  });

  // Another tab opens it at a newer schema: this one lets the connection go (`blocking`).
  it('a store closed under its user rejects its operations with StorageClosedError, not IndexedDB’s InvalidStateError; bad input keeps its own error', async () => {
    const name = appStoreName('test.example', 'closed-under');
    const store = await openAppStore(name);
    const newer = await openDB(name, APP_STORE_VERSION + 1);
    for (const operation of [() => store.contacts.list(), () => store.history.add({ direction: 'in', aor: BOB, start: 1, durationMs: 0, outcome: 'answered' }), () => store.chat.threads()]) {
      const failure = await operation().catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(StorageClosedError);
      expect((failure as Error).cause).toMatchObject({ name: 'InvalidStateError' });
    }
    for (const badInput of [() => store.contacts.get('not an aor'), () => store.chat.thread('not an aor'), () => store.chat.markRead('not an aor'), () => store.chat.removeThread('not an aor')]) {
      await expect(badInput()).rejects.toThrow(AppStoreError);
    }
    store.close();
    newer.close();
  });

  // The browser closes the connection itself (its storage cleared): what is under way is aborted.
  it('a write under way when the browser closes the connection rejects with StorageClosedError, IndexedDB’s AbortError its cause', async () => {
    const connection = watchNextConnection();
    const store = await fresh();
    const adding = store.chat.append({ aor: BOB, direction: 'in', text: 'hi', at: 1, status: 'received' }).catch((e: unknown) => e);
    connection.terminate();
    const failure = await adding;
    expect(failure).toBeInstanceOf(StorageClosedError);
    expect((failure as Error).cause).toMatchObject({ name: 'AbortError' });
    store.close();
  });

  // Each read is its own transaction, whose `done` idb rejects too when the browser aborts it: an
  // unhandled rejection (a console error; vitest fails the run on one) unless the store handles it.
  it.each([
    ['contacts.get', (s: AppStore) => s.contacts.get(BOB)],
    ['contacts.list', (s: AppStore) => s.contacts.list()],
    ['history.unseenMissed', (s: AppStore) => s.history.unseenMissed()],
    ['chat.thread', (s: AppStore) => s.chat.thread(BOB)],
  ])('a read (%s) under way when the browser closes the connection rejects with StorageClosedError and leaves no unhandled rejection', async (_, read) => {
    const connection = watchNextConnection();
    const store = await fresh();
    const reading = read(store).catch((e: unknown) => e);
    connection.terminate();
    expect(await reading).toBeInstanceOf(StorageClosedError);
    store.close();
  });
});

describe('contacts', () => {
  it('puts, replaces, lists by display name and removes', () =>
    withStore(async (s) => {
      await s.contacts.put({ aor: CAROL, displayName: 'Carol', addedAt: 2 });
      await s.contacts.put({ aor: BOB, displayName: 'bob', addedAt: 1 });
      await s.contacts.put({ aor: BOB, displayName: ' Bobby ', addedAt: 1 });
      expect((await s.contacts.list()).map((c) => [c.aor, c.displayName])).toEqual([
        [BOB, 'Bobby'],
        [CAROL, 'Carol'],
      ]);
      expect(await s.contacts.get(CAROL)).toEqual({ aor: CAROL, displayName: 'Carol', addedAt: 2 });
      await s.contacts.remove(BOB);
      expect((await s.contacts.list()).map((c) => c.aor)).toEqual([CAROL]);
    }));

  it.each([
    ['empty AoR', { aor: '', displayName: 'x', addedAt: 1 }, 'bad-aor'],
    ['AoR with spaces', { aor: 'sip:a b@x', displayName: 'x', addedAt: 1 }, 'bad-aor'],
    ['negative time', { aor: BOB, displayName: 'x', addedAt: -1 }, 'bad-time'],
    ['NaN time', { aor: BOB, displayName: 'x', addedAt: Number.NaN }, 'bad-time'],
  ])('rejects %s with AppStoreError', (_name, contact, code) =>
    withStore(async (s) => {
      const e = await s.contacts.put(contact).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(AppStoreError);
      expect((e as AppStoreError).code).toBe(code);
      expect(await s.contacts.list()).toEqual([]);
    }));
});

describe('history', () => {
  it('lists newest first by start time, with a limit', () =>
    withStore(async (s) => {
      await s.history.add({ direction: 'out', aor: BOB, start: 200, durationMs: 5000, outcome: 'answered' });
      await s.history.add({ direction: 'missed', aor: CAROL, start: 300, durationMs: 0, outcome: 'missed' });
      await s.history.add({ direction: 'in', aor: BOB, start: 100, durationMs: 1000, outcome: 'answered' });
      expect((await s.history.list()).map((r) => r.start)).toEqual([300, 200, 100]);
      const [first] = await s.history.list(1);
      expect(first).toMatchObject({ direction: 'missed', aor: CAROL, outcome: 'missed', durationMs: 0 });
      expect(typeof first?.id).toBe('number');
    }));

  it('keeps only the newest rows past the bound', () =>
    withStore(
      async (s) => {
        for (let i = 0; i < 8; i++) await s.history.add({ direction: 'out', aor: BOB, start: 1000 + i, durationMs: 0, outcome: 'busy' });
        expect((await s.history.list()).map((r) => r.start)).toEqual([1007, 1006, 1005, 1004, 1003]);
      },
      { limits: { historyRows: 5 } },
    ));

  it('rejects an unknown direction or outcome', () =>
    withStore(async (s) => {
      await expect(s.history.add({ direction: 'sideways' as never, aor: BOB, start: 1, durationMs: 0, outcome: 'missed' })).rejects.toMatchObject({ name: 'AppStoreError', code: 'bad-value' });
      await expect(s.history.add({ direction: 'in', aor: BOB, start: 1, durationMs: 0, outcome: 'exploded' as never })).rejects.toBeInstanceOf(AppStoreError);
      expect(await s.history.list()).toEqual([]);
    }));
});

describe('chat', () => {
  it('keeps threads apart, in order, and records delivery', () =>
    withStore(async (s) => {
      const a = await s.chat.append({ aor: BOB, direction: 'out', text: 'hi bob', at: 10, status: 'sending' });
      await s.chat.append({ aor: CAROL, direction: 'in', text: 'hi alice', at: 11, status: 'received' });
      await s.chat.append({ aor: BOB, direction: 'in', text: 'hello', at: 10, status: 'received' });
      await s.chat.setStatus(a, 'delivered');
      expect((await s.chat.thread(BOB)).map((m) => [m.text, m.status])).toEqual([
        ['hi bob', 'delivered'],
        ['hello', 'received'],
      ]);
      expect((await s.chat.thread(CAROL)).map((m) => m.text)).toEqual(['hi alice']);
      const threads = await s.chat.threads();
      expect(threads.map((t) => [t.aor, t.count, t.last.text])).toEqual([
        [CAROL, 1, 'hi alice'],
        [BOB, 2, 'hello'],
      ]);
      await s.chat.removeThread(BOB);
      expect(await s.chat.thread(BOB)).toEqual([]);
      expect((await s.chat.thread(CAROL)).length).toBe(1);
    }));

  it('bounds each thread to the newest messages without touching others', () =>
    withStore(
      async (s) => {
        await s.chat.append({ aor: CAROL, direction: 'in', text: 'keep me', at: 1, status: 'received' });
        for (let i = 0; i < 6; i++) await s.chat.append({ aor: BOB, direction: 'out', text: `m${i}`, at: 100 + i, status: 'delivered' });
        expect((await s.chat.thread(BOB)).map((m) => m.text)).toEqual(['m2', 'm3', 'm4', 'm5']);
        expect((await s.chat.thread(CAROL)).map((m) => m.text)).toEqual(['keep me']);
      },
      { limits: { messagesPerThread: 4 } },
    ));

  it('rejects oversized text and unknown message ids', () =>
    withStore(
      async (s) => {
        const e = await s.chat.append({ aor: BOB, direction: 'out', text: 'x'.repeat(11), at: 1, status: 'sending' }).catch((x: unknown) => x);
        expect((e as AppStoreError).code).toBe('bad-text');
        const missing = await s.chat.setStatus(4242, 'failed').catch((x: unknown) => x);
        expect((missing as AppStoreError).code).toBe('not-found');
        expect(await s.chat.thread(BOB)).toEqual([]);
      },
      { limits: { messageChars: 10 } },
    ));
});

describe('schema version 2', () => {
  it('migrates a version-1 database without losing its rows', async () => {
    const name = appStoreName('test.example', 'v1-user');
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore('contacts', { keyPath: 'aor' });
        db.createObjectStore('history', { keyPath: 'id', autoIncrement: true }).createIndex('start', 'start');
        db.createObjectStore('messages', { keyPath: 'id', autoIncrement: true }).createIndex('aor', 'aor');
      },
    });
    await v1.put('contacts', { aor: BOB, displayName: 'Bob', addedAt: 1 });
    await v1.add('history', { direction: 'in', aor: BOB, start: 5, durationMs: 0, outcome: 'missed' });
    v1.close();
    const s = await openAppStore(name);
    expect((await s.contacts.list()).map((c) => c.aor)).toEqual([BOB]);
    expect(await s.history.unseenMissed()).toBe(1);
    await s.history.add({ direction: 'in', aor: BOB, start: 6, durationMs: 0, outcome: 'missed', callId: 'c1' });
    expect((await s.history.list()).map((r) => r.start)).toEqual([6, 5]);
    s.close();
  });
});

describe('one row per call', () => {
  it('keeps the record that got furthest when two tabs record the same call', () =>
    withStore(async (s) => {
      const a = await s.history.add({ direction: 'in', aor: BOB, start: 100, durationMs: 0, outcome: 'missed', callId: 'call-1' });
      const b = await s.history.add({ direction: 'in', aor: BOB, start: 101, durationMs: 7000, outcome: 'answered', callId: 'call-1' });
      const c = await s.history.add({ direction: 'in', aor: BOB, start: 102, durationMs: 0, outcome: 'missed', callId: 'call-1' });
      expect(new Set([a, b, c]).size).toBe(1);
      expect(await s.history.list()).toEqual([{ id: a, direction: 'in', aor: BOB, start: 100, durationMs: 7000, outcome: 'answered', callId: 'call-1' }]);
      await s.history.add({ direction: 'in', aor: BOB, start: 200, durationMs: 0, outcome: 'missed', callId: 'call-2' });
      expect(await s.history.list()).toHaveLength(2);
    }));
});

describe('one row per message', () => {
  it('a message with a known messageId (forked to two tabs) is kept once', () =>
    withStore(async (s) => {
      const a = await s.chat.append({ aor: BOB, direction: 'in', text: 'hi', at: 1, status: 'received', messageId: 'm-1' });
      const b = await s.chat.append({ aor: BOB, direction: 'in', text: 'hi', at: 2, status: 'received', messageId: 'm-1' });
      await s.chat.append({ aor: BOB, direction: 'in', text: 'hi', at: 3, status: 'received', messageId: 'm-2' });
      await s.chat.append({ aor: BOB, direction: 'in', text: 'hi', at: 4, status: 'received' });
      expect(b).toBe(a);
      expect((await s.chat.thread(BOB)).map((m) => m.at)).toEqual([1, 3, 4]);
    }));
});

describe('seen and read marks', () => {
  it('counts missed calls until the history is seen, then only newer ones', () =>
    withStore(async (s) => {
      await s.history.add({ direction: 'in', aor: BOB, start: 10, durationMs: 0, outcome: 'missed' });
      await s.history.add({ direction: 'in', aor: BOB, start: 20, durationMs: 3000, outcome: 'answered' });
      await s.history.add({ direction: 'in', aor: CAROL, start: 30, durationMs: 0, outcome: 'missed' });
      expect(await s.history.unseenMissed()).toBe(2);
      await s.history.markSeen();
      expect(await s.history.unseenMissed()).toBe(0);
      await s.history.add({ direction: 'in', aor: CAROL, start: 40, durationMs: 0, outcome: 'missed' });
      await s.history.add({ direction: 'out', aor: CAROL, start: 50, durationMs: 0, outcome: 'busy' });
      expect(await s.history.unseenMissed()).toBe(1);
    }));

  it('a missed call recorded after the history was seen counts, though it began ringing before the newest row seen', () =>
    withStore(async (s) => {
      // Bob's call rings from 300; meanwhile a call placed at 305 fails at once and the history is
      // looked at (an older missed call made the badge show); bob's ends unanswered after that.
      await s.history.add({ direction: 'in', aor: CAROL, start: 100, durationMs: 0, outcome: 'missed' });
      await s.history.add({ direction: 'out', aor: CAROL, start: 305, durationMs: 0, outcome: 'unavailable' });
      await s.history.markSeen();
      expect(await s.history.unseenMissed()).toBe(0);
      await s.history.add({ direction: 'in', aor: BOB, start: 300, durationMs: 0, outcome: 'missed' });
      expect(await s.history.unseenMissed()).toBe(1);
    }));

  it('reads an older release\'s seen mark (the newest start seen) until the history is seen again', () =>
    withStore(async (s) => {
      await s.history.add({ direction: 'in', aor: BOB, start: 10, durationMs: 0, outcome: 'missed' });
      await s.history.add({ direction: 'in', aor: CAROL, start: 30, durationMs: 0, outcome: 'missed' });
      const raw = await openDB(s.name);
      await raw.put('marks', { key: 'history:seen', value: 10 });
      raw.close();
      expect(await s.history.unseenMissed()).toBe(1);
      await s.history.markSeen();
      expect(await s.history.unseenMissed()).toBe(0);
    }));

  it('counts received messages after the thread was last read', () =>
    withStore(async (s) => {
      await s.chat.append({ aor: BOB, direction: 'in', text: 'one', at: 1, status: 'received' });
      await s.chat.append({ aor: BOB, direction: 'in', text: 'two', at: 2, status: 'received' });
      await s.chat.append({ aor: BOB, direction: 'out', text: 'mine', at: 3, status: 'delivered' });
      await s.chat.append({ aor: CAROL, direction: 'in', text: 'hey', at: 4, status: 'received' });
      const unread = async () => Object.fromEntries((await s.chat.threads()).map((t) => [t.aor, t.unread]));
      expect(await unread()).toEqual({ [BOB]: 2, [CAROL]: 1 });
      await s.chat.markRead(BOB);
      expect(await unread()).toEqual({ [BOB]: 0, [CAROL]: 1 });
      await s.chat.append({ aor: BOB, direction: 'in', text: 'three', at: 5, status: 'received' });
      expect(await unread()).toEqual({ [BOB]: 1, [CAROL]: 1 });
    }));
});
