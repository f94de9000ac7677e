import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.js';
import { toHex } from '../wire/codec/hex.js';
import { createCertificateRequest } from './certificate-request.js';
import { enroll, EnrollmentError } from './enrollment-client.js';
import { PasswordAccounts } from './enrollment-accounts.js';
import { ENROLLMENT_DETAIL_HEADER, PKIX_CERT_MEDIA_TYPE } from './enrollment-protocol.js';
import { EnrollmentService, type EnrollmentHttpRequest, type EnrollmentServiceInit } from './enrollment.js';
import { MemoryNameRegistry } from './name-registry.js';
import { parseReloadCertificate } from './reload-certificate.js';
import { formatReloadNodeUri } from './reload-uri.js';
import { TestPki, testRandom as webCryptoRandom } from '../testing/test-pki.js';
import { SubjectAlternativeNameExtension, X509Certificate } from './x509.js';
import { bufferSource } from './security-components.js';
import { ChainValidator } from './chain-validator.js';

const crypto = globalThis.crypto;
let pki: TestPki;
let k1: CryptoKeyPair;
let k2: CryptoKeyPair;
let kEc: CryptoKeyPair;

beforeAll(async () => {
  pki = await TestPki.create();
  [k1, k2, kEc] = await Promise.all([pki.keyPair('rsa'), pki.keyPair('rsa'), pki.keyPair('ecdsa-p256')]);
});

/** A multipart request as a browser would send it (undici's FormData encoder, not ours). */
async function formRequest(fields: Record<string, string | Uint8Array>, over: Partial<EnrollmentHttpRequest> = {}): Promise<EnrollmentHttpRequest> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string') form.set(k, v);
    else form.set(k, new Blob([v.slice()], { type: 'application/pkcs10' }), 'req.csr');
  }
  const r = new Response(form);
  return { method: 'POST', contentType: r.headers.get('content-type') ?? '', accept: PKIX_CERT_MEDIA_TYPE, body: new Uint8Array(await r.arrayBuffer()), remoteAddress: '192.0.2.1', ...over };
}

function service(init: Partial<EnrollmentServiceInit> = {}, clock = new ManualClock()) {
  const registry = new MemoryNameRegistry();
  const s = new EnrollmentService(
    { crypto, random: webCryptoRandom, clock, wallClock: pki.wallClock },
    { authority: pki.ca, mode: { kind: 'open' }, registry, keyTypes: ['rsa', 'ecdsa-p256'], ...init },
  );
  return { s, registry, clock };
}

const csr = (keys: CryptoKeyPair, userName?: string) => createCertificateRequest({ crypto }, { keys, ...(userName === undefined ? {} : { userName }) });
const bodyText = (b: Uint8Array) => new TextDecoder().decode(b);

