import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeStorageBackendContract } from '../storage-backend.contract.js';
import { expectCountersKeptByUpgrade } from '../storage-backend-counters.contract.js';
import { ManualClock } from '../../testing/manual-clock.js';
import { encodeStoredDataBytes, MODEL_CODES } from '../record-encoding.js';
import { heldCertificate, id16, record, single } from '../testing/records.js';
import type { HeldCertificate } from '../held-certificates.js';
import type { StoredRecord } from '../stored-record.js';
import { fetchAnswer, K, storageFixture, storeReq } from '../testing/storage-fixture.js';
import { openSqliteBackend } from './sqlite-files.js';

const dir = mkdtempSync(join(tmpdir(), 'chordphone-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describeStorageBackendContract('sqlite :memory:', async () => openSqliteBackend({ filename: ':memory:' }));
describeStorageBackendContract('sqlite file', async () => openSqliteBackend({ filename: join(dir, `contract-${n++}.db`) }));

describe('sqlite backend on disk', () => {
  it('keeps records and their certificates across close and reopen', async () => {
    const filename = join(dir, 'persist.db');
    const r = record({ resourceId: id16(1), value: single('kept'), certificates: ['a1'] });
    const first = openSqliteBackend({ filename });
    await first.write({ puts: [r], generations: [{ resourceId: id16(1), kind: 7, generation: 12n }], certificates: [heldCertificate('a1')] });
    await first.write({ generations: [{ resourceId: id16(2), kind: 7, generation: 30n }] });
    expect(await first.forgetCounters(0)).toBe(1);
    await first.close();
    const second = openSqliteBackend({ filename });
    expect(await second.kindState(id16(1), 7)).toEqual({ generation: 12n, records: [r] });
    // The floor outlives a restart (StorageBackend.forgetCounters).
    expect((await second.kindState(id16(2), 7)).generation).toBe(30n);
    expect(await second.usage()).toEqual({ count: 1, bytes: r.size });
    expect(await second.certificates(['a1'])).toEqual([heldCertificate('a1')]);
    await second.close();
  });

  it('a file of schema version 1 keeps its records, which name no certificates, and its counters, and then keeps certificates', async () => {
    const filename = join(dir, 'v1.db');
    const old = record({ resourceId: id16(1), value: single('old') });
    legacyFile(filename, 1, { records: [old], generations: [[id16(1), 7, 4n], [id16(3), 7, 20n]] });

    const upgraded = openSqliteBackend({ filename });
    expect(await upgraded.get(id16(1), 7, { model: 'single' })).toEqual(old);
    // Version 3's tallies, counted once on the upgrade.
    expect(await upgraded.usage()).toEqual({ count: 1, bytes: old.size });
    expect(await upgraded.usage({ user: old.storerUser })).toEqual({ count: 1, bytes: old.size });
    const r = record({ resourceId: id16(2), value: single('new'), certificates: ['a1'] });
    await upgraded.write({ puts: [r], certificates: [heldCertificate('a1')] });
    expect(await upgraded.get(id16(2), 7, { model: 'single' })).toEqual(r);
    expect(await upgraded.certificateUsage()).toEqual({ count: 1, bytes: 100 });
    // The location holding only a counter is counted as such: forgotten, into the floor; the one with a record is not.
    expect(await upgraded.forgetCounters(0)).toBe(1);
    expect(await upgraded.kindState(id16(3), 7)).toEqual({ generation: 20n, records: [] });
    expect((await upgraded.kindState(id16(1), 7)).generation).toBe(4n);
    await upgraded.close();
  });

  it('a file of schema version 2 keeps its records, certificates and counters, and counts them once', async () => {
    const filename = join(dir, 'v2.db');
    const old = record({ resourceId: id16(1), value: single('old'), certificates: ['a1'] });
    legacyFile(filename, 2, { records: [old], certificates: [heldCertificate('a1')], generations: [[id16(1), 7, 4n], [id16(3), 7, 20n], [id16(4), 7, 9n]] });

    const upgraded = openSqliteBackend({ filename });
    expect(await upgraded.usage({ user: old.storerUser })).toEqual({ count: 1, bytes: old.size });
    await expectCountersKeptByUpgrade(upgraded, old);
    await upgraded.close();
  });

  it('a file of schema version 3 (certificate lists space-separated, references counted by the backend) keeps its records and certificates, whose references the triggers count from then on', async () => {
    const filename = join(dir, 'v3.db');
    const a1 = heldCertificate('a1');
    const b2 = heldCertificate('b2', 50);
    const old = record({ resourceId: id16(1), value: single('old'), certificates: ['a1', 'b2'] });
    const other = record({ resourceId: id16(2), value: single('other'), certificates: ['b2'] });
    // The file's counts are off (5 each): the upgrade counts the references again, from the lists.
    legacyFile(filename, 3, { records: [old, other, record({ resourceId: id16(5), value: single('none') })], certificates: [a1, b2], generations: [[id16(1), 7, 4n]], refs: 5 });

    const upgraded = openSqliteBackend({ filename });
    expect(await upgraded.kindState(id16(1), 7)).toEqual({ generation: 4n, records: [old] });
    expect((await upgraded.get(id16(5), 7, { model: 'single' }))?.certificates).toEqual([]);
    expect(await upgraded.certificateUsage()).toEqual({ count: 2, bytes: 150 });
    await upgraded.delete(id16(1), 7, { model: 'single' });
    expect(await upgraded.certificates(['a1', 'b2'])).toEqual([b2]);
    // A put may name the held one without bringing it; the certificate goes with the last record naming it.
    await upgraded.put(record({ resourceId: id16(3), value: single('new'), certificates: ['b2'] }));
    await upgraded.delete(id16(2), 7, { model: 'single' });
    expect(await upgraded.certificateUsage()).toEqual({ count: 1, bytes: 50 });
    await upgraded.write({ dropResources: [id16(3)] });
    expect(await upgraded.certificateUsage()).toEqual({ count: 0, bytes: 0 });
    await expect(upgraded.put(record({ resourceId: id16(4), value: single('x'), certificates: ['a1'] }))).rejects.toThrow(RangeError);
    await upgraded.close();
  });

  it('a file of schema version 3 keeps the order in which its locations came to hold only a counter: the oldest are forgotten first', async () => {
    const filename = join(dir, 'v3-idle.db');
    const held = record({ resourceId: id16(2), value: single('held'), certificates: ['a1'] });
    // Emptied in this order (idle 1, 2, 3), not in key order.
    legacyFile(filename, 3, { records: [held], certificates: [heldCertificate('a1')], generations: [[id16(9), 7, 5n], [id16(6), 7, 7n], [id16(7), 7, 3n], [id16(2), 7, 8n]] });

    const upgraded = openSqliteBackend({ filename });
    expect(await upgraded.usage()).toEqual({ count: 1, bytes: held.size });
    expect(await upgraded.certificateUsage()).toEqual({ count: 1, bytes: 100 });
    expect(await upgraded.forgetCounters(1)).toBe(2);
    // 9 and 6 went (the floor is the higher, 7); 7, emptied last, keeps its own counter.
    expect((await upgraded.kindState(id16(7), 7)).generation).toBe(3n);
    expect((await upgraded.kindState(id16(9), 7)).generation).toBe(7n);
    // The location emptied after the upgrade comes after those the file held.
    await upgraded.delete(id16(2), 7, { model: 'single' });
    expect(await upgraded.forgetCounters(1)).toBe(1);
    expect((await upgraded.kindState(id16(2), 7)).generation).toBe(8n);
    expect((await upgraded.kindState(id16(7), 7)).generation).toBe(7n);
    await upgraded.close();
  });

  it('a file of schema version 0 (times on a gone process clock) loses its records once and keeps its counters', async () => {
    const filename = join(dir, 'legacy.db');
    legacyFile(filename, 0, { records: [record({ resourceId: id16(1), value: single('old'), expiresAt: 5_000_000 })], generations: [[id16(1), 7, 12n], [id16(3), 7, 2n]] });

    const upgraded = openSqliteBackend({ filename });
    expect(await upgraded.kindState(id16(1), 7)).toEqual({ generation: 12n, records: [] });
    expect(await upgraded.usage()).toEqual({ count: 0, bytes: 0 });
    expect(await upgraded.usage({ user: 'alice@example.com' })).toEqual({ count: 0, bytes: 0 });
    const r = record({ resourceId: id16(1), value: single('new') });
    await upgraded.write({ puts: [r], generations: [{ resourceId: id16(1), kind: 7, generation: 13n }] });
    // Only the other location holds only a counter now.
    expect(await upgraded.forgetCounters(0)).toBe(1);
    await upgraded.close();
    const again = openSqliteBackend({ filename });
    expect(await again.kindState(id16(1), 7)).toEqual({ generation: 13n, records: [r] });
    expect((await again.kindState(id16(3), 7)).generation).toBe(2n);
    await again.close();
  });
});

/**
 * A file as schema `version` (0 to 3) wrote it, without what later versions added: versions 0
 * and 1 had the same tables (records without certs, no certificates table); version 2 added the
 * certificates (each record's list space-separated, references counted by the backend) and had a
 * per-user index; version 3 replaced that index by generations.idle and the tallies (kept by
 * triggers, which an upgrade drops and makes again, so they are left out here). In a version-3
 * file, the locations holding only a counter emptied in the order `generations` lists them (idle
 * 1, 2, ...). `refs`, when given, is every certificate's count of references instead of the true one.
 */
function legacyFile(
  filename: string,
  version: 0 | 1 | 2 | 3,
  contents: { records?: readonly StoredRecord[]; generations?: readonly [Uint8Array, number, bigint][]; certificates?: readonly HeldCertificate[]; refs?: number },
): void {
  const certs = version >= 2;
  const raw = new Database(filename);
  raw.exec(`CREATE TABLE records (resource BLOB NOT NULL, kind INTEGER NOT NULL, rkey BLOB NOT NULL, model INTEGER NOT NULL, data BLOB NOT NULL, stored_at REAL NOT NULL,
      expires_at REAL NOT NULL, storer_user TEXT NOT NULL, storer_node BLOB NOT NULL, size INTEGER NOT NULL, ${certs ? "certs TEXT NOT NULL DEFAULT ''," : ''} PRIMARY KEY (resource, kind, rkey)) WITHOUT ROWID;
    CREATE INDEX records_expiry ON records (expires_at);
    CREATE TABLE generations (resource BLOB NOT NULL, kind INTEGER NOT NULL, generation BLOB NOT NULL, PRIMARY KEY (resource, kind)) WITHOUT ROWID;`);
  if (certs) {
    raw.exec(`CREATE INDEX records_user ON records (storer_user, size);
      CREATE TABLE certificates (hash TEXT NOT NULL PRIMARY KEY, type INTEGER NOT NULL, bytes BLOB NOT NULL, refs INTEGER NOT NULL) WITHOUT ROWID;`);
  }
  for (const r of contents.records ?? []) {
    const values = [r.resourceId, r.kind, new Uint8Array(0), MODEL_CODES[r.data.value.model], encodeStoredDataBytes(r.data), r.storedAt, r.expiresAt, r.storerUser, r.storerNode, r.size];
    if (certs) raw.prepare('INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(...values, r.certificates.join(' '));
    else raw.prepare('INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(...values);
  }
  for (const c of contents.certificates ?? []) {
    const refs = contents.refs ?? (contents.records ?? []).filter((r) => r.certificates.includes(c.hash)).length;
    raw.prepare('INSERT INTO certificates VALUES (?, ?, ?, ?)').run(c.hash, c.certificate.type, c.certificate.certificate, refs);
  }
  for (const [resource, kind, generation] of contents.generations ?? []) {
    const g = new Uint8Array(8);
    new DataView(g.buffer).setBigUint64(0, generation);
    raw.prepare('INSERT INTO generations VALUES (?, ?, ?)').run(resource, kind, g);
  }
  if (version >= 3) {
    raw.exec(`DROP INDEX records_user;
      ALTER TABLE generations ADD COLUMN idle INTEGER;
      CREATE TABLE tallies (name TEXT NOT NULL PRIMARY KEY, c INTEGER NOT NULL, b INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE users (storer_user TEXT NOT NULL PRIMARY KEY, c INTEGER NOT NULL, b INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE forgotten (id INTEGER PRIMARY KEY CHECK (id = 0), generation BLOB NOT NULL);
      INSERT INTO tallies SELECT 'records', count(*), coalesce(sum(size), 0) FROM records;
      INSERT INTO tallies SELECT 'certificates', count(*), coalesce(sum(length(bytes)), 0) FROM certificates;
      INSERT INTO users SELECT storer_user, count(*), sum(size) FROM records GROUP BY storer_user;`);
    let idle = 1;
    for (const [resource, kind] of contents.generations ?? []) {
      const empty = raw.prepare('UPDATE generations SET idle = ? WHERE resource = ? AND kind = ? AND NOT EXISTS (SELECT 1 FROM records r WHERE r.resource = ? AND r.kind = ?)');
      if (empty.run(idle, resource, kind, resource, kind).changes > 0) idle++;
    }
    raw.prepare("INSERT INTO tallies VALUES ('kept', ?, ?)").run(idle - 1, idle);
  }
  raw.pragma(`user_version = ${version}`);
  raw.close();
}

/**
 * The statements of `statements` (as traced, values filled in) that walk a whole table or index: a
 * Count on a cursor of a stored table or index, or a Rewind or Last on one that no Idx{GT,GE,LT,LE}
 * bounds (a range from the start, like `expires_at <= now` on its index, is bounded), in the
 * statement's program or a trigger's (EXPLAIN lists each trigger's program after it, from its own Init).
 */
function wholeTableWalks(filename: string, statements: readonly string[]): string[] {
  const db = new Database(filename, { readonly: true });
  const walks = (program: readonly { opcode: string; p1: number }[]) => {
    const stored = new Set(program.filter((op) => op.opcode === 'OpenRead' || op.opcode === 'OpenWrite').map((op) => op.p1));
    const bounded = new Set(program.filter((op) => /^Idx(GT|GE|LT|LE)$/.test(op.opcode)).map((op) => op.p1));
    return program.some((op) => stored.has(op.p1) && (op.opcode === 'Count' || ((op.opcode === 'Rewind' || op.opcode === 'Last') && !bounded.has(op.p1))));
  };
  try {
    return statements.filter((sql) => {
      const programs: { opcode: string; p1: number }[][] = [];
      for (const op of db.prepare<[], { opcode: string; p1: number }>(`EXPLAIN ${sql}`).all()) {
        if (op.opcode === 'Init') programs.push([]);
        programs.at(-1)?.push(op);
      }
      return programs.some(walks);
    });
  } finally {
    db.close();
  }
}

describe('sqlite backend cost of a Store', () => {
  // Item: the totals a Store checks (StorageLimits: values, bytes, certificates) were counted over the whole tables.
  it('a Store that brings a new certificate, and a purge, run no statement that walks a whole table (totals are kept, not counted)', async () => {
    const filename = join(dir, 'cost.db');
    const statements: string[] = [];
    let tracing = false;
    const f = await storageFixture({ backend: openSqliteBackend({ filename, trace: (sql) => tracing && statements.push(sql) }) });
    await f.store.store(storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('alice'), 1000n, 60)]), f.ctx(f.alice));
    tracing = true;
    await f.store.store(storeReq(f.bobUser, K.SINGLE, [f.bob.sign(f.bobUser, K.SINGLE, single('bob'), 1000n, 600)]), f.ctx(f.bob));
    // Replaces a value whose certificate is held: released and named again in one write.
    await f.store.store(storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single('alice 2'), 1001n, 60)]), f.ctx(f.alice));
    f.clock.advance(61_000);
    expect(await f.store.purgeExpired()).toBe(1);
    tracing = false;
    // Closed first: the backend holds its file alone (sqlite-files.ts).
    await f.backend.close();
    expect(statements.length).toBeGreaterThan(0);
    expect(wholeTableWalks(filename, statements)).toEqual([]);
    // The records' certificates are counted by the triggers (sqlite-schema.ts): a write holds the
    // certificates it brings, lets go of those no record names, and checks maxCertificateBytes when
    // it added one; no statement counts references by hand, nor reads the certificates before.
    expect(statements.filter((sql) => /\bcertificates\b/.test(sql)).map((sql) => sql.split(' (')[0])).toEqual([
      // Bob's Store: a new certificate.
      'INSERT OR IGNORE INTO certificates',
      'DELETE FROM certificates WHERE refs <= 0',
      "SELECT c, b FROM tallies WHERE name = 'certificates'",
      // Alice's, replacing a value her held certificate verifies.
      'INSERT OR IGNORE INTO certificates',
      'DELETE FROM certificates WHERE refs <= 0',
      // The purge.
      'DELETE FROM certificates WHERE refs <= 0',
    ]);
  });
});

