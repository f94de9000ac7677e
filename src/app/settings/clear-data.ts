/**
 * "Clear identity and data" (issue 7 Settings): deletes everything the app keeps in this browser,
 * so the next load is a first run:
 *
 * - IndexedDB `chordphone-identity` (reload/security/idb-key-store.ts): the key and certificate of
 *   every user name used here;
 * - IndexedDB `chordphone-storage/<overlay>/<Node-ID>` (reload/storage/idb-backend.ts): the
 *   overlay records this browser's peers stored for others and for themselves;
 * - IndexedDB `chordphone-app/<overlay>/<user>` (app/store/app-store.ts): contacts, call history, chat;
 * - localStorage keys `chordphone.*` (settings, the overlay mode, the last user name).
 *
 * Databases are found with `indexedDB.databases()` by their `chordphone-` prefix; where the
 * browser cannot list them, the identity database (the one whose name is fixed) is still deleted.
 */
import { systemClock } from '../../platform/system-clock.js';
import type { Clock } from '../../reload/runtime/components.js';
import { IDENTITY_DATABASE } from '../../reload/security/idb-key-store.js';

/** IndexedDB databases of the app: every name begins with this. */
export const APP_DATABASE_PREFIX = 'chordphone-';
/** localStorage keys of the app begin with one of these. */
const APP_STORAGE_PREFIXES = ['chordphone.', 'chordphone-'] as const;
/** How long one database may stay blocked (a connection of another tab that does not close). */
export const DELETE_TIMEOUT_MS = 5_000;

export function isAppDatabase(name: string): boolean {
  return name.startsWith(APP_DATABASE_PREFIX);
}

export function isAppStorageKey(key: string): boolean {
  return APP_STORAGE_PREFIXES.some((p) => key.startsWith(p));
}

export interface ClearOutcome {
  /** Databases deleted. */
  readonly deleted: readonly string[];
  /** Databases not deleted within the timeout (another tab holds them open), with the reason. */
  readonly failed: readonly { readonly name: string; readonly reason: string }[];
  /** localStorage keys removed. */
  readonly removedKeys: readonly string[];
}

export interface ClearDeps {
  readonly indexedDB: IDBFactory;
  readonly localStorage: Pick<Storage, 'length' | 'key' | 'removeItem'> | undefined;
  /** Times a blocked delete (DELETE_TIMEOUT_MS); default the system clock. */
  readonly clock?: Clock;
}

function deleteDatabase(factory: IDBFactory, name: string, clock: Clock): Promise<string | undefined> {
  return new Promise((resolve) => {
    let request: IDBOpenDBRequest;
    try {
      request = factory.deleteDatabase(name);
    } catch (e) {
      resolve(e instanceof Error ? e.message : String(e));
      return;
    }
    const timer = clock.setTimer(DELETE_TIMEOUT_MS, () => resolve('another tab of Chordphone keeps it open: close the other tabs and try again'));
    request.onsuccess = () => {
      timer.cancel();
      resolve(undefined);
    };
    request.onerror = () => {
      timer.cancel();
      resolve(request.error?.message ?? 'the browser refused');
    };
  });
}

/** Deletes the app's databases and localStorage keys (see the file comment). */
export async function clearAppData(deps: ClearDeps): Promise<ClearOutcome> {
  let names: string[];
  try {
    const listed = await deps.indexedDB.databases();
    names = listed.map((d) => d.name ?? '').filter(isAppDatabase);
  } catch {
    names = [];
  }
  if (!names.includes(IDENTITY_DATABASE)) names.push(IDENTITY_DATABASE);
  const deleted: string[] = [];
  const failed: { name: string; reason: string }[] = [];
  const clock = deps.clock ?? systemClock;
  await Promise.all(
    names.map(async (name) => {
      const reason = await deleteDatabase(deps.indexedDB, name, clock);
      if (reason === undefined) deleted.push(name);
      else failed.push({ name, reason });
    }),
  );
  const removedKeys: string[] = [];
  const storage = deps.localStorage;
  if (storage) {
    try {
      const keys: string[] = [];
      for (let i = 0; i < storage.length; i++) {
        const k = storage.key(i);
        if (k !== null && isAppStorageKey(k)) keys.push(k);
      }
      for (const k of keys) {
        storage.removeItem(k);
        removedKeys.push(k);
      }
    } catch {
      // Storage refused (sandboxed): nothing of ours can be there either.
    }
  }
  return { deleted: deleted.sort(), failed, removedKeys: removedKeys.sort() };
}
