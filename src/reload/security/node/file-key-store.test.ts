import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeys } from '../key-store.js';
import { signParams, type SignatureKeyType } from '../signature-algorithm.js';
import { TestPki } from '../../testing/test-pki.js';
import { FileKeyStore } from './file-key-store.js';

const crypto = globalThis.crypto;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chordphone-keys-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileKeyStore', () => {
  it.each(['rsa', 'ecdsa-p256'] as SignatureKeyType[])('saves a %s key as PKCS#8 PEM with mode 0600 and loads it back to sign', async (type) => {
    const pki = await TestPki.create();
    const keys = await generateSigningKeys({ crypto }, type, true);
    const peer = await pki.peer('node@chordphone.test', { keys });
    const store = new FileKeyStore({ crypto }, { directory: join(dir, type) });
    await store.save('chordphone.test', { keys, certificates: [peer.certificate, pki.ca.rootCertificate] });

    expect((await stat(store.keyFile('chordphone.test'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, type))).mode & 0o777).toBe(0o700);
    const pem = await readFile(store.keyFile('chordphone.test'), 'utf8');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);

    const loaded = await store.load('chordphone.test');
    expect(loaded?.certificates).toEqual([peer.certificate, pki.ca.rootCertificate]);
    expect(loaded?.keys.privateKey.extractable).toBe(false);
    const data = new Uint8Array([9, 8, 7]);
    const sig = await crypto.subtle.sign(signParams(type), loaded!.keys.privateKey, data);
    expect(await crypto.subtle.verify(signParams(type), keys.publicKey, sig, data)).toBe(true);
    const signer = await (await import('../x509-signer.js')).X509Signer.create({ crypto }, { privateKey: loaded!.keys.privateKey, certificates: loaded!.certificates.slice(0, 1), overlay: pki.overlay });
    expect(signer.userName).toBe('node@chordphone.test');
  });

  it('writes files OpenSSL reads', async () => {
    const keys = await generateSigningKeys({ crypto }, 'ecdsa-p256', true);
    const store = new FileKeyStore({ crypto }, { directory: join(dir, 'openssl') });
    await store.save('peer', { keys, certificates: [] });
    let openssl: string;
    try {
      openssl = execFileSync('openssl', ['pkey', '-in', store.keyFile('peer'), '-noout', '-text'], { encoding: 'utf8' });
    } catch {
      return; // no openssl here
    }
    expect(openssl).toMatch(/P-256|prime256v1/);
  });

  it('returns undefined for unknown names, refuses non-extractable keys and odd names', async () => {
    const store = new FileKeyStore({ crypto }, { directory: join(dir, 'misc') });
    expect(await store.load('nobody')).toBeUndefined();
    const fixed = await generateSigningKeys({ crypto }, 'ecdsa-p256', false);
    await expect(store.save('x', { keys: fixed, certificates: [] })).rejects.toThrow(/extractable/);
    await expect(store.load('../etc/passwd')).rejects.toThrow(RangeError);
  });
});
