/**
 * The browser's backend: IndexedDB through `idb`, one database per overlay and Node-ID
 * (ARCHITECTURE.md "Storage"). No Node built-ins. Each `write` is one readwrite transaction over
 * every store it touches, aborted if anything fails (RFC 6940 §7.4.1.1 atomic Store); inside a
 * transaction only IndexedDB requests are awaited, so it never auto-commits half-way.
 *
 * Stores: `records` (key [resource hex, kind, key tag]; the StoredData as its §7 wire encoding),
 * `kinds` (key [resource hex, kind]: generation and tallies; kept with count 0 while it holds a
 * counter, StorageBackend; index `idle` on those), `users` (tallies per storing user), `meta` (the
 * totals of records, of certificates and of kinds holding only a counter, and the floor of
 * forgotten counters) and `certificates` (key hash: a held certificate and how many records name
 * it, held-certificates.ts). Hex strings sort like the bytes (RingRange), tags like `list` order.
 *
 * Database versions, their upgrades and the refusal of a newer one: idb-database.ts.
 */
import type { IDBPDatabase, IDBPTransaction } from 'idb';
import { doneHandled, failsAsClosed, readInTransaction } from '../runtime/idb-closing.js';
import { browserWebLocks, requestTellingWait, type LockWait, type WebLocks } from '../runtime/web-locks.js';
import { exactBytes } from '../wire/codec/byte-slab.js';
import type { NodeId, ResourceId } from '../wire/ids.js';
import type { HeldCertificate } from './held-certificates.js';
import { decodeStoredDataBytes, encodeStoredDataBytes, MODEL_CODES } from './record-encoding.js';
import { BROWSER_CLOSED, openStorageDatabase } from './idb-database.js';
import { CERTIFICATES, CertificateRefs, FLOOR, HIGH, KEPT, Tallies, TOTAL, WRITE_STORES, type RecordValue, type StorageSchema, type StoreName } from './idb-schema.js';
import { fromHexKey, hexKey, ringRangeParts } from './ring-range.js';
import { MAX_GENERATION, StorageClosedError, type KindState, type ResourceQuery, type StorageBackend, type Usage, type UsageScope, type WriteBatch } from './storage-backend.js';
import { keyOfRecord, recordKeyTag, type RecordKey, type StoredRecord } from './stored-record.js';

/** RFC-free naming: one database per overlay and Node-ID. */
export function idbDatabaseName(overlay: string, nodeId: NodeId): string {
  return `chordphone-storage/${overlay}/${hexKey(nodeId)}`;
}

export interface IdbBackendInit {
  /** The overlay's instance name (§11.1). */
  readonly overlay: string;
  /** This peer's Node-ID. */
  readonly nodeId: NodeId;
  /**
   * The origin's lock manager, for `exclusively`; default the page's (browserWebLocks). OUR CHOICE:
   * where the page has none (every current browser has it, in a secure context only: https or
   * localhost), the connections to one database are not ordered, as before.
   */
  readonly locks?: WebLocks;
}

function toValue(r: StoredRecord): RecordValue {
  return {
    r: hexKey(r.resourceId),
    k: r.kind,
    x: recordKeyTag(keyOfRecord(r)),
    m: MODEL_CODES[r.data.value.model],
    // Exactly its bytes, here and in `n`: an IndexedDB put structured-clones a view's whole buffer. The
    // encoding is made so (encodeStoredDataBytes); the Node-ID may be a view of a received message.
    d: encodeStoredDataBytes(r.data),
    s: r.storedAt,
    e: r.expiresAt,
    u: r.storerUser,
    n: exactBytes(r.storerNode),
    z: r.size,
    c: [...r.certificates],
  };
}

function toRecord(v: RecordValue): StoredRecord {
  return {
    resourceId: fromHexKey(v.r),
    kind: v.k,
    data: decodeStoredDataBytes(v.d, v.m),
    storedAt: v.s,
    expiresAt: v.e,
    storerUser: v.u,
    storerNode: v.n,
    size: v.z,
    certificates: v.c ?? [],
  };
}

class IdbBackend implements StorageBackend {
  constructor(
    private readonly db: IDBPDatabase<StorageSchema>,
    /** The database's name, the name of its lock. */
    private readonly name: string,
    private readonly locks: WebLocks | undefined,
  ) {}

