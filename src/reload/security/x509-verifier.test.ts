import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { expectReloadError, infoText } from '../testing/reload-error-assert.js';
import { toHex } from '../wire/codec/hex.js';
import { messageSignatureInput } from '../wire/message-signature-input.js';
import { MessageCode } from '../wire/message-codes.js';
import { CertificateType, HashAlgorithm, SignatureAlgorithm, SignerIdentityType, type GenericCertificate, type Signature } from '../wire/security-block.js';
import { storedDataSignatureInput } from '../wire/storage/stored-data-signature-input.js';
import { bufferSource, fixedWallClock } from './security-components.js';
import { DAY_MS, TEST_NOW, TestPki, type TestPeer } from '../testing/test-pki.js';
import { CertificateAuthority } from './certificate-authority.js';
import { x509SigningAlgorithm } from './signature-algorithm.js';
import { X509Verifier } from './x509-verifier.js';
import { BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension, X509Certificate, X509CertificateGenerator } from './x509.js';

const text = (s: string) => new TextEncoder().encode(s);
const bucket = (...ders: Uint8Array[]): GenericCertificate[] => ders.map((certificate) => ({ type: CertificateType.X509, certificate }));

/** A §6.3.4 input for a Ping-like message signed by `signer`. */
function pingInput(identity: Parameters<typeof messageSignatureInput>[3], transactionId = 0x0102030405060708n): Uint8Array {
  return messageSignatureInput(0x2a3b4c5d, transactionId, { messageCode: MessageCode.ping_req, messageBody: new Uint8Array(), extensions: [] }, identity);
}

let pki: TestPki;
let alice: TestPeer;
let bob: TestPeer;
let carol: TestPeer; // three Node-IDs
let erin: TestPeer; // ECDSA

beforeAll(async () => {
  pki = await TestPki.create();
  [alice, bob, carol, erin] = await Promise.all([
    pki.peer('alice@chordphone.test'),
    pki.peer('bob@chordphone.test'),
    pki.peer('carol@chordphone.test', { nodeIdCount: 3 }),
    pki.peer('erin@chordphone.test', { keyType: 'ecdsa-p256' }),
  ]);
});

describe('X509Signer', () => {
  it('uses cert_hash = SHA-256 of the DER for a certificate of one Node-ID (§6.3.4)', async () => {
    const s = await alice.signer();
    const id = s.identity();
    expect(id.identityType).toBe(SignerIdentityType.cert_hash);
    expect('hash' in id && id.hashAlg).toBe(HashAlgorithm.sha256);
    expect('hash' in id && toHex(id.hash)).toBe(createHash('sha256').update(alice.certificate).digest('hex'));
    expect(s.nodeId).toEqual(alice.nodeIds[0]);
    expect(s.userName).toBe('alice@chordphone.test');
    expect(s.certificates()).toEqual(bucket(alice.certificate));
  });

  it('uses cert_hash_node_id = SHA-256(Node-ID || DER) for a certificate of several Node-IDs (§6.3.4)', async () => {
    const s = await carol.signer(1);
    const id = s.identity();
    expect(id.identityType).toBe(SignerIdentityType.cert_hash_node_id);
    const expected = createHash('sha256').update(carol.nodeIds[1]!).update(carol.certificate).digest('hex');
    expect('hash' in id && toHex(id.hash)).toBe(expected);
  });

  it('signs RSASSA-PKCS1-v1_5/SHA-256 as TLS {4, 1}, verifiable by an independent implementation', async () => {
    const s = await alice.signer();
    const input = pingInput(s.identity());
    const sig = await s.sign(input);
    expect(sig.algorithm).toEqual({ hash: HashAlgorithm.sha256, signature: SignatureAlgorithm.rsa });
    const key = createPublicKey({ key: Buffer.from(new X509Certificate(bufferSource(alice.certificate)).publicKey.rawData), format: 'der', type: 'spki' });
    expect(nodeVerify('sha256', input, key, sig.signatureValue)).toBe(true);
  });

  it('signs ECDSA P-256/SHA-256 as TLS {4, 3} with a DER Ecdsa-Sig-Value, verifiable independently', async () => {
    const s = await erin.signer();
    const input = pingInput(s.identity());
    const sig = await s.sign(input);
    expect(sig.algorithm).toEqual({ hash: HashAlgorithm.sha256, signature: SignatureAlgorithm.ecdsa });
    expect(sig.signatureValue[0]).toBe(0x30);
    const key = createPublicKey({ key: Buffer.from(new X509Certificate(bufferSource(erin.certificate)).publicKey.rawData), format: 'der', type: 'spki' });
    expect(nodeVerify('sha256', input, { key, dsaEncoding: 'der' }, sig.signatureValue)).toBe(true);
  });

  it('refuses a Node-ID its certificate does not hold, and a key that is not the certificate’s', async () => {
    await expect(X509SignerFor(alice, { nodeId: bob.nodeIds[0]! })).rejects.toThrow(/does not contain Node-ID/);
    await expect(X509SignerFor(alice, { privateKey: erin.keys.privateKey })).rejects.toThrow(/certifies a rsa key/);
  });
});

