/**
 * Where a peer keeps its identity between runs: its key pair and its certificate chain
 * (ARCHITECTURE.md "Identity": browser keys are non-extractable and kept in IndexedDB, so a
 * reload keeps the identity; a Node peer keeps its key and certificate on disk, the private key
 * file with mode 0600). The enrollment server keeps the CA's key the same way.
 *
 * Implementations: memory (here, for tests and the simulator), IndexedDB (idb-key-store.ts,
 * browser), files (node/file-key-store.ts, Node only).
 */
import type { CryptoDeps } from './security-components.js';
import { keyGenParams, type SignatureKeyType } from './signature-algorithm.js';

/** A key pair and the certificates that certify it. */
export interface StoredCredentials {
  readonly keys: CryptoKeyPair;
  /** DER, the peer (or CA) certificate first, then intermediates; empty before enrollment. */
  readonly certificates: readonly Uint8Array[];
}

/** Credentials by name (e.g. the overlay's instance-name, or `ca`). */
export interface KeyStore {
  load(name: string): Promise<StoredCredentials | undefined>;
  save(name: string, credentials: StoredCredentials): Promise<void>;
  delete(name: string): Promise<void>;
}

/**
 * A new signing key pair. In the browser keep `extractable` false (the default): the private key
 * can then sign but never leave WebCrypto. A Node peer that saves its key to disk needs it true.
 */
export async function generateSigningKeys(deps: CryptoDeps, type: SignatureKeyType, extractable = false): Promise<CryptoKeyPair> {
  return (await deps.crypto.subtle.generateKey(keyGenParams(type), extractable, ['sign', 'verify'])) as CryptoKeyPair;
}

/** Keeps credentials in memory only. */
export class MemoryKeyStore implements KeyStore {
  private readonly items = new Map<string, StoredCredentials>();

  load(name: string): Promise<StoredCredentials | undefined> {
    return Promise.resolve(this.items.get(name));
  }

  save(name: string, credentials: StoredCredentials): Promise<void> {
    this.items.set(name, { keys: credentials.keys, certificates: credentials.certificates.map((c) => c.slice()) });
    return Promise.resolve();
  }

  delete(name: string): Promise<void> {
    this.items.delete(name);
    return Promise.resolve();
  }
}
