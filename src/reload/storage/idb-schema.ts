/**
 * The IndexedDB backend's stores (idb-backend.ts) and the bookkeeping of one write transaction:
 * tallies of records (per location, per user, in total), of the locations holding only a kept
 * counter (StorageBackend), and the counts of records naming each held certificate
 * (held-certificates.ts), read once, adjusted in memory, written back at the end.
 */
import type { DBSchema, IDBPTransaction } from 'idb';
import { exactBytes } from '../wire/codec/byte-slab.js';
import type { HeldCertificate } from './held-certificates.js';
import { CertificateLimitError, CertificateNotHeldError } from './storage-backend.js';

export interface RecordValue {
  r: string;
  k: number;
  x: string;
  m: number;
  d: Uint8Array;
  s: number;
  e: number;
  u: string;
  n: Uint8Array;
  z: number;
  /** StoredRecord.certificates; absent in records of version 2. */
  c?: string[];
}

export interface CertificateValue {
  h: string;
  t: number;
  d: Uint8Array;
  /** Records naming it. */
  n: number;
}

export interface KindValue {
  r: string;
  k: number;
  /** Generation counter, decimal (uint64). */
  g: string;
  c: number;
  b: number;
  /** While it holds only a counter (c = 0): when it lost its last record (meta KEPT.b), for forgetCounters; index `idle`. */
  i?: number;
}

export interface TallyValue {
  u: string;
  c: number;
  b: number;
  /** FLOOR only: the highest counter forgotten, decimal. */
  g?: string;
}

export interface StorageSchema extends DBSchema {
  records: { key: [string, number, string]; value: RecordValue; indexes: { expiry: number; kindResource: [number, string] } };
  kinds: { key: [string, number]; value: KindValue; indexes: { idle: number } };
  users: { key: string; value: TallyValue };
  meta: { key: string; value: TallyValue };
  certificates: { key: string; value: CertificateValue };
}

export type StoreName = 'records' | 'kinds' | 'users' | 'meta' | 'certificates';
export const WRITE_STORES: StoreName[] = ['records', 'kinds', 'users', 'meta', 'certificates'];
export type WriteTx = IDBPTransaction<StorageSchema, StoreName[], 'readwrite'>;

export const TOTAL = 'total';
/** The `meta` key of the certificates' tally. */
export const CERTIFICATES = 'certificates';
/** The `meta` key of the tally of locations holding only a counter (c), and the next KindValue.i (b). */
export const KEPT = 'kept';
/** The `meta` key of the highest counter forgotten (TallyValue.g). */
export const FLOOR = 'forgotten';
/** Sorts after every number and string in an IndexedDB key (arrays sort last). */
export const HIGH: [] = [];

/** Tallies read once per transaction, adjusted in memory, written back at the end. */
export class Tallies {
  private readonly kinds = new Map<string, KindValue | null>();
  private readonly users = new Map<string, TallyValue | null>();
  private total: TallyValue | undefined;
  /** Locations holding only a counter deleted with their resource before this transaction loaded them. */
  private droppedKept = 0;
  /** The highest counter of a resource dropped in this transaction: it raises the floor (FLOOR) at flush. */
  private highestDropped = 0n;

  constructor(private readonly tx: WriteTx) {}

  async kind(r: string, k: number): Promise<KindValue> {
    const id = `${r}/${k}`;
    let v = this.kinds.get(id);
    if (v === undefined) v = (await this.tx.objectStore('kinds').get([r, k])) ?? null;
    const out = v ?? { r, k, g: '0', c: 0, b: 0 };
    this.kinds.set(id, out);
    return out;
  }

  async adjust(v: RecordValue, sign: 1 | -1): Promise<void> {
    const kind = await this.kind(v.r, v.k);
    let user = this.users.get(v.u);
    if (user === undefined) user = (await this.tx.objectStore('users').get(v.u)) ?? null;
    const u = user ?? { u: v.u, c: 0, b: 0 };
    this.users.set(v.u, u);
    this.total ??= (await this.tx.objectStore('meta').get(TOTAL)) ?? { u: TOTAL, c: 0, b: 0 };
    for (const t of [kind, u, this.total]) {
      t.c += sign;
      t.b += sign * v.z;
    }
  }

