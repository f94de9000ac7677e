/**
 * The browser's key store (ARCHITECTURE.md "Identity"): IndexedDB through `idb`. A CryptoKey is
 * structured-cloneable, so the key pair is stored as the CryptoKey objects themselves and a
 * non-extractable private key stays non-extractable: it can sign after a reload, and no script
 * can ever read its bytes. Saving an extractable private key is refused.
 */
import type { DBSchema, IDBPDatabase } from 'idb';
import { failsAsClosed, readInTransaction } from '../runtime/idb-closing.js';
import { openVersionedDatabase } from '../runtime/idb-open.js';
import { StorageClosedError } from '../runtime/storage-closed-error.js';
import type { KeyStore, StoredCredentials } from './key-store.js';

interface CredentialsValue {
  readonly keys: CryptoKeyPair;
  readonly certificates: readonly Uint8Array[];
}

interface IdentitySchema extends DBSchema {
  credentials: { key: string; value: CredentialsValue };
}

/** The database holding this origin's RELOAD identities. */
export const IDENTITY_DATABASE = 'chordphone-identity';
const VERSION = 1;

export interface IdbKeyStoreInit {
  /** Database name (default IDENTITY_DATABASE). */
  readonly database?: string;
}

export class IdbKeyStore implements KeyStore {
  private constructor(private readonly db: IDBPDatabase<IdentitySchema>) {}

  /** Opens the key store; one a newer release wrote is refused with StorageTooNewError and left as it was (runtime/idb-open.ts). */
  static async open(init: IdbKeyStoreInit = {}): Promise<IdbKeyStore> {
    const db = await openVersionedDatabase<IdentitySchema>(init.database ?? IDENTITY_DATABASE, VERSION, {
      upgrade(database) {
        database.createObjectStore('credentials');
      },
      // The database is being deleted ("Clear identity and data", maybe in another tab): let it go.
      blocking: () => db.close(),
    });
    return new IdbKeyStore(db);
  }

  load(name: string): Promise<StoredCredentials | undefined> {
    return this.run(async () => {
      const v = await readInTransaction(this.db, 'credentials', (s) => s.get(name));
      return v ? { keys: v.keys, certificates: v.certificates } : undefined;
    });
  }

  async save(name: string, credentials: StoredCredentials): Promise<void> {
    if (credentials.keys.privateKey.extractable) throw new TypeError('a browser identity key must be non-extractable');
    await this.run(() => this.db.put('credentials', { keys: credentials.keys, certificates: credentials.certificates.map((c) => c.slice()) }, name));
  }

  delete(name: string): Promise<void> {
    return this.run(() => this.db.delete('credentials', name));
  }

  /** `operation`; failing as the connection was closed (by `close`, `blocking` or the browser), it rejects with StorageClosedError (runtime/idb-closing.ts). */
  private run<T>(operation: () => Promise<T>): Promise<T> {
    return failsAsClosed(this.db, operation, (cause) => new StorageClosedError('the key store is closed', { cause }));
  }

  close(): void {
    this.db.close();
  }
}
