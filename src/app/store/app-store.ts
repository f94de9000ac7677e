/**
 * The app's data in IndexedDB through `idb` (issue 7): contacts, call history and chat threads per
 * contact, bounded so a long-lived install never grows without limit.
 *
 * ```ts
 * const store = await openAppStore(appStoreName('chordphone.local', 'alice'));
 * await store.contacts.put({ aor: 'sip:bob@chordphone.local', displayName: 'Bob', addedAt: Date.now() });
 * await store.history.add({ direction: 'missed', aor: 'sip:bob@chordphone.local', start, durationMs: 0, outcome: 'missed' });
 * const id = await store.chat.append({ aor: 'sip:bob@chordphone.local', direction: 'out', text: 'hi', at, status: 'sending' });
 * await store.chat.setStatus(id, 'delivered');
 * const thread = await store.chat.thread('sip:bob@chordphone.local');   // oldest first
 * ```
 */
import { doneHandled, failsAsClosed, readInTransaction } from '../../reload/runtime/idb-closing.js';
import { openVersionedDatabase } from '../../reload/runtime/idb-open.js';
import { StorageClosedError } from '../../reload/runtime/storage-closed-error.js';
import {
  APP_STORE_VERSION,
  upgradeAppSchema,
  type AppDatabase,
  type AppSchema,
  type CallDirection,
  type CallOutcome,
  type CallRecord,
  type ChatDirection,
  type ChatRecord,
  type ChatStatus,
  type Contact,
} from './app-store-schema.js';

export type { CallDirection, CallOutcome, CallRecord, ChatDirection, ChatRecord, ChatStatus, Contact } from './app-store-schema.js';

export type AppStoreErrorCode = 'bad-aor' | 'bad-text' | 'bad-time' | 'bad-value' | 'not-found' | 'exists';

