/**
 * The SQLite backend's tables (sqlite-backend.ts), their upgrades, and the triggers that keep its
 * tallies: records and bytes in total and per storing user, certificates held and their bytes, and
 * the locations holding only a kept generation counter (StorageBackend). Kept by triggers, each
 * change costs a few keyed updates per row written or deleted, however many rows are held; counting
 * them at each Store (`count(*)` over `records` and `certificates`) walked both tables every time.
 *
 * Schema versions (`PRAGMA user_version`): 0, times on the writing process's monotonic clock;
 * 1, times on the epoch clock (StorageBackend). Opening a version-0 file deletes its records,
 * keeping their generation counters. OUR CHOICE: a version-0 `expires_at` counts from the start
 * of a process that is gone, so no later process can tell when the value expires; rather than
 * guess (its storage_time is the storer's clock, possibly skewed), the value goes, as if it had
 * expired. Storers refresh what they keep in the overlay (RFC 6940 §7.4.1.3: values age out
 * unless stored again), replicas come back by replication (§10.4), and the kept counters go on
 * increasing (§7.4.1.1). 2, the certificates of the stored values (`certificates`, each once, with
 * the count of records naming it in `records.certs`; held-certificates.ts). Opening a version-1
 * file adds them; its records name none, and are sent with what the verifier knows of their
 * signers until they are stored again or expire (certificatesOfRecords). 3, the tallies and their
 * triggers, `generations.idle` (the order in which locations lost their last record, for
 * `forgetCounters`) and `forgotten` (the floor); opening an older file counts them once. 4,
 * `records.certs` a JSON array (was space-separated), so that triggers read it with `json_each`
 * and keep `certificates.refs` (which the backend had kept by hand: a statement per certificate
 * of each record put, replaced or deleted, and a read of the expiring records' lists before a
 * purge); opening an older file rewrites the lists and counts the references once.
 */
import type Database from 'better-sqlite3';
import { StorageTooNewError } from '../storage-backend.js';

/** The current `user_version` (see the file comment). */
export const SCHEMA_VERSION = 4;

const TABLES = `
CREATE TABLE IF NOT EXISTS records (
  resource BLOB NOT NULL,
  kind INTEGER NOT NULL,
  rkey BLOB NOT NULL,
  model INTEGER NOT NULL,
  data BLOB NOT NULL,
  stored_at REAL NOT NULL,
  expires_at REAL NOT NULL,
  storer_user TEXT NOT NULL,
  storer_node BLOB NOT NULL,
  size INTEGER NOT NULL,
  -- Hashes of the held certificates verifying the value, a JSON array, '' for none (StoredRecord.certificates).
  certs TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (resource, kind, rkey)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_expiry ON records (expires_at);
CREATE INDEX IF NOT EXISTS records_kind ON records (kind, resource, expires_at);
-- Kept after a location's last record goes (StorageBackend); idle: while it has no record, when it lost the last (tallies 'kept').
CREATE TABLE IF NOT EXISTS generations (
  resource BLOB NOT NULL,
  kind INTEGER NOT NULL,
  generation BLOB NOT NULL,
  idle INTEGER,
  PRIMARY KEY (resource, kind)
) WITHOUT ROWID;
-- Kept while a record names them (StorageBackend); refs counts those records (triggers record_certified, record_uncertified).
CREATE TABLE IF NOT EXISTS certificates (
  hash TEXT NOT NULL PRIMARY KEY,
  type INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  refs INTEGER NOT NULL
) WITHOUT ROWID;
-- 'records': count and bytes (size); 'certificates': count and bytes; 'kept': locations holding only a counter, and the next idle number.
CREATE TABLE IF NOT EXISTS tallies (
  name TEXT NOT NULL PRIMARY KEY,
  c INTEGER NOT NULL,
  b INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS users (
  storer_user TEXT NOT NULL PRIMARY KEY,
  c INTEGER NOT NULL,
  b INTEGER NOT NULL
) WITHOUT ROWID;
-- The highest generation counter forgotten (StorageBackend.forgetCounters), one row.
CREATE TABLE IF NOT EXISTS forgotten (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  generation BLOB NOT NULL
);
`;

/** The certificates no record names (left by the triggers), deleted at the end of each write and purge. */
export const UNREFERENCED = 'DELETE FROM certificates WHERE refs <= 0';

