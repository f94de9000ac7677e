/**
 * The files of records this process holds: how a SQLite backend (sqlite-backend.ts) is opened,
 * held and shared. Node-only (better-sqlite3), like the backend.
 *
 * One process holds the file, from open to close (SQLite's exclusive locking mode): a second
 * process over the same file (a second `chordphone serve` or `chordphone peer` over one data
 * directory, whose file names are fixed by the peer's name or Node-ID) is refused at open with
 * StorageInUseError. A Store's read-check-write (DataStore) spans several statements and is
 * ordered only by the DataStore lock over a backend object (storeLocks) and by that object's
 * `exclusively`; another connection, ordered by neither, could write between its read and its
 * write, over what it never checked (RFC 6940 §7.4.1.1 generation counters, StorageLimits).
 * OUR CHOICE: refused rather than shared (as the browser's tabs share a database under a Web Lock,
 * idb-backend.ts): two processes over one directory also share its keys and so sign as one
 * Node-ID, a mistake to report, not to serve.
 *
 * Within one process an open of a file already open shares its connection: a peer restarted in
 * the process (a server stopped and started again) finds its file held by the one before, which
 * may not have closed it. Each open gets a backend object of its own, closed once by its owner
 * (a second close does nothing), and the connection closes with the last of them; their
 * read-check-writes are ordered by the `exclusively` of the file they share.
 */
import Database from 'better-sqlite3';
import { resolve } from 'node:path';
import { SerialQueue } from '../../runtime/serial-queue.js';
import type { LockWait } from '../../runtime/web-locks.js';
import type { ResourceId } from '../../wire/ids.js';
import type { HeldCertificate } from '../held-certificates.js';
import { StorageClosedError, type KindState, type ResourceQuery, type StorageBackend, type Usage, type UsageScope, type WriteBatch } from '../storage-backend.js';
import type { RecordKey, StoredRecord } from '../stored-record.js';
import { SqliteBackend } from './sqlite-backend.js';
import { prepareSchema, readSchemaVersion } from './sqlite-schema.js';

/** The file is held by another connection, another peer's (see the file comment); nothing was opened. */
export class StorageInUseError extends Error {
  override readonly name: string = 'StorageInUseError';
  constructor(readonly filename: string) {
    super(`the records file ${filename} is already in use by another peer (is another chordphone running over this data directory?); stop it, or pass --data to choose another`);
  }
}

export interface SqliteBackendInit {
  /** A file path, or ':memory:'. */
  readonly filename: string;
  /** Called with each SQL statement the connection runs, values filled in (better-sqlite3's `verbose`): for diagnostics and tests. */
  readonly trace?: (sql: string) => void;
}

/**
 * Takes the file for `db` alone until it closes (the file comment): exclusive locking mode, then
 * `firstRead` (whose read takes the lock that mode keeps), set before WAL so that no
 * shared-memory index is made, and a write transaction that takes the write lock (held from then
 * on). Throws StorageInUseError when another connection holds the file.
 *
 * `firstRead` runs before anything is written: the switch to WAL is a lasting write (the header's
 * read and write versions go from 1 to 2, and a rollback journal that `journal_mode = PERSIST` or
 * `TRUNCATE` kept is deleted), so a file that `firstRead` refuses (readSchemaVersion: written by a
 * newer release) is left as it was. OUR CHOICE: one left in WAL mode with a `-wal` file (a newer
 * release stopped before it could checkpoint) still has the `-wal` folded in when the refused
 * connection closes (SQLite's checkpoint on close, which better-sqlite3 cannot turn off): the
 * same records, other bytes.
 */
export function holdExclusively<T>(db: Database.Database, filename: string, firstRead: (db: Database.Database) => T): T {
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    const read = firstRead(db);
    db.pragma('journal_mode = WAL');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    return read;
  } catch (e) {
    if (e instanceof Database.SqliteError && e.code === 'SQLITE_BUSY') throw new StorageInUseError(filename);
    throw e;
  }
}

/**
 * A connection to `init.filename`, held, its schema made or upgraded (sqlite-schema.ts), and the
 * backend over it. On any failure (the file held by another, or unreadable, or written by a newer
 * release (StorageTooNewError, before anything is written), or of tables this release cannot use,
 * or a disk that refuses the upgrade) the connection is closed before the error is thrown: it
 * would otherwise keep the file held, and the next open be told it is in use.
 */
function connect(init: SqliteBackendInit): SqliteBackend {
  // No busy wait (better-sqlite3 waits 5 s by default): a peer holding the file holds it until it stops.
  const db = new Database(init.filename, { timeout: 0, ...(init.trace ? { verbose: (sql: unknown) => init.trace?.(String(sql)) } : {}) });
  try {
    const version = holdExclusively(db, init.filename, readSchemaVersion);
    db.pragma('synchronous = NORMAL');
    prepareSchema(db, version);
    return new SqliteBackend(db);
  } catch (e) {
    db.close();
    throw e;
  }
}

