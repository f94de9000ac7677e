import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../wire/codec/hex.js';
import { ecdsaDerToP1363, ecdsaP1363ToDer, keyTypeOfTlsAlgorithm, tlsSignatureAlgorithm } from './signature-algorithm.js';

describe('TLS SignatureAndHashAlgorithm (§6.3.4)', () => {
  it('maps SHA-256 + RSA to {4, 1} and SHA-256 + ECDSA to {4, 3}', () => {
    expect(tlsSignatureAlgorithm('rsa')).toEqual({ hash: 4, signature: 1 });
    expect(tlsSignatureAlgorithm('ecdsa-p256')).toEqual({ hash: 4, signature: 3 });
    expect(keyTypeOfTlsAlgorithm({ hash: 4, signature: 1 })).toBe('rsa');
    expect(keyTypeOfTlsAlgorithm({ hash: 2, signature: 1 })).toBeUndefined();
    expect(keyTypeOfTlsAlgorithm({ hash: 4, signature: 2 })).toBeUndefined();
  });
});

describe('ECDSA signature forms', () => {
  it('encodes r || s as DER by hand-written vectors (leading zero for a high bit, minimal otherwise)', () => {
    const r = '80'.padEnd(64, '0');
    const s = '0000000000000000000000000000000000000000000000000000000000000001';
    expect(toHex(ecdsaP1363ToDer(fromHex(r + s)!))).toBe(`3026022100${r}020101`);
  });

  it('refuses non-canonical DER', () => {
    for (const hex of ['3006020100020101', '300602010102810101', '3007020101020101ff', '300702020001020101', '3006020181020101', '3106020101020101']) {
      expect(ecdsaDerToP1363(fromHex(hex)!), hex).toBeUndefined();
    }
  });

  it('agrees with Node’s DER ECDSA signatures and round-trips', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
        const der = new Uint8Array(nodeSign('sha256', data, { key: privateKey, dsaEncoding: 'der' }));
        const p1363 = ecdsaDerToP1363(der);
        expect(p1363).toBeDefined();
        expect(toHex(ecdsaP1363ToDer(p1363!))).toBe(toHex(der));
      }),
      { numRuns: 200 },
    );
  });
});