/**
 * The message of the trigger's abort when an inserted record names a certificate not held
 * (StorageBackend: "each certificate a put names must be held already or come in `certificates`").
 */
export const CERTIFICATE_NOT_HELD = 'a put names a certificate neither held nor in the batch';

/**
 * Records are written by INSERT and DELETE only (a replaced record is deleted first), so these see
 * every change. A certificate no record names any more is left with refs 0 (a record replaced by
 * one naming the same certificate is deleted before it is inserted) and deleted at the end of the
 * write or purge (`UNREFERENCED`, through the `certificates_unreferenced` index).
 */
const TRIGGERS = `
CREATE INDEX IF NOT EXISTS generations_idle ON generations (idle) WHERE idle IS NOT NULL;
CREATE INDEX IF NOT EXISTS certificates_unreferenced ON certificates (refs) WHERE refs <= 0;
CREATE TRIGGER IF NOT EXISTS record_certified AFTER INSERT ON records WHEN new.certs != '' BEGIN
  SELECT RAISE(ABORT, '${CERTIFICATE_NOT_HELD}')
    WHERE EXISTS (SELECT 1 FROM json_each(new.certs) j WHERE NOT EXISTS (SELECT 1 FROM certificates c WHERE c.hash = j.value));
  UPDATE certificates SET refs = refs + 1 WHERE hash IN (SELECT value FROM json_each(new.certs));
END;
CREATE TRIGGER IF NOT EXISTS record_uncertified AFTER DELETE ON records WHEN old.certs != '' BEGIN
  UPDATE certificates SET refs = refs - 1 WHERE hash IN (SELECT value FROM json_each(old.certs));
END;
CREATE TRIGGER IF NOT EXISTS record_added AFTER INSERT ON records BEGIN
  UPDATE tallies SET c = c + 1, b = b + new.size WHERE name = 'records';
  INSERT INTO users (storer_user, c, b) VALUES (new.storer_user, 1, new.size)
    ON CONFLICT (storer_user) DO UPDATE SET c = c + 1, b = b + excluded.b;
  UPDATE generations SET idle = NULL WHERE resource = new.resource AND kind = new.kind AND idle IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS record_removed AFTER DELETE ON records BEGIN
  UPDATE tallies SET c = c - 1, b = b - old.size WHERE name = 'records';
  UPDATE users SET c = c - 1, b = b - old.size WHERE storer_user = old.storer_user;
  DELETE FROM users WHERE storer_user = old.storer_user AND c <= 0;
  UPDATE generations SET idle = (SELECT b FROM tallies WHERE name = 'kept')
    WHERE resource = old.resource AND kind = old.kind AND idle IS NULL
    AND NOT EXISTS (SELECT 1 FROM records WHERE resource = old.resource AND kind = old.kind);
END;
CREATE TRIGGER IF NOT EXISTS counter_added AFTER INSERT ON generations BEGIN
  UPDATE generations SET idle = (SELECT b FROM tallies WHERE name = 'kept')
    WHERE resource = new.resource AND kind = new.kind
    AND NOT EXISTS (SELECT 1 FROM records WHERE resource = new.resource AND kind = new.kind);
END;
CREATE TRIGGER IF NOT EXISTS counter_idle AFTER UPDATE OF idle ON generations BEGIN
  UPDATE tallies SET c = c + (new.idle IS NOT NULL) - (old.idle IS NOT NULL), b = b + 1 WHERE name = 'kept';
END;
CREATE TRIGGER IF NOT EXISTS counter_removed AFTER DELETE ON generations WHEN old.idle IS NOT NULL BEGIN
  UPDATE tallies SET c = c - 1 WHERE name = 'kept';
END;
CREATE TRIGGER IF NOT EXISTS certificate_added AFTER INSERT ON certificates BEGIN
  UPDATE tallies SET c = c + 1, b = b + length(new.bytes) WHERE name = 'certificates';
END;
CREATE TRIGGER IF NOT EXISTS certificate_removed AFTER DELETE ON certificates BEGIN
  UPDATE tallies SET c = c - 1, b = b - length(old.bytes) WHERE name = 'certificates';
END;
`;