const DAY = 86_400_000;

describe('a DataStore over SQLite across a restart', () => {
  // RFC 6940 §7: "lifetime: The validity period for the data, in seconds, starting from the time the
  // peer receives the StoreReq"; §7.4.1.3: values age out "when the lifetime expires". The monotonic
  // clock of a new process starts again; the epoch clock goes on.
  it('a 60 s value stored after 10 days of uptime expires 60 s after it arrived, in the next process', async () => {
    const filename = join(dir, 'restart.db');
    const wall = new ManualClock(1_700_000_000_000);
    const epochClock = () => wall.now();
    const first = await storageFixture({ backend: openSqliteBackend({ filename }), epochClock });
    first.clock.advance(10 * DAY);
    wall.advance(10 * DAY);
    const d = first.alice.sign(first.aliceUser, K.SINGLE, single('short-lived'), 1000n, 60);
    await first.store.store(storeReq(first.aliceUser, K.SINGLE, [d]), first.ctx(first.alice));
    await first.backend.close();

    const second = await storageFixture({ backend: openSqliteBackend({ filename }), epochClock });
    const fetch = () => fetchAnswer(second.store, { resource: second.aliceUser, specifiers: [{ kind: K.SINGLE, generation: 0n, modelSpecifier: { model: 'single' } }] });
    second.clock.advance(20_000);
    wall.advance(20_000);
    expect((await fetch()).kindResponses[0]?.values[0]?.lifetime).toBe(40);
    second.clock.advance(100_000);
    wall.advance(100_000);
    expect(await second.store.purgeExpired()).toBe(1);
    const v = (await fetch()).kindResponses[0]?.values[0];
    expect({ exists: v?.value.model === 'single' && v.value.singleValueEntry.exists, lifetime: v?.lifetime }).toEqual({ exists: false, lifetime: 0 });
    await second.backend.close();
  });

  // RFC 6940 §6.3.4: "a peer storing data is obligated to retain certificates for the data that it holds"; the
  // verifier's certificate cache of the next process starts empty.
  it('the certificates of the stored values outlive a restart, and a Fetch still carries them', async () => {
    const filename = join(dir, 'restart-certificates.db');
    const first = await storageFixture({ backend: openSqliteBackend({ filename }) });
    await first.store.store(storeReq(first.aliceUser, K.SINGLE, [first.alice.sign(first.aliceUser, K.SINGLE, single('kept'), 1000n, 600)]), first.ctx(first.alice));
    await first.backend.close();

    const second = await storageFixture({ backend: openSqliteBackend({ filename }) });
    const { answer, certificates } = await second.store.fetchWithCertificates({ resource: second.aliceUser, specifiers: [{ kind: K.SINGLE, generation: 0n, modelSpecifier: { model: 'single' } }] });
    expect(answer.kindResponses[0]?.values).toHaveLength(1);
    expect(certificates).toEqual(first.alice.signer.certificates);
    await second.backend.close();
  });
});
