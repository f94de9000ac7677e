import { exactBytes } from '../wire/codec/byte-slab.js';
import { lowerBound } from '../wire/codec/sorted.js';
import type { NodeId, ResourceId } from '../wire/ids.js';
import type { HeldCertificate } from './held-certificates.js';
import { MemoryCertificates } from './memory-certificates.js';
import { decodeStoredDataBytes, encodeStoredDataBytes, MODEL_CODES } from './record-encoding.js';
import { fromHexKey, hexKey, ringOrder } from './ring-range.js';
import { CertificateLimitError, CertificateNotHeldError, checkBatch, StorageClosedError, firstCertificateNotHeld, type KindState, type ResourceQuery, type StorageBackend, type Usage, type UsageScope, type WriteBatch } from './storage-backend.js';
import { keyOfRecord, recordKeyTag, type RecordKey, type StoredRecord } from './stored-record.js';

/**
 * One stored value, compactly: the StoredData as its §7 wire encoding (measured at about a
 * quarter of the heap the decoded object graph takes in V8), decoded again on read. The data
 * model is the tag's first letter (`s`, `a`, `d`, see recordKeyTag).
 */
interface Slot {
  readonly tag: string;
  readonly bytes: Uint8Array;
  readonly storedAt: number;
  readonly expiresAt: number;
  readonly user: string;
  readonly node: NodeId;
  readonly size: number;
  readonly certs: readonly string[];
}

interface KindEntry {
  readonly kind: number;
  generation: bigint;
  /** Sorted by tag (the `list` order). max-count keeps these short, so arrays beat Maps. */
  readonly slots: Slot[];
  bytes: number;
}

/** A resource's Kinds, sorted by Kind-ID (a handful at most). */
type ResourceEntry = KindEntry[];

interface Tally {
  count: number;
  bytes: number;
}

const MODEL_BY_TAG: Readonly<Record<string, number>> = { s: MODEL_CODES.single, a: MODEL_CODES.array, d: MODEL_CODES.dictionary };

function search<T, K extends number | string>(items: readonly T[], key: (t: T) => K, target: K): { found: boolean; at: number } {
  const at = lowerBound(items, key, target);
  return { found: at < items.length && key(items[at] as T) === target, at };
}

const byKind = (k: KindEntry) => k.kind;
const byTag = (s: Slot) => s.tag;

/**
 * The simulator's backend, built to be small per peer and per record: one Map from Resource-ID
 * (hex) to a short sorted array of Kinds, each a short sorted array of encoded values. Per-user
 * and total tallies are kept current so limits cost O(1); the sorted Resource-ID list for ring
 * queries is rebuilt only after resources come or go; `deleteExpired` returns at once while
 * nothing can have expired yet. The certificates the values name: memory-certificates.ts.
 */
class MemoryBackend implements StorageBackend {
  private readonly byResource = new Map<string, ResourceEntry>();
  private sorted: string[] | undefined = [];
  private readonly users = new Map<string, Tally>();
  private readonly total: Tally = { count: 0, bytes: 0 };
  private readonly certs = new MemoryCertificates();
  /** Locations holding only a kept counter, by `resource/kind`, the longest emptied first (Map order). */
  private readonly emptied = new Map<string, { readonly resource: string; readonly kind: number }>();
  /** The highest counter forgotten: the generation of a location without one (StorageBackend). */
  private floor = 0n;
  private earliestExpiry = Infinity;
  private closed = false;

  async get(resourceId: ResourceId, kind: number, key: RecordKey): Promise<StoredRecord | undefined> {
    this.checkOpen();
    const slot = this.slotAt(hexKey(resourceId), kind, key)?.slot;
    return slot ? toRecord(resourceId, kind, slot) : undefined;
  }

  async put(record: StoredRecord): Promise<void> {
    await this.write({ puts: [record] });
  }

  async delete(resourceId: ResourceId, kind: number, key: RecordKey): Promise<boolean> {
    this.checkOpen();
    const had = this.slotAt(hexKey(resourceId), kind, key) !== undefined;
    if (had) await this.write({ deletes: [{ resourceId, kind, key }] });
    return had;
  }