  /**
   * Set by `close`, also when IndexedDB asks for the connection or closes it (openStorageDatabase's
   * `closed`, `closeUnder`): every operation then rejects with StorageClosedError before it asks
   * the connection, which would throw its own InvalidStateError (a closed connection's `transaction`);
   * one under way then rejects with it too (`run`).
   */
  private closed: StorageClosedError | undefined;
  private tellClosedUnder: (error: StorageClosedError) => void = () => {};
  /** StorageBackend: settles once IndexedDB closed the connection (`closeUnder`); `close` leaves it pending. */
  readonly closedUnder = new Promise<StorageClosedError>((resolve) => (this.tellClosedUnder = resolve));

  /**
   * Under the Web Lock named after the database: the tabs of an origin share IndexedDB. Each tab
   * joins with a Node-ID of its own (device-slot.ts), so its own database; but a slot is let go
   * once the overlay holding it has closed its peer, before its records have closed
   * (overlay-client.ts JoinedOverlay.recordsClosed), so two connections to one database meet: the
   * join that takes the slot next, in the same tab ("Try again", the same name again) or in
   * another, opens the database (overlay-client.ts opens it at each join) while the old
   * connection is still open, its store's operation under way finishing. A Store's
   * read-check-write (DataStore) spans several transactions, so one connection's Store could
   * otherwise read a location, the other's write it, and the first write over what it never
   * checked (RFC 6940 §7.4.1.1 generation counters, limits). The new join waits for this lock
   * once before it joins (join-records.ts `ready`). Without Web Locks (IdbBackendInit.locks)
   * there is no such order.
   */
  exclusively<T>(critical: () => Promise<T>, wait?: LockWait): Promise<T> {
    // Closed: rejects as the other operations do, not waiting for the lock.
    if (this.closed) return Promise.reject(new StorageClosedError(this.closed.message));
    if (!this.locks) return critical();
    return wait ? requestTellingWait(this.locks, this.name, wait, critical) : this.locks.request(this.name, critical);
  }

  get(resourceId: ResourceId, kind: number, key: RecordKey): Promise<StoredRecord | undefined> {
    return this.run(async () => {
      const v = await readInTransaction(this.db, 'records', (s) => s.get([hexKey(resourceId), kind, recordKeyTag(key)]));
      return v && toRecord(v);
    });
  }

  async put(record: StoredRecord): Promise<void> {
    await this.write({ puts: [record] });
  }

  delete(resourceId: ResourceId, kind: number, key: RecordKey): Promise<boolean> {
    return this.run(async () => {
      const had = (await readInTransaction(this.db, 'records', (s) => s.count([hexKey(resourceId), kind, recordKeyTag(key)]))) > 0;
      if (had) await this.write({ deletes: [{ resourceId, kind, key }] });
      return had;
    });
  }

  kindState(resourceId: ResourceId, kind: number): Promise<KindState> {
    return this.run(async () => {
      const r = hexKey(resourceId);
      const tx = this.transaction(['records', 'kinds', 'meta'], 'readonly');
      const [k, values, floor] = await Promise.all([
        tx.objectStore('kinds').get([r, kind]),
        tx.objectStore('records').getAll(IDBKeyRange.bound([r, kind], [r, kind, HIGH])),
        tx.objectStore('meta').get(FLOOR),
        tx.done,
      ]);
      return { generation: k && k.g !== '0' ? BigInt(k.g) : BigInt(floor?.g ?? '0'), records: values.map(toRecord) };
    });
  }

  kinds(resourceId: ResourceId): Promise<number[]> {
    return this.run(async () => {
      const r = hexKey(resourceId);
      const kinds = await readInTransaction(this.db, 'kinds', (s) => s.getAll(IDBKeyRange.bound([r], [r, HIGH])));
      return kinds.filter((k) => k.c > 0).map((k) => k.k);
    });
  }