/** Bad input to the store (style.md §5: a typed error, never a crash deep in IndexedDB). */
export class AppStoreError extends Error {
  override readonly name = 'AppStoreError';
  constructor(
    readonly code: AppStoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface AppStoreLimits {
  /** History rows kept (the newest by start time); default 500. */
  readonly historyRows: number;
  /** Messages kept per thread (the newest); default 1,000. */
  readonly messagesPerThread: number;
  /** Characters in one message at most; default 10,000. */
  readonly messageChars: number;
}

export const DEFAULT_APP_STORE_LIMITS: AppStoreLimits = { historyRows: 500, messagesPerThread: 1000, messageChars: 10_000 };

export interface ContactsApi {
  /** Adds or replaces the contact with this AoR. */
  put(contact: Contact): Promise<void>;
  /** Adds a contact; one with this AoR kept already rejects with AppStoreError `exists`, and stays as it was. */
  add(contact: Contact): Promise<void>;
  get(aor: string): Promise<Contact | undefined>;
  /** Sorted by display name, then AoR. */
  list(): Promise<Contact[]>;
  remove(aor: string): Promise<void>;
}

export interface HistoryApi {
  /**
   * Adds a call; with a `callId` already kept (another tab of this user recorded the same forked
   * call), keeps one row: the one that got furthest (answered, then declined, then the rest).
   */
  add(call: Omit<CallRecord, 'id'>): Promise<number>;
  /** Newest first, at most `limit` (default all kept). */
  list(limit?: number): Promise<CallRecord[]>;
  clear(): Promise<void>;
  /** Missed calls that started after the last `markSeen` (the shell's badge). */
  unseenMissed(): Promise<number>;
  /** Everything in the history now has been seen. */
  markSeen(): Promise<void>;
}

export interface ThreadSummary {
  readonly aor: string;
  readonly last: ChatRecord;
  readonly count: number;
  /** Received messages after the last `markRead` of this thread. */
  readonly unread: number;
}

export interface ChatApi {
  /** Appends a message; one with a `messageId` already kept (another tab recorded it) is not added again. */
  append(message: Omit<ChatRecord, 'id'>): Promise<number>;
  /** A sent message's fate (RFC 3428 §7: delivered on a 2xx, failed otherwise). */
  setStatus(id: number, status: ChatStatus): Promise<void>;
  /** The thread with `aor`, oldest first. */
  thread(aor: string): Promise<ChatRecord[]>;
  /** One row per thread, the most recent first. */
  threads(): Promise<ThreadSummary[]>;
  removeThread(aor: string): Promise<void>;
  /** Every message of the thread now has been read. */
  markRead(aor: string): Promise<void>;
}

export interface AppStore {
  readonly name: string;
  /** What this store keeps at most (a writer of text from elsewhere cuts it to fit, recorder.ts). */
  readonly limits: AppStoreLimits;
  readonly contacts: ContactsApi;
  readonly history: HistoryApi;
  readonly chat: ChatApi;
  close(): void;
}

/** One database per overlay and user (issue 7). */
export function appStoreName(overlay: string, user: string): string {
  return `chordphone-app/${overlay}/${user}`;
}

/** Characters in an AoR at most (a longer one from elsewhere is kept cut, with its digest, recorder.ts). */
export const MAX_AOR = 512;
/** Characters in a `callId` / `messageId` at most (a longer one is kept by its digest, recorder.ts). */
export const MAX_RECORD_ID = 512;

function checkAor(aor: unknown): string {
  if (typeof aor !== 'string' || aor.length === 0 || aor.length > MAX_AOR || /\s/.test(aor)) {
    throw new AppStoreError('bad-aor', `not an address of record: ${JSON.stringify(String(aor).slice(0, 60))}`);
  }
  return aor;
}

function checkContact(contact: Contact): Contact {
  const aor = checkAor(contact.aor);
  if (typeof contact.displayName !== 'string' || contact.displayName.length > 200) throw new AppStoreError('bad-text', 'a display name is text of at most 200 characters');
  return { aor, displayName: contact.displayName.trim(), addedAt: checkTime(contact.addedAt, 'addedAt') };
}

function checkTime(t: unknown, what: string): number {
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) throw new AppStoreError('bad-time', `${what} must be a time in ms, got ${String(t)}`);
  return t;
}

const CALL_DIRECTIONS: readonly CallDirection[] = ['in', 'out', 'missed'];
const CALL_OUTCOMES: readonly CallOutcome[] = ['answered', 'missed', 'rejected', 'busy', 'unavailable', 'no-answer', 'cancelled', 'failed'];
/** Which of two records of one call to keep: the one that got furthest. */
const OUTCOME_RANK: Partial<Record<CallOutcome, number>> = { answered: 2, rejected: 1 };
const rankOf = (o: CallOutcome) => OUTCOME_RANK[o] ?? 0;
/**
 * The last history row seen, by its id: rows are numbered as they are recorded, and a call is
 * recorded when it ends, so a missed call that began ringing before a row already seen still counts.
 */
const HISTORY_SEEN_ID = 'history:seen-id';
/** What an older release marked: the newest call start seen (read until the next markSeen). */
const HISTORY_SEEN_START = 'history:seen';
const chatReadMark = (aor: string) => `chat:${aor}`;
const CHAT_DIRECTIONS: readonly ChatDirection[] = ['in', 'out'];
const CHAT_STATUSES: readonly ChatStatus[] = ['received', 'sending', 'delivered', 'failed'];

function checkOneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (!allowed.includes(value as T)) throw new AppStoreError('bad-value', `${what} must be one of ${allowed.join(', ')}`);
  return value as T;
}

export interface OpenAppStoreOptions {
  readonly limits?: Partial<AppStoreLimits>;
}

/**
 * Opens (creating or upgrading) the database `name`. Uses the global `indexedDB`. One a newer
 * release wrote is refused with StorageTooNewError and left as it was (runtime/idb-open.ts).
 */
