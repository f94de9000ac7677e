import type { StorageClosedError } from '../runtime/storage-closed-error.js';
import type { LockWait } from '../runtime/web-locks.js';
import type { ResourceId } from '../wire/ids.js';
import type { HeldCertificate } from './held-certificates.js';
import type { RingRange } from './ring-range.js';
import type { RecordKey, RecordRef, StoredRecord } from './stored-record.js';

// StorageTooNewError and StorageClosedError live in runtime, below storage and security, so the
// identity's key store and the app's store refuse a newer database and tell a closed one with them
// too (runtime/idb-open.ts, runtime/idb-closing.ts); exported here beside the backends' other errors.
export { StorageTooNewError } from '../runtime/storage-too-new-error.js';
export { StorageClosedError } from '../runtime/storage-closed-error.js';

/**
 * Where a peer keeps the values it stores (ARCHITECTURE.md "Storage"): in memory in the
 * simulator, IndexedDB in the browser, SQLite on disk in a Node peer. All three pass one
 * contract suite (storage-backend.contract.ts and the file it runs with it).
 *
 * A backend knows nothing of RFC 6940's rules: DataStore checks them and then writes the
 * outcome of a whole StoreReq in one atomic `write` (§7.4.1.1: "These operations MUST be
 * atomic. If any operation fails, the state MUST be rolled back"). Reads that must agree with
 * each other (a location's generation and its values) come from one call, `kindState`.
 *
 * Generation counters outlive their values: a counter once set stays when the location's last
 * record goes (deleted or expired), until `dropResources` removes its Resource-ID or
 * `forgetCounters` forgets it. RFC 6940 §7.4.1.1: "if the store succeeds and the data is changed,
 * then the peer MUST increase the generation counter by at least 1"; a counter that restarted at 1
 * after the values expired would answer a fetcher still holding 1 "unchanged" (§7.4.2.1) for
 * different data. So a forgotten counter is not lost, nor one dropped with its Resource-ID (this
 * peer may be responsible for it again and take a Store before a replica comes): the highest one
 * forgotten or dropped (the floor, kept with the data) is the generation of every location that
 * has no counter, and its next Store goes above it. A location never written, before any counter
 * was forgotten or dropped, has generation 0.
 *
 * Certificates (held-certificates.ts) are kept once each, by hash, for as long as a record names
 * them (`StoredRecord.certificates`): a write brings those its puts name that are not held yet
 * (`WriteBatch.certificates`), and a certificate goes with the last record naming it (deleted,
 * replaced, dropped or expired). RFC 6940 §6.3.4: "a peer storing data is obligated to retain
 * certificates for the data that it holds".
 *
 * Times (`StoredRecord.storedAt`, `expiresAt`, `deleteExpired`'s `now`, `aliveAt`) are on the
 * DataStore's epoch clock (ms since 1970), which, unlike the monotonic Clock, goes on across
 * restarts of the process that reopens a persistent backend.
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
  /** The Kind-IDs that hold records at `resourceId`, ascending (not those with only a kept counter). */
  kinds(resourceId: ResourceId): Promise<number[]>;
  /** Resource-IDs that hold records (or, with `query.withCounters`, kept counters), in the clockwise order of `query.range` (ascending without one). */
  resources(query?: ResourceQuery): Promise<ResourceId[]>;
  /** Apply a batch atomically: all of it or, if anything throws, none of it. */
  write(batch: WriteBatch): Promise<void>;
  /** Delete every record with `expiresAt <= now` (their locations keep their counters); resolves with how many. */
  deleteExpired(now: number): Promise<number>;
  /** Records and bytes held: in total, at one location, or stored by one user. */
  usage(scope?: UsageScope): Promise<Usage>;
  /** The held certificates among `hashes` (each once, in the order of `hashes`). */
  certificates(hashes: readonly string[]): Promise<HeldCertificate[]>;
  /**
   * Certificates held, and their bytes (GenericCertificate.certificate). OUR CHOICE: the contract's
   * observation point (storage-backend-counters.contract.ts and the backends' tests check by it that a
   * certificate is kept once and goes with the last record naming it), with no production caller:
   * the limit on certificate bytes is the backend's own check in `write`
   * (WriteBatch.maxCertificateBytes), and the peer reports no storage usage (OverlayStats).
   */
  certificateUsage(): Promise<Usage>;
  /**
   * Forget the counters of locations without records beyond the `keep` most recently emptied
   * (the longest emptied go first), raising the floor to the highest forgotten; resolves with how
   * many went. The counters of locations with records are never forgotten.
   */
  forgetCounters(keep: number): Promise<number>;
  /**
   * Runs `critical` (a DataStore's read-check-write, DataStore withLock) while no other backend
   * object over the same stored data runs its own: an IndexedDB database can be open through two
   * connections of the origin at once (idb-backend.ts), and a SQLite file through two opens in one
   * process (node/sqlite-files.ts). Absent where no other object reaches the data: the memory
   * backend's is its own. `wait` (a join waiting for its records, app/overlay/join-records.ts):
   * told when that turn is not had at once (onWait, onWaitEnded), and a wait for it ended by its
   * signal (`critical` then never runs).
   */
  exclusively?<T>(critical: () => Promise<T>, wait?: LockWait): Promise<T>;
  /** Lets the stored data go; every operation after it rejects with StorageClosedError. A second close does nothing. */
  close(): Promise<void>;
  /**
   * Settles, with the StorageClosedError its operations reject with from then on, when the backend
   * is closed under its user rather than by `close`: IndexedDB closing the connection
   * (idb-backend.ts: the database deleted or opened at a newer version in another tab, or the
   * browser closing it). Never settles otherwise. The user stops what runs over the records (the
   * peer leaves the overlay, overlay-client.ts). Absent where nothing but `close` closes the
   * backend (memory; a SQLite file, held by this process until it closes it).
   */
  readonly closedUnder?: Promise<StorageClosedError>;
}

