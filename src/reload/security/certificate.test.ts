/**
 * Our certificate reader (certificate.ts) against @peculiar/x509 as the oracle (tests only): the
 * overlay CA's certificates (certificate-authority.ts, RSA and ECDSA) and certificates made by
 * @peculiar/x509 with other shapes read to the same fields, and signatures verify alike. Our
 * self-signed certificates (self-signed.ts) are accepted and read identically by @peculiar/x509.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DecodeError } from '../wire/codec/decode-error.js';
import { toHex } from '../wire/codec/hex.js';
import { children, readDer } from './asn1/der.js';
import { derContext, derNull, derOid, derSequence, derSmallInteger, derTlv, derUnsignedInteger } from './asn1/der-writer.js';
import { basicConstraints, certificateSignedBy, keyUsage, parseCertificate, parseCertificatePem, subjectAltNames, type Certificate } from './certificate.js';
import { KeyUsage } from './certificate-extensions.js';
import { OID_ECDSA_WITH_SHA256, signatureAlgorithmOf, verifySignedBy } from './certificate-signature.js';
import { keyTypeOfSubjectPublicKeyInfo } from './reload-certificate.js';
import { formatReloadNodeUri } from './reload-uri.js';
import { bufferSource } from './security-components.js';
import { createSelfSignedCertificate } from './self-signed.js';
import { ecdsaDerToP1363, keyGenParams, x509SigningAlgorithm } from './signature-algorithm.js';
import { DAY_MS, TEST_NOW, TEST_OVERLAY, TestPki } from '../testing/test-pki.js';
import { encodePem } from './pem.js';
import {
  BasicConstraintsExtension,
  Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509Certificate,
  X509CertificateGenerator,
} from './x509.js';

const crypto = globalThis.crypto;

/** The fields both readers give, in one shape. */
function fieldsByOracle(der: Uint8Array) {
  const p = new X509Certificate(bufferSource(der));
  const alg = p.publicKey.algorithm as Partial<RsaHashedKeyAlgorithm & EcKeyAlgorithm>;
  const bc = p.getExtension(BasicConstraintsExtension);
  const ku = p.getExtension(KeyUsagesExtension);
  return {
    serialNumber: p.serialNumber,
    subject: p.subject,
    issuer: p.issuer,
    subjectName: toHex(new Uint8Array(p.subjectName.toArrayBuffer())),
    issuerName: toHex(new Uint8Array(p.issuerName.toArrayBuffer())),
    notBefore: p.notBefore.getTime(),
    notAfter: p.notAfter.getTime(),
    subjectPublicKeyInfo: toHex(new Uint8Array(p.publicKey.rawData)),
    key: alg.name === 'ECDSA' ? { ec: alg.namedCurve } : { rsa: alg.modulusLength },
    hash: (p.signatureAlgorithm as { hash?: { name: string } }).hash?.name,
    extensions: p.extensions.map((e) => ({ id: e.type, critical: e.critical, value: toHex(new Uint8Array(e.value)) })),
    san: p.getExtension(SubjectAlternativeNameExtension)?.names.items.map((n) => (n.type === 'email' ? ['rfc822Name', n.value] : n.type === 'url' ? ['uniformResourceIdentifier', n.value] : ['other'])),
    basicConstraints: bc ? { cA: bc.ca, pathLenConstraint: bc.pathLength } : undefined,
    keyUsage: ku?.usages,
  };
}

