/**
 * The Certificate Store Usage (RFC 6940 §8) after a signer renewed its certificate (§13.3: short
 * lifetimes, so renewals are normal): same key, same Node-ID and user name, a new certificate. A
 * verifier that cached the old one must still find the new one: the transport's lookup after a
 * verification miss (§6.3.4 "some certificates MAY be omitted") always fetches, and byNode / byUser
 * answer from the cache only with a certificate still within its validity (§7.1).
 */
import { beforeAll, expect, it } from 'vitest';
import type { FetchOutcome } from '../../reload/overlay/overlay-types.js';
import { CertificateUnknownError } from '../../reload/security/signer.js';
import type { X509Verifier } from '../../reload/security/x509-verifier.js';
import { ManualClock } from '../../reload/testing/manual-clock.js';
import { DAY_MS, TEST_NOW, TestPki, type TestPeer } from '../../reload/testing/test-pki.js';
import { chordReloadResourceIdHash } from '../../reload/topology/chord/chord-hash.js';
import { nodeHasher } from '../../sim/node-hasher.js';
import { toHex } from '../../reload/wire/codec/hex.js';
import type { NodeId } from '../../reload/wire/ids.js';
import { KindId } from '../../reload/wire/message-codes.js';
import { SignatureAlgorithm, SignerIdentityType } from '../../reload/wire/security-block.js';
import { encodeCertificateValue } from '../../reload/wire/storage/kinds/certificate.js';
import { CertificateStore } from './certificate-store.js';

const USER = 'bob@chordphone.test';
let pki: TestPki;
let nodeId: NodeId;
/** Bob's first certificate (expires a day after TEST_NOW) and his renewed one: same key, Node-ID and user name. */
let old: TestPeer;
let renewed: TestPeer;

beforeAll(async () => {
  pki = await TestPki.create();
  nodeId = pki.randomNodeId();
  const keys = await pki.keyPair('ecdsa-p256');
  old = await pki.peer(USER, { keys, nodeIds: [nodeId], notBefore: TEST_NOW - 40 * DAY_MS, notAfter: TEST_NOW + 1 * DAY_MS });
  renewed = await pki.peer(USER, { keys, nodeIds: [nodeId], notBefore: TEST_NOW - DAY_MS, notAfter: TEST_NOW + 30 * DAY_MS });
});

/**
 * A verifier of another peer that learned Bob's old certificate at TEST_NOW, `laterMs` later (two
 * days: the old one expired), and a store over an overlay whose CERTIFICATE_BY_NODE and CERTIFICATE_BY_USER lists
 * hold Bob's renewed certificate, as Bob published it (§8); counting Fetches.
 */
async function peerThatCachedTheOldCertificate(laterMs = 2 * DAY_MS): Promise<{ verifier: X509Verifier; store: CertificateStore; fetches: () => number }> {
  let now = TEST_NOW;
  const wallClock = { epochMs: () => now };
  const verifier = pki.verifier(pki.policy(), wallClock);
  await verifier.addCertificate(old.certificate);
  now = TEST_NOW + laterMs;
  let fetches = 0;
  const overlay = {
    store: () => Promise.reject(new Error('unused')),
    fetch: (_resource: unknown, kinds: readonly { kind: number }[]): Promise<FetchOutcome> => {
      fetches++;
      const value = {
        storageTime: 1n,
        lifetime: 86_400,
        value: { model: 'array', arrayEntry: { index: 0, value: { exists: true, value: encodeCertificateValue(renewed.certificate) } } },
        signature: { algorithm: { hash: 0, signature: SignatureAlgorithm.anonymous }, identity: { identityType: SignerIdentityType.none }, signatureValue: new Uint8Array() },
      };
      return Promise.resolve({ hops: 1, responder: pki.randomNodeId(), rejected: [], answer: { kindResponses: [{ kind: kinds[0]!.kind, generation: 1n, values: [value] }] } } as unknown as FetchOutcome);
    },
  };
  const store = new CertificateStore({ overlay, resourceIdHash: chordReloadResourceIdHash(nodeHasher), validator: verifier, clock: new ManualClock(), wallClock });
  return { verifier, store, fetches: () => fetches };
}

it.each([
  ['expired', 2 * DAY_MS],
  ['superseded, still valid', DAY_MS / 2],
])('the transport’s lookup for an omitted certificate fetches the current one even when an older certificate of the Node-ID is cached (%s)', async (_, laterMs) => {
  const { verifier, store, fetches } = await peerThatCachedTheOldCertificate(laterMs);
  // Bob's message, his renewed certificate omitted (§6.3.4).
  const signer = await renewed.signer();
  const input = new Uint8Array([1, 2, 3]);
  const signature = await signer.sign(input);
  await expect(Promise.resolve().then(() => verifier.verify(input, signature, []))).rejects.toBeInstanceOf(CertificateUnknownError);

  // MessageVerification.verifyAfterLookup: look up the claimed Node-ID, then verify once more.
  expect(await store.source()(nodeId)).toBe(true);
  expect(fetches()).toBe(1);
  await expect(Promise.resolve().then(() => verifier.verify(input, signature, [], { claimedNodeId: nodeId }))).resolves.toMatchObject({ nodeId });
});

it('byNode and byUser do not answer with a cached certificate that has expired: they fetch the renewed one', async () => {
  const { store, fetches } = await peerThatCachedTheOldCertificate();
  const byNode = await store.byNode(nodeId);
  expect(byNode?.certHash).not.toBe(undefined);
  expect(byNode?.certificate.der).toEqual(renewed.certificate);
  expect(fetches()).toBe(1);
  const byUser = await store.byUser(USER);
  expect(byUser?.certHash).toBe(byNode?.certHash);
  // The renewed certificate is valid and cached now: the next lookups are answered from the cache.
  expect((await store.byNode(nodeId))?.certHash).toBe(byNode?.certHash);
  expect(toHex((await store.byUser(USER))!.certificate.nodeIds[0]!)).toBe(toHex(nodeId));
  expect(fetches()).toBe(1);
});
