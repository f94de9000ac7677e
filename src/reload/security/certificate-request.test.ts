/**
 * PKCS#10 requests (RFC 2986) written and read with our DER code, against @peculiar/x509 as the
 * oracle (tests only): our requests verify and read identically there, and its requests read
 * identically here, RSA and ECDSA.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../wire/codec/hex.js';
import { derBitString, derSequence } from './asn1/der-writer.js';
import { signingAlgorithmIdentifier } from './certificate-signature.js';
import { createCertificateRequest, parseCertificationRequest, readCertificateRequest } from './certificate-request.js';
import { bufferSource } from './security-components.js';
import { keyGenParams, x509SigningAlgorithm, type SignatureKeyType } from './signature-algorithm.js';
import { Pkcs10CertificateRequest, Pkcs10CertificateRequestGenerator, SubjectAlternativeNameExtension } from './x509.js';
import type { JsonGeneralName } from './x509.js';

const crypto = globalThis.crypto;
const keys = new Map<SignatureKeyType, CryptoKeyPair>();
const generate = async (type: SignatureKeyType) => (await crypto.subtle.generateKey(keyGenParams(type), false, ['sign', 'verify'])) as CryptoKeyPair;
const spkiOf = async (k: CryptoKeyPair) => new Uint8Array(await crypto.subtle.exportKey('spki', k.publicKey));

async function peculiarCsr(type: SignatureKeyType, names: JsonGeneralName[] | undefined, k = keys.get(type)!): Promise<Uint8Array> {
  const csr = await Pkcs10CertificateRequestGenerator.create(
    { name: '', keys: k, signingAlgorithm: x509SigningAlgorithm(type), extensions: names ? [new SubjectAlternativeNameExtension(names)] : [] },
    crypto,
  );
  return new Uint8Array(csr.rawData);
}

beforeAll(async () => {
  for (const type of ['rsa', 'ecdsa-p256'] as const) keys.set(type, await generate(type));
});

for (const type of ['rsa', 'ecdsa-p256'] as const) {
  describe(`PKCS#10 with ${type}`, () => {
    it('our request is accepted by @peculiar/x509 and reads the same there', async () => {
      const der = await createCertificateRequest({ crypto }, { keys: keys.get(type)!, userName: 'alice@chordphone.test' });
      const p = new Pkcs10CertificateRequest(bufferSource(der));
      expect(await p.verify(crypto)).toBe(true);
      expect(p.subject).toBe('');
      expect(new Uint8Array(p.publicKey.rawData)).toEqual(await spkiOf(keys.get(type)!));
      expect(new SubjectAlternativeNameExtension(p.getExtension('2.5.29.17')!.rawData).names.items.map((n) => [n.type, n.value])).toEqual([['email', 'alice@chordphone.test']]);
      expect(await readCertificateRequest({ crypto }, der)).toEqual({ subjectPublicKeyInfo: await spkiOf(keys.get(type)!), keyType: type, requestedUserName: 'alice@chordphone.test' });
    });

    it('without a user name: no extension, still signed', async () => {
      const der = await createCertificateRequest({ crypto }, { keys: keys.get(type)! });
      const p = new Pkcs10CertificateRequest(bufferSource(der));
      expect(await p.verify(crypto)).toBe(true);
      expect(p.extensions).toEqual([]);
      expect(await readCertificateRequest({ crypto }, der)).toEqual({ subjectPublicKeyInfo: await spkiOf(keys.get(type)!), keyType: type });
    });

    it('a request made by @peculiar/x509 reads the same here', async () => {
      const der = await peculiarCsr(type, [{ type: 'email', value: 'bob@chordphone.test' }]);
      const p = new Pkcs10CertificateRequest(bufferSource(der));
      const ours = parseCertificationRequest(der);
      expect({ subject: ours.subject, spki: toHex(ours.subjectPublicKeyInfo), extensions: ours.extensions.map((e) => [e.extnID, e.critical, toHex(e.extnValue)]) }).toEqual({
        subject: p.subject,
        spki: toHex(new Uint8Array(p.publicKey.rawData)),
        extensions: p.extensions.map((e) => [e.type, e.critical, toHex(new Uint8Array(e.value))]),
      });
      expect(await readCertificateRequest({ crypto }, der)).toEqual({ subjectPublicKeyInfo: new Uint8Array(p.publicKey.rawData), keyType: type, requestedUserName: 'bob@chordphone.test' });
    });
  });
}

describe('readCertificateRequest refuses', () => {
  it('a request asking for a Node-ID URI, another kind of name, or two user names', async () => {
    const ask = async (names: JsonGeneralName[]) => ((await readCertificateRequest({ crypto }, await peculiarCsr('ecdsa-p256', names))) as { error: string }).error;
    expect(await ask([{ type: 'url', value: 'reload://x' }])).toMatch(/only for a user name .* not a uniformResourceIdentifier name/);
    expect(await ask([{ type: 'dns', value: 'x.example' }])).toMatch(/not a dNSName name/);
    expect(await ask([{ type: 'email', value: 'a@x' }, { type: 'email', value: 'b@x' }])).toMatch(/one user name/);
  });

  it('a request whose signature does not verify', async () => {
    const der = await createCertificateRequest({ crypto }, { keys: keys.get('ecdsa-p256')!, userName: 'mallory@chordphone.test' });
    const info = parseCertificationRequest(der).certificationRequestInfo;
    // The same request body signed by another key.
    const other = parseCertificationRequest(await createCertificateRequest({ crypto }, { keys: await generate('ecdsa-p256'), userName: 'mallory@chordphone.test' }));
    const forged = derSequence(info, signingAlgorithmIdentifier(keys.get('ecdsa-p256')!.privateKey), derBitString(other.signatureValue));
    expect(await readCertificateRequest({ crypto }, forged)).toEqual({ error: 'the request is not signed by the key it carries' });
  });

  it('a key RELOAD cannot use (RSA of 1024 bits)', async () => {
    const small = (await crypto.subtle.generateKey({ ...(keyGenParams('rsa') as RsaHashedKeyGenParams), modulusLength: 1024 }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const der = await createCertificateRequest({ crypto }, { keys: small });
    expect(await readCertificateRequest({ crypto }, der)).toEqual({ error: 'the key must be RSA of at least 2048 bits or ECDSA P-256' });
  });

  it('bytes that are not a request, with the DecodeError’s reason', async () => {
    const der = await createCertificateRequest({ crypto }, { keys: keys.get('ecdsa-p256')! });
    for (const bad of [new TextEncoder().encode('hello'), der.subarray(0, der.length - 1), Uint8Array.of(...der, 0)]) {
      expect(((await readCertificateRequest({ crypto }, bad)) as { error: string }).error).toMatch(/^not a PKCS#10 request: CertificationRequest/);
    }
  });
});
