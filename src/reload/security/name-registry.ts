/**
 * The enrollment server's memory of whom it gave which user name and Node-IDs (RFC 6940 §11.3):
 * "The enrollment server SHOULD maintain a mapping of users to Node-IDs and if the same user
 * returns (e.g., to have their certificate re-issued), the enrollment server should return the
 * same Node-IDs". In open enrollment it is also who holds each name: first come, first served,
 * bound to the key that first asked for it.
 *
 * The store is injected: memory here, a JSON file on the server's disk in
 * node/file-name-registry.ts.
 */

/** One user name's record. */
export interface NameRecord {
  /** The rfc822Name as issued. */
  readonly userName: string;
  /** SHA-256 of the subjectPublicKeyInfo last certified for this name, hex. */
  readonly keyHash: string;
  /** The Node-IDs given to this user, hex, in the order issued. */
  readonly nodeIds: readonly string[];
  /** Epoch ms of the first and of the latest issue. */
  readonly firstIssuedAt: number;
  readonly lastIssuedAt: number;
}

export interface NameRegistryStore {
  get(userName: string): Promise<NameRecord | undefined>;
  put(record: NameRecord): Promise<void>;
}

export class MemoryNameRegistry implements NameRegistryStore {
  private readonly records = new Map<string, NameRecord>();

  get(userName: string): Promise<NameRecord | undefined> {
    return Promise.resolve(this.records.get(userName));
  }

  put(record: NameRecord): Promise<void> {
    this.records.set(record.userName, record);
    return Promise.resolve();
  }

  get size(): number {
    return this.records.size;
  }
}