  async kindState(resourceId: ResourceId, kind: number): Promise<KindState> {
    this.checkOpen();
    const k = this.kindEntry(hexKey(resourceId), kind);
    if (!k) return { generation: this.floor, records: [] };
    return { generation: k.generation > 0n ? k.generation : this.floor, records: k.slots.map((s) => toRecord(resourceId, kind, s)) };
  }

  async kinds(resourceId: ResourceId): Promise<number[]> {
    this.checkOpen();
    return (this.byResource.get(hexKey(resourceId)) ?? []).filter((k) => k.slots.length > 0).map(byKind);
  }

  async resources(query: ResourceQuery = {}): Promise<ResourceId[]> {
    this.checkOpen();
    this.sorted ??= [...this.byResource.keys()].sort();
    const out: ResourceId[] = [];
    const limit = query.limit ?? Infinity;
    for (const key of ringOrder(this.sorted, query.range)) {
      if (out.length >= limit) break;
      if (this.matches(this.byResource.get(key) as ResourceEntry, query)) out.push(fromHexKey(key));
    }
    return out;
  }

  private matches(entry: ResourceEntry, query: ResourceQuery): boolean {
    const kinds = query.kind === undefined ? entry : entry.filter((k) => k.kind === query.kind);
    const aliveAt = query.aliveAt;
    if (aliveAt !== undefined) return kinds.some((k) => k.slots.some((s) => s.expiresAt > aliveAt));
    // An entry without slots holds a kept generation counter (StorageBackend).
    return query.withCounters && query.kind === undefined ? kinds.length > 0 : kinds.some((k) => k.slots.length > 0);
  }

  async write(batch: WriteBatch): Promise<void> {
    this.checkOpen();
    checkBatch(batch);
    const offered = new Map((batch.certificates ?? []).map((c) => [c.hash, c]));
    const missing = firstCertificateNotHeld(batch, (h) => offered.has(h) || this.certs.has(h));
    if (missing !== undefined) throw new CertificateNotHeldError(missing);
    // Checked before anything changes, since this backend cannot roll back.
    if (batch.maxCertificateBytes !== undefined) {
      const bytes = this.certificateBytesAfter(batch, offered);
      if (bytes !== undefined && bytes > batch.maxCertificateBytes) throw new CertificateLimitError(bytes, batch.maxCertificateBytes);
    }
    for (const c of offered.values()) this.certs.hold(c);
    const touched = new Map<string, { resource: string; kind: number }>();
    const touch = (resource: string, kind: number) => touched.set(`${resource}/${kind}`, { resource, kind });
    for (const id of batch.dropResources ?? []) {
      const resource = hexKey(id);
      for (const k of this.byResource.get(resource) ?? []) {
        for (const s of k.slots) this.adjust(s, k, -1);
        this.emptied.delete(`${resource}/${k.kind}`);
        // A dropped counter is forgotten: it raises the floor (StorageBackend).
        if (k.generation > this.floor) this.floor = k.generation;
      }
      if (this.byResource.delete(resource)) this.sorted = undefined;
    }
    for (const ref of batch.deletes ?? []) {
      const resource = hexKey(ref.resourceId);
      const held = this.slotAt(resource, ref.kind, ref.key);
      if (!held) continue;
      this.adjust(held.slot, held.k, -1);
      held.k.slots.splice(held.at, 1);
      touch(resource, ref.kind);
    }
    for (const record of batch.puts ?? []) {
      const resource = hexKey(record.resourceId);
      const k = this.ensureKind(resource, record.kind);
      const slot: Slot = {
        tag: recordKeyTag(keyOfRecord(record)),
        // Arrays that are their whole buffer: the encoding is made so (encodeStoredDataBytes); the
        // Node-ID may be a view of a received message, which the slot would keep alive, so exactBytes
        // (an array already its whole buffer is shared: nothing writes into wire values).
        bytes: encodeStoredDataBytes(record.data),
        storedAt: record.storedAt,
        expiresAt: record.expiresAt,
        user: record.storerUser,
        node: exactBytes(record.storerNode),
        size: record.size,
        certs: record.certificates,
      };
      const { found, at } = search(k.slots, byTag, slot.tag);
      if (found) {
        this.adjust(k.slots[at] as Slot, k, -1);
        k.slots[at] = slot;
      } else k.slots.splice(at, 0, slot);
      this.adjust(slot, k, 1);
      if (slot.expiresAt < this.earliestExpiry) this.earliestExpiry = slot.expiresAt;
      touch(resource, record.kind);
    }
    for (const g of batch.generations ?? []) {
      const resource = hexKey(g.resourceId);
      this.ensureKind(resource, g.kind).generation = g.generation;
      touch(resource, g.kind);
    }
    for (const { resource, kind } of touched.values()) this.dropIfEmpty(resource, kind);
    this.certs.sweep();
  }