function fieldsOf(c: Certificate): ReturnType<typeof fieldsByOracle> {
  const bc = basicConstraints(c);
  return {
    serialNumber: c.serialNumber,
    subject: c.subject,
    issuer: c.issuer,
    subjectName: toHex(c.subjectName),
    issuerName: toHex(c.issuerName),
    notBefore: c.notBefore.getTime(),
    notAfter: c.notAfter.getTime(),
    subjectPublicKeyInfo: toHex(c.subjectPublicKeyInfo),
    key: c.publicKeyAlgorithm.kind === 'ec' ? { ec: c.publicKeyAlgorithm.namedCurve } : { rsa: c.publicKeyAlgorithm.kind === 'rsa' ? c.publicKeyAlgorithm.modulusLength : undefined },
    hash: c.signatureAlgorithm.hash,
    extensions: c.extensions.map((e) => ({ id: e.extnID, critical: e.critical, value: toHex(e.extnValue) })),
    san: subjectAltNames(c)?.map((n) => (n.type === 'other' ? ['other'] : [n.type, n.value])),
    basicConstraints: bc ? { cA: bc.cA, pathLenConstraint: bc.pathLenConstraint } : undefined,
    keyUsage: keyUsage(c),
  };
}

async function oracleVerifies(der: Uint8Array, issuer: Uint8Array): Promise<boolean> {
  try {
    return await new X509Certificate(bufferSource(der)).verify({ publicKey: new X509Certificate(bufferSource(issuer)).publicKey, signatureOnly: true }, crypto);
  } catch {
    return false;
  }
}

const generate = async (params: RsaHashedKeyGenParams | EcKeyGenParams) => (await crypto.subtle.generateKey(params, false, ['sign', 'verify'])) as CryptoKeyPair;

/** A certificate of another shape, made by @peculiar/x509. */
async function peculiarCert(init: { subject: string; issuer: string; keys: CryptoKeyPair; signer: CryptoKeyPair; signing: Algorithm; serial: string; extensions: Extension[]; notAfter?: Date }): Promise<Uint8Array> {
  const c = await X509CertificateGenerator.create(
    {
      serialNumber: init.serial,
      subject: init.subject,
      issuer: init.issuer,
      notBefore: new Date(TEST_NOW - DAY_MS),
      notAfter: init.notAfter ?? new Date(TEST_NOW + DAY_MS),
      publicKey: init.keys.publicKey,
      signingKey: init.signer.privateKey,
      signingAlgorithm: init.signing,
      extensions: init.extensions,
    },
    crypto,
  );
  return new Uint8Array(c.rawData);
}

interface Case {
  readonly name: string;
  readonly der: Uint8Array;
  readonly issuer: Uint8Array;
}
const cases: Case[] = [];
let rsaPki: TestPki;

