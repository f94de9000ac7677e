/**
 * TESTS ONLY: another process over a SQLite records file (held as sqlite-files.ts says), as
 * `chordphone serve` or `chordphone peer` started again over the data directory would be: whether
 * it could read the file now (a connection that does not wait, as openSqliteBackend's), and a
 * connection holding the file as a running peer does.
 */
import Database from 'better-sqlite3';
import { holdExclusively } from '../sqlite-files.js';
import { readSchemaVersion } from '../sqlite-schema.js';

/** `undefined` when another connection can read `file` now; otherwise the error it got (`database is locked`). */
export function recordsFileBusy(file: string): string | undefined {
  const other = new Database(file, { timeout: 0 });
  try {
    other.prepare('SELECT count(*) FROM records').get();
    return undefined;
  } catch (e) {
    return String(e);
  } finally {
    other.close();
  }
}

/** A connection of "another process" holding `file` as openSqliteBackend does (holdExclusively); close it to let go. */
export function holdAsAnotherProcess(file: string): Database.Database {
  const theirs = new Database(file, { timeout: 0 });
  try {
    holdExclusively(theirs, file, readSchemaVersion);
  } catch (e) {
    theirs.close();
    throw e;
  }
  return theirs;
}