  /** Delete a whole resource's kinds (its records were dropped and uncounted). */
  async dropResource(r: string): Promise<void> {
    for (let c = await this.tx.objectStore('kinds').openCursor(IDBKeyRange.bound([r], [r, HIGH])); c; c = await c.continue()) {
      // Those loaded leave the tally at flush (they keep the `i` they were loaded with).
      if (!this.kinds.has(`${r}/${c.value.k}`) && c.value.i !== undefined) this.droppedKept++;
      const g = BigInt(c.value.g);
      if (g > this.highestDropped) this.highestDropped = g;
      await c.delete();
    }
    for (const [id, v] of this.kinds) if (v && v.r === r) this.kinds.set(id, { ...v, g: '0', c: 0, b: 0 });
  }

  async flush(): Promise<void> {
    const meta = this.tx.objectStore('meta');
    let kept: TallyValue | undefined;
    let keptChange = -this.droppedKept;
    for (const v of this.kinds.values()) {
      if (!v) continue;
      const was = v.i !== undefined;
      const is = v.c === 0 && v.g !== '0';
      if (is && !was) {
        kept ??= (await meta.get(KEPT)) ?? { u: KEPT, c: 0, b: 0 };
        v.i = kept.b++;
        keptChange++;
      } else if (was && !is) {
        delete v.i;
        keptChange--;
      }
      if (v.c === 0 && v.g === '0') await this.tx.objectStore('kinds').delete([v.r, v.k]);
      else await this.tx.objectStore('kinds').put(v);
    }
    if (kept || keptChange !== 0) {
      kept ??= (await meta.get(KEPT)) ?? { u: KEPT, c: 0, b: 0 };
      await meta.put({ ...kept, c: kept.c + keptChange }, KEPT);
    }
    for (const [name, v] of this.users) {
      if (!v) continue;
      if (v.c === 0) await this.tx.objectStore('users').delete(name);
      else await this.tx.objectStore('users').put(v);
    }
    if (this.total) await this.tx.objectStore('meta').put(this.total, TOTAL);
    if (this.highestDropped > 0n) {
      // A dropped counter is forgotten: it raises the floor (StorageBackend).
      const floor = BigInt((await meta.get(FLOOR))?.g ?? '0');
      if (this.highestDropped > floor) await meta.put({ u: FLOOR, c: 0, b: 0, g: this.highestDropped.toString() }, FLOOR);
    }
  }
}

/** Certificates read once per transaction, their counts of naming records adjusted in memory, written back at the end. */
export class CertificateRefs {
  private readonly entries = new Map<string, CertificateValue | null>();
  private readonly held = new Set<string>();

  constructor(private readonly tx: WriteTx) {}

  private async entry(h: string): Promise<CertificateValue | null> {
    let v = this.entries.get(h);
    if (v === undefined) {
      v = (await this.tx.objectStore('certificates').get(h)) ?? null;
      if (v) this.held.add(h);
      this.entries.set(h, v);
    }
    return v;
  }

  async offer(c: HeldCertificate): Promise<void> {
    if ((await this.entry(c.hash)) === null) this.entries.set(c.hash, { h: c.hash, t: c.certificate.type, d: exactBytes(c.certificate.certificate), n: 0 });
  }

  /** A record naming `hashes` comes (1) or goes (-1). */
  async adjust(hashes: readonly string[] | undefined, sign: 1 | -1): Promise<void> {
    for (const h of hashes ?? []) {
      const v = await this.entry(h);
      if (v) v.n += sign;
      else if (sign > 0) throw new CertificateNotHeldError(h);
    }
  }

  /**
   * Writes the certificates back, and their tally. With `maxCertificateBytes` (WriteBatch), throws
   * CertificateLimitError (the caller aborts the transaction) when a certificate not held before is
   * kept and more bytes than that would be held.
   */
  async flush(maxCertificateBytes?: number): Promise<void> {
    const store = this.tx.objectStore('certificates');
    let count = 0;
    let bytes = 0;
    let adds = false;
    for (const [h, v] of this.entries) {
      if (!v) continue;
      const kept = v.n > 0;
      if (kept && !this.held.has(h)) adds = true;
      if (kept) await store.put(v);
      else if (this.held.has(h)) await store.delete(h);
      const sign = (kept ? 1 : 0) - (this.held.has(h) ? 1 : 0);
      count += sign;
      bytes += sign * v.d.length;
    }
    if (count === 0 && bytes === 0 && !adds) return;
    const meta = this.tx.objectStore('meta');
    const t = (await meta.get(CERTIFICATES)) ?? { u: CERTIFICATES, c: 0, b: 0 };
    if (adds && maxCertificateBytes !== undefined && t.b + bytes > maxCertificateBytes) throw new CertificateLimitError(t.b + bytes, maxCertificateBytes);
    await meta.put({ u: CERTIFICATES, c: t.c + count, b: t.b + bytes }, CERTIFICATES);
  }
}
