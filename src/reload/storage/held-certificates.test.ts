import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Verifier } from '../security/signer.js';
import type { GenericCertificate } from '../wire/security-block.js';
import type { FetchReq } from '../wire/storage/fetch.js';
import { createDataStore } from './data-store.js';
import { openIdbBackend } from './idb-backend.js';
import { kindTableFromConfiguration } from './kind-table.js';
import { createMemoryBackend } from './memory-backend.js';
import { openSqliteBackend } from './node/index.js';
import type { StorageBackend } from './storage-backend.js';
import { FakeOracle } from './testing/fake-oracle.js';
import type { FakeIdentity } from './testing/fake-trust.js';
import { ManualClock } from '../testing/manual-clock.js';
import { expectReloadError } from '../testing/reload-error-assert.js';
import { dict, record, single } from './testing/records.js';
import { K, NODE_ALICE, resourceIdHash, storageFixture, storeReq, TEST_CONFIGURATION } from './testing/storage-fixture.js';
import { webHasher } from '../testing/web-hasher.js';
import { withMethods } from './testing/with-methods.js';

let idb = 0;
const backends: [string, () => Promise<StorageBackend>][] = [
  ['memory', async () => createMemoryBackend()],
  ['sqlite', async () => openSqliteBackend({ filename: ':memory:' })],
  ['indexeddb', async () => openIdbBackend({ overlay: `held-certificates-${idb++}.test`, nodeId: NODE_ALICE })],
];

const certificatesOf = (who: FakeIdentity): readonly GenericCertificate[] => who.signer.certificates ?? [];
const K1 = Uint8Array.of(1);
const K2 = Uint8Array.of(2);

