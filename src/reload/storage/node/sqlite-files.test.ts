/**
 * Opening a SQLite backend (sqlite-files.ts): one process holds a file; the opens of it in this
 * process share its connection, each closed once by its owner.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StorageTooNewError } from '../storage-backend.js';
import { id16 } from '../testing/records.js';
import { raceStoresWithOneGeneration } from '../testing/two-writers.js';
import { openSqliteBackend, StorageInUseError } from './sqlite-files.js';
import { SCHEMA_VERSION } from './sqlite-schema.js';
import { holdAsAnotherProcess, recordsFileBusy } from './testing/records-file.js';

const dir = mkdtempSync(join(tmpdir(), 'chordphone-sqlite-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sqlite files', () => {
  // Two `chordphone serve` or `chordphone peer` over one data directory open one file of records
  // (its name fixed by the peer's name or Node-ID). Their Stores' read-check-write would not be
  // ordered: one process's write between the other's read and write loses an update that RFC 6940
  // §7.4.1.1's generation counter must refuse (as testing/two-writers.ts shows over two IndexedDB connections).
  it('a file another process holds is refused with StorageInUseError, and one we hold is refused to another process', async () => {
    const filename = join(dir, 'in-use.db');
    // Another process's peer over the file (a connection of its own, holding it as openSqliteBackend does).
    const theirs = holdAsAnotherProcess(filename);
    expect(() => openSqliteBackend({ filename })).toThrow(StorageInUseError);
    theirs.close();

    const ours = openSqliteBackend({ filename });
    await ours.write({ generations: [{ resourceId: id16(1), kind: 7, generation: 3n }] });
    expect(recordsFileBusy(filename)).toMatch(/database is locked/);
    // Ours goes on, and the file opens again once closed.
    await ours.write({ generations: [{ resourceId: id16(1), kind: 7, generation: 4n }] });
    await ours.close();
    const next = openSqliteBackend({ filename });
    expect((await next.kindState(id16(1), 7)).generation).toBe(4n);
    await next.close();
  });

  it('a second open in this process of a file open shares its connection, which closes with its last open', async () => {
    const filename = join(dir, 'reopened.db');
    const first = openSqliteBackend({ filename });
    const second = openSqliteBackend({ filename });
    await first.close();
    // Still open for the second.
    await second.write({ generations: [{ resourceId: id16(1), kind: 7, generation: 5n }] });
    await second.close();
    expect(recordsFileBusy(filename)).toBeUndefined();
  });

  // A peer restarted in the process (a server stopped and started again) opens its file while the
  // one before may still hold it: the DataStores over the two opens (each with its own DataStore
  // lock, storeLocks) run their read-check-writes in `exclusively`, so they take turns, as two
  // IndexedDB connections do under a Web Lock (idb-backend.ts), and RFC 6940 §7.4.1.1's
  // generation check holds.
  it('the critical sections of two opens in this process of one file take turns, and the Stores over them keep the generation check', async () => {
    const filename = join(dir, 'two-opens.db');
    const [first, second] = [openSqliteBackend({ filename }), openSqliteBackend({ filename })];
    const ran: string[] = [];
    let leave = (): void => {};
    const held = first.exclusively?.(async () => {
      ran.push('first in');
      await new Promise<void>((resolve) => (leave = resolve));
      ran.push('first out');
    });
    const waiting = second.exclusively?.(async () => ran.push('second'));
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(ran).toEqual(['first in']);
    leave();
    await Promise.all([held, waiting]);
    expect(ran).toEqual(['first in', 'first out', 'second']);
    expect((await raceStoresWithOneGeneration(first, second)).sort()).toEqual(['Error_Generation_Counter_Too_Low', 'stored']);
    await Promise.all([first.close(), second.close()]);
  });

  // A join waiting for its records (app/overlay/join-records.ts) says so only when another open's
  // critical section is under way, and stops waiting when its signal aborts.
  it('a critical section told of its wait: only when another open’s is under way; given up meanwhile, it never runs', async () => {
    const filename = join(dir, 'told-wait.db');
    const [first, second] = [openSqliteBackend({ filename }), openSqliteBackend({ filename })];
    const told: string[] = [];
    const tell = (name: string) => ({ onWait: () => told.push(`${name} waits`), onWaitEnded: () => told.push(`${name} goes on`) });
    await second.exclusively?.(async () => told.push('free one ran'), tell('free one'));
    let leave = (): void => {};
    const held = first.exclusively?.(() => new Promise<void>((resolve) => (leave = resolve)));
    const waiting = second.exclusively?.(async () => told.push('waiting one ran'), tell('waiting one'));
    const stop = new AbortController();
    const givenUp = second.exclusively?.(async () => told.push('given up one ran'), { ...tell('given up one'), signal: stop.signal });
    for (let i = 0; i < 10; i++) await Promise.resolve();
    stop.abort(new Error('the overlay was closed'));
    leave();
    await Promise.all([held, waiting]);
    await expect(givenUp).rejects.toThrow('the overlay was closed');
    expect(told).toEqual(['free one ran', 'waiting one waits', 'given up one waits', 'waiting one goes on', 'waiting one ran']);
    await Promise.all([first.close(), second.close()]);
  });

  it('each open is closed once: a second close by one owner leaves the file open for the other owner', async () => {
    const filename = join(dir, 'closed-twice.db');
    const first = openSqliteBackend({ filename });
    const second = openSqliteBackend({ filename });
    await first.close();
    await first.close();
    await second.write({ generations: [{ resourceId: id16(1), kind: 7, generation: 6n }] });
    expect((await second.kindState(id16(1), 7)).generation).toBe(6n);
    await second.close();
  });

  it('a late close of an open already closed leaves the next open of the file in place: a third open shares it, not StorageInUseError', async () => {
    const filename = join(dir, 'closed-late.db');
    const first = openSqliteBackend({ filename });
    await first.close();
    const second = openSqliteBackend({ filename });
    await first.close();
    const third = openSqliteBackend({ filename });
    await third.write({ generations: [{ resourceId: id16(1), kind: 7, generation: 7n }] });
    expect((await second.kindState(id16(1), 7)).generation).toBe(7n);
    await Promise.all([second.close(), third.close()]);
  });

  // A file a later release wrote: its tables may be of another shape, or fit this build's and mean
  // other things (this build would read and write them by its own rules, and its upgrade path would
  // never run: user_version is higher). The open is refused before anything is written to the file
  // (in the default rollback-journal mode, the switch to WAL would rewrite its header and delete a
  // journal that PERSIST or TRUNCATE kept), and must not keep the file held, or the next open in
  // this process, or another process's, is told it is in use.
  it.each(['DELETE', 'PERSIST', 'TRUNCATE'])(
    'a file a newer release wrote in journal mode %s is refused at open with StorageTooNewError, even where its tables fit, left byte for byte as it was, and let go',
    async (journalMode) => {
      const filename = join(dir, `newer-${journalMode}.db`);
      const ours = openSqliteBackend({ filename });
      await ours.write({ generations: [{ resourceId: id16(1), kind: 7, generation: 3n }] });
      await ours.close();
      // As the newer release leaves it: its own journal mode (a rollback journal, SQLite's default), its version.
      const newer = new Database(filename);
      newer.pragma(`journal_mode = ${journalMode}`);
      newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      newer.close();
      const before = filesOf(filename);
      let failure: unknown;
      try {
        openSqliteBackend({ filename });
      } catch (e) {
        failure = e;
      }
      expect(failure).toEqual(new StorageTooNewError(`the records file ${filename}`, SCHEMA_VERSION + 1, SCHEMA_VERSION, 'pass --data for another directory'));
      expect(failure).toMatchObject({ version: SCHEMA_VERSION + 1, known: SCHEMA_VERSION });
      expect(filesOf(filename)).toEqual(before);
      expect(recordsFileBusy(filename)).toBeUndefined();
      expect(() => openSqliteBackend({ filename })).toThrow(StorageTooNewError);
      expect(filesOf(filename)).toEqual(before);
    },
  );

  it('a file of a newer schema version whose tables do not fit is refused the same way, left as it was', async () => {
    const filename = join(dir, 'future.db');
    const raw = new Database(filename);
    raw.exec('CREATE TABLE records (resource BLOB NOT NULL, kind INTEGER NOT NULL, payload BLOB NOT NULL)');
    raw.pragma('user_version = 99');
    raw.close();
    const before = filesOf(filename);
    expect(() => openSqliteBackend({ filename })).toThrow(new StorageTooNewError(`the records file ${filename}`, 99, SCHEMA_VERSION, 'pass --data for another directory'));
    expect(filesOf(filename)).toEqual(before);
    expect(recordsFileBusy(filename)).toBeUndefined();
  });
});

/** The SHA-256 of `filename` and of each file SQLite keeps beside it (-journal, -wal, -shm), by name. */
function filesOf(filename: string): Record<string, string> {
  const base = basename(filename);
  const files: Record<string, string> = {};
  for (const name of readdirSync(dirname(filename)).filter((n) => n.startsWith(base)).sort()) files[name] = createHash('sha256').update(readFileSync(join(dirname(filename), name))).digest('hex');
  return files;
}