async function X509SignerFor(peer: TestPeer, over: { nodeId?: Uint8Array; privateKey?: CryptoKey }) {
  const { X509Signer } = await import('./x509-signer.js');
  return X509Signer.create({ crypto: pki.crypto }, { privateKey: over.privateKey ?? peer.keys.privateKey, certificates: [peer.certificate], overlay: pki.overlay, ...(over.nodeId ? { nodeId: over.nodeId } : {}) });
}

describe('X509Verifier: valid signatures', () => {
  it('verifies an RSA message signature and names the signer and the certificates that proved it, not the root (§6.3.4)', async () => {
    const s = await alice.signer();
    const input = pingInput(s.identity());
    const signer = await pki.verifier().verify(input, await s.sign(input), s.certificates());
    expect(signer).toEqual({ nodeId: alice.nodeIds[0], nodeIds: alice.nodeIds, userName: 'alice@chordphone.test', certificates: [{ type: 0, certificate: alice.certificate }] });
  });

  it('verifies an ECDSA signature where the overlay allows ECDSA', async () => {
    const s = await erin.signer();
    const input = pingInput(s.identity());
    expect((await pki.verifier().verify(input, await s.sign(input), s.certificates())).userName).toBe('erin@chordphone.test');
  });

  it('verifies as the Node-ID that signed, among several (cert_hash_node_id)', async () => {
    const v = pki.verifier();
    for (const i of [0, 2]) {
      const s = await carol.signer(i);
      const input = pingInput(s.identity());
      const signer = await v.verify(input, await s.sign(input), s.certificates(), { claimedNodeId: carol.nodeIds[i]! });
      expect(signer.nodeId).toEqual(carol.nodeIds[i]);
      expect(signer.nodeIds).toEqual(carol.nodeIds);
    }
  });

  it('verifies a StoredData signature (§7.1)', async () => {
    const s = await alice.signer();
    const value = { model: 'single' as const, singleValueEntry: { exists: true, value: text('hello') } };
    const input = storedDataSignatureInput(new Uint8Array(16).fill(7), 0x10, 1234n, value, s.identity());
    expect((await pki.verifier().verify(input, await s.sign(input), s.certificates())).nodeId).toEqual(alice.nodeIds[0]);
  });

  it('keeps verified certificates, so a later message may omit them', async () => {
    const v = pki.verifier();
    const s = await bob.signer();
    const input = pingInput(s.identity());
    const sig = await s.sign(input);
    await expectReloadError(v.verify(input, sig, []), 'Error_Forbidden');
    await v.verify(input, sig, s.certificates());
    expect(v.cache.size).toBe(1);
    expect((await v.verify(input, sig, [])).userName).toBe('bob@chordphone.test');
    expect(v.cache.findByNodeId(bob.nodeIds[0]!)).toHaveLength(1);
    expect(v.cache.findByUserName('bob@chordphone.test')).toHaveLength(1);
  });

  it('finds the signer among other certificates in the bucket', async () => {
    const s = await bob.signer();
    const input = pingInput(s.identity());
    const signer = await pki.verifier().verify(input, await s.sign(input), bucket(alice.certificate, carol.certificate, bob.certificate));
    expect(signer.userName).toBe('bob@chordphone.test');
  });
});