beforeAll(async () => {
  rsaPki = await TestPki.create();
  const ecPki = await TestPki.create({ keyType: 'ecdsa-p256' });
  const rsaPeer = await rsaPki.peer('alice@chordphone.test');
  const ecPeer = await rsaPki.peer('erin@chordphone.test', { keyType: 'ecdsa-p256' });
  const ecCaPeer = await ecPki.peer('bob@chordphone.test', { nodeIdCount: 3 });
  cases.push(
    { name: 'RSA CA root (self-signed)', der: rsaPki.ca.rootCertificate, issuer: rsaPki.ca.rootCertificate },
    { name: 'RSA peer issued by the RSA CA', der: rsaPeer.certificate, issuer: rsaPki.ca.rootCertificate },
    { name: 'ECDSA peer issued by the RSA CA', der: ecPeer.certificate, issuer: rsaPki.ca.rootCertificate },
    { name: 'ECDSA CA root', der: ecPki.ca.rootCertificate, issuer: ecPki.ca.rootCertificate },
    { name: 'peer of three Node-IDs issued by the ECDSA CA', der: ecCaPeer.certificate, issuer: ecPki.ca.rootCertificate },
  );

  const [p384, rsaLeaf, rsa3072] = await Promise.all([generate({ name: 'ECDSA', namedCurve: 'P-384' }), generate(keyGenParams('rsa') as RsaHashedKeyGenParams), generate({ ...(keyGenParams('rsa') as RsaHashedKeyGenParams), modulusLength: 3072 })]);
  const p384Root = await peculiarCert({
    subject: 'CN=P-384 Root, O=Example Org, C=DE',
    issuer: 'CN=P-384 Root, O=Example Org, C=DE',
    keys: p384,
    signer: p384,
    signing: { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams,
    serial: 'ff01',
    extensions: [new BasicConstraintsExtension(true, 2, true), new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true)],
    notAfter: new Date(Date.UTC(2051, 5, 1)),
  });
  const mixed = await peculiarCert({
    subject: 'CN=Mixed+OU=Unit, DC=example, E=ops@example.org',
    issuer: 'CN=P-384 Root, O=Example Org, C=DE',
    keys: rsa3072,
    signer: p384,
    signing: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
    serial: '00',
    extensions: [
      new SubjectAlternativeNameExtension([{ type: 'dns', value: 'peer.example.org' }, { type: 'email', value: 'x@example.org' }, { type: 'url', value: 'reload://x' }], false),
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment | KeyUsageFlags.decipherOnly, false),
      new Extension('1.3.6.1.4.1.99999.1', true, new Uint8Array([5, 0])),
    ],
  });
  const sha512 = await peculiarCert({
    subject: '',
    issuer: 'CN=RSA issuer',
    keys: rsaLeaf,
    signer: rsa3072,
    signing: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512' } as RsaHashedImportParams,
    serial: '7fffffffffffffffffffffffffffffffffffff01',
    extensions: [new SubjectAlternativeNameExtension([{ type: 'url', value: formatReloadNodeUri(rsaPki.randomNodeId(), TEST_OVERLAY) }, { type: 'email', value: 'y@chordphone.test' }], true)],
  });
  const rsa3072Root = await peculiarCert({ subject: 'CN=RSA issuer', issuer: 'CN=RSA issuer', keys: rsa3072, signer: rsa3072, signing: x509SigningAlgorithm('rsa'), serial: '01', extensions: [new BasicConstraintsExtension(true, undefined, true)] });
  const pss = await generate({ name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' });
  const pssRoot = await peculiarCert({ subject: 'CN=PSS', issuer: 'CN=PSS', keys: pss, signer: pss, signing: { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 } as RsaPssParams, serial: '02', extensions: [new BasicConstraintsExtension(true, undefined, true)] });
  cases.push(
    { name: 'RSASSA-PSS with SHA-256, salt 32 (RFC 4055)', der: pssRoot, issuer: pssRoot },
    { name: 'P-384 root, SHA-384, GeneralizedTime notAfter, multi-attribute name', der: p384Root, issuer: p384Root },
    { name: 'multi-valued RDN, a dNSName, all key usages, an unknown critical extension, signed by P-384', der: mixed, issuer: p384Root },
    { name: 'SHA-512 with RSA, 20-octet serial, empty subject', der: sha512, issuer: rsa3072Root },
  );
});

describe('parseCertificate reads what @peculiar/x509 reads', () => {
  it('every field, for the CA’s certificates and other shapes', () => {
    expect(cases.length).toBeGreaterThanOrEqual(9);
    for (const c of cases) expect(fieldsOf(parseCertificate(c.der)), c.name).toEqual(fieldsByOracle(c.der));
  });

  it('keeps the exact bytes: rawData, and tbsCertificate inside it', () => {
    for (const c of cases) {
      const cert = parseCertificate(c.der);
      expect(cert.rawData).toEqual(c.der);
      expect(toHex(c.der)).toContain(toHex(cert.tbsCertificate));
      expect(cert.version).toBe(3);
    }
  });

  it('reads a PEM text with parseCertificatePem; parseCertificate takes DER only (the one form RELOAD carries)', () => {
    const text = `junk before\n${encodePem(cases[1]!.der, 'CERTIFICATE')}junk after`;
    expect(parseCertificatePem(text).rawData).toEqual(cases[1]!.der);
    expect(() => parseCertificate(new TextEncoder().encode(text))).toThrow(DecodeError);
  });

  it('decodes keyUsage and basicConstraints as RFC 5280 defines them', () => {
    const root = parseCertificate(rsaPki.ca.rootCertificate);
    expect(basicConstraints(root)).toEqual({ cA: true, pathLenConstraint: 0 });
    expect(keyUsage(root)).toBe(KeyUsage.keyCertSign | KeyUsage.cRLSign);
  });
});

describe('certificateSignedBy agrees with @peculiar/x509', () => {
  it('true with the issuer’s key, false with another (RSA, RSA-PSS and ECDSA, P-256 and P-384, SHA-256/384/512)', async () => {
    for (const c of cases) {
      const cert = parseCertificate(c.der);
      expect(await certificateSignedBy(crypto, cert, parseCertificate(c.issuer)), c.name).toBe(true);
      expect(await oracleVerifies(c.der, c.issuer), c.name).toBe(true);
      const stranger = cases.find((o) => toHex(o.issuer) !== toHex(c.issuer))!.issuer;
      expect(await certificateSignedBy(crypto, cert, parseCertificate(stranger)), c.name).toBe(false);
      expect(await oracleVerifies(c.der, stranger), c.name).toBe(false);
    }
  });

  it('false once a byte of the signed part changes', async () => {
    const c = cases[1]!;
    const cert = parseCertificate(c.der);
    const tbs = cert.tbsCertificate.slice();
    tbs[tbs.length - 5]! ^= 1;
    expect(await certificateSignedBy(crypto, { ...cert, tbsCertificate: tbs }, parseCertificate(c.issuer))).toBe(false);
  });
});

describe('RSASSA-PSS parameters (RFC 4055 §3.1)', () => {
  const alg = (oid: string) => derSequence(derOid(oid), derNull());
  const params = (...fields: Uint8Array[]) => readDer(derSequence(...fields), 'parameters');
  const SHA256 = '2.16.840.1.101.3.4.2.1';
  const SHA1 = '1.3.14.3.2.26';
  const MGF1 = '1.2.840.113549.1.1.8';
  const PSS = '1.2.840.113549.1.1.10';
  it('reads hash, MGF1 hash and salt length; defaults are SHA-1 and 20', () => {
    expect(signatureAlgorithmOf(PSS, params(derContext(0, true, alg(SHA256)), derContext(1, true, derSequence(derOid(MGF1), alg(SHA256))), derContext(2, true, derSmallInteger(32))))).toEqual({ algorithm: PSS, keyKind: 'rsa-pss', hash: 'SHA-256', saltLength: 32 });
    expect(signatureAlgorithmOf(PSS, params())).toEqual({ algorithm: PSS, keyKind: 'rsa-pss', hash: 'SHA-1', saltLength: 20 });
  });
  it('leaves unverifiable what WebCrypto cannot check: MGF1 with another hash, another trailer, no parameters', () => {
    expect(signatureAlgorithmOf(PSS, params(derContext(0, true, alg(SHA256)), derContext(1, true, derSequence(derOid(MGF1), alg(SHA1)))))).toEqual({ algorithm: PSS });
    expect(signatureAlgorithmOf(PSS, params(derContext(3, true, derSmallInteger(2))))).toEqual({ algorithm: PSS });
    expect(signatureAlgorithmOf(PSS)).toEqual({ algorithm: PSS });
  });
  it('malformed parameters are a DecodeError', () => {
    expect(() => signatureAlgorithmOf(PSS, params(derContext(2, true, derSmallInteger(32)), derContext(0, true, alg(SHA256))))).toThrow(DecodeError);
  });
});

describe('ECDSA signature values (RFC 3279 §2.2.3) → r || s', () => {
  for (const [curve, size, hash] of [['P-256', 32, 'SHA-256'], ['P-384', 48, 'SHA-384'], ['P-521', 66, 'SHA-512']] as const) {
    it(`${curve}: r or s with leading zero octets (short INTEGERs) verify after left-padding to ${size} bytes`, async () => {
      const keys = await generate({ name: 'ECDSA', namedCurve: curve });
      const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey));
      const algorithm = { 'P-256': OID_ECDSA_WITH_SHA256, 'P-384': '1.2.840.10045.4.3.3', 'P-521': '1.2.840.10045.4.3.4' }[curve];
      // Sign until r or s is short.
      let found = false;
      for (let i = 0; i < 2000 && !found; i++) {
        const signed = new TextEncoder().encode(`message ${i}`);
        const rs = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash }, keys.privateKey, signed));
        const r = rs.subarray(0, size);
        const s = rs.subarray(size);
        // An INTEGER's contents shorter than the scalar (about one signature in 256): the reader must left-pad it.
        const short = Math.min(derUnsignedInteger(r).length, derUnsignedInteger(s).length) - 2 < size;
        if (!short && i > 3) continue;
        const der = derSequence(derUnsignedInteger(r), derUnsignedInteger(s));
        expect(ecdsaDerToP1363(der, size)).toEqual(rs);
        expect(await verifySignedBy(crypto, { signed, signatureAlgorithm: signatureAlgorithmOf(algorithm), signatureValue: der }, spki)).toBe(true);
        found = short;
      }
      expect(found).toBe(true);
    });
  }

  const rows: readonly [string, string][] = [
    ['an INTEGER with a needless leading zero', '3007020200010201 01'],
    ['a negative r', '3006020180020101'],
    ['r longer than the scalar', `3026022101${'00'.repeat(32)}020101`],
    ['trailing bytes', '300602010102010100'],
    ['not a SEQUENCE', '3106020101020101'],
  ];
  for (const [name, h] of rows) {
    it(`refuses ${name}`, () => {
      expect(ecdsaDerToP1363(Uint8Array.from(h.replace(/ /g, '').match(/../g)!, (b) => parseInt(b, 16)), 32)).toBeUndefined();
    });
  }
});

