import type { ResourceId } from '../wire/ids.js';
import type { RingRange } from './ring-range.js';
import type { RecordKey, RecordRef, StoredRecord } from './stored-record.js';

/**
 * Where a peer keeps the values it stores (ARCHITECTURE.md "Storage"): in memory in the
 * simulator, IndexedDB in the browser, SQLite on disk in a Node peer. All three pass one
 * contract suite (storage-backend.contract.ts).
 *
 * A backend knows nothing of RFC 6940's rules: DataStore checks them and then writes the
 * outcome of a whole StoreReq in one atomic `write` (§7.4.1.1: "These operations MUST be
 * atomic. If any operation fails, the state MUST be rolled back"). Reads that must agree with
 * each other (a location's generation and its values) come from one call, `kindState`.
 *
 * Generation counters live with their values: a (Resource-ID, Kind-ID) that holds no record has
 * generation 0, so a backend drops the counter together with the last record.
 */
export interface StorageBackend {
  /** The record at `key`, or undefined. */
  get(resourceId: ResourceId, kind: number, key: RecordKey): Promise<StoredRecord | undefined>;
  /** Store one record, replacing the one at its key (shorthand for a one-put `write`). */
  put(record: StoredRecord): Promise<void>;
  /** Delete one record; true when there was one (shorthand for a one-delete `write`). */
  delete(resourceId: ResourceId, kind: number, key: RecordKey): Promise<boolean>;
  /** The generation counter and every record of one location, records in key order. */
  kindState(resourceId: ResourceId, kind: number): Promise<KindState>;
  /** The Kind-IDs that hold records at `resourceId`, ascending. */
  kinds(resourceId: ResourceId): Promise<number[]>;
  /** Resource-IDs that hold records, in the clockwise order of `query.range` (ascending without one). */
  resources(query?: ResourceQuery): Promise<ResourceId[]>;
  /** Apply a batch atomically: all of it or, if anything throws, none of it. */
  write(batch: WriteBatch): Promise<void>;
  /** Delete every record with `expiresAt <= now`; resolves with how many. */
  deleteExpired(now: number): Promise<number>;
  /** Records and bytes held: in total, at one location, or stored by one user. */
  usage(scope?: UsageScope): Promise<Usage>;
  close(): Promise<void>;
}

/** One location's state, read at one instant. */
export interface KindState {
  /** 0 when the location holds nothing (RFC 6940 §7.4.1.1: stored values have generation ≥ 1). */
  readonly generation: bigint;
  readonly records: readonly StoredRecord[];
}

export interface ResourceQuery {
  /** Only Resource-IDs in `(after, upTo]`, listed clockwise starting after `after`. */
  readonly range?: RingRange;
  /** Only Resource-IDs holding a record of this Kind. */
  readonly kind?: number;
  /** Only Resource-IDs holding a record (of `kind`, if given) with `expiresAt > aliveAt`. */
  readonly aliveAt?: number;
  /** At most this many. */
  readonly limit?: number;
}

/** A generation counter to set (RFC 6940 §7.4.1.1), 1 … 2^64-1. */
export interface GenerationUpdate {
  readonly resourceId: ResourceId;
  readonly kind: number;
  readonly generation: bigint;
}

/** Changes applied together, in this order: drops, deletes, puts, generations. */
export interface WriteBatch {
  /** Remove everything stored at these Resource-IDs. */
  readonly dropResources?: readonly ResourceId[];
  readonly deletes?: readonly RecordRef[];
  readonly puts?: readonly StoredRecord[];
  readonly generations?: readonly GenerationUpdate[];
}

export type UsageScope = { readonly resourceId: ResourceId; readonly kind: number } | { readonly user: string };

export interface Usage {
  readonly count: number;
  readonly bytes: number;
}

/** Largest generation counter (uint64, §7.4.1.1). */
export const MAX_GENERATION = 0xffffffffffffffffn;

/** Throws RangeError unless every generation of the batch fits 1 … 2^64-1. */
export function checkBatch(batch: WriteBatch): void {
  for (const g of batch.generations ?? []) {
    if (g.generation < 1n || g.generation > MAX_GENERATION) throw new RangeError(`generation ${g.generation} is not in 1..2^64-1`);
  }
}
