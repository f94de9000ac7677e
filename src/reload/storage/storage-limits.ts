/**
 * Bounds on what one peer stores (issue 3 "Bad input and faults": "stored data per kind and per
 * storing user all have limits"). Per Kind and Resource-ID the configuration's max-count and
 * max-size apply (§11.1); these add per-user and total ceilings so one user flooding Stores
 * cannot exhaust the peer, and cap the values one Fetch may synthesize.
 */
export interface StorageLimits {
  /** Values stored by one user (the StoredData signer's user name), across all resources. */
  readonly maxValuesPerUser: number;
  /** Bytes (encoded StoredData) stored by one user. */
  readonly maxBytesPerUser: number;
  /** Values held by this peer in total. */
  readonly maxValues: number;
  /** Bytes held by this peer in total. */
  readonly maxBytes: number;
  /**
   * Bytes of the certificates kept for the stored values (RFC 6940 §6.3.4), each counted once
   * however many values it verifies. OUR CHOICE: half of `maxBytes`, room for the certificate
   * chains of some tens of thousands of signers.
   */
  readonly maxCertificateBytes: number;
  /**
   * Values one Fetch or Stat answer may hold, stored and synthesized (§7.4.2.2 synthesizes
   * `exists = false` for every requested index that holds nothing, and array ranges can span
   * 2^32 indices); beyond it the request fails with Error_Response_Too_Large.
   */
  readonly maxFetchValues: number;
  /**
   * Generation counters kept for locations whose values all went (StorageBackend: one per location
   * ever written in this peer's range, otherwise until the resource is dropped, §10.7.3). The purge
   * forgets the longest emptied beyond this many. OUR CHOICE, the trade-off: the rule that matters
   * is §7.4.2.1's "unchanged" answer, which must never meet new data under a counter a fetcher
   * holds (§7.4.1.1: "MUST increase the generation counter by at least 1"). Forgetting keeps it,
   * since the next Store at any location without a counter goes above the highest counter
   * forgotten (the floor), so no fetcher can hold it; the cost is only that counters jump (a
   * location's next value gets floor + 1, not its old counter + 1) and a storer naming the old
   * counter is refused as it already is once the values expired (Fetch reports 0 then). So the
   * bound can be small: 10,000, about 1 MiB of counters.
   */
  readonly maxKeptCounters: number;
}

export const DEFAULT_STORAGE_LIMITS: StorageLimits = {
  maxValuesPerUser: 1000,
  maxBytesPerUser: 1 << 20,
  maxValues: 100_000,
  maxBytes: 64 << 20,
  maxCertificateBytes: 32 << 20,
  maxFetchValues: 4096,
  maxKeptCounters: 10_000,
};
