/**
 * runtime/idb-closing.ts `failsAsClosed`: which failures of an operation over a closing IndexedDB
 * connection are the closing's (StorageClosedError) and which keep their own error. Over fake-indexeddb.
 */
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { failsAsClosed } from './idb-closing.js';
import { StorageClosedError } from './storage-closed-error.js';

let n = 0;

async function openOne() {
  return openDB(`idb-closing-${n++}`, 1, { upgrade: (db) => db.createObjectStore('s') });
}

const closedError = (cause: DOMException) => new StorageClosedError('closed', { cause });

describe('failsAsClosed', () => {
  it.each(['AbortError', 'InvalidStateError', 'UnknownError'])('a %s while the connection is closing is the closing’s: StorageClosedError, the error its cause', async (name) => {
    const db = await openOne();
    const cause = new DOMException('under way', name);
    const failure = await failsAsClosed(db, async () => (db.close(), Promise.reject(cause)), closedError).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StorageClosedError);
    expect((failure as Error).cause).toBe(cause);
  });

  // The window: a genuine failure that lands while a close is pending is still told as itself.
  it.each(['QuotaExceededError', 'DataError', 'ConstraintError'])('a %s while the connection is closing keeps its own error', async (name) => {
    const db = await openOne();
    const own = new DOMException('the operation’s own', name);
    await expect(failsAsClosed(db, async () => (db.close(), Promise.reject(own)), closedError)).rejects.toBe(own);
  });

  it('on an open connection every failure keeps its own error', async () => {
    const db = await openOne();
    const own = new DOMException('aborted by its own code', 'AbortError');
    await expect(failsAsClosed(db, () => Promise.reject(own), closedError)).rejects.toBe(own);
    db.close();
  });
});
