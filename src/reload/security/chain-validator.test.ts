import { beforeAll, describe, expect, it } from 'vitest';
import { expectReloadError, infoText } from '../testing/reload-error-assert.js';
import { parseCertificate } from './certificate.js';
import { derOid, derSequence } from './asn1/der-writer.js';
import { ChainValidator } from './chain-validator.js';
import { parseReloadCertificate } from './reload-certificate.js';
import { formatReloadNodeUri } from './reload-uri.js';
import { keyGenParams, x509SigningAlgorithm } from './signature-algorithm.js';
import { createSelfSignedCertificate } from './self-signed.js';
import { DAY_MS, TEST_NOW, TEST_OVERLAY, TestPki } from '../testing/test-pki.js';
import { BasicConstraintsExtension, Extension, KeyUsageFlags, KeyUsagesExtension, SubjectAlternativeNameExtension, X509Certificate, X509CertificateGenerator } from './x509.js';

const crypto = globalThis.crypto;
let pki: TestPki;
let keys: CryptoKeyPair;

async function caCert(name: string, issuer: { name: string; keys: CryptoKeyPair }, own: CryptoKeyPair, pathLength?: number, extraExtensions: Extension[] = []): Promise<X509Certificate> {
  return X509CertificateGenerator.create(
    {
      subject: `CN=${name}`,
      issuer: `CN=${issuer.name}`,
      notBefore: new Date(TEST_NOW - DAY_MS),
      notAfter: new Date(TEST_NOW + 365 * DAY_MS),
      publicKey: own.publicKey,
      signingKey: issuer.keys.privateKey,
      signingAlgorithm: x509SigningAlgorithm('rsa'),
      extensions: [new BasicConstraintsExtension(true, pathLength, true), new KeyUsagesExtension(KeyUsageFlags.keyCertSign, true), ...extraExtensions],
    },
    crypto,
  );
}

async function leafCert(issuer: { name: string; keys: CryptoKeyPair }, extensions: Extension[] = [], nodeId = pki.randomNodeId()): Promise<Uint8Array> {
  const cert = await X509CertificateGenerator.create(
    {
      subject: '',
      issuer: `CN=${issuer.name}`,
      notBefore: new Date(TEST_NOW - DAY_MS),
      notAfter: new Date(TEST_NOW + DAY_MS),
      publicKey: keys.publicKey,
      signingKey: issuer.keys.privateKey,
      signingAlgorithm: x509SigningAlgorithm('rsa'),
      extensions: [
        new SubjectAlternativeNameExtension([{ type: 'url', value: formatReloadNodeUri(nodeId, TEST_OVERLAY) }, { type: 'email', value: 'dave@chordphone.test' }], true),
        ...extensions,
      ],
    },
    crypto,
  );
  return new Uint8Array(cert.rawData);
}

const generate = async () => (await crypto.subtle.generateKey(keyGenParams('rsa'), false, ['sign', 'verify'])) as CryptoKeyPair;
const der = (c: X509Certificate) => new Uint8Array(c.rawData);

let rootKeys: CryptoKeyPair;
let midKeys: CryptoKeyPair;
let root: X509Certificate;
let mid: X509Certificate;

beforeAll(async () => {
  pki = await TestPki.create();
  [keys, rootKeys, midKeys] = await Promise.all([generate(), generate(), generate()]);
  root = await caCert('Root', { name: 'Root', keys: rootKeys }, rootKeys);
  mid = await caCert('Mid', { name: 'Root', keys: rootKeys }, midKeys);
});

