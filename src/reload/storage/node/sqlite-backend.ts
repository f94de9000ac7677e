/**
 * The Node peer's backend: SQLite on disk through better-sqlite3 (version 12; 13 crashes on
 * Node 20). Node-only, so it lives under `storage/node/` where browser code never imports it.
 * WAL journal, prepared statements, one SQLite transaction per `write` (RFC 6940 §7.4.1.1
 * atomic Store). Works with ':memory:' too.
 *
 * This is the backend over one connection, held and of the current schema. How a file is opened,
 * held by one process and shared by the opens in it: sqlite-files.ts. Tables, upgrades and the
 * triggers that keep its tallies: sqlite-schema.ts.
 */
import Database from 'better-sqlite3';
import type { ResourceId } from '../../wire/ids.js';
import type { HeldCertificate } from '../held-certificates.js';
import { decodeStoredDataBytes, encodeStoredDataBytes, MODEL_CODES } from '../record-encoding.js';
import { ringRangeParts } from '../ring-range.js';
import { CertificateLimitError, CertificateNotHeldError, firstCertificateNotHeld, MAX_GENERATION, type KindState, type ResourceQuery, type StorageBackend, type Usage, type UsageScope, type WriteBatch } from '../storage-backend.js';
import { keyOfRecord, recordKeyBytes, type RecordKey, type StoredRecord } from '../stored-record.js';
import { CERTIFICATE_NOT_HELD, UNREFERENCED } from './sqlite-schema.js';

interface RecordRow {
  resource: Uint8Array;
  kind: number;
  model: number;
  data: Uint8Array;
  stored_at: number;
  expires_at: number;
  storer_user: string;
  storer_node: Uint8Array;
  size: number;
  certs: string;
}

interface UsageRow {
  c: number;
  b: number;
}

/** `records.certs`: a JSON array of hashes, '' for none (sqlite-schema.ts, version 4). */
function certList(certs: string): string[] {
  return certs === '' ? [] : (JSON.parse(certs) as string[]);
}

function certsColumn(hashes: readonly string[]): string {
  return hashes.length === 0 ? '' : JSON.stringify(hashes);
}

/** The trigger's abort when a put names a certificate not held (sqlite-schema.ts), as StorageBackend.write reports it. */
function isCertificateNotHeld(e: unknown): boolean {
  return e instanceof Database.SqliteError && e.code === 'SQLITE_CONSTRAINT_TRIGGER' && e.message === CERTIFICATE_NOT_HELD;
}

/** A plain Uint8Array over a Buffer's bytes (decoded values must not be Buffers). */
function plain(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function generationBytes(g: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, g);
  return out;
}

function generationOf(b: Uint8Array): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0);
}