/** One location's state, read at one instant. */
export interface KindState {
  /** The location's counter, kept after its last record went; when it has none, the floor (the highest counter forgotten or dropped, 0 until one was; RFC 6940 §7.4.1.1: stored values have generation ≥ 1). */
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
  /**
   * Also Resource-IDs that hold no record, only a kept generation counter (so pruning can drop
   * them, §10.7.3). Used without `kind` and `aliveAt`, which select by records.
   */
  readonly withCounters?: boolean;
}

/** A generation counter to set (RFC 6940 §7.4.1.1), 1 … 2^64-1. */
export interface GenerationUpdate {
  readonly resourceId: ResourceId;
  readonly kind: number;
  readonly generation: bigint;
}

/**
 * Changes applied together, in this order: drops, deletes, puts, generations. Each certificate a
 * put names must be held already or come in `certificates`; otherwise the batch throws
 * CertificateNotHeldError (a RangeError) and changes nothing.
 */
export interface WriteBatch {
  /** Remove everything stored at these Resource-IDs, generation counters included (they raise the floor, as forgotten ones do). */
  readonly dropResources?: readonly ResourceId[];
  readonly deletes?: readonly RecordRef[];
  readonly puts?: readonly StoredRecord[];
  readonly generations?: readonly GenerationUpdate[];
  /** Certificates the puts name; those already held, or named by no put, are not stored again. */
  readonly certificates?: readonly HeldCertificate[];
  /**
   * The most bytes of certificates (GenericCertificate.certificate) held after the write when it
   * adds any (StorageLimits.maxCertificateBytes): beyond it the write throws CertificateLimitError
   * and changes nothing. Checked on the state after the write, in its transaction, so what it
   * releases (replaced, deleted or dropped records) makes room.
   */
  readonly maxCertificateBytes?: number;
}

/** A write would hold more bytes of certificates than WriteBatch.maxCertificateBytes; nothing was written. */
export class CertificateLimitError extends Error {
  override readonly name: string = 'CertificateLimitError';
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`the write would hold ${bytes} bytes of certificates, more than ${limit}`);
  }
}

/** A put of a write names a certificate neither held nor in its batch (WriteBatch); nothing was written. */
export class CertificateNotHeldError extends RangeError {
  override readonly name: string = 'CertificateNotHeldError';
  constructor(readonly hash: string) {
    super(`certificate ${hash} is neither held nor in the batch`);
  }
}

/**
 * The first certificate a put of `batch` names that is not `held` (CertificateNotHeldError), if
 * any: `held` answers for the batch's own certificates too. It runs on every write of the memory
 * backend (every put of the simulator), so it allocates nothing.
 */
export function firstCertificateNotHeld(batch: WriteBatch, held: (hash: string) => boolean): string | undefined {
  for (const r of batch.puts ?? []) for (const h of r.certificates) if (!held(h)) return h;
  return undefined;
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
