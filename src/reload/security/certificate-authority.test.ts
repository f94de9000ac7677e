import { execFileSync } from 'node:child_process';
import { X509Certificate as NodeX509 } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../wire/codec/hex.js';
import { bufferSource } from './security-components.js';
import { DAY_MS, TEST_NOW, TestPki } from '../testing/test-pki.js';
import { BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension, PemConverter, SubjectAlternativeNameExtension, X509Certificate } from './x509.js';

let pki: TestPki;
let dir: string;

beforeAll(async () => {
  pki = await TestPki.create();
  dir = await mkdtemp(join(tmpdir(), 'chordphone-ca-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CertificateAuthority', () => {
  it('makes a self-signed root: basicConstraints cA (critical, pathLen 0), keyCertSign, valid now', async () => {
    const root = new X509Certificate(bufferSource(pki.ca.rootCertificate));
    expect(root.subject).toBe('CN=RELOAD CA for chordphone.test');
    expect(root.issuer).toBe(root.subject);
    const bc = root.getExtension(BasicConstraintsExtension)!;
    expect([bc.ca, bc.pathLength, bc.critical]).toEqual([true, 0, true]);
    expect(root.getExtension(KeyUsagesExtension)!.usages & KeyUsageFlags.keyCertSign).toBeTruthy();
    expect(await root.isSelfSigned(pki.crypto)).toBe(true);
    expect(root.notBefore.getTime()).toBeLessThan(TEST_NOW);
    expect(root.notAfter.getTime()).toBeGreaterThan(TEST_NOW + 3000 * DAY_MS);
  });

  it('issues §11.3 peer certificates: empty subject, critical SAN of RELOAD URIs and one rfc822Name, end entity for signatures', async () => {
    const peer = await pki.peer('sam@chordphone.test', { nodeIdCount: 2 });
    const cert = new X509Certificate(bufferSource(peer.certificate));
    expect(cert.subject).toBe('');
    expect(cert.issuer).toBe('CN=RELOAD CA for chordphone.test');
    const san = cert.getExtension(SubjectAlternativeNameExtension)!;
    expect(san.critical).toBe(true);
    expect(san.names.toJSON()).toEqual([
      { type: 'url', value: `reload://0110${toHex(peer.nodeIds[0]!)}@chordphone.test/` },
      { type: 'url', value: `reload://0110${toHex(peer.nodeIds[1]!)}@chordphone.test/` },
      { type: 'email', value: 'sam@chordphone.test' },
    ]);
    expect(cert.getExtension(BasicConstraintsExtension)?.ca).toBe(false);
    expect(cert.getExtension(KeyUsagesExtension)?.usages).toBe(KeyUsageFlags.digitalSignature);
    expect(Number.parseInt(cert.serialNumber.slice(0, 2), 16) & 0x80).toBe(0);
    expect(await cert.verify({ publicKey: pki.ca.certificate.publicKey, signatureOnly: true }, pki.crypto)).toBe(true);
  });

  it('issues from a PKCS#10 request, and refuses a request its key did not sign', async () => {
    const { createCertificateRequest } = await import('./certificate-request.js');
    const keys = await pki.keyPair('ecdsa-p256');
    const csr = await createCertificateRequest({ crypto: pki.crypto }, { keys, userName: 'uma@chordphone.test' });
    const der = await pki.ca.issueFromCsr(csr, { nodeIds: [pki.randomNodeId()], userName: 'uma@chordphone.test' });
    const spki = new Uint8Array(await pki.crypto.subtle.exportKey('spki', keys.publicKey));
    expect(new Uint8Array(new X509Certificate(bufferSource(der)).publicKey.rawData)).toEqual(spki);
    const forged = csr.slice();
    forged[forged.length - 3]! ^= 0x40;
    await expect(pki.ca.issueFromCsr(forged, { nodeIds: [pki.randomNodeId()], userName: 'uma@chordphone.test' })).rejects.toThrow(/bad certificate request/);
  });

  it('issues certificates that OpenSSL and Node verify against the root', async () => {
    const peer = await pki.peer('tess@chordphone.test', { keyType: 'ecdsa-p256' });
    const rootPem = join(dir, 'root.pem');
    const leafPem = join(dir, 'leaf.pem');
    await writeFile(rootPem, PemConverter.encode(bufferSource(pki.ca.rootCertificate), PemConverter.CertificateTag));
    await writeFile(leafPem, PemConverter.encode(bufferSource(peer.certificate), PemConverter.CertificateTag));
    const leaf = new NodeX509(peer.certificate);
    expect(leaf.verify(new NodeX509(pki.ca.rootCertificate).publicKey)).toBe(true);
    expect(leaf.subjectAltName).toContain('email:tess@chordphone.test');
    let out: string;
    try {
      out = execFileSync('openssl', ['verify', '-attime', String(TEST_NOW / 1000), '-CAfile', rootPem, leafPem], { encoding: 'utf8' });
    } catch (e) {
      const err = e as { code?: string; stdout?: string; stderr?: string };
      if (err.code === 'ENOENT') return; // no openssl here
      throw new Error(`openssl verify failed: ${err.stdout ?? ''}${err.stderr ?? ''}`);
    }
    expect(out).toContain(': OK');
  });
});