/**
 * Version 4: the lists of certificates as JSON arrays (hashes are hex, so none needs escaping), and
 * each certificate's references counted once from them, as the triggers count them (each hash of a
 * record once); those no record names go.
 */
const CERTIFICATE_LISTS = `
UPDATE records SET certs = '["' || replace(certs, ' ', '","') || '"]' WHERE certs != '';
UPDATE certificates SET refs = 0;
UPDATE certificates SET refs = t.n
  FROM (SELECT hash, count(*) AS n FROM (SELECT DISTINCT r.resource, r.kind, r.rkey, j.value AS hash FROM records r, json_each(r.certs) j WHERE r.certs != '') GROUP BY hash) AS t
  WHERE certificates.hash = t.hash;
${UNREFERENCED};
`;

/**
 * The totals of what a file holds, counted once (before the triggers exist, which keep them from
 * then on): records and bytes, in all and per storing user, and certificates held.
 */
const COUNT_TALLIES = `
DELETE FROM tallies WHERE name IN ('records', 'certificates');
DELETE FROM users;
INSERT INTO tallies SELECT 'records', count(*), coalesce(sum(size), 0) FROM records;
INSERT INTO tallies SELECT 'certificates', count(*), coalesce(sum(length(bytes)), 0) FROM certificates;
INSERT INTO users SELECT storer_user, count(*), sum(size) FROM records GROUP BY storer_user;
`;

/**
 * Version 3: the locations holding only a counter, in a file older than 3 (which kept no order),
 * all emptied at once (idle 0), and the next idle number. A version-3 file's order, kept by its
 * triggers, is what `forgetCounters` forgets by (oldest first), so it is not made again.
 */
const FIRST_IDLE_ORDER = `
DELETE FROM tallies WHERE name = 'kept';
UPDATE generations SET idle = 0 WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.resource = generations.resource AND r.kind = generations.kind);
INSERT INTO tallies SELECT 'kept', count(*), 1 FROM generations WHERE idle IS NOT NULL;
`;

function hasColumn(db: Database.Database, table: string, column: string): boolean {
  return db
    .prepare<[], { name: string }>(`PRAGMA table_info(${table})`)
    .all()
    .some((c) => c.name === column);
}

/**
 * The file's schema version (`user_version`), read before anything is written to it; a version
 * newer than SCHEMA_VERSION is refused with StorageTooNewError. It is the first read of the file
 * (sqlite-files.ts: before the switch to WAL, which would write to it), so the refused file is
 * left as it was.
 */
export function readSchemaVersion(db: Database.Database): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  // OUR CHOICE: refused whether or not its tables fit (StorageTooNewError says why); this build's
  // upgrades go only up, so it would go on reading and writing them by its own rules.
  if (version > SCHEMA_VERSION) throw new StorageTooNewError(`the records file ${db.name}`, version, SCHEMA_VERSION, 'pass --data for another directory');
  return version;
}

/**
 * Creates the tables of a new file, or upgrades an older one from `version` (readSchemaVersion's,
 * the file held since), then the triggers.
 */
export function prepareSchema(db: Database.Database, version: number): void {
  db.exec(TABLES);
  if (version < SCHEMA_VERSION) {
    db.transaction(() => {
      // Every trigger goes before the counts (an older file's may differ from TRIGGERS); TRIGGERS makes them again.
      for (const { name } of db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'trigger'").all()) db.exec(`DROP TRIGGER "${name}"`);
      if (version < 1) db.exec('DELETE FROM records');
      // Version 2: the records of a version-1 file name no certificates (TABLES made the table).
      if (!hasColumn(db, 'records', 'certs')) db.exec("ALTER TABLE records ADD COLUMN certs TEXT NOT NULL DEFAULT ''");
      // Version 3: tallies (TABLES made their tables), and the per-user index they replace goes.
      if (!hasColumn(db, 'generations', 'idle')) db.exec('ALTER TABLE generations ADD COLUMN idle INTEGER');
      db.exec('DROP INDEX IF EXISTS records_user');
      if (version < 3) db.exec(FIRST_IDLE_ORDER);
      // Version 4 (a version-1 file's records name none).
      if (version < 4) db.exec(CERTIFICATE_LISTS);
      db.exec(COUNT_TALLIES);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
  }
  db.exec(TRIGGERS);
}