describe('X509Verifier: concurrent validations of one certificate', () => {
  /** A CA certificate for `subject`'s key, signed by `issuer`. */
  function caCertificate(subject: CertificateAuthority, issuer: CertificateAuthority, pathLength?: number) {
    return X509CertificateGenerator.create(
      {
        subject: subject.certificate.subjectName,
        issuer: issuer.certificate.subjectName,
        notBefore: new Date(TEST_NOW - DAY_MS),
        notAfter: new Date(TEST_NOW + 365 * DAY_MS),
        publicKey: subject.keys.publicKey,
        signingKey: issuer.keys.privateKey,
        signingAlgorithm: x509SigningAlgorithm('rsa'),
        extensions: [new BasicConstraintsExtension(true, pathLength, true), new KeyUsagesExtension(KeyUsageFlags.keyCertSign, true)],
      },
      pki.crypto,
    );
  }

  /**
   * A root-cert admitting one intermediate, a peer certificate that intermediate issued, the
   * intermediate, and `wrongIntermediate`: the intermediate's own self-signed certificate (right
   * name and key, but chaining to nothing).
   */
  async function peerUnderIntermediate() {
    const deps = { crypto: pki.crypto, random: pki.random, wallClock: pki.wallClock };
    const [root, mid] = await Promise.all([CertificateAuthority.create(deps, { overlay: 'root.chordphone.test' }), CertificateAuthority.create(deps, { overlay: pki.overlay })]);
    const rootCert = await caCertificate(root, root, 1);
    const intermediate = await caCertificate(mid, root, 0);
    const leaf = await mid.issue({ publicKey: alice.keys.publicKey, nodeIds: [pki.randomNodeId()], userName: 'dave@chordphone.test' });
    return { policy: pki.policy({ rootCerts: [new Uint8Array(rootCert.rawData)] }), leaf, intermediate: new Uint8Array(intermediate.rawData), wrongIntermediate: mid.rootCertificate };
  }

  /** WebCrypto whose signature checks wait for `open()`, counting the digests made. */
  function gatedCrypto() {
    const subtle = pki.crypto.subtle;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const state = { digests: 0, open };
    const gated = new Proxy(subtle, {
      get: (target, key) => {
        if (key === 'verify') return async (...args: Parameters<SubtleCrypto['verify']>) => (await gate, target.verify(...args));
        if (key === 'digest') return async (...args: Parameters<SubtleCrypto['digest']>) => { const d = await target.digest(...args); state.digests++; return d; };
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const crypto = { subtle: gated, getRandomValues: pki.crypto.getRandomValues.bind(pki.crypto) } as Crypto;
    return { crypto, state };
  }

  it('a caller offering the right intermediate is not refused because a concurrent caller offered a wrong one', async () => {
    const { policy, leaf, intermediate, wrongIntermediate } = await peerUnderIntermediate();
    const { crypto, state } = gatedCrypto();
    const v = new X509Verifier({ crypto, wallClock: pki.wallClock }, { policy });
    const wrong = v.addCertificate(leaf, [wrongIntermediate]);
    const right = v.addCertificate(leaf, [intermediate]);
    await vi.waitFor(() => expect(state.digests).toBe(2)); // both callers hashed the certificate: the second joins the first's validation
    state.open();
    // The wrong chain is refused, unless the right caller's own validation cached the certificate
    // first (then its cached intermediate serves every caller, by design): either is fine here.
    await wrong.catch(() => undefined);
    expect((await right).path.path).toHaveLength(3);
    expect(v.cache.size).toBe(1);
  });

  it('concurrent callers offering the same intermediates share one validation', async () => {
    const { policy, leaf, intermediate } = await peerUnderIntermediate();
    const v = pki.verifier(policy);
    const [a, b] = await Promise.all([v.addCertificate(leaf, [intermediate]), v.addCertificate(leaf, [intermediate])]);
    expect(a).toBe(b);
  });
});

describe('X509Verifier: each failure is Error_Forbidden', () => {
  it('a forged message signature: altered input', async () => {
    const s = await alice.signer();
    const input = pingInput(s.identity());
    const sig = await s.sign(input);
    const e = await expectReloadError(pki.verifier().verify(pingInput(s.identity(), 0x0102030405060709n), sig, s.certificates()), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/does not verify/);
  });

  it('a forged message signature: another key signing under alice’s certificate', async () => {
    const a = await alice.signer();
    const b = await bob.signer();
    const input = pingInput(a.identity());
    const forged: Signature = { ...(await b.sign(input)), identity: a.identity() };
    const e = await expectReloadError(pki.verifier().verify(input, forged, a.certificates()), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/forged or altered/);
  });

  it('a forged ECDSA signature: flipped bit, and a non-canonical encoding', async () => {
    const s = await erin.signer();
    const input = pingInput(s.identity());
    const sig = await s.sign(input);
    const flipped = sig.signatureValue.slice();
    flipped[flipped.length - 1]! ^= 1;
    await expectReloadError(pki.verifier().verify(input, { ...sig, signatureValue: flipped }, s.certificates()), 'Error_Forbidden');
    const e = await expectReloadError(pki.verifier().verify(input, { ...sig, signatureValue: Uint8Array.of(0x30, 0x00) }, s.certificates()), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/malformed/);
  });

  it('a valid certificate used for a Node-ID it does not contain (claimed Node-ID)', async () => {
    const s = await alice.signer();
    const input = pingInput(s.identity());
    const e = await expectReloadError(pki.verifier().verify(input, await s.sign(input), s.certificates(), { claimedNodeId: bob.nodeIds[0]! }), 'Error_Forbidden');
    expect(infoText(e)).toContain(`does not contain the claimed Node-ID ${toHex(bob.nodeIds[0]!)}`);
  });

  it('a valid certificate used for a Node-ID it does not contain (cert_hash_node_id over a foreign Node-ID)', async () => {
    const s = await carol.signer();
    const foreign = bob.nodeIds[0]!;
    const identity = { identityType: SignerIdentityType.cert_hash_node_id, hashAlg: HashAlgorithm.sha256, hash: new Uint8Array(createHash('sha256').update(foreign).update(carol.certificate).digest()) };
    const input = pingInput(identity);
    const sig: Signature = { ...(await s.sign(input)), identity };
    const e = await expectReloadError(pki.verifier().verify(input, sig, s.certificates()), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/signing Node-ID is not in any offered certificate/);
  });

  it('a certificate from another CA', async () => {
    const other = await TestPki.create();
    const mallory = await other.peer('alice@chordphone.test', { keys: alice.keys });
    const s = await mallory.signer();
    const input = pingInput(s.identity());
    const e = await expectReloadError(pki.verifier().verify(input, await s.sign(input), s.certificates()), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/does not chain to a root-cert of this overlay/);
  });

  it('an expired certificate', async () => {
    const old = await pki.peer('olga@chordphone.test', { keys: alice.keys, notBefore: TEST_NOW - 60 * DAY_MS, notAfter: TEST_NOW - DAY_MS });
    const s = await old.signer();
    const input = pingInput(s.identity());
    const e = await expectReloadError(pki.verifier().verify(input, await s.sign(input), s.certificates()), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/expired at 2025-12-31T00:00:00.000Z/);
  });

  it('a certificate not yet valid', async () => {
    const early = await pki.peer('early@chordphone.test', { keys: alice.keys, notBefore: TEST_NOW + DAY_MS, notAfter: TEST_NOW + 2 * DAY_MS });
    const s = await early.signer();
    const input = pingInput(s.identity());
    await expectReloadError(pki.verifier().verify(input, await s.sign(input), s.certificates()), 'Error_Forbidden');
  });

  it('a cached certificate once it has expired (validity is checked on every use, §7.1)', async () => {
    let now = TEST_NOW;
    const v = pki.verifier(pki.policy(), { epochMs: () => now });
    const short = await pki.peer('short@chordphone.test', { keys: alice.keys, notBefore: TEST_NOW - DAY_MS, notAfter: TEST_NOW + DAY_MS });
    const s = await short.signer();
    const input = pingInput(s.identity());
    const sig = await s.sign(input);
    await v.verify(input, sig, s.certificates());
    now = TEST_NOW + 2 * DAY_MS;
    await expectReloadError(v.verify(input, sig, s.certificates()), 'Error_Forbidden');
  });

  it('ECDSA where the overlay allows only RSA', async () => {
    const s = await erin.signer();
    const input = pingInput(s.identity());
    const e = await expectReloadError(pki.verifier(pki.policy({}, false)).verify(input, await s.sign(input), s.certificates()), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/not accepted/);
  });

  it('cert_hash naming a certificate of several Node-IDs (§6.3.4 requires cert_hash_node_id)', async () => {
    const s = await carol.signer();
    const identity = { identityType: SignerIdentityType.cert_hash, hashAlg: HashAlgorithm.sha256, hash: new Uint8Array(createHash('sha256').update(carol.certificate).digest()) };
    const input = pingInput(identity);
    const e = await expectReloadError(pki.verifier().verify(input, { ...(await s.sign(input)), identity }, s.certificates()), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/holds 3 Node-IDs/);
  });

  it('a certificate of a bad-node (§11.1)', async () => {
    const s = await bob.signer();
    const input = pingInput(s.identity());
    const v = pki.verifier(pki.policy({ badNodes: [bob.nodeIds[0]!] }));
    const e = await expectReloadError(v.verify(input, await s.sign(input), s.certificates()), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/bad-node/);
  });

  it('a certificate of another overlay', async () => {
    const other = await TestPki.create({ overlay: 'elsewhere.test' });
    const v = pki.verifier(pki.policy({ rootCerts: [pki.ca.rootCertificate, other.ca.rootCertificate] }));
    const stranger = await other.peer('alice@elsewhere.test', { keys: alice.keys });
    const s = await X509SignerForOverlay(stranger, 'elsewhere.test');
    const input = pingInput(s.identity());
    const e = await expectReloadError(v.verify(input, await s.sign(input), s.certificates()), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/is for overlay elsewhere.test, not chordphone.test/);
  });

  it('identities that name no certificate, and hashes other than SHA-256', async () => {
    const s = await alice.signer();
    const input = pingInput(s.identity());
    const sig = await s.sign(input);
    await expectReloadError(pki.verifier().verify(input, { ...sig, identity: { identityType: SignerIdentityType.none } }, s.certificates()), 'Error_Forbidden');
    const sha1 = { identityType: SignerIdentityType.cert_hash, hashAlg: HashAlgorithm.sha1, hash: new Uint8Array(20) };
    await expectReloadError(pki.verifier().verify(input, { ...sig, identity: sha1 }, s.certificates()), 'Error_Forbidden');
    await expectReloadError(pki.verifier().verify(input, { ...sig, algorithm: { hash: HashAlgorithm.sha1, signature: SignatureAlgorithm.rsa } }, s.certificates()), 'Error_Forbidden');
  });

  it('a malformed certificate in the bucket', async () => {
    const s = await alice.signer();
    const input = pingInput(s.identity());
    const junk = text('not a certificate');
    const identity = { identityType: SignerIdentityType.cert_hash, hashAlg: HashAlgorithm.sha256, hash: new Uint8Array(createHash('sha256').update(junk).digest()) };
    const e = await expectReloadError(pki.verifier().verify(input, { ...(await s.sign(input)), identity }, bucket(junk)), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/not a valid X.509 certificate/);
  });
});

describe('X509Verifier with a wall clock', () => {
  it('uses the injected calendar time, not the system’s', async () => {
    const s = await alice.signer();
    const input = pingInput(s.identity());
    const sig = await s.sign(input);
    await expectReloadError(pki.verifier(pki.policy(), fixedWallClock(TEST_NOW + 400 * DAY_MS)).verify(input, sig, s.certificates()), 'Error_Forbidden');
  });
});

async function X509SignerForOverlay(peer: TestPeer, overlay: string) {
  const { X509Signer } = await import('./x509-signer.js');
  return X509Signer.create({ crypto: pki.crypto }, { privateKey: peer.keys.privateKey, certificates: [peer.certificate], overlay });
}
