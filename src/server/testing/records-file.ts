/**
 * TESTS ONLY: whether a SQLite records file (held as node/sqlite-files.ts says) is free for
 * another process, as `chordphone serve` or `chordphone peer` started again over the data
 * directory would open it: a connection that does not wait (as openSqliteBackend's) reads it, or
 * says why it cannot.
 */
import Database from 'better-sqlite3';

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