function prepareStatements(db: Database.Database) {
  return {
    get: db.prepare<[Uint8Array, number, Uint8Array], RecordRow>('SELECT * FROM records WHERE resource = ? AND kind = ? AND rkey = ?'),
    list: db.prepare<[Uint8Array, number], RecordRow>('SELECT * FROM records WHERE resource = ? AND kind = ? ORDER BY rkey'),
    generation: db.prepare<[Uint8Array, number], { generation: Uint8Array }>('SELECT generation FROM generations WHERE resource = ? AND kind = ?'),
    kinds: db.prepare<[Uint8Array], { kind: number }>('SELECT DISTINCT kind FROM records WHERE resource = ? ORDER BY kind'),
    insert: db.prepare(
      'INSERT INTO records (resource, kind, rkey, model, data, stored_at, expires_at, storer_user, storer_node, size, certs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    // Named by no record until a put names it: the triggers count the records naming each (sqlite-schema.ts).
    holdCertificate: db.prepare<[string, number, Uint8Array]>('INSERT OR IGNORE INTO certificates (hash, type, bytes, refs) VALUES (?, ?, ?, 0)'),
    dropUnreferenced: db.prepare(UNREFERENCED),
    certificate: db.prepare<[string], { type: number; bytes: Uint8Array }>('SELECT type, bytes FROM certificates WHERE hash = ?'),
    certificateHeld: db.prepare<[string], { held: number }>('SELECT 1 AS held FROM certificates WHERE hash = ?'),
    tally: db.prepare<[string], UsageRow>('SELECT c, b FROM tallies WHERE name = ?'),
    deleteOne: db.prepare<[Uint8Array, number, Uint8Array]>('DELETE FROM records WHERE resource = ? AND kind = ? AND rkey = ?'),
    dropRecords: db.prepare<[Uint8Array]>('DELETE FROM records WHERE resource = ?'),
    dropGenerations: db.prepare<[Uint8Array]>('DELETE FROM generations WHERE resource = ?'),
    // Counters are 8-byte big-endian blobs, which SQLite compares byte by byte: max() is the numeric one.
    highestGeneration: db.prepare<[Uint8Array], { generation: Uint8Array | null }>('SELECT max(generation) AS generation FROM generations WHERE resource = ?'),
    setGeneration: db.prepare<[Uint8Array, number, Uint8Array]>(
      'INSERT INTO generations (resource, kind, generation) VALUES (?, ?, ?) ON CONFLICT (resource, kind) DO UPDATE SET generation = excluded.generation',
    ),
    oldestEmptied: db.prepare<[number], { resource: Uint8Array; kind: number; generation: Uint8Array }>(
      'SELECT resource, kind, generation FROM generations WHERE idle IS NOT NULL ORDER BY idle LIMIT ?',
    ),
    forgetCounter: db.prepare<[Uint8Array, number]>('DELETE FROM generations WHERE resource = ? AND kind = ?'),
    floor: db.prepare<[], { generation: Uint8Array }>('SELECT generation FROM forgotten WHERE id = 0'),
    setFloor: db.prepare<[Uint8Array]>('INSERT INTO forgotten (id, generation) VALUES (0, ?) ON CONFLICT (id) DO UPDATE SET generation = excluded.generation'),
    deleteExpired: db.prepare<[number]>('DELETE FROM records WHERE expires_at <= ?'),
    usageUser: db.prepare<[string], UsageRow>('SELECT c, b FROM users WHERE storer_user = ?'),
    usageKind: db.prepare<[Uint8Array, number], UsageRow>('SELECT count(*) AS c, coalesce(sum(size), 0) AS b FROM records WHERE resource = ? AND kind = ?'),
  };
}

export class SqliteBackend implements StorageBackend {
  private readonly stmt: ReturnType<typeof prepareStatements>;
  private readonly rangeStatements = new Map<string, Database.Statement<unknown[], { resource: Uint8Array }>>();
  private readonly applyBatch: (batch: WriteBatch) => void;
  private readonly readKindState: (resource: Uint8Array, kind: number) => KindState;
  private readonly purge: (now: number) => number;
  private readonly forget: (keep: number) => number;

  /** Over `db`, held and of the current schema (sqlite-files.ts); it closes with `close`. */
  constructor(private readonly db: Database.Database) {
    this.stmt = prepareStatements(db);
    this.applyBatch = db.transaction((batch: WriteBatch) => this.applyInTransaction(batch));
    this.purge = db.transaction((now: number): number => {
      const removed = this.stmt.deleteExpired.run(now).changes;
      this.stmt.dropUnreferenced.run();
      return removed;
    });
    this.readKindState = db.transaction((resource: Uint8Array, kind: number): KindState => {
      const g = this.stmt.generation.get(resource, kind);
      const records = this.stmt.list.all(resource, kind).map((row) => this.toRecord(row));
      return { generation: g ? generationOf(g.generation) : this.floor(), records };
    });
    this.forget = db.transaction((keep: number): number => {
      const kept = this.stmt.tally.get('kept')?.c ?? 0;
      if (kept <= keep) return 0;
      let floor = this.floor();
      const oldest = this.stmt.oldestEmptied.all(kept - keep);
      for (const row of oldest) {
        const g = generationOf(row.generation);
        if (g > floor) floor = g;
        this.stmt.forgetCounter.run(row.resource, row.kind);
      }
      this.stmt.setFloor.run(generationBytes(floor));
      return oldest.length;
    });
  }

  private applyInTransaction(batch: WriteBatch): void {
    // The certificates this write brings that were not held (each insert that took).
    const added: string[] = [];
    for (const c of batch.certificates ?? []) {
      if (this.stmt.holdCertificate.run(c.hash, c.certificate.type, c.certificate.certificate).changes > 0) added.push(c.hash);
    }
    for (const id of batch.dropResources ?? []) {
      this.stmt.dropRecords.run(id);
      // A dropped counter is forgotten: it raises the floor (StorageBackend).
      const dropped = this.stmt.highestGeneration.get(id)?.generation;
      if (dropped && generationOf(dropped) > this.floor()) this.stmt.setFloor.run(dropped);
      this.stmt.dropGenerations.run(id);
    }
    for (const ref of batch.deletes ?? []) this.stmt.deleteOne.run(ref.resourceId, ref.kind, recordKeyBytes(ref.key));
    for (const r of batch.puts ?? []) {
      const rkey = recordKeyBytes(keyOfRecord(r));
      // Deleted, then inserted: the triggers see a replaced record as both.
      this.stmt.deleteOne.run(r.resourceId, r.kind, rkey);
      this.stmt.insert.run(
        r.resourceId,
        r.kind,
        rkey,
        MODEL_CODES[r.data.value.model],
        encodeStoredDataBytes(r.data),
        r.storedAt,
        r.expiresAt,
        r.storerUser,
        r.storerNode,
        r.size,
        certsColumn(r.certificates),
      );
    }
    for (const g of batch.generations ?? []) {
      // Checked here, inside the transaction, so a bad entry rolls back what came before it.
      if (g.generation < 1n || g.generation > MAX_GENERATION) throw new RangeError(`generation ${g.generation} is not in 1..2^64-1`);
      this.stmt.setGeneration.run(g.resourceId, g.kind, generationBytes(g.generation));
    }
    this.stmt.dropUnreferenced.run();
    const limit = batch.maxCertificateBytes;
    if (limit === undefined || added.length === 0) return;
    const held = this.stmt.tally.get('certificates')?.b ?? 0;
    // Refused only if one it brought is still held (a put names it): it added to what is held.
    if (held > limit && added.some((h) => this.stmt.certificateHeld.get(h) !== undefined)) throw new CertificateLimitError(held, limit);
  }

  /** The highest counter forgotten (StorageBackend). */
  private floor(): bigint {
    const row = this.stmt.floor.get();
    return row ? generationOf(row.generation) : 0n;
  }

  private toRecord(row: RecordRow): StoredRecord {
    return {
      resourceId: plain(row.resource).slice(),
      kind: row.kind,
      data: decodeStoredDataBytes(plain(row.data), row.model),
      storedAt: row.stored_at,
      expiresAt: row.expires_at,
      storerUser: row.storer_user,
      storerNode: plain(row.storer_node).slice(),
      size: row.size,
      certificates: certList(row.certs),
    };
  }

  async get(resourceId: ResourceId, kind: number, key: RecordKey): Promise<StoredRecord | undefined> {
    const row = this.stmt.get.get(resourceId, kind, recordKeyBytes(key));
    return row ? this.toRecord(row) : undefined;
  }

  async put(record: StoredRecord): Promise<void> {
    await this.write({ puts: [record] });
  }

  async delete(resourceId: ResourceId, kind: number, key: RecordKey): Promise<boolean> {
    const had = this.stmt.get.get(resourceId, kind, recordKeyBytes(key)) !== undefined;
    if (had) await this.write({ deletes: [{ resourceId, kind, key }] });
    return had;
  }

  async kindState(resourceId: ResourceId, kind: number): Promise<KindState> {
    return this.readKindState(resourceId, kind);
  }

  async kinds(resourceId: ResourceId): Promise<number[]> {
    return this.stmt.kinds.all(resourceId).map((r) => r.kind);
  }

  async resources(query: ResourceQuery = {}): Promise<ResourceId[]> {
    const limit = query.limit ?? -1;
    const parts = ringRangeParts(query.range);
    const out: ResourceId[] = [];
    for (const part of parts) {
      const remaining = limit < 0 ? -1 : limit - out.length;
      if (remaining === 0) break;
      const params: unknown[] = [];
      const where: string[] = [];
      if (part.after) {
        where.push('resource > ?');
        params.push(part.after);
      }
      if (part.upTo) {
        where.push('resource <= ?');
        params.push(part.upTo);
      }
      if (query.kind !== undefined) {
        where.push('kind = ?');
        params.push(query.kind);
      }
      if (query.aliveAt !== undefined) {
        where.push('expires_at > ?');
        params.push(query.aliveAt);
      }
      params.push(remaining);
      const counters = query.withCounters && query.kind === undefined && query.aliveAt === undefined;
      const from = counters ? '(SELECT resource FROM records UNION SELECT resource FROM generations)' : 'records';
      const sql = `SELECT DISTINCT resource FROM ${from}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY resource LIMIT ?`;
      let stmt = this.rangeStatements.get(sql);
      if (!stmt) {
        stmt = this.db.prepare<unknown[], { resource: Uint8Array }>(sql);
        this.rangeStatements.set(sql, stmt);
      }
      for (const row of stmt.all(...params)) out.push(plain(row.resource).slice());
    }
    return out;
  }

  async write(batch: WriteBatch): Promise<void> {
    try {
      this.applyBatch(batch);
    } catch (e) {
      if (isCertificateNotHeld(e)) throw new CertificateNotHeldError(this.notHeld(batch) ?? '(unknown)');
      throw e;
    }
  }

  /**
   * The first certificate a put of `batch` names that is neither held nor in the batch: the one the
   * trigger refused (the trigger's message cannot name it). Read after the write rolled back, on the
   * same tick (better-sqlite3 is synchronous), so what is held is what the write saw; what its own
   * drops and deletes released was still held until its end (UNREFERENCED).
   */
  private notHeld(batch: WriteBatch): string | undefined {
    const brought = new Set((batch.certificates ?? []).map((c) => c.hash));
    return firstCertificateNotHeld(batch, (h) => brought.has(h) || this.stmt.certificateHeld.get(h) !== undefined);
  }

  async deleteExpired(now: number): Promise<number> {
    return this.purge(now);
  }

  async usage(scope?: UsageScope): Promise<Usage> {
    const row = !scope ? this.stmt.tally.get('records') : 'user' in scope ? this.stmt.usageUser.get(scope.user) : this.stmt.usageKind.get(scope.resourceId, scope.kind);
    return { count: row?.c ?? 0, bytes: row?.b ?? 0 };
  }

  async certificates(hashes: readonly string[]): Promise<HeldCertificate[]> {
    const out: HeldCertificate[] = [];
    for (const hash of new Set(hashes)) {
      const row = this.stmt.certificate.get(hash);
      if (row) out.push({ hash, certificate: { type: row.type, certificate: plain(row.bytes).slice() } });
    }
    return out;
  }

  async certificateUsage(): Promise<Usage> {
    const row = this.stmt.tally.get('certificates');
    return { count: row?.c ?? 0, bytes: row?.b ?? 0 };
  }

  async forgetCounters(keep: number): Promise<number> {
    return this.forget(keep);
  }

  /** Closes the connection (sqlite-files.ts closes it with the last open of its file). */
  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