  async deleteExpired(now: number): Promise<number> {
    this.checkOpen();
    if (now < this.earliestExpiry) return 0;
    let removed = 0;
    let earliest = Infinity;
    for (const [resource, entry] of [...this.byResource]) {
      for (const k of [...entry]) {
        for (let i = k.slots.length - 1; i >= 0; i--) {
          const s = k.slots[i] as Slot;
          if (s.expiresAt <= now) {
            this.adjust(s, k, -1);
            k.slots.splice(i, 1);
            removed++;
          } else if (s.expiresAt < earliest) earliest = s.expiresAt;
        }
        this.dropIfEmpty(resource, k.kind);
      }
    }
    this.earliestExpiry = earliest;
    this.certs.sweep();
    return removed;
  }

  async usage(scope?: UsageScope): Promise<Usage> {
    this.checkOpen();
    if (!scope) return { ...this.total };
    if ('user' in scope) {
      const u = this.users.get(scope.user);
      return { count: u?.count ?? 0, bytes: u?.bytes ?? 0 };
    }
    const k = this.kindEntry(hexKey(scope.resourceId), scope.kind);
    return { count: k?.slots.length ?? 0, bytes: k?.bytes ?? 0 };
  }

  async certificates(hashes: readonly string[]): Promise<HeldCertificate[]> {
    this.checkOpen();
    return this.certs.certificates(hashes);
  }

  async certificateUsage(): Promise<Usage> {
    this.checkOpen();
    return this.certs.usage();
  }

