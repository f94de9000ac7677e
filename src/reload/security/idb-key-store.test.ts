import 'fake-indexeddb/auto';
import { deleteDB, openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { StorageClosedError } from '../runtime/storage-closed-error.js';
import { StorageTooNewError } from '../runtime/storage-too-new-error.js';
import { watchNextConnection } from '../testing/idb-terminate.js';
import { generateSigningKeys } from './key-store.js';
import { IdbKeyStore } from './idb-key-store.js';
import { signParams } from './signature-algorithm.js';

const crypto = globalThis.crypto;
let n = 0;

describe('IdbKeyStore', () => {
  it('keeps a non-extractable key pair and certificates across a reopen, and the key still signs', async () => {
    const database = `identity-test-${n++}`;
    const keys = await generateSigningKeys({ crypto }, 'ecdsa-p256');
    const store = await IdbKeyStore.open({ database });
    await store.save('chordphone.test', { keys, certificates: [Uint8Array.of(0x30, 1, 2)] });
    store.close();

    const again = await IdbKeyStore.open({ database });
    const loaded = await again.load('chordphone.test');
    expect(loaded?.certificates).toEqual([Uint8Array.of(0x30, 1, 2)]);
    expect(loaded?.keys.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('pkcs8', loaded!.keys.privateKey)).rejects.toThrow();
    const data = new Uint8Array([1, 2, 3]);
    const sig = await crypto.subtle.sign(signParams('ecdsa-p256'), loaded!.keys.privateKey, data);
    expect(await crypto.subtle.verify(signParams('ecdsa-p256'), keys.publicKey, sig, data)).toBe(true);
    await again.delete('chordphone.test');
    expect(await again.load('chordphone.test')).toBeUndefined();
    again.close();
  });

  it('refuses an extractable private key', async () => {
    const store = await IdbKeyStore.open({ database: `identity-test-${n++}` });
    const keys = await generateSigningKeys({ crypto }, 'ecdsa-p256', true);
    await expect(store.save('x', { keys, certificates: [] })).rejects.toThrow(/non-extractable/);
    store.close();
  });

  // "Clear identity and data" in another tab deletes the database: this one lets the connection go (`blocking`).
  it('a key store closed under its user rejects its operations with StorageClosedError, not IndexedDB’s InvalidStateError', async () => {
    const database = `identity-test-${n++}`;
    const store = await IdbKeyStore.open({ database });
    await deleteDB(database);
    const failure = await store.load('chordphone.test').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StorageClosedError);
    expect((failure as Error).cause).toMatchObject({ name: 'InvalidStateError' });
    await expect(store.delete('chordphone.test')).rejects.toThrow(StorageClosedError);
    store.close();
  });

  it('a save under way when the browser closes the connection rejects with StorageClosedError, IndexedDB’s AbortError its cause', async () => {
    const connection = watchNextConnection();
    const store = await IdbKeyStore.open({ database: `identity-test-${n++}` });
    const keys = await generateSigningKeys({ crypto }, 'ecdsa-p256');
    const saving = store.save('chordphone.test', { keys, certificates: [] }).catch((e: unknown) => e);
    connection.terminate();
    const failure = await saving;
    expect(failure).toBeInstanceOf(StorageClosedError);
    expect((failure as Error).cause).toMatchObject({ name: 'AbortError' });
    store.close();
  });

  // A newer chordphone in this browser (a tab of a newer build, then an older one served again).
  it('a key store a newer release wrote is refused at open with StorageTooNewError, not IndexedDB’s VersionError, and left as it was', async () => {
    const database = `identity-test-${n++}`;
    const newer = await openDB(database, 2, { upgrade: (db) => db.createObjectStore('credentials-of-tomorrow') });
    newer.close();
    const failure = await IdbKeyStore.open({ database }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StorageTooNewError);
    expect(failure).toMatchObject({ version: 2, known: 1, message: `the database ${database} was written by a newer chordphone (schema 2, this build knows up to 1): upgrade` });
    const after = await openDB(database);
    expect([after.version, [...after.objectStoreNames]]).toEqual([2, ['credentials-of-tomorrow']]);
    after.close();
  });
});
