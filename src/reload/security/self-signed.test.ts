import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectReloadError } from '../testing/reload-error-assert.js';
import { toHex } from '../wire/codec/hex.js';
import { configurationWithDefaults } from '../wire/config/index.js';
import { parseReloadCertificate } from './reload-certificate.js';
import { createSelfSignedCertificate, selfSignedNodeIds } from './self-signed.js';
import { keyGenParams } from './signature-algorithm.js';
import { DAY_MS, TEST_NOW, TEST_OVERLAY } from '../testing/test-pki.js';

const crypto = globalThis.crypto;
const spki = new Uint8Array(91).map((_, i) => i);

describe('selfSignedNodeIds (§11.3.1)', () => {
  it('one Node-ID: the high-order 16 bytes of digest(subjectPublicKeyInfo)', async () => {
    expect(toHex((await selfSignedNodeIds(crypto, spki, 'sha1', 1))[0]!)).toBe(createHash('sha1').update(spki).digest('hex').slice(0, 32));
    expect(toHex((await selfSignedNodeIds(crypto, spki, 'sha256', 1))[0]!)).toBe(createHash('sha256').update(spki).digest('hex').slice(0, 32));
  });

  it('several: digest(uint32 index from 1 || subjectPublicKeyInfo)', async () => {
    const ids = await selfSignedNodeIds(crypto, spki, 'sha256', 3);
    ids.forEach((id, i) => {
      const index = Buffer.from([0, 0, 0, i + 1]);
      expect(toHex(id)).toBe(createHash('sha256').update(index).update(spki).digest('hex').slice(0, 32));
    });
  });
});

describe('createSelfSignedCertificate', () => {
  const init = (permitted: boolean, digest = 'sha256') => ({
    configuration: configurationWithDefaults({ instanceName: TEST_OVERLAY, selfSignedPermitted: { digest, permitted } }),
    userName: 'any.name@example.org',
    notBefore: TEST_NOW,
    notAfter: TEST_NOW + DAY_MS,
    serialNumber: '7f01',
  });

  it('makes a §11.3 certificate with key-derived Node-IDs where the configuration permits it', async () => {
    const keys = (await crypto.subtle.generateKey(keyGenParams('ecdsa-p256'), false, ['sign', 'verify'])) as CryptoKeyPair;
    const { der, nodeIds } = await createSelfSignedCertificate({ crypto }, { ...init(true), keys, nodeIdCount: 2 });
    const cert = parseReloadCertificate(der, TEST_OVERLAY);
    expect(cert.nodeIds).toEqual(nodeIds);
    expect(cert.userName).toBe('any.name@example.org');
    expect(nodeIds).toEqual(await selfSignedNodeIds(crypto, cert.subjectPublicKeyInfo, 'sha256', 2));
  });

  it('refuses with Error_Forbidden where it is not permitted (absent, false, or an unsupported digest)', async () => {
    const keys = (await crypto.subtle.generateKey(keyGenParams('ecdsa-p256'), false, ['sign', 'verify'])) as CryptoKeyPair;
    await expectReloadError(createSelfSignedCertificate({ crypto }, { ...init(false), keys }), 'Error_Forbidden');
    await expectReloadError(createSelfSignedCertificate({ crypto }, { ...init(true, 'md5'), keys }), 'Error_Forbidden');
    await expectReloadError(createSelfSignedCertificate({ crypto }, { ...init(true), configuration: configurationWithDefaults({ instanceName: TEST_OVERLAY }), keys }), 'Error_Forbidden');
  });
});