/** One connection and the opens of it in this process (the file comment). */
class OpenFile {
  /** The opens not yet closed; the connection closes with the last. */
  private opens = 0;
  /** The critical sections of its opens, one at a time (`exclusively`). */
  private readonly critical = new SerialQueue();
  /** Critical sections queued or running: a new one waits for its turn while there are any. */
  private pending = 0;

  constructor(
    readonly backend: SqliteBackend,
    /** Told when the last open closes, before the connection does (a later open makes a new one). */
    private readonly lastClosed?: () => void,
  ) {}

  open(): StorageBackend {
    this.opens++;
    return new SqliteOpen(this);
  }

  exclusively<T>(critical: () => Promise<T>, wait?: LockWait): Promise<T> {
    const signal = wait?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const waits = this.pending > 0;
    if (waits) wait?.onWait?.();
    this.pending++;
    // OUR CHOICE: the signal is looked at when the turn comes, not before (the sections ahead are
    // this process's own, and each ends); given up by then, the turn passes with nothing run.
    return this.critical.run(async () => {
      try {
        signal?.throwIfAborted();
        if (waits) wait?.onWaitEnded?.();
        return await critical();
      } finally {
        this.pending--;
      }
    });
  }

  async release(): Promise<void> {
    if (--this.opens > 0) return;
    this.lastClosed?.();
    await this.backend.close();
  }
}

/** One open of a file (openSqliteBackend): the shared backend's operations, until its own close. */
class SqliteOpen implements StorageBackend {
  private file: OpenFile | undefined;

  constructor(file: OpenFile) {
    this.file = file;
  }

  /**
   * The file's `operation`, or once this open has closed a promise rejected with StorageClosedError:
   * StorageBackend's operations answer by promise, closed or not (as the memory backend's do),
   * never by a throw.
   */
  private use<T>(operation: (file: OpenFile) => Promise<T>): Promise<T> {
    return this.file ? operation(this.file) : Promise.reject(new StorageClosedError());
  }

  get(resourceId: ResourceId, kind: number, key: RecordKey): Promise<StoredRecord | undefined> {
    return this.use((f) => f.backend.get(resourceId, kind, key));
  }

  put(record: StoredRecord): Promise<void> {
    return this.use((f) => f.backend.put(record));
  }

  delete(resourceId: ResourceId, kind: number, key: RecordKey): Promise<boolean> {
    return this.use((f) => f.backend.delete(resourceId, kind, key));
  }

  kindState(resourceId: ResourceId, kind: number): Promise<KindState> {
    return this.use((f) => f.backend.kindState(resourceId, kind));
  }

  kinds(resourceId: ResourceId): Promise<number[]> {
    return this.use((f) => f.backend.kinds(resourceId));
  }

  resources(query?: ResourceQuery): Promise<ResourceId[]> {
    return this.use((f) => f.backend.resources(query));
  }

  write(batch: WriteBatch): Promise<void> {
    return this.use((f) => f.backend.write(batch));
  }

  deleteExpired(now: number): Promise<number> {
    return this.use((f) => f.backend.deleteExpired(now));
  }

  usage(scope?: UsageScope): Promise<Usage> {
    return this.use((f) => f.backend.usage(scope));
  }

  certificates(hashes: readonly string[]): Promise<HeldCertificate[]> {
    return this.use((f) => f.backend.certificates(hashes));
  }

  certificateUsage(): Promise<Usage> {
    return this.use((f) => f.backend.certificateUsage());
  }

  forgetCounters(keep: number): Promise<number> {
    return this.use((f) => f.backend.forgetCounters(keep));
  }

  /** After the critical sections of every open of the file in this process (StorageBackend; DataStore orders those of one open). */
  exclusively<T>(critical: () => Promise<T>, wait?: LockWait): Promise<T> {
    return this.use((f) => f.exclusively(critical, wait));
  }

  /** Once: a second close does nothing (the file's other opens keep the connection). */
  async close(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    await file?.release();
  }
}

/** The files open in this process, by absolute path (openSqliteBackend). */
const openFiles = new Map<string, OpenFile>();

/**
 * Opens (creating if needed) a SQLite backend; throws StorageInUseError when another process holds
 * the file. A file this process has open already is shared (`trace` is then the first open's);
 * each open is a backend object of its own, to close once (the file comment).
 */
export function openSqliteBackend(init: SqliteBackendInit): StorageBackend {
  // A database of its own every time (SQLite: ':memory:', and '' for a temporary file).
  if (init.filename === ':memory:' || init.filename === '') return new OpenFile(connect(init)).open();
  const path = resolve(init.filename);
  const held = openFiles.get(path);
  if (held) return held.open();
  const file: OpenFile = new OpenFile(connect(init), () => {
    // Only this one: a file closed and opened again is another OpenFile.
    if (openFiles.get(path) === file) openFiles.delete(path);
  });
  openFiles.set(path, file);
  return file.open();
}
