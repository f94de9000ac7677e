import { describe, expect, it } from 'vitest';
import { ReloadError } from '../runtime/reload-error.js';
import { ErrorCode } from '../wire/message-codes.js';
import { CertificateCache } from '../security/certificate-cache.js';
import { TestPki } from '../testing/test-pki.js';
import { X509Verifier } from '../security/x509-verifier.js';
import { BASE_ACCESS_POLICIES, createDataStore, kindTableFromConfiguration, type DataStore } from '../storage/index.js';
import { createMemoryBackend } from '../storage/memory-backend.js';
import { FakeOracle } from '../storage/testing/fake-oracle.js';
import { FakeTrust, type FakeIdentity } from '../storage/testing/fake-trust.js';
import { ManualClock } from '../testing/manual-clock.js';
import { dict, id16 } from '../storage/testing/records.js';
import { fetchAnswer, K, resourceIdHash, resourceOfName, storeReq, TEST_CONFIGURATION } from '../storage/testing/storage-fixture.js';
import { webHasher } from '../testing/web-hasher.js';
import type { Answer, MessageTransport, RequestBody, RequestName } from '../transport/index.js';
import type { ResourceId } from '../wire/ids.js';
import type { GenericCertificate } from '../wire/security-block.js';
import type { FetchAns } from '../wire/storage/fetch.js';
import { storedDataSignatureInput } from '../wire/storage/stored-data-signature-input.js';
import type { StoredData, StoredDataValue } from '../wire/storage/stored-data.js';
import { checkFetchedData } from './fetched-data.js';
import { StorageService } from './storage-service.js';

const clock = new ManualClock();
const trust = new FakeTrust();
const K1 = Uint8Array.of(1);
const K2 = Uint8Array.of(2);

function dataStore(): DataStore {
  // Whether a replica Store comes from a plausible source is the topology's business: any is here.
  return createDataStore({ backend: createMemoryBackend(), clock, epochClock: () => clock.now(), verifier: trust, hasher: webHasher, resourceIdHash, responsibility: new FakeOracle() }, { kinds: kindTableFromConfiguration(TEST_CONFIGURATION) });
}

/** Message transport that delivers every request for a Resource-ID to `target`'s store (signed as `target`); `refuse` names requests it fails. */
function routedTo(target: { store: DataStore; identity: FakeIdentity }, from: FakeIdentity, refuse: ReadonlySet<RequestName> = new Set()): MessageTransport {
  const answer = async (request: RequestBody): Promise<Pick<Answer, 'name' | 'value'>> => {
    const body = request as RequestBody<'store_req'> | RequestBody<'fetch_req'>;
    if (refuse.has(body.name)) throw ReloadError.of('Error_Request_Timeout', 'refused in this test');
    if (body.name === 'store_req') return { name: 'store_ans', value: (await target.store.store(body.value, { requester: from.signer, certificates: [] })).answer };
    if (body.name === 'fetch_req') return { name: 'fetch_ans', value: await fetchAnswer(target.store, body.value) };
    throw ReloadError.of('Error_Not_Found', `no ${request.name} in this test`);
  };
  const transport: Pick<MessageTransport, 'request' | 'handle'> = {
    handle: () => () => undefined,
    request: async (_to, body) => ({ ...(await answer(body)), extensions: [], sender: target.identity.signer, header: { viaList: [] }, certificates: [] }) as never,
  };
  return transport as MessageTransport;
}

/** X, a former replica holder, holds k1@1 and k2@5; Q, responsible now, holds a newer k1@3 and no k2. */
async function handOnScene() {
  const alice = trust.identity('alice@example.com', [id16(0xee)]);
  const q = { store: dataStore(), identity: trust.identity('q@example.com', [id16(0x40)]) };
  const x = { store: dataStore(), identity: trust.identity('x@example.com', [id16(0xa0)]) };
  const resource = await resourceOfName('alice@example.com');
  await x.store.store(storeReq(resource, K.DICT, [alice.sign(resource, K.DICT, dict(K1, 'k1-old'), 1n, 600), alice.sign(resource, K.DICT, dict(K2, 'k2'), 5n, 600)], 2n, 1), {
    requester: q.identity.signer,
    certificates: [],
  });
  await q.store.store(storeReq(resource, K.DICT, [alice.sign(resource, K.DICT, dict(K1, 'k1-new'), 3n, 600)]), { requester: alice.signer, certificates: [] });
  const service = (transport: MessageTransport) =>
    new StorageService({
      store: x.store,
      transport,
      forwarding: { localNodeId: x.identity.signer.nodeId },
      responsibility: { isResponsible: () => false, holdsReplica: () => false, replicaSet: () => [], acceptsReplicaFrom: () => true },
      signer: undefined as never, // prune signs nothing of its own
      checks: { verifier: trust, kinds: x.store.kinds, policies: new Map(), resourceIdHash },
      clock,
      epochClock: () => clock.now(),
    });
  return { q, x, resource, service };
}

