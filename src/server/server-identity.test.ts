/**
 * The server's own peers and open enrollment share one name registry (chordphone-server.ts). RFC
 * 6940 §13.3: user names "MUST be unique"; §11.3: a returning user gets the same Node-IDs. So the
 * server's own names are reserved, and an old data directory in which a browser holds one of them
 * is reported rather than taken over.
 */
import { mkdir, mkdtemp, readFile, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ServerIdentity, ServerNameConflictError } from './server-identity.js';
import { EnrollmentService, type EnrollmentHttpRequest } from '../reload/security/enrollment.js';
import { createCertificateRequest } from '../reload/security/certificate-request.js';
import { PKIX_CERT_MEDIA_TYPE } from '../reload/security/enrollment-protocol.js';
import { parseReloadCertificate } from '../reload/security/reload-certificate.js';
import { ManualClock } from '../reload/testing/manual-clock.js';
import { testRandom } from '../reload/testing/test-pki.js';
import { keyGenParams } from '../reload/security/signature-algorithm.js';
import { toHex } from '../reload/wire/codec/hex.js';

const crypto = globalThis.crypto;
const OVERLAY = 'identity.test';
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function formRequest(fields: Record<string, string | Uint8Array>): Promise<EnrollmentHttpRequest> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string') form.set(k, v);
    else form.set(k, new Blob([v.slice()], { type: 'application/pkcs10' }), 'req.csr');
  }
  const r = new Response(form);
  return { method: 'POST', contentType: r.headers.get('content-type') ?? '', accept: PKIX_CERT_MEDIA_TYPE, body: new Uint8Array(await r.arrayBuffer()), remoteAddress: '192.0.2.1' };
}

/** A server identity with its first peer, and open enrollment over its registry (reserving its names, as chordphone-server.ts does, or not, as before). */
async function serverWithEnrollment(reserve: boolean) {
  dir = await mkdtemp(join(tmpdir(), 'server-identity-'));
  const identity = await ServerIdentity.open({ crypto }, { dataDir: dir, overlay: OVERLAY });
  await identity.peer('server');
  const enrollment = new EnrollmentService(
    { crypto, random: testRandom, clock: new ManualClock(), wallClock: { epochMs: () => Date.now() } },
    { authority: identity.authority, mode: { kind: 'open' }, registry: identity.registry, keyTypes: ['rsa', 'ecdsa-p256'], userNameDomain: OVERLAY, ...(reserve ? { reservedUserName: (n: string) => identity.reservesUserName(n) } : {}) },
  );
  const browserKeys = (await crypto.subtle.generateKey(keyGenParams('ecdsa-p256'), false, ['sign', 'verify'])) as CryptoKeyPair;
  const enrollBrowser = async (username: string) => enrollment.handle(await formRequest({ username, csr: await createCertificateRequest({ crypto }, { keys: browserKeys }) }));
  return { identity, enrollBrowser };
}

it('reserves the names of the server’s own peers, also extra peers not started yet, and no others', async () => {
  const { identity } = await serverWithEnrollment(true);
  for (const name of ['server', 'peer-1', 'peer-2', 'peer-17', 'peer-01']) expect(identity.reservesUserName(`${name}@${OVERLAY}`), name).toBe(true);
  for (const name of ['servers', 'peer', 'peer-', 'peer-x', 'my-peer-1', 'peer-1.a']) expect(identity.reservesUserName(`${name}@${OVERLAY}`), name).toBe(false);
  expect(identity.reservesUserName('peer-1@elsewhere.test')).toBe(false);
}, 60_000);

it('open enrollment wired with the reservation refuses a server peer name before that peer exists, so the peer later gets it', async () => {
  const { identity, enrollBrowser } = await serverWithEnrollment(true);
  const res = await enrollBrowser('peer-1');
  expect(res.status).toBe(403);
  expect(new TextDecoder().decode(res.body)).toBe('username_not_available');
  expect(await identity.registry.get(`peer-1@${OVERLAY}`)).toBeUndefined();
  const serverPeer = await identity.peer('peer-1');
  expect(serverPeer.userName).toBe(`peer-1@${OVERLAY}`);
}, 60_000);

