import type { NodeId, ResourceId } from '../wire/ids.js';
import type { DictionaryKey, StoredData, StoredDataValue } from '../wire/storage/stored-data.js';
import { hexKey } from './ring-range.js';

/**
 * Where a value sits within one (Resource-ID, Kind-ID) location (RFC 6940 §7.2): the single value,
 * an array index (§7.2.2) or a dictionary key (§7.2.3). It is the StoredDataValue's own address.
 */
export type RecordKey =
  | { readonly model: 'single' }
  | { readonly model: 'array'; readonly index: number }
  | { readonly model: 'dictionary'; readonly key: DictionaryKey };

/**
 * One stored value and what the storing peer knows about it.
 *
 * `data` is the decoded StoredData exactly as accepted (its signature covers resource, kind,
 * storage_time, value and signer identity, §7.1, so it can be replicated and fetched as is).
 * The memory backend keeps the object itself (no copy: the decoded request's object is retained);
 * the persistent backends keep its wire encoding (§7) and decode it on read.
 */
export interface StoredRecord {
  readonly resourceId: ResourceId;
  readonly kind: number;
  readonly data: StoredData;
  /**
   * Local time (ms since 1970, DataStoreDeps.epochClock) when the StoreReq arrived: RFC 6940 §7
   * "lifetime ... starting from the time the peer receives the StoreReq"; §7.4.1.1 decrements the
   * lifetime by the time since then when storing it elsewhere. An epoch time, not the monotonic
   * Clock's: persistent backends keep it across restarts.
   */
  readonly storedAt: number;
  /** `storedAt + lifetime·1000`: at and after this local time the value is gone (§7.4.1.3). */
  readonly expiresAt: number;
  /** The user name of the value's signer (§7.3), for per-user limits. */
  readonly storerUser: string;
  /** The Node-ID the value was signed for (§7.3), kept for audits and access control. */
  readonly storerNode: NodeId;
  /** Bytes charged to the storer: the StoredData's encoded size (§7). */
  readonly size: number;
  /**
   * Hashes of the held certificates that verify `data`'s signature (HeldCertificate), peer
   * certificate first; empty when none was kept (RFC 6940 §6.3.4, held-certificates.ts).
   */
  readonly certificates: readonly string[];
}

/** A record's address. */
export interface RecordRef {
  readonly resourceId: ResourceId;
  readonly kind: number;
  readonly key: RecordKey;
}

/** The address a StoredDataValue is stored at. */
export function recordKeyOf(value: StoredDataValue): RecordKey {
  switch (value.model) {
    case 'single':
      return { model: 'single' };
    case 'array':
      return { model: 'array', index: value.arrayEntry.index };
    case 'dictionary':
      return { model: 'dictionary', key: value.dictionaryEntry.key };
  }
}

/**
 * A string naming a RecordKey within its location: `s`, `a` + 8 hex digits, `d` + hex key.
 * Its string order is the order `list` returns (array indices ascending, dictionary keys
 * byte-wise), the same order SQLite gives the binary form of `recordKeyBytes`.
 */
export function recordKeyTag(key: RecordKey): string {
  switch (key.model) {
    case 'single':
      return 's';
    case 'array':
      return hexKey(Uint8Array.of(key.index >>> 24, (key.index >>> 16) & 0xff, (key.index >>> 8) & 0xff, key.index & 0xff), 'a');
    case 'dictionary':
      return hexKey(key.key, 'd');
  }
}

/** Binary form of a RecordKey (for SQLite): empty, a big-endian uint32, or the key's bytes. */
export function recordKeyBytes(key: RecordKey): Uint8Array {
  switch (key.model) {
    case 'single':
      return new Uint8Array(0);
    case 'array': {
      const out = new Uint8Array(4);
      new DataView(out.buffer).setUint32(0, key.index);
      return out;
    }
    case 'dictionary':
      return key.key;
  }
}

/** The record's own key. */
export function keyOfRecord(record: StoredRecord): RecordKey {
  return recordKeyOf(record.data.value);
}

/**
 * The encoded size of a StoredData (RFC 6940 §7: its 4-byte length plus the rest), computed
 * without encoding: what a record costs its storer.
 */
export function storedDataSize(data: StoredData): number {
  const v = data.value;
  const valueSize =
    v.model === 'single'
      ? 5 + v.singleValueEntry.value.length
      : v.model === 'array'
        ? 9 + v.arrayEntry.value.value.length
        : 2 + v.dictionaryEntry.key.length + 5 + v.dictionaryEntry.value.value.length;
  const id = data.signature.identity;
  const identitySize = 'hash' in id ? 2 + id.hash.length : 'unknown' in id ? id.unknown.length : 0;
  const signatureSize = 2 + 3 + identitySize + 2 + data.signature.signatureValue.length;
  return 4 + 8 + 4 + valueSize + signatureSize;
}
