import { describe, expect, it } from 'vitest';
import { ReloadError } from '../runtime/reload-error.js';
import { createDataStore, kindTableFromConfiguration, type DataStore } from '../storage/index.js';
import { createMemoryBackend } from '../storage/memory-backend.js';
import { FakeOracle } from '../storage/testing/fake-oracle.js';
import { FakeTrust, type FakeIdentity } from '../storage/testing/fake-trust.js';
import { ManualClock } from '../storage/testing/manual-clock.js';
import { dict, id16 } from '../storage/testing/records.js';
import { K, resourceIdHash, resourceOfName, storeReq, TEST_CONFIGURATION } from '../storage/testing/storage-fixture.js';
import { webHasher } from '../storage/testing/web-hasher.js';
import type { Answer, MessageTransport, RequestBody, RequestName } from '../transport/index.js';
import type { ResourceId } from '../wire/ids.js';
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
    if (body.name === 'fetch_req') return { name: 'fetch_ans', value: await target.store.fetch(body.value) };
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
  const ans = await store.fetch({ resource, specifiers: [{ kind: K.DICT, generation: 0n, modelSpecifier: { model: 'dictionary', keys: [] } }] });
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