export async function openAppStore(name: string, options: OpenAppStoreOptions = {}): Promise<AppStore> {
  const limits = { ...DEFAULT_APP_STORE_LIMITS, ...options.limits };
  const db: AppDatabase = await openVersionedDatabase<AppSchema>(name, APP_STORE_VERSION, {
    upgrade: (database, oldVersion, _newVersion, tx) => upgradeAppSchema(database, oldVersion, tx),
    // Another tab needs a newer schema: close so its upgrade can run (this tab's later calls then
    // reject with StorageClosedError, `closedAware`; a reload picks up the new version).
    blocking: () => db.close(),
  });

  const closedAware = <A extends Api<A>>(api: A): A => eachMethodThrough(api, (operation) => failsAsClosed(db, operation, (cause) => new StorageClosedError(`the app's store ${name} is closed`, { cause })));

  const contacts: ContactsApi = {
    async put(contact) {
      await db.put('contacts', checkContact(contact));
    },
    async add(contact) {
      const row = checkContact(contact);
      // One transaction: another tab adding the same AoR meanwhile cannot be overwritten.
      const tx = doneHandled(db.transaction('contacts', 'readwrite'));
      const kept = await tx.store.get(row.aor);
      if (kept) {
        tx.abort();
        await tx.done.catch(() => {});
        throw new AppStoreError('exists', `${row.aor} is already a contact (${kept.displayName})`);
      }
      await tx.store.add(row);
      await tx.done;
    },
    get: (aor) => {
      const key = checkAor(aor);
      return readInTransaction(db, 'contacts', (s) => s.get(key));
    },
    async list() {
      const all = await readInTransaction(db, 'contacts', (s) => s.getAll());
      return all.sort((a, b) => a.displayName.localeCompare(b.displayName) || (a.aor < b.aor ? -1 : a.aor > b.aor ? 1 : 0));
    },
    remove: (aor) => db.delete('contacts', checkAor(aor)),
  };

  const history: HistoryApi = {
    async add(call) {
      const row = {
        direction: checkOneOf(call.direction, CALL_DIRECTIONS, 'direction'),
        aor: checkAor(call.aor),
        start: checkTime(call.start, 'start'),
        durationMs: checkTime(call.durationMs, 'durationMs'),
        outcome: checkOneOf(call.outcome, CALL_OUTCOMES, 'outcome'),
        ...(call.callId === undefined ? {} : { callId: checkCallId(call.callId) }),
      };
      const tx = doneHandled(db.transaction('history', 'readwrite'));
      const same = row.callId === undefined ? null : await tx.store.index('callId').openCursor(row.callId);
      if (same) {
        const kept = same.value;
        if (rankOf(row.outcome) > rankOf(kept.outcome)) await same.update({ ...row, id: kept.id!, start: Math.min(kept.start, row.start) });
        await tx.done;
        return kept.id!;
      }
      const id = await tx.store.add(row);
      // Keep the newest `historyRows` by start time: delete from the oldest end.
      const excess = (await tx.store.count()) - limits.historyRows;
      if (excess > 0) await deleteFirst(await tx.store.index('start').openCursor(), excess);
      await tx.done;
      return id;
    },
    list: (limit = Number.POSITIVE_INFINITY) =>
      readInTransaction(db, 'history', async (s) => {
        const out: CallRecord[] = [];
        let cursor = await s.index('start').openCursor(null, 'prev');
        while (cursor && out.length < limit) {
          out.push(cursor.value as CallRecord);
          cursor = await cursor.continue();
        }
        return out;
      }),
    clear: () => db.clear('history'),
    async unseenMissed() {
      // One transaction: the mark and the history it counts from read as of one moment.
      const tx = doneHandled(db.transaction(['marks', 'history']));
      const marks = tx.objectStore('marks');
      const rows = tx.objectStore('history');
      const seenId = (await marks.get(HISTORY_SEEN_ID))?.value;
      if (seenId !== undefined) return countMissed(await rows.openCursor(IDBKeyRange.lowerBound(seenId, true)));
      const seenStart = (await marks.get(HISTORY_SEEN_START))?.value ?? -1;
      return countMissed(await rows.index('start').openCursor(IDBKeyRange.lowerBound(seenStart, true)));
    },
    async markSeen() {
      const tx = doneHandled(db.transaction(['marks', 'history'], 'readwrite'));
      const last = await tx.objectStore('history').openKeyCursor(null, 'prev');
      if (last) await tx.objectStore('marks').put({ key: HISTORY_SEEN_ID, value: last.primaryKey });
      await tx.done;
    },
  };

  const chat: ChatApi = {
    async append(message) {
      const aor = checkAor(message.aor);
      if (typeof message.text !== 'string' || message.text.length > limits.messageChars) {
        throw new AppStoreError('bad-text', `a message is text of at most ${limits.messageChars} characters`);
      }
      const row = {
        aor,
        direction: checkOneOf(message.direction, CHAT_DIRECTIONS, 'direction'),
        text: message.text,
        at: checkTime(message.at, 'at'),
        status: checkOneOf(message.status, CHAT_STATUSES, 'status'),
        ...(message.messageId === undefined ? {} : { messageId: checkCallId(message.messageId) }),
      };
      const tx = doneHandled(db.transaction('messages', 'readwrite'));
      const same = row.messageId === undefined ? undefined : await tx.store.index('messageId').getKey(row.messageId);
      if (same !== undefined) {
        await tx.done;
        return same;
      }
      const id = await tx.store.add(row);
      const index = tx.store.index('aor');
      // Equal index keys sort by primary key, so the first entries are this thread's oldest.
      const excess = (await index.count(aor)) - limits.messagesPerThread;
      if (excess > 0) await deleteFirst(await index.openCursor(aor), excess);
      await tx.done;
      return id;
    },
    async setStatus(id, status) {
      checkOneOf(status, CHAT_STATUSES, 'status');
      const tx = doneHandled(db.transaction('messages', 'readwrite'));
      const row = await tx.store.get(id);
      if (!row) {
        tx.abort();
        await tx.done.catch(() => {});
        throw new AppStoreError('not-found', `no message ${id}`);
      }
      await tx.store.put({ ...row, status });
      await tx.done;
    },
    async thread(aor) {
      const key = checkAor(aor);
      return (await readInTransaction(db, 'messages', (s) => s.index('aor').getAll(key))) as ChatRecord[];
    },
    async threads() {
      const tx = doneHandled(db.transaction(['messages', 'marks']));
      const index = tx.objectStore('messages').index('aor');
      const out: ThreadSummary[] = [];
      let keys = await index.openKeyCursor(null, 'nextunique');
      while (keys) {
        const aor = keys.key;
        const last = await index.openCursor(aor, 'prev');
        const read = (await tx.objectStore('marks').get(chatReadMark(aor)))?.value ?? 0;
        if (last) out.push({ aor, last: last.value as ChatRecord, count: await index.count(aor), unread: await unreadIn(last, read) });
        keys = await keys.continue();
      }
      return out.sort((a, b) => b.last.at - a.last.at || b.last.id - a.last.id);
    },
    async removeThread(aor) {
      // The AoR first: bad input rejects with its AppStoreError also on a closed store.
      const key = checkAor(aor);
      const tx = doneHandled(db.transaction('messages', 'readwrite'));
      let cursor = await tx.store.index('aor').openCursor(key);
      while (cursor) {
        await cursor.delete();
        cursor = await cursor.continue();
      }
      await tx.done;
    },
    async markRead(aor) {
      const key = checkAor(aor);
      const last = await readInTransaction(db, 'messages', (s) => s.index('aor').openCursor(key, 'prev'));
      if (last) await db.put('marks', { key: chatReadMark(key), value: last.value.id! });
    },
  };

  return { name, limits, contacts: closedAware(contacts), history: closedAware(history), chat: closedAware(chat), close: () => db.close() };
}

