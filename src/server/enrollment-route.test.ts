import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webCryptoRandom } from '../platform/web-crypto.js';
import { systemClock } from '../platform/system-clock.js';
import { enroll, EnrollmentError } from '../reload/security/enrollment-client.js';
import { EnrollmentService } from '../reload/security/enrollment.js';
import { MemoryNameRegistry } from '../reload/security/name-registry.js';
import { TestPki } from '../reload/testing/test-pki.js';
import { ENROLLMENT_PATH, enrollmentRoute } from './enrollment-route.js';
import { startStaticServer, type StaticServer } from './static-server.js';

let dir: string;
let server: StaticServer;
let pki: TestPki;
let url: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chordphone-enroll-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>Chordphone</title>');
  pki = await TestPki.create();
  const service = new EnrollmentService(
    { crypto: globalThis.crypto, random: webCryptoRandom, clock: systemClock, wallClock: pki.wallClock },
    { authority: pki.ca, mode: { kind: 'open' }, registry: new MemoryNameRegistry(), keyTypes: ['rsa', 'ecdsa-p256'] },
  );
  server = await startStaticServer({ root: dir, port: 0, host: '127.0.0.1', routes: [enrollmentRoute(service, { maxBodyBytes: 8192 })] });
  url = new URL(ENROLLMENT_PATH.slice(1), server.url).href;
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const deps = () => ({ crypto: globalThis.crypto, fetch: (u: string, init: RequestInit) => fetch(u, init), wallClock: pki.wallClock });

describe('enrollment over HTTP (§11.3)', () => {
  it('issues a certificate for a CSR POSTed as multipart/form-data', async () => {
    const keys = await pki.keyPair('ecdsa-p256');
    const got = await enroll(deps(), { url, policy: pki.policy(), keys, openUsername: 'quinn' });
    expect(got.userName).toBe('quinn@chordphone.test');
    expect(got.nodeIds).toHaveLength(1);
  });

  it('answers 403 username_not_available (text/plain token) to a second key asking for a taken name', async () => {
    await enroll(deps(), { url, policy: pki.policy(), keys: await pki.keyPair('ecdsa-p256'), openUsername: 'rosa' });
    const e = await enroll(deps(), { url, policy: pki.policy(), keys: await pki.keyPair('ecdsa-p256'), openUsername: 'rosa' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EnrollmentError);
    expect((e as EnrollmentError).status).toBe(403);
    expect((e as EnrollmentError).token).toBe('username_not_available');
    expect((e as EnrollmentError).message).toBe('the user name rosa@chordphone.test is already taken by someone else: choose another one');
  });

  it('leaves every other path to the static server, and refuses GET on the enrollment path', async () => {
    expect((await fetch(server.url)).status).toBe(200);
    const get = await fetch(url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('refuses a body over the limit with 413', async () => {
    const res = await fetch(url, { method: 'POST', body: new Uint8Array(10_000), headers: { 'Content-Type': 'multipart/form-data; boundary=x' } });
    expect(res.status).toBe(413);
  });
});