  async forgetCounters(keep: number): Promise<number> {
    this.checkOpen();
    let forgotten = 0;
    for (const [key, { resource, kind }] of this.emptied) {
      if (this.emptied.size <= keep) break;
      this.emptied.delete(key);
      const k = this.kindEntry(resource, kind);
      if (!k) continue;
      if (k.generation > this.floor) this.floor = k.generation;
      k.generation = 0n;
      this.dropIfEmpty(resource, kind);
      forgotten++;
    }
    return forgotten;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Whether the batch brings a certificate not held (a loop: this runs on every write). */
  private bringsNew(offered: ReadonlyMap<string, HeldCertificate>): boolean {
    for (const h of offered.keys()) if (!this.certs.has(h)) return true;
    return false;
  }

  /**
   * The bytes of certificates held after `batch`, if it adds one (a certificate not held that a put
   * names); undefined if it adds none. Follows `write`'s order: the slots dropped, deleted or
   * replaced (by a put, or by a later put at the same key) let go of their certificates.
   */
  private certificateBytesAfter(batch: WriteBatch, offered: ReadonlyMap<string, HeldCertificate>): number | undefined {
    // Most writes bring none not held (the simulator's values name none): nothing to count.
    if (!this.bringsNew(offered)) return undefined;
    const refs = new Map<string, number>();
    const count = (hashes: readonly string[], sign: 1 | -1) => {
      for (const h of hashes) refs.set(h, (refs.get(h) ?? 0) + sign);
    };
    const gone = new Set<Slot>();
    const remove = (s: Slot | undefined) => {
      if (!s || gone.has(s)) return;
      gone.add(s);
      count(s.certs, -1);
    };
    for (const id of batch.dropResources ?? []) for (const k of this.byResource.get(hexKey(id)) ?? []) for (const s of k.slots) remove(s);
    for (const ref of batch.deletes ?? []) remove(this.slotAt(hexKey(ref.resourceId), ref.kind, ref.key)?.slot);
    const put = new Map<string, readonly string[]>();
    for (const r of batch.puts ?? []) {
      const key = keyOfRecord(r);
      const at = `${hexKey(r.resourceId)}/${r.kind}/${recordKeyTag(key)}`;
      const earlier = put.get(at);
      if (earlier) count(earlier, -1);
      else remove(this.slotAt(hexKey(r.resourceId), r.kind, key)?.slot);
      put.set(at, r.certificates);
      count(r.certificates, 1);
    }
    return this.certs.bytesAfter(refs, offered);
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageClosedError();
  }

  private kindEntry(resource: string, kind: number): KindEntry | undefined {
    const entry = this.byResource.get(resource);
    if (!entry) return undefined;
    const { found, at } = search(entry, byKind, kind);
    return found ? entry[at] : undefined;
  }

  /** The value at `key` of the location, and where it is in its Kind's slots. */
  private slotAt(resource: string, kind: number, key: RecordKey): { readonly k: KindEntry; readonly at: number; readonly slot: Slot } | undefined {
    const k = this.kindEntry(resource, kind);
    if (!k) return undefined;
    const { found, at } = search(k.slots, byTag, recordKeyTag(key));
    return found ? { k, at, slot: k.slots[at] as Slot } : undefined;
  }

  private ensureKind(resource: string, kind: number): KindEntry {
    let entry = this.byResource.get(resource);
    if (!entry) {
      entry = [];
      this.byResource.set(resource, entry);
      this.sorted = undefined;
    }
    const { found, at } = search(entry, byKind, kind);
    if (found) return entry[at] as KindEntry;
    const k: KindEntry = { kind, generation: 0n, slots: [], bytes: 0 };
    entry.splice(at, 0, k);
    return k;
  }

  /**
   * A location without values or a counter goes (one with a counter keeps it, listed in `emptied`,
   * StorageBackend); a resource without Kinds goes.
   */
  private dropIfEmpty(resource: string, kind: number): void {
    const entry = this.byResource.get(resource);
    if (!entry) return;
    const { found, at } = search(entry, byKind, kind);
    if (!found) return;
    const k = entry[at] as KindEntry;
    const key = `${resource}/${kind}`;
    if (k.slots.length > 0) this.emptied.delete(key);
    else if (k.generation > 0n) {
      if (!this.emptied.has(key)) this.emptied.set(key, { resource, kind });
    }
    if (k.slots.length > 0 || k.generation > 0n) return;
    entry.splice(at, 1);
    if (entry.length === 0) {
      this.byResource.delete(resource);
      this.sorted = undefined;
    }
  }

  private adjust(s: Slot, k: KindEntry, sign: 1 | -1): void {
    k.bytes += sign * s.size;
    let u = this.users.get(s.user);
    if (!u) {
      u = { count: 0, bytes: 0 };
      this.users.set(s.user, u);
    }
    u.count += sign;
    u.bytes += sign * s.size;
    if (u.count === 0) this.users.delete(s.user);
    this.total.count += sign;
    this.total.bytes += sign * s.size;
    this.certs.named(s.certs, sign);
  }
}

function toRecord(resourceId: ResourceId, kind: number, s: Slot): StoredRecord {
  return {
    resourceId,
    kind,
    data: decodeStoredDataBytes(s.bytes, MODEL_BY_TAG[s.tag[0] as string] as number),
    storedAt: s.storedAt,
    expiresAt: s.expiresAt,
    storerUser: s.user,
    storerNode: s.node,
    size: s.size,
    certificates: s.certs,
  };
}

/** A backend in this process's memory (the simulator's; also handy in tests). */
export function createMemoryBackend(): StorageBackend {
  return new MemoryBackend();
}