/** An API of the store: methods that answer by a promise. */
type Api<A> = { readonly [K in keyof A]: (...args: never[]) => Promise<unknown> };

/**
 * `api` with each method run through `run` (its failures because the connection was closed under
 * it rejecting with StorageClosedError, runtime/idb-closing.ts). Bad input still rejects with its
 * AppStoreError: a thrown error that is not IndexedDB's keeps its own.
 */
function eachMethodThrough<A extends Api<A>>(api: A, run: <T>(operation: () => Promise<T>) => Promise<T>): A {
  const out: Partial<Record<keyof A, unknown>> = {};
  for (const key of Object.keys(api) as (keyof A)[]) {
    const method = api[key];
    out[key] = (...args: Parameters<typeof method>) => run(() => method(...args));
  }
  return out as A;
}

/** The missed calls among the rows a cursor walks over. */
async function countMissed(cursor: OutcomeCursor | null): Promise<number> {
  let n = 0;
  for (let c = cursor; c; c = await c.continue()) if (c.value.outcome === 'missed') n++;
  return n;
}

interface OutcomeCursor {
  readonly value: { readonly outcome: CallOutcome };
  continue(): Promise<OutcomeCursor | null>;
}

/** Received messages with an id above `read`, walking a thread back from its newest message. */
async function unreadIn(newest: ReadCursor, read: number): Promise<number> {
  let n = 0;
  let c: ReadCursor | null = newest;
  while (c && (c.value.id ?? 0) > read) {
    if (c.value.direction === 'in') n++;
    c = await c.continue();
  }
  return n;
}

interface ReadCursor {
  readonly value: { readonly id?: number; readonly direction: ChatDirection };
  continue(): Promise<ReadCursor | null>;
}

function checkCallId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_RECORD_ID) throw new AppStoreError('bad-value', `callId must be a non-empty string of at most ${MAX_RECORD_ID} characters`);
  return id;
}

/** Delete the first `count` entries a read-write cursor walks over (the oldest, for the bounded stores). */
async function deleteFirst(cursor: DeletableCursor | null, count: number): Promise<void> {
  let c = cursor;
  for (let left = count; c && left > 0; left--) {
    await c.delete();
    c = await c.continue();
  }
}

/** What deleteFirst needs of an idb read-write cursor. */
interface DeletableCursor {
  delete(): Promise<void>;
  continue(): Promise<DeletableCursor | null>;
}
