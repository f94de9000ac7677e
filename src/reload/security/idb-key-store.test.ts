import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
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
});