  resources(query: ResourceQuery = {}): Promise<ResourceId[]> {
    return this.run(async () => {
      const limit = query.limit ?? Infinity;
      const tx = this.transaction(['records', 'kinds'], 'readonly');
      const out: string[] = [];
      for (const part of ringRangeParts(query.range, hexKey)) {
        if (out.length >= limit) break;
        let last: string | undefined;
        if (query.kind === undefined) {
          const range = keyRange(part.after === undefined ? undefined : [part.after, HIGH], part.upTo === undefined ? undefined : [part.upTo, HIGH]);
          const counters = query.withCounters === true && query.aliveAt === undefined;
          for (let c = await tx.objectStore('kinds').openCursor(range); c && out.length < limit; c = await c.continue()) {
            const r = c.key[0];
            // A count of 0: only a kept counter (no record).
            if (r === last || (c.value.c === 0 && !counters)) continue;
            last = r;
            if (await this.alive(tx, r, undefined, query.aliveAt)) out.push(r);
          }
        } else {
          const kind = query.kind;
          const lower: [number, string] | [number] = part.after === undefined ? [kind] : [kind, part.after];
          const upper: [number, string] | [number, []] = part.upTo === undefined ? [kind, HIGH] : [kind, part.upTo];
          const range = IDBKeyRange.bound(lower, upper, part.after !== undefined, false);
          for (let c = await tx.objectStore('records').index('kindResource').openKeyCursor(range); c && out.length < limit; c = await c.continue()) {
            const r = c.key[1];
            if (r === last) continue;
            last = r;
            if (await this.alive(tx, r, kind, query.aliveAt)) out.push(r);
          }
        }
      }
      await tx.done;
      return out.map(fromHexKey);
    });
  }

  private async alive(
    tx: IDBPTransaction<StorageSchema, ('records' | 'kinds')[], 'readonly'>,
    r: string,
    kind: number | undefined,
    aliveAt: number | undefined,
  ): Promise<boolean> {
    if (aliveAt === undefined) return true;
    const range = kind === undefined ? IDBKeyRange.bound([r], [r, HIGH]) : IDBKeyRange.bound([r, kind], [r, kind, HIGH]);
    for (let c = await tx.objectStore('records').openCursor(range); c; c = await c.continue()) {
      if (c.value.e > aliveAt) return true;
    }
    return false;
  }

  write(batch: WriteBatch): Promise<void> {
    return this.run(async () => {
      const tx = this.transaction(WRITE_STORES, 'readwrite');
      try {
        const tallies = new Tallies(tx);
        const refs = new CertificateRefs(tx);
        for (const c of batch.certificates ?? []) await refs.offer(c);
        const records = tx.objectStore('records');
        for (const id of batch.dropResources ?? []) {
          const r = hexKey(id);
          for (let c = await records.openCursor(IDBKeyRange.bound([r], [r, HIGH])); c; c = await c.continue()) {
            await tallies.adjust(c.value, -1);
            await refs.adjust(c.value.c, -1);
            await c.delete();
          }
          await tallies.dropResource(r);
        }
        for (const ref of batch.deletes ?? []) {
          const key: [string, number, string] = [hexKey(ref.resourceId), ref.kind, recordKeyTag(ref.key)];
          const old = await records.get(key);
          if (!old) continue;
          await tallies.adjust(old, -1);
          await refs.adjust(old.c, -1);
          await records.delete(key);
        }
        for (const record of batch.puts ?? []) {
          const v = toValue(record);
          const old = await records.get([v.r, v.k, v.x]);
          if (old) {
            await tallies.adjust(old, -1);
            await refs.adjust(old.c, -1);
          }
          await tallies.adjust(v, 1);
          await refs.adjust(v.c, 1);
          await records.put(v);
        }
        for (const g of batch.generations ?? []) {
          if (g.generation < 1n || g.generation > MAX_GENERATION) throw new RangeError(`generation ${g.generation} is not in 1..2^64-1`);
          (await tallies.kind(hexKey(g.resourceId), g.kind)).g = g.generation.toString();
        }
        await tallies.flush();
        await refs.flush(batch.maxCertificateBytes);
      } catch (e) {
        try {
          tx.abort();
        } catch {
          // Aborted already (by the request that failed, or by the browser closing the connection):
          // `abort` throws an InvalidStateError, which must not hide `e`.
        }
        // Until the abort is over; its failure is `e`'s, not another.
        await tx.done.catch(() => undefined);
        throw e;
      }
      await tx.done;
    });
  }

  deleteExpired(now: number): Promise<number> {
    return this.run(async () => {
      const tx = this.transaction(WRITE_STORES, 'readwrite');
      const tallies = new Tallies(tx);
      const refs = new CertificateRefs(tx);
      let removed = 0;
      const index = tx.objectStore('records').index('expiry');
      for (let c = await index.openCursor(IDBKeyRange.upperBound(now)); c; c = await c.continue()) {
        await tallies.adjust(c.value, -1);
        await refs.adjust(c.value.c, -1);
        await c.delete();
        removed++;
      }
      await tallies.flush();
      await refs.flush();
      await tx.done;
      return removed;
    });
  }