async function storageTimes(store: DataStore, resource: ResourceId): Promise<bigint[] | undefined> {
  const ans = await fetchAnswer(store, { resource, specifiers: [{ kind: K.DICT, generation: 0n, modelSpecifier: { model: 'dictionary', keys: [] } }] });
  return ans.kindResponses[0]?.values.map((v) => v.storageTime);
}

describe('StorageService prune: handing data on before dropping it (§6.4.2.3, §10.7.3)', () => {
  it('a responsible peer that refuses the copy for one older value is resynchronized from and sent the merged data, then the resource is dropped (§7.4.1.1)', async () => {
    const { q, x, resource, service } = await handOnScene();
    expect(await service(routedTo(q, x.identity)).dataTransfer().prune()).toBe(1);
    expect(await storageTimes(q.store, resource)).toEqual([3n, 5n]);
    expect(await x.store.resources()).toEqual([]);
  });

  it('a resource whose merged copy did not reach the responsible peer is kept for the next round', async () => {
    const { q, x, resource, service } = await handOnScene();
    expect(await service(routedTo(q, x.identity, new Set(['fetch_req']))).dataTransfer().prune()).toBe(0);
    expect(await storageTimes(x.store, resource)).toEqual([1n, 5n]);
    expect(await storageTimes(q.store, resource)).toEqual([3n]);
  });
});

describe('StorageService fetch_req: the certificates of the stored values (§6.3.4)', () => {
  // RFC 6940 §6.3.4: "implementers MUST include all referenced certificates ... a peer storing data is obligated to
  // retain certificates for the data that it holds"; §7.4.2.2: a fetcher verifies every value it receives.
  it("a FetchAns carries a stored value's certificate after the verifier's cache has let its signer go, and a fetcher that never met the signer keeps the value", async () => {
    const pki = await TestPki.create({ keyType: 'ecdsa-p256' });
    const policy = pki.policy();
    // Capacity 4 stands in for the default 4096: every signer the peer verifies goes through the cache.
    const storingVerifier = new X509Verifier({ crypto: pki.crypto, wallClock: pki.wallClock }, { policy, cache: new CertificateCache({ capacity: 4 }) });
    const kinds = kindTableFromConfiguration(TEST_CONFIGURATION);
    const store = createDataStore(
      { backend: createMemoryBackend(), clock, epochClock: () => clock.now(), verifier: storingVerifier, hasher: webHasher, resourceIdHash, responsibility: new FakeOracle() },
      { kinds },
    );
    const handlers = new Map<string, (req: unknown) => Promise<{ value: FetchAns; certificates: readonly GenericCertificate[] }>>();
    const transport = { handle: (name: string, h: never) => (handlers.set(name, h), () => undefined), request: () => Promise.reject(new Error('not in this test')) };
    new StorageService({
      store,
      transport: transport as unknown as MessageTransport,
      forwarding: { localNodeId: id16(0x40) },
      responsibility: { isResponsible: () => true, holdsReplica: () => true, replicaSet: () => [], acceptsReplicaFrom: () => true },
      signer: undefined as never, // answering a Fetch signs nothing of its own here
      checks: { verifier: storingVerifier, kinds, policies: BASE_ACCESS_POLICIES, resourceIdHash },
      clock,
      epochClock: () => clock.now(),
    });

    // Alice stores a USER-MATCH value at her user name's Resource-ID, her certificate in the Store.
    const alice = await (await pki.peer('alice@chordphone.test', { keyType: 'ecdsa-p256' })).signer();
    const resource = await resourceOfName(alice.userName);
    const value: StoredDataValue = { model: 'single', singleValueEntry: { exists: true, value: new TextEncoder().encode('hello') } };
    const input = storedDataSignatureInput(resource, K.SINGLE, 1000n, value, alice.identity());
    const data: StoredData = { storageTime: 1000n, lifetime: 3600, value, signature: await alice.sign(input) };
    const requester = await storingVerifier.verify(input, data.signature, alice.certificates());
    await store.store(storeReq(resource, K.SINGLE, [data]), { requester, certificates: alice.certificates() });

    // The peer goes on verifying messages of other peers, which push Alice out of its cache.
    const keys = await pki.keyPair('ecdsa-p256');
    for (let i = 0; i < 4; i++) {
      const other = await (await pki.peer(`peer${i}@chordphone.test`, { keyType: 'ecdsa-p256', keys })).signer();
      const message = new TextEncoder().encode(`message ${i}`);
      await storingVerifier.verify(message, await other.sign(message), other.certificates());
    }
    expect(storingVerifier.certificatesFor(alice.identity())).toEqual([]);

    const fetchAnswer = handlers.get('fetch_req');
    const reply = await fetchAnswer?.({ value: { resource, specifiers: [{ kind: K.SINGLE, generation: 0n, modelSpecifier: { model: 'single' } }] }, header: { viaList: [] } });
    expect(reply?.certificates).toEqual(alice.certificates());
    const checked = await checkFetchedData({ verifier: pki.verifier(policy), kinds, policies: BASE_ACCESS_POLICIES, resourceIdHash }, resource, reply?.value as FetchAns, reply?.certificates ?? []);
    expect(checked.rejected.map((r) => r.error.message)).toEqual([]);
    expect(checked.answer.kindResponses[0]?.values).toHaveLength(1);
  });
});

