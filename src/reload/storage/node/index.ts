// Node-only storage: the on-disk SQLite backend (better-sqlite3 12). Never imported by browser code.
export { openSqliteBackend, StorageInUseError, type SqliteBackendInit } from './sqlite-files.js';