  usage(scope?: UsageScope): Promise<Usage> {
    return this.run(async () => {
      const t = !scope
        ? await readInTransaction(this.db, 'meta', (s) => s.get(TOTAL))
        : 'user' in scope
          ? await readInTransaction(this.db, 'users', (s) => s.get(scope.user))
          : await readInTransaction(this.db, 'kinds', (s) => s.get([hexKey(scope.resourceId), scope.kind]));
      return { count: t?.c ?? 0, bytes: t?.b ?? 0 };
    });
  }

  certificates(hashes: readonly string[]): Promise<HeldCertificate[]> {
    return this.run(async () => {
      const tx = this.transaction(['certificates'], 'readonly');
      const unique = [...new Set(hashes)];
      const [values] = await Promise.all([Promise.all(unique.map((h) => tx.objectStore('certificates').get(h))), tx.done]);
      return values.filter((v) => v !== undefined).map((v) => ({ hash: v.h, certificate: { type: v.t, certificate: v.d } }));
    });
  }

  certificateUsage(): Promise<Usage> {
    return this.run(async () => {
      const t = await readInTransaction(this.db, 'meta', (s) => s.get(CERTIFICATES));
      return { count: t?.c ?? 0, bytes: t?.b ?? 0 };
    });
  }

  forgetCounters(keep: number): Promise<number> {
    return this.run(async () => {
      const tx = this.transaction(['kinds', 'meta'], 'readwrite');
      const meta = tx.objectStore('meta');
      const kept = await meta.get(KEPT);
      let forgotten = 0;
      if (kept && kept.c > keep) {
        let floor = BigInt((await meta.get(FLOOR))?.g ?? '0');
        for (let c = await tx.objectStore('kinds').index('idle').openCursor(); c && forgotten < kept.c - keep; c = await c.continue()) {
          const g = BigInt(c.value.g);
          if (g > floor) floor = g;
          await c.delete();
          forgotten++;
        }
        await meta.put({ ...kept, c: kept.c - forgotten }, KEPT);
        await meta.put({ u: FLOOR, c: 0, b: 0, g: floor.toString() }, FLOOR);
      }
      await tx.done;
      return forgotten;
    });
  }

  async close(): Promise<void> {
    this.closed ??= new StorageClosedError();
    this.db.close();
  }

  /** IndexedDB asked for the connection or closed it (`why`, openStorageDatabase): closed, and `closedUnder` told, once. */
  closeUnder(why: string): void {
    if (this.closed) return;
    this.closed = new StorageClosedError(`the records were closed under this peer: ${why}`);
    this.db.close();
    this.tellClosedUnder(this.closed);
  }

  /** `operation` on the open backend; failing as IndexedDB closed the connection under it (runtime/idb-closing.ts), it rejects with StorageClosedError. */
  private async run<T>(operation: () => Promise<T>): Promise<T> {
    this.checkOpen();
    return failsAsClosed(this.db, operation, (cause) => {
      // Closed by the browser, whose `close` event (`terminated`) comes after the aborts: closed
      // now, and `closedUnder` told. Or by `close` or `closeUnder` while the operation was under way
      // (they mark this backend closed first): then `closeUnder` does nothing, and the error says
      // what they said.
      this.closeUnder(BROWSER_CLOSED);
      return new StorageClosedError(this.closed?.message, { cause });
    });
  }

  /** A transaction of this connection, its `done` handled (runtime/idb-closing.ts doneHandled). */
  private transaction<Names extends ArrayLike<StoreName>, Mode extends IDBTransactionMode>(stores: Names, mode: Mode): IDBPTransaction<StorageSchema, Names, Mode> {
    return doneHandled(this.db.transaction(stores, mode));
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageClosedError(this.closed.message);
  }
}

function keyRange<K extends IDBValidKey>(lower: K | undefined, upper: K | undefined): IDBKeyRange | undefined {
  if (lower !== undefined && upper !== undefined) return IDBKeyRange.bound(lower, upper, true, false);
  if (lower !== undefined) return IDBKeyRange.lowerBound(lower, true);
  if (upper !== undefined) return IDBKeyRange.upperBound(upper);
  return undefined;
}

/** Opens (creating or upgrading, idb-database.ts) the IndexedDB backend of one overlay and Node-ID. */
export async function openIdbBackend(init: IdbBackendInit): Promise<StorageBackend> {
  const name = idbDatabaseName(init.overlay, init.nodeId);
  const db = await openStorageDatabase(name, (why) => backend.closeUnder(why));
  const backend = new IdbBackend(db, name, init.locks ?? browserWebLocks());
  return backend;
}