it('a server peer does not take over a name (and Node-ID) a browser enrolled first in an old data directory: it refuses, naming the conflict', async () => {
  // Enrollment as before the reservation: the browser gets `peer-1`.
  const { identity, enrollBrowser } = await serverWithEnrollment(false);
  const res = await enrollBrowser('peer-1');
  expect(res.status).toBe(200);
  const browserCert = parseReloadCertificate(res.body, OVERLAY);
  expect(browserCert.userName).toBe(`peer-1@${OVERLAY}`);
  const before = await identity.registry.get(`peer-1@${OVERLAY}`);

  // The server is restarted with one extra peer: `peer-1`.
  const attempt = identity.peer('peer-1');
  await expect(attempt).rejects.toBeInstanceOf(ServerNameConflictError);
  await expect(attempt).rejects.toMatchObject({ userName: `peer-1@${OVERLAY}`, message: expect.stringContaining(join(dir!, 'names.json')) });

  // The browser keeps its record, Node-ID and name, on disk too, and can renew with its own key.
  expect(await identity.registry.get(`peer-1@${OVERLAY}`)).toEqual(before);
  const onDisk = JSON.parse(await readFile(join(dir!, 'names.json'), 'utf8')) as { records: { userName: string; keyHash: string }[] };
  expect(onDisk.records.find((r) => r.userName === `peer-1@${OVERLAY}`)?.keyHash).toBe(before!.keyHash);
  const again = await enrollBrowser('peer-1');
  expect(again.status).toBe(200);
  expect(toHex(parseReloadCertificate(again.body, OVERLAY).nodeIds[0]!)).toBe(toHex(browserCert.nodeIds[0]!));
}, 60_000);

it('a server peer whose certificate is renewed with its own key keeps its name and Node-ID', async () => {
  dir = await mkdtemp(join(tmpdir(), 'server-identity-'));
  let now = Date.now();
  const wallClock = { epochMs: () => now };
  const first = await (await ServerIdentity.open({ crypto, wallClock }, { dataDir: dir, overlay: OVERLAY })).peer('peer-2');
  now += 29 * 86_400_000; // within the renewal window of a 30-day certificate
  const renewed = await (await ServerIdentity.open({ crypto, wallClock }, { dataDir: dir, overlay: OVERLAY })).peer('peer-2');
  expect(renewed.certificates[0]).not.toEqual(first.certificates[0]);
  expect({ nodeId: toHex(renewed.nodeId), userName: renewed.userName }).toEqual({ nodeId: toHex(first.nodeId), userName: first.userName });
}, 60_000);

it('a first start stopped between writing the CA key files starts again (the private key is written last)', async () => {
  dir = await mkdtemp(join(tmpdir(), 'server-identity-crash-'));
  // The write of ca.pub.pem fails: a stand-in for the process dying right there.
  await mkdir(join(dir, 'keys', 'ca.pub.pem'), { recursive: true });
  await expect(ServerIdentity.open({ crypto }, { dataDir: dir, overlay: OVERLAY })).rejects.toThrow();
  await rmdir(join(dir, 'keys', 'ca.pub.pem'));
  // Before: ca.key.pem alone was left, and every later start failed ("ca.pub.pem is missing beside ca.key.pem").
  const identity = await ServerIdentity.open({ crypto }, { dataDir: dir, overlay: OVERLAY });
  expect((await identity.peer('server')).userName).toBe(`server@${OVERLAY}`);
});

it('a server peer whose key save was cut short starts again with a new key (its name record is written after the key)', async () => {
  dir = await mkdtemp(join(tmpdir(), 'server-identity-crash-'));
  await ServerIdentity.open({ crypto }, { dataDir: dir, overlay: OVERLAY });
  // The write of peer-1.pub.pem fails: a stand-in for the process dying right there.
  await mkdir(join(dir, 'keys', 'peer-1.pub.pem'), { recursive: true });
  await expect((await ServerIdentity.open({ crypto }, { dataDir: dir, overlay: OVERLAY })).peer('peer-1')).rejects.toThrow();
  await rmdir(join(dir, 'keys', 'peer-1.pub.pem'));
  // Before: the record of the unsaved key was kept, and every later start failed with ServerNameConflictError.
  const identity = await ServerIdentity.open({ crypto }, { dataDir: dir, overlay: OVERLAY });
  expect((await identity.peer('peer-1')).userName).toBe(`peer-1@${OVERLAY}`);
}, 60_000);
