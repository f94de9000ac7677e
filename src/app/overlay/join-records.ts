/**
 * The records a join opens (overlay-client.ts joinOverlay): its storage backend, one per overlay
 * and Node-ID, opened once at the join, handed to each peer of it (a restart with a newer
 * configuration keeps it, RFC 6940 §6.5.4) and closed once, after the last of them.
 */
import type { Logger } from '../../reload/runtime/components.js';
import { closeBackendAfterStores, type StorageBackend } from '../../reload/storage/index.js';
import { untilAborted } from './until-aborted.js';

export interface JoinRecords {
  /**
   * The backend, once open and once no operation of another backend object over the same data
   * holds it (below); rejects as the open did, or with `signal`'s reason once it aborts (an IndexedDB
   * open blocked by another tab's connection, or an earlier overlay's operation that never ends,
   * must not keep the overlay's close waiting: the open, when it completes later, is closed by `release`).
   *
   * RFC 6940 §10: a peer that joins takes a range, and answers its Stores and Fetches and takes its
   * replicas (§10.4) from these records. Every operation on them runs under the backend's
   * `exclusively` (the database's Web Lock in a browser, idb-backend.ts), where an operation of an
   * earlier overlay with the same Node-ID (the tab's device slot given back, device-slot.ts, and
   * claimed again) may still be: that overlay's records close only after it
   * (closeBackendAfterStores), and until it ends the new store's KindRule start-up pass, which
   * every Fetch, Stat and Find waits for, and its Stores would wait too. So the join waits until
   * it has held that lock once, and never sits on the ring with a range it cannot serve.
   * OUR CHOICE: no bound on the wait: such an operation is one IndexedDB or SQLite request, which
   * ends unless the storage itself hangs, and one that never ends is held by its page (the Web Lock
   * goes with it: a reload, or the other tab closed); `onWait` is told when the lock is not free
   * (the backend's `exclusively` says so), for the phase to say what the join waits for; closing
   * the overlay ends the wait.
   */
  ready(signal: AbortSignal, onWait?: () => void): Promise<StorageBackend>;
  /**
   * Closes the records, once, after the operation a store over them has under way
   * (closeBackendAfterStores); a failed open is nothing to close. Never rejects (a failed close is logged).
   */
  release(): Promise<void>;
}

export function joinRecords(opening: Promise<StorageBackend>, logger?: Logger): JoinRecords {
  opening.catch(() => undefined);
  let released: Promise<void> | undefined;
  return {
    async ready(signal, onWait) {
      const records = await untilAborted(opening, signal);
      if (!records.exclusively) return records;
      // Held once, for nothing: what matters is that the turn came. Told whether it had to wait
      // from the lock manager's answer (requestTellingWait), never from a timer: a browser answers
      // on a task of its own. A request still waiting when the signal aborts leaves the queue
      // (Web Locks), or passes its turn with nothing run (a SQLite file's queue).
      await untilAborted(records.exclusively(async () => undefined, { signal, onWait }), signal);
      return records;
    },
    release: () =>
      (released ??= opening.then(
        (records) => closeBackendAfterStores(records).catch((e: unknown) => logger?.warn('could not close the records', { error: String(e) })),
        () => undefined,
      )),
  };
}