describe('ChainValidator', () => {
  it('validates leaf → intermediate → root when the intermediate is offered', async () => {
    const leaf = parseReloadCertificate(await leafCert({ name: 'Mid', keys: midKeys }), TEST_OVERLAY);
    const v = new ChainValidator({ crypto }, { rootCerts: [der(root)] });
    const path = await v.validate(leaf, [parseCertificate(der(mid))], TEST_NOW);
    expect(path.path.map((c) => c.subject)).toEqual(['', 'CN=Mid', 'CN=Root']);
    expect(path.selfSigned).toBe(false);
    expect(path.validUntil).toBe(TEST_NOW + DAY_MS);
  });

  it('refuses the same leaf without its intermediate', async () => {
    const leaf = parseReloadCertificate(await leafCert({ name: 'Mid', keys: midKeys }), TEST_OVERLAY);
    const v = new ChainValidator({ crypto }, { rootCerts: [der(root)] });
    const e = await expectReloadError(v.validate(leaf, [], TEST_NOW), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/does not chain/);
  });

  it('enforces pathLenConstraint (the overlay CA issues peers only)', async () => {
    const leaf = parseReloadCertificate(await leafCert({ name: 'Mid', keys: midKeys }), TEST_OVERLAY);
    const strictRoot = await caCert('Root', { name: 'Root', keys: rootKeys }, rootKeys, 0);
    await expectReloadError(new ChainValidator({ crypto }, { rootCerts: [der(strictRoot)] }).validate(leaf, [parseCertificate(der(mid))], TEST_NOW), 'Error_Forbidden');
  });

  it('refuses an issuer without basicConstraints cA (PKIX BasicConstraints checks, §11.3)', async () => {
    // A peer certificate of the overlay CA used as if it were a CA.
    const peer = await pki.peer('eve@chordphone.test', { keys: midKeys });
    const fakeIssuer = new X509Certificate(peer.certificate.slice());
    const leafDer = await X509CertificateGenerator.create(
      {
        subject: '',
        issuer: fakeIssuer.subjectName,
        notBefore: new Date(TEST_NOW - DAY_MS),
        notAfter: new Date(TEST_NOW + DAY_MS),
        publicKey: keys.publicKey,
        signingKey: midKeys.privateKey,
        signingAlgorithm: x509SigningAlgorithm('rsa'),
        extensions: [new SubjectAlternativeNameExtension([{ type: 'url', value: formatReloadNodeUri(pki.randomNodeId(), TEST_OVERLAY) }, { type: 'email', value: 'x@chordphone.test' }], true)],
      },
      crypto,
    );
    const leaf = parseReloadCertificate(new Uint8Array(leafDer.rawData), TEST_OVERLAY);
    await expectReloadError(new ChainValidator({ crypto }, { rootCerts: [pki.ca.rootCertificate] }).validate(leaf, [parseCertificate(der(fakeIssuer))], TEST_NOW), 'Error_Forbidden');
  });

  it('refuses an unknown critical extension (RFC 5280 §4.2)', async () => {
    const leaf = parseReloadCertificate(await leafCert({ name: 'Root', keys: rootKeys }, [new Extension('1.3.6.1.4.1.99999.1', true, new Uint8Array([5, 0]))]), TEST_OVERLAY);
    const e = await expectReloadError(new ChainValidator({ crypto }, { rootCerts: [der(root)] }).validate(leaf, [], TEST_NOW), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/unsupported critical extension 1.3.6.1.4.1.99999.1/);
  });

  it('refuses a leaf whose keyUsage does not allow signing, and one with an unknown critical extKeyUsage (RFC 5280 §4.2.1.3, §4.2)', async () => {
    const validator = new ChainValidator({ crypto }, { rootCerts: [der(root)] });
    const signing = parseReloadCertificate(await leafCert({ name: 'Root', keys: rootKeys }, [new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true)]), TEST_OVERLAY);
    await validator.validate(signing, [], TEST_NOW);
    const encipherOnly = parseReloadCertificate(await leafCert({ name: 'Root', keys: rootKeys }, [new KeyUsagesExtension(KeyUsageFlags.keyEncipherment, true)]), TEST_OVERLAY);
    expect(infoText(await expectReloadError(validator.validate(encipherOnly, [], TEST_NOW), 'Error_Forbidden'))).toMatch(/may not sign/);
    const eku = parseReloadCertificate(await leafCert({ name: 'Root', keys: rootKeys }, [new Extension('2.5.29.37', true, new Uint8Array(derSequence(derOid('1.3.6.1.5.5.7.3.1'))))]), TEST_OVERLAY);
    expect(infoText(await expectReloadError(validator.validate(eku, [], TEST_NOW), 'Error_Forbidden'))).toMatch(/unsupported critical extension 2.5.29.37/);
  });

  it('refuses a path whose root has expired', async () => {
    const leaf = parseReloadCertificate(await leafCert({ name: 'Root', keys: rootKeys }), TEST_OVERLAY);
    const v = new ChainValidator({ crypto }, { rootCerts: [der(root)] });
    await v.validate(leaf, [], TEST_NOW);
    await expectReloadError(v.validate(leaf, [], TEST_NOW + 400 * DAY_MS), 'Error_Forbidden');
  });

  it('ignores unusable root-certs such as the RFC example’s "bad cert"', async () => {
    const leaf = parseReloadCertificate(await leafCert({ name: 'Root', keys: rootKeys }), TEST_OVERLAY);
    const v = new ChainValidator({ crypto }, { rootCerts: [new TextEncoder().encode('bad cert\n'), der(root)] });
    expect(v.rootCertificates).toHaveLength(1);
    await v.validate(leaf, [], TEST_NOW);
  });
});

describe('ChainValidator: self-signed certificates (§11.3.1)', () => {
  const permitted = (digest: 'sha1' | 'sha256') => pki.configuration({ selfSignedPermitted: { digest, permitted: true }, rootCerts: [] });

  it('accepts a self-signed certificate whose Node-ID is the digest of its key, where permitted', async () => {
    const { der: cert } = await createSelfSignedCertificate({ crypto }, { configuration: permitted('sha256'), keys, userName: 'frank@anywhere', notBefore: TEST_NOW - DAY_MS, notAfter: TEST_NOW + DAY_MS, serialNumber: '01' });
    const path = await new ChainValidator({ crypto }, { rootCerts: [], selfSignedDigest: 'sha256' }).validate(parseReloadCertificate(cert, TEST_OVERLAY), [], TEST_NOW);
    expect(path.selfSigned).toBe(true);
  });

  it('refuses it where self-signed certificates are not permitted', async () => {
    const { der: cert } = await createSelfSignedCertificate({ crypto }, { configuration: permitted('sha1'), keys, userName: 'frank@anywhere', notBefore: TEST_NOW - DAY_MS, notAfter: TEST_NOW + DAY_MS, serialNumber: '01' });
    const e = await expectReloadError(new ChainValidator({ crypto }, { rootCerts: [der(root)] }).validate(parseReloadCertificate(cert, TEST_OVERLAY), [], TEST_NOW), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/does not permit self-signed/);
  });

  it('refuses a self-signed certificate with a Node-ID not derived from its key (Node-ID theft)', async () => {
    const { der: sha1Cert } = await createSelfSignedCertificate({ crypto }, { configuration: permitted('sha1'), keys, userName: 'frank@anywhere', notBefore: TEST_NOW - DAY_MS, notAfter: TEST_NOW + DAY_MS, serialNumber: '01' });
    // Made with sha1, checked with sha256: the Node-ID does not match.
    const e = await expectReloadError(new ChainValidator({ crypto }, { rootCerts: [], selfSignedDigest: 'sha256' }).validate(parseReloadCertificate(sha1Cert, TEST_OVERLAY), [], TEST_NOW), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/is not the sha256 of its public key/);
  });
});