describe('self-signed certificates made with our DER writer (§11.3.1)', () => {
  for (const keyType of ['rsa', 'ecdsa-p256'] as const) {
    it(`${keyType}: @peculiar/x509 accepts the signature and reads the same certificate`, async () => {
      const keys = await generate(keyGenParams(keyType));
      const configuration = rsaPki.configuration({ selfSignedPermitted: { digest: 'sha256', permitted: true }, rootCerts: [] });
      const { der, nodeIds } = await createSelfSignedCertificate({ crypto }, { configuration, keys, userName: 'frank@anywhere', nodeIdCount: 2, notBefore: TEST_NOW - DAY_MS + 1234, notAfter: TEST_NOW + DAY_MS, serialNumber: '80ab' });
      const p = new X509Certificate(bufferSource(der));
      expect(await p.verify({ signatureOnly: true }, crypto)).toBe(true);
      expect(fieldsOf(parseCertificate(der))).toEqual(fieldsByOracle(der));
      expect(p.serialNumber).toBe('80ab');
      expect(p.subject).toBe(`CN=${toHex(nodeIds[0]!)}`);
      expect(p.issuer).toBe(p.subject);
      expect(p.notBefore.getTime()).toBe(TEST_NOW - DAY_MS + 1000);
      expect(p.getExtension(SubjectAlternativeNameExtension)!.names.items.map((n) => [n.type, n.value])).toEqual([
        ...nodeIds.map((id) => ['url', formatReloadNodeUri(id, configuration.instanceName)]),
        ['email', 'frank@anywhere'],
      ]);
      expect(p.getExtension(BasicConstraintsExtension)).toMatchObject({ ca: false, critical: true });
      expect(p.getExtension(KeyUsagesExtension)).toMatchObject({ usages: KeyUsageFlags.digitalSignature, critical: true });
      expect(new Uint8Array(p.publicKey.rawData)).toEqual(new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey)));
    });
  }
});