describe('StorageService toResource: an answer from a peer that is no longer responsible', () => {
  /** Runs the virtual clock until `p` settles. */
  async function settled(p: Promise<unknown>): Promise<void> {
    let done = false;
    p.then(
      () => (done = true),
      () => (done = true),
    );
    for (let i = 0; i < 200 && !done; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      clock.advance(100);
    }
  }

  /** A service whose transport answers each request with the next of `answers` (an ErrorCode name: that error). */
  function answering(answers: readonly ('ok' | 'Error_Not_Found' | 'Error_Forbidden')[]) {
    const x = trust.identity('x@example.com', [id16(0xa0)]);
    const sent: number[] = [];
    const transport = {
      handle: () => () => undefined,
      request: async () => {
        const a = answers[sent.length] ?? 'ok';
        sent.push(clock.now());
        if (a !== 'ok') throw ReloadError.of(a, 'in this test');
        return { name: 'store_ans', value: { kindResponses: [] }, extensions: [], sender: x.signer, header: { viaList: [] }, certificates: [] };
      },
    } as unknown as MessageTransport;
    const store = dataStore();
    const service = new StorageService({
      store,
      transport,
      forwarding: { localNodeId: x.signer.nodeId },
      responsibility: new FakeOracle(),
      signer: undefined as never,
      checks: { verifier: trust, kinds: store.kinds, policies: new Map(), resourceIdHash },
      clock,
      epochClock: () => clock.now(),
    });
    return { sent, send: () => service.toResource(id16(0x42), { name: 'store_req', value: storeReq(id16(0x42), K.DICT, []) }) };
  }

  it('a Store answered Error_Not_Found (RFC 6940 §7.4.1.1: the peer it reached is not responsible: the ring changed under it) is made again and succeeds', async () => {
    const { sent, send } = answering(['Error_Not_Found', 'ok']);
    const started = clock.now();
    const outcome = send();
    await settled(outcome);
    await expect(outcome).resolves.toMatchObject({ answer: { kindResponses: [] } });
    expect(sent.map((t) => t - started)).toEqual([0, 1000]);
  });

  it('a peer that keeps answering Error_Not_Found fails the request after three attempts, and other errors at once', async () => {
    const notFound = answering(['Error_Not_Found', 'Error_Not_Found', 'Error_Not_Found', 'ok']);
    const a = notFound.send();
    await settled(a);
    await expect(a).rejects.toMatchObject({ code: ErrorCode.Error_Not_Found });
    expect(notFound.sent).toHaveLength(3);
    const forbidden = answering(['Error_Forbidden', 'ok']);
    await expect(forbidden.send()).rejects.toMatchObject({ code: ErrorCode.Error_Forbidden });
    expect(forbidden.sent).toHaveLength(1);
  });
});