describe('EnrollmentService: open enrollment (workshop)', () => {
  it('issues a §11.3 certificate: empty subject, one RELOAD URI Node-ID, the user name as rfc822Name, chaining to the root', async () => {
    const { s, registry } = service();
    const res = await s.handle(await formRequest({ username: 'Alice', csr: await csr(k1) }));
    expect(res.status).toBe(200);
    expect(res.headers['Content-Type']).toBe(PKIX_CERT_MEDIA_TYPE);
    const x509 = new X509Certificate(bufferSource(res.body));
    expect(x509.subject).toBe('');
    const san = x509.getExtension(SubjectAlternativeNameExtension)!;
    expect(san.critical).toBe(true);
    const cert = parseReloadCertificate(res.body, pki.overlay);
    expect(san.names.toJSON()).toEqual([
      { type: 'url', value: formatReloadNodeUri(cert.nodeIds[0]!, pki.overlay) },
      { type: 'email', value: 'alice@chordphone.test' },
    ]);
    expect(cert.nodeIds).toHaveLength(1);
    await new ChainValidator({ crypto }, { rootCerts: [pki.ca.rootCertificate] }).validate(cert, [], pki.wallClock.epochMs());
    expect((await registry.get('alice@chordphone.test'))?.nodeIds).toEqual([toHex(cert.nodeIds[0]!)]);
  });

  it('gives a returning key the same Node-IDs (§11.3 SHOULD)', async () => {
    const { s } = service();
    const a = parseReloadCertificate((await s.handle(await formRequest({ username: 'bob', csr: await csr(k1) }))).body, pki.overlay);
    const b = parseReloadCertificate((await s.handle(await formRequest({ username: 'bob', csr: await csr(k1) }))).body, pki.overlay);
    expect(b.nodeIds).toEqual(a.nodeIds);
  });

  it('refuses a user name already taken by another key: 403 username_not_available with a clear detail', async () => {
    const { s } = service();
    expect((await s.handle(await formRequest({ username: 'carol', csr: await csr(k1) }))).status).toBe(200);
    for (const name of ['carol', 'CAROL', 'carol@chordphone.test']) {
      const res = await s.handle(await formRequest({ username: name, csr: await csr(k2) }));
      expect(res.status).toBe(403);
      expect(bodyText(res.body)).toBe('username_not_available');
      expect(res.headers[ENROLLMENT_DETAIL_HEADER]).toBe('the user name carol@chordphone.test is already taken by someone else: choose another one');
    }
  });

  it('refuses a reserved user name (the server’s own peers’) like a taken one, before anyone holds it', async () => {
    const { s, registry } = service({ reservedUserName: (n) => n === 'server@chordphone.test' });
    for (const name of ['server', 'SERVER', 'server@chordphone.test']) {
      const res = await s.handle(await formRequest({ username: name, csr: await csr(k1) }));
      expect(res.status).toBe(403);
      expect(bodyText(res.body)).toBe('username_not_available');
      expect(res.headers[ENROLLMENT_DETAIL_HEADER]).toBe('the user name server@chordphone.test is already taken by someone else: choose another one');
    }
    // Also when the CSR asks for it, and nothing was written to the registry.
    expect(bodyText((await s.handle(await formRequest({ csr: await csr(k1, 'server@chordphone.test') }))).body)).toBe('username_not_available');
    expect(registry.size).toBe(0);
    expect((await s.handle(await formRequest({ username: 'servers', csr: await csr(k1) }))).status).toBe(200);
  });

  it('lets exactly one of two racing keys take a name', async () => {
    const { s } = service();
    const [a, b] = await Promise.all([s.handle(await formRequest({ username: 'dora', csr: await csr(k1) })), s.handle(await formRequest({ username: 'dora', csr: await csr(k2) }))]);
    expect([a.status, b.status].sort()).toEqual([200, 403]);
  });

  it('takes the user name from the CSR, and refuses a form name that disagrees', async () => {
    const { s } = service();
    const ok = await s.handle(await formRequest({ csr: await csr(kEc, 'eve@chordphone.test') }));
    expect(parseReloadCertificate(ok.body, pki.overlay).userName).toBe('eve@chordphone.test');
    const clash = await s.handle(await formRequest({ username: 'frank', csr: await csr(kEc, 'eve@chordphone.test') }));
    expect(bodyText(clash.body)).toBe('username_not_available');
  });

  it('refuses names outside the overlay domain or with illegal characters', async () => {
    const { s } = service();
    for (const username of ['mallory@elsewhere.example', 'mal lory', 'a\u0000b', '']) {
      const res = await s.handle(await formRequest({ username, csr: await csr(k1) }));
      expect(res.status, username).toBe(403);
      expect(bodyText(res.body)).toBe('username_not_available');
    }
  });

  it('rate-limits per address (429 with Retry-After), other addresses unaffected, refilled with time', async () => {
    const { s, clock } = service({ rateLimit: { burst: 3, windowMs: 60_000 } });
    const request = await formRequest({ username: 'gina', csr: await csr(k1) });
    for (let i = 0; i < 3; i++) expect((await s.handle(request)).status).toBe(200);
    const limited = await s.handle(request);
    expect(limited.status).toBe(429);
    expect(limited.headers['Retry-After']).toBe('20');
    expect((await s.handle({ ...request, remoteAddress: '192.0.2.2' })).status).toBe(200);
    clock.advance(20_000);
    expect((await s.handle(request)).status).toBe(200);
  });

  it('answers Node-IDs_not_available beyond the server’s maximum, and several Node-IDs within it', async () => {
    const one = service();
    const res = await one.s.handle(await formRequest({ username: 'hank', nodeids: '2', csr: await csr(k1) }));
    expect(bodyText(res.body)).toBe('Node-IDs_not_available');
    const four = service({ maxNodeIds: 4 });
    const ok = await four.s.handle(await formRequest({ username: 'hank', nodeids: '3', csr: await csr(k1) }));
    expect(parseReloadCertificate(ok.body, pki.overlay).nodeIds).toHaveLength(3);
  });

  it('answers bad_CSR for a missing, malformed or forged request, or a key the overlay does not accept', async () => {
    const { s } = service({ keyTypes: ['rsa'] });
    const good = await csr(k1);
    const forged = good.slice();
    forged[forged.length - 5]! ^= 1; // inside the signature
    for (const [what, fields] of [
      ['missing', { username: 'ivan' }],
      ['garbage', { username: 'ivan', csr: new Uint8Array([0x30, 0x03, 1, 2, 3]) }],
      ['forged', { username: 'ivan', csr: forged }],
      ['ECDSA where only RSA', { username: 'ivan', csr: await csr(kEc) }],
    ] as const) {
      const res = await s.handle(await formRequest(fields));
      expect(bodyText(res.body), what).toBe('bad_CSR');
    }
  });

  it('accepts the csr parameter as PEM or base64 text too', async () => {
    const { s } = service();
    const der = await csr(k1);
    const b64 = Buffer.from(der).toString('base64');
    expect((await s.handle(await formRequest({ username: 'judy', csr: b64 as unknown as string }))).status).toBe(200);
    const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${b64.replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE REQUEST-----\n`;
    expect((await s.handle(await formRequest({ username: 'judy', csr: pem }))).status).toBe(200);
  });

  it('refuses other methods, bodies and Accept types with plain HTTP statuses', async () => {
    const { s } = service();
    const req = await formRequest({ username: 'kim', csr: await csr(k1) });
    expect((await s.handle({ ...req, method: 'GET' })).status).toBe(405);
    expect((await s.handle({ ...req, contentType: 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await s.handle({ ...req, accept: 'text/html' })).status).toBe(406);
    expect((await s.handle({ ...req, accept: 'text/html, */*;q=0.1' })).status).toBe(200);
    expect((await s.handle({ ...req, body: req.body.slice(0, 40) })).status).toBe(400);
  });
});

describe('EnrollmentService: accounts (§11.3 as written)', () => {
  async function withAccounts() {
    const accounts = new PasswordAccounts({ crypto, random: webCryptoRandom }, 1000);
    await accounts.set('lena', 'correct horse', 'lena@chordphone.test');
    return service({ mode: { kind: 'accounts', accounts } });
  }

  it('issues the account’s user name after authenticating', async () => {
    const { s } = await withAccounts();
    const res = await s.handle(await formRequest({ username: 'lena', password: 'correct horse', csr: await csr(k1) }));
    expect(parseReloadCertificate(res.body, pki.overlay).userName).toBe('lena@chordphone.test');
  });

  it('answers failed_authentication for a wrong or missing password, or an unknown account', async () => {
    const { s } = await withAccounts();
    for (const fields of [
      { username: 'lena', password: 'wrong', csr: await csr(k1) },
      { username: 'lena', csr: await csr(k1) } as Record<string, string | Uint8Array>,
      { username: 'nobody', password: 'correct horse', csr: await csr(k1) },
    ]) {
      expect(bodyText((await s.handle(await formRequest(fields))).body)).toBe('failed_authentication');
    }
  });

  it('refuses a CSR asking for another user name than the account’s', async () => {
    const { s } = await withAccounts();
    const res = await s.handle(await formRequest({ username: 'lena', password: 'correct horse', csr: await csr(k1, 'boss@chordphone.test') }));
    expect(bodyText(res.body)).toBe('username_not_available');
  });

  it('gives the same Node-IDs to the account with a new key (re-issue)', async () => {
    const { s } = await withAccounts();
    const a = parseReloadCertificate((await s.handle(await formRequest({ username: 'lena', password: 'correct horse', csr: await csr(k1) }))).body, pki.overlay);
    const b = parseReloadCertificate((await s.handle(await formRequest({ username: 'lena', password: 'correct horse', csr: await csr(k2) }))).body, pki.overlay);
    expect(b.nodeIds).toEqual(a.nodeIds);
    expect(b.subjectPublicKeyInfo).not.toEqual(a.subjectPublicKeyInfo);
  });
});

describe('enroll (client) against the service', () => {
  const fetchTo = (s: EnrollmentService) => async (_url: string, init: RequestInit) => {
    const req = new Request('https://enroll.test/', init);
    const res = await s.handle({
      method: req.method,
      contentType: req.headers.get('content-type') ?? '',
      accept: req.headers.get('accept') ?? '',
      body: new Uint8Array(await req.arrayBuffer()),
      remoteAddress: '198.51.100.7',
    });
    return new Response(res.body.slice(), { status: res.status, headers: res.headers });
  };

  it('enrolls, checks the chain to the root-cert, and reads its Node-IDs', async () => {
    const { s } = service({ maxNodeIds: 2 });
    const got = await enroll({ crypto, fetch: fetchTo(s), wallClock: pki.wallClock }, { url: 'https://enroll.test/', policy: pki.policy(), keys: kEc, openUsername: 'nina', nodeIds: 2 });
    expect(got.userName).toBe('nina@chordphone.test');
    expect(got.nodeIds).toHaveLength(2);
  });

  it('reports the token and the detail of a refusal', async () => {
    const { s } = service();
    await enroll({ crypto, fetch: fetchTo(s), wallClock: pki.wallClock }, { url: 'x', policy: pki.policy(), keys: k1, openUsername: 'omar' });
    const e = await enroll({ crypto, fetch: fetchTo(s), wallClock: pki.wallClock }, { url: 'x', policy: pki.policy(), keys: k2, openUsername: 'omar' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EnrollmentError);
    expect((e as EnrollmentError).token).toBe('username_not_available');
    expect((e as EnrollmentError).message).toMatch(/already taken/);
  });

  it('refuses a certificate that does not chain to the configuration’s root-cert', async () => {
    const other = await TestPki.create();
    const { s } = service();
    const policy = other.policy();
    await expect(enroll({ crypto, fetch: fetchTo(s), wallClock: pki.wallClock }, { url: 'x', policy, keys: k1, openUsername: 'pia' })).rejects.toThrow(/does not chain/);
  });
});