describe('parseCertificate holds a certificate to RFC 5280', () => {
  /** The certificate's three parts, re-assembled with `change` applied (the signature stays the CA's). */
  const rebuilt = (der: Uint8Array, change: (parts: { tbs: Uint8Array; algorithm: Uint8Array; signature: Uint8Array }) => void): Uint8Array => {
    const r = children(readDer(der, 'c'));
    const parts = { tbs: r.read('tbs').der, algorithm: r.read('alg').der, signature: r.read('sig').der };
    change(parts);
    return derSequence(parts.tbs, parts.algorithm, parts.signature);
  };

  it('the signed and the unsigned algorithm identifiers must be the same DER, parameters included (§4.1.1.2)', () => {
    const rsa = cases[1]!.der;
    expect(parseCertificate(rebuilt(rsa, () => {})).rawData).toEqual(rsa);
    // sha256WithRSAEncryption without its NULL parameters outside, with them inside.
    const withoutNull = rebuilt(rsa, (p) => {
      p.algorithm = derSequence(derOid('1.2.840.113549.1.1.11'));
    });
    expect(() => parseCertificate(withoutNull)).toThrow(/differs from the TBSCertificate/);
  });

  it('PKCS#1 v1.5 takes NULL or no parameters, ECDSA none: anything else is not verifiable (RFC 4055 §5, RFC 5758 §3.2)', () => {
    const sha256Rsa = '1.2.840.113549.1.1.11';
    expect(signatureAlgorithmOf(sha256Rsa, readDer(derNull(), 'p')).keyKind).toBe('rsa');
    expect(signatureAlgorithmOf(sha256Rsa).keyKind).toBe('rsa');
    expect(signatureAlgorithmOf(sha256Rsa, readDer(derSmallInteger(1), 'p')).keyKind).toBeUndefined();
    expect(signatureAlgorithmOf(OID_ECDSA_WITH_SHA256, readDer(derNull(), 'p')).keyKind).toBeUndefined();
  });

  it('a version 1 certificate carries no extensions, and v1 itself is left out (§4.1.2.1, §4.1.2.9)', () => {
    const rsa = cases[1]!.der;
    // Drop the explicit [0] version: a v1 certificate that still has [3] extensions.
    const v1WithExtensions = rebuilt(rsa, (p) => {
      const fields = readDer(p.tbs, 'tbs').value;
      const version = children(readDer(p.tbs, 'tbs')).read('version');
      p.tbs = derSequence(fields.subarray(version.der.length));
    });
    expect(() => parseCertificate(v1WithExtensions)).toThrow(/extensions in a version 1 certificate/);
    // An explicit version v1 (INTEGER 0): DER leaves the DEFAULT out.
    const explicitV1 = rebuilt(rsa, (p) => {
      const fields = readDer(p.tbs, 'tbs').value;
      const version = children(readDer(p.tbs, 'tbs')).read('version');
      p.tbs = derSequence(derContext(0, true, derSmallInteger(0)), fields.subarray(version.der.length));
    });
    expect(() => parseCertificate(explicitV1)).toThrow(/must be left out/);
  });

  it('counts an RSA modulus in bits, not octets', () => {
    const info = (top: number) => {
      const modulus = new Uint8Array(256).fill(0xff);
      modulus[0] = top;
      const key = derSequence(derUnsignedInteger(modulus), derSmallInteger(65537));
      return derSequence(derSequence(derOid('1.2.840.113549.1.1.1'), derNull()), derTlv(0x03, Uint8Array.of(0), key));
    };
    // 256 octets, but only 2041 bits: below RFC 6940's 2048.
    expect(keyTypeOfSubjectPublicKeyInfo(info(0x01))).toBeUndefined();
    expect(keyTypeOfSubjectPublicKeyInfo(info(0x80))).toBe('rsa');
  });
});

describe('parseCertificate on damaged input', () => {
  it('raises only DecodeError for truncated, mutated or padded certificates', () => {
    const der = cases[1]!.der;
    expect(() => parseCertificate(der.subarray(0, der.length - 1))).toThrow(DecodeError);
    expect(() => parseCertificate(Uint8Array.of(...der, 0))).toThrow(/trailing/);
    expect(() => parseCertificate(new TextEncoder().encode('bad cert\n'))).toThrow(DecodeError);
    fc.assert(
      fc.property(fc.nat(der.length - 1), fc.integer({ min: 0, max: 255 }), (at, byte) => {
        const bytes = der.slice();
        bytes[at] = byte;
        try {
          parseCertificate(bytes);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