// RFC 6940 §6.3.4: "implementers MUST include all referenced certificates. NOTE TO IMPLEMENTERS: This
// requirement implies that a peer storing data is obligated to retain certificates for the data that it holds."
describe.each(backends)('certificates kept with stored values (§6.3.4): %s', (_name, backend) => {
  const fixture = async () => storageFixture({ backend: await backend() });
  const fetchDict = (resource: Uint8Array): FetchReq => ({ resource, specifiers: [{ kind: K.DICT, generation: 0n, modelSpecifier: { model: 'dictionary', keys: [] } }] });

  it('a Fetch answers with the certificates that verified its values, one copy each', async () => {
    const f = await fixture();
    const values = [f.alice.sign(f.aliceUser, K.DICT, dict(K1, 'one'), 1n), f.alice2.sign(f.aliceUser, K.DICT, dict(K2, 'two'), 1n)];
    await f.store.store(storeReq(f.aliceUser, K.DICT, values), f.ctx(f.alice));
    await f.store.store(storeReq(f.aliceUser, K.DICT, [f.alice.sign(f.aliceUser, K.DICT, dict(Uint8Array.of(3), 'three'), 1n)]), f.ctx(f.alice));
    const { answer, certificates } = await f.store.fetchWithCertificates(fetchDict(f.aliceUser));
    expect(answer.kindResponses[0]?.values).toHaveLength(3);
    expect(certificates).toEqual([...certificatesOf(f.alice), ...certificatesOf(f.alice2)]);
    expect(await f.backend.certificateUsage()).toMatchObject({ count: 2 });
    // A Fetch that answers no stored value carries none.
    expect((await f.store.fetchWithCertificates(fetchDict(f.bobUser))).certificates).toEqual([]);
  });

  it('a certificate goes when no stored value refers to it any more: replaced, expired, dropped', async () => {
    const f = await fixture();
    await f.store.store(storeReq(f.aliceUser, K.DICT, [f.alice.sign(f.aliceUser, K.DICT, dict(K1, 'a'), 1n, 60)]), f.ctx(f.alice));
    // Replaced by a value alice2 signed: alice's certificate verifies nothing held any more.
    await f.store.store(storeReq(f.aliceUser, K.DICT, [f.alice2.sign(f.aliceUser, K.DICT, dict(K1, 'b'), 2n, 600)]), f.ctx(f.alice2));
    expect((await f.store.fetchWithCertificates(fetchDict(f.aliceUser))).certificates).toEqual(certificatesOf(f.alice2));
    expect(await f.backend.certificateUsage()).toMatchObject({ count: 1 });
    await f.store.store(storeReq(f.bobUser, K.DICT, [f.bob.sign(f.bobUser, K.DICT, dict(K1, 'c'), 1n, 60)]), f.ctx(f.bob));
    f.clock.advance(61_000);
    expect(await f.store.purgeExpired()).toBe(1);
    expect(await f.backend.certificateUsage()).toMatchObject({ count: 1 });
    await f.store.drop([f.aliceUser]);
    expect(await f.backend.certificateUsage()).toEqual({ count: 0, bytes: 0 });
  });

  it('values taken from another peer\'s FetchAns keep the certificates that verified them', async () => {
    const f = await fixture();
    const other = await fixture();
    await other.store.store(storeReq(f.aliceUser, K.DICT, [f.alice.sign(f.aliceUser, K.DICT, dict(K1, 'newer'), 5n)]), other.ctx(f.alice));
    const fetched = await other.store.fetchWithCertificates(fetchDict(f.aliceUser));
    expect(await f.store.absorb(f.aliceUser, fetched.answer.kindResponses, fetched.certificates)).toBe(1);
    expect((await f.store.fetchWithCertificates(fetchDict(f.aliceUser))).certificates).toEqual(certificatesOf(f.alice));
  });

  it('a Store bringing certificates beyond maxCertificateBytes is refused; one whose certificates are held is not', async () => {
    // Room for alice's certificate (the same length in every fixture) and no more.
    const size = certificatesOf((await storageFixture()).alice)[0]?.certificate.length ?? 0;
    const f = await storageFixture({ backend: await backend(), limits: { maxCertificateBytes: size } });
    await f.store.store(storeReq(f.aliceUser, K.DICT, [f.alice.sign(f.aliceUser, K.DICT, dict(K1, 'a'), 1n)]), f.ctx(f.alice));
    await f.store.store(storeReq(f.aliceUser, K.DICT, [f.alice.sign(f.aliceUser, K.DICT, dict(K2, 'b'), 1n)]), f.ctx(f.alice));
    await expectReloadError(f.store.store(storeReq(f.bobUser, K.DICT, [f.bob.sign(f.bobUser, K.DICT, dict(K1, 'c'), 1n)]), f.ctx(f.bob)), 'Error_Data_Too_Large');
    expect(await f.backend.certificateUsage()).toEqual({ count: 1, bytes: size });
  });

  it('a Store bringing a certificate reads neither the held certificates nor their usage first: its write checks maxCertificateBytes', async () => {
    const inner = await backend();
    const reads: string[] = [];
    const watched = withMethods(inner, {
      certificates: (...args) => (reads.push('certificates'), inner.certificates(...args)),
      certificateUsage: () => (reads.push('certificateUsage'), inner.certificateUsage()),
    });
    const f = await storageFixture({ backend: watched, limits: { maxCertificateBytes: 1 } });
    await expectReloadError(f.store.store(storeReq(f.aliceUser, K.DICT, [f.alice.sign(f.aliceUser, K.DICT, dict(K1, 'a'), 1n)]), f.ctx(f.alice)), 'Error_Data_Too_Large');
    expect(reads).toEqual([]);
    expect(await inner.usage()).toEqual({ count: 0, bytes: 0 });
  });
});

describe('certificates of values stored without any (stored before they were kept)', () => {
  it("are what the verifier still knows of the values' signers", async () => {
    const known: GenericCertificate = { type: 0, certificate: Uint8Array.of(7, 7, 7) };
    const verifier: Verifier = { verify: () => Promise.reject(new Error('not used')), certificatesFor: () => [known] };
    const backend = createMemoryBackend();
    const clock = new ManualClock();
    const store = createDataStore(
      { backend, clock, epochClock: () => clock.now(), verifier, hasher: webHasher, resourceIdHash, responsibility: new FakeOracle() },
      { kinds: kindTableFromConfiguration(TEST_CONFIGURATION) },
    );
    const old = record({ resourceId: Uint8Array.of(1), kind: K.SINGLE, value: single('old'), lifetime: 600 });
    await backend.put(old);
    expect(await store.certificatesOf([old])).toEqual([known]);
  });
});
