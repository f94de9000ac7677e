/**
 * The app's own IndexedDB schema (issue 7): contacts, call history and chat threads, one database
 * per overlay and user (never shared with the RELOAD data store, `chordphone-storage/...`).
 *
 * Versions (the upgrade function below walks them in order, so an old database is migrated step
 * by step rather than dropped):
 *   1: `contacts` (key `aor`), `history` (auto key `id`, index `start`), `messages` (auto key `id`,
 *      index `aor`: a thread reads in insertion order, IndexedDB sorts equal index keys by primary key).
 *   2: `marks` (key `key`: what the user has seen, `chat:<aor>` → the last message id read,
 *      `history:seen-id` → the last history row seen, by id; an older release's `history:seen` →
 *      the newest call start seen, read until the next mark), index `callId` on `history` and index
 *      `messageId` on `messages` (one row per call or message, even when two tabs of the user
 *      record it: the overlay forks to every device of an AoR).
 */
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';

export const APP_STORE_VERSION = 2;

/** A saved contact. `aor` is the canonical AoR (`sip:bob@chordphone.local`, as parseCallAddress gives it). */
export interface Contact {
  readonly aor: string;
  readonly displayName: string;
  /** ms since 1970. */
  readonly addedAt: number;
}

export type CallDirection = 'in' | 'out' | 'missed';
/** How a call ended, in the words the history shows. */
export type CallOutcome = 'answered' | 'missed' | 'rejected' | 'busy' | 'unavailable' | 'no-answer' | 'cancelled' | 'failed';

export interface CallRecord {
  /** Assigned by the store. */
  readonly id: number;
  readonly direction: CallDirection;
  /** The other party's AoR. */
  readonly aor: string;
  /** ms since 1970. */
  readonly start: number;
  /** Talk time, ms (0 when never connected). */
  readonly durationMs: number;
  readonly outcome: CallOutcome;
  /** The SIP call's id (JsSIP session id: Call-ID + From tag), when known: two tabs of one user record one row. */
  readonly callId?: string;
}

export type ChatDirection = 'in' | 'out';
/** `sending` until the SIP MESSAGE's final response (RFC 3428 §7: a 2xx means delivered). */
export type ChatStatus = 'received' | 'sending' | 'delivered' | 'failed';

export interface ChatRecord {
  readonly id: number;
  /**
   * The other party's AoR: the thread. NOTE: records written before threads were keyed by the
   * whole AoR (98e645c) have `sip:<user>@<our overlay>` for a party of any domain; they are left
   * as they are: nothing in a record (text, time, Call-ID) tells which domain its party was in, so
   * no migration can refile them, and in an overlay accepting only its own domain (RFC 7904 §3.4,
   * what `chordphone serve` publishes) the old key is the right one.
   */
  readonly aor: string;
  readonly direction: ChatDirection;
  readonly text: string;
  readonly at: number;
  readonly status: ChatStatus;
  /** The SIP MESSAGE's Call-ID, when known (received messages): kept once. */
  readonly messageId?: string;
}

export interface AppSchema extends DBSchema {
  contacts: { key: string; value: Contact };
  history: { key: number; value: Omit<CallRecord, 'id'> & { id?: number }; indexes: { start: number; callId: string } };
  messages: { key: number; value: Omit<ChatRecord, 'id'> & { id?: number }; indexes: { aor: string; messageId: string } };
  marks: { key: string; value: Mark };
}

/** A number the app remembers per user (what was read or seen last). */
export interface Mark {
  readonly key: string;
  readonly value: number;
}

export type AppDatabase = IDBPDatabase<AppSchema>;

/** Migrates from `oldVersion` (0 for a new database) to APP_STORE_VERSION. */
export function upgradeAppSchema(
  db: IDBPDatabase<AppSchema>,
  oldVersion: number,
  tx: IDBPTransaction<AppSchema, StoreNames<AppSchema>[], 'versionchange'>,
): void {
  if (oldVersion < 1) {
    db.createObjectStore('contacts', { keyPath: 'aor' });
    const history = db.createObjectStore('history', { keyPath: 'id', autoIncrement: true });
    history.createIndex('start', 'start');
    const messages = db.createObjectStore('messages', { keyPath: 'id', autoIncrement: true });
    messages.createIndex('aor', 'aor');
  }
  if (oldVersion < 2) {
    db.createObjectStore('marks', { keyPath: 'key' });
    tx.objectStore('history').createIndex('callId', 'callId');
    tx.objectStore('messages').createIndex('messageId', 'messageId');
  }
  // Version 3 and later: add `if (oldVersion < 3) { ... }` here; never edit the steps above.
}
