import { describe, expect, it } from 'vitest';
import { ReloadError } from '../runtime/reload-error.js';
import type { NodeId, ResourceId } from '../wire/ids.js';
import { bytesEqual } from '../wire/codec/hex.js';
import type { GenericCertificate } from '../wire/security-block.js';
import type { StoreReq } from '../wire/storage/store.js';
import { createDataStore, type DataStore } from './data-store.js';
import { kindTableFromConfiguration } from './kind-table.js';
import { createMemoryBackend } from './memory-backend.js';
import { createReplicator, newReplicas, remainingLifetime, replicaStoreReq, storedKinds, type ReplicaSender, type Replicator } from './replication.js';
import { hexKey } from './ring-range.js';
import { FakeTrust, type FakeIdentity } from './testing/fake-trust.js';
import { ManualClock } from '../testing/manual-clock.js';
import { dict, id16, record, single } from './testing/records.js';
import { Ring } from './testing/ring-oracle.js';
import { fetchAnswer, K, resourceIdHash, resourceOfName, storeReq, TEST_CONFIGURATION } from './testing/storage-fixture.js';
import { webHasher } from '../testing/web-hasher.js';

describe('replication: pure parts', () => {
  it('remainingLifetime decrements by the time held, rounded down (§7.4.1.1)', () => {
    const r = record({ resourceId: id16(1), value: single('x'), storedAt: 1000, lifetime: 60 });
    expect(remainingLifetime(r, 1000)).toBe(60);
    expect(remainingLifetime(r, 1999)).toBe(59);
    expect(remainingLifetime(r, 60_999)).toBeUndefined();
  });

  it('replicaStoreReq: replica number, generation counters, lifetimes, expired values left out', () => {
    const live = record({ resourceId: id16(1), value: dict(Uint8Array.of(1), 'a'), storedAt: 0, lifetime: 100 });
    const gone = record({ resourceId: id16(1), value: dict(Uint8Array.of(2), 'b'), storedAt: 0, lifetime: 10 });
    const req = replicaStoreReq(id16(1), [{ kind: 7, generation: 5n, records: [live, gone] }, { kind: 8, generation: 0n, records: [live] }], 2, 30_000);
    expect(req).toEqual({
      resource: id16(1),
      replicaNumber: 2,
      kindData: [
        { kind: 7, generationCounter: 5n, values: [{ ...live.data, lifetime: 70 }] },
        { kind: 8, generationCounter: 1n, values: [{ ...live.data, lifetime: 70 }] },
      ],
    });
    expect(replicaStoreReq(id16(1), [{ kind: 7, generation: 5n, records: [gone] }], 1, 30_000)).toBeUndefined();
  });

  it('newReplicas: the new members with their replica numbers', () => {
    const [a, b, c] = [id16(1), id16(2), id16(3)];
    expect(newReplicas([a, b], [a, c])).toEqual([{ node: c, replicaNumber: 2 }]);
    expect(newReplicas([a, b], [b, a])).toEqual([]);
    expect(newReplicas([], [c])).toEqual([{ node: c, replicaNumber: 1 }]);
  });

  it('storedKinds groups a Store’s records by Kind with the answered generations', () => {
    const r1 = record({ resourceId: id16(1), kind: 1, value: single('a') });
    const r2 = record({ resourceId: id16(1), kind: 2, value: single('b') });
    expect(
      storedKinds({
        answer: { kindResponses: [{ kind: 1, generationCounter: 3n, replicas: [] }, { kind: 2, generationCounter: 4n, replicas: [] }, { kind: 3, generationCounter: 1n, replicas: [] }] },
        stored: [r2, r1],
      }),
    ).toEqual([
      { kind: 1, generation: 3n, records: [r1] },
      { kind: 2, generation: 4n, records: [r2] },
    ]);
  });
});

/** Peers with their own DataStore over one ring, delivering replica stores directly. */
class Network {
  readonly clock = new ManualClock();
  readonly trust = new FakeTrust();
  readonly ring: Ring;
  readonly peers = new Map<string, { node: NodeId; store: DataStore; replicator: Replicator; identity: FakeIdentity }>();
  /** Every StoreReq sent, with its SecurityBlock's certificates, for assertions. */
  readonly sent: { from: NodeId; to: NodeId; req: StoreReq; certificates: readonly GenericCertificate[] }[] = [];
  down = new Set<string>();

  constructor(nodes: readonly NodeId[]) {
    this.ring = new Ring(nodes);
    for (const n of nodes) this.addPeer(n);
  }

  addPeer(node: NodeId): void {
    const kinds = kindTableFromConfiguration(TEST_CONFIGURATION);
    const store = createDataStore(
      { backend: createMemoryBackend(), clock: this.clock, epochClock: () => this.clock.now(), verifier: this.trust, hasher: webHasher, resourceIdHash, responsibility: this.ring.oracle(node) },
      { kinds },
    );
    const identity = this.trust.identity(`peer-${hexKey(node).slice(0, 4)}@example.com`, [node]);
    const sender: ReplicaSender = {
      store: async (target, req, certificates) => {
        this.sent.push({ from: node, to: target, req, certificates });
        if (this.down.has(hexKey(target))) throw ReloadError.of('Error_Request_Timeout', 'peer down');
        return (await this.peer(target).store.store(req, { requester: identity.signer, certificates })).answer;
      },
      fetch: async (target, req) => this.peer(target).store.fetchWithCertificates(req),
    };
    this.peers.set(hexKey(node), { node, store, identity, replicator: createReplicator({ store, oracle: this.ring.oracle(node), sender, epochClock: () => this.clock.now() }) });
  }

  peer(node: NodeId) {
    const p = this.peers.get(hexKey(node));
    if (!p) throw new Error(`no peer ${hexKey(node)}`);
    return p;
  }

  /** Nodes holding a live value of `kind` at `resource`. */
  async holders(resource: ResourceId, kind: number): Promise<string[]> {
    const out: string[] = [];
    for (const [key, p] of this.peers) if ((await p.store.snapshot(resource)).some((k) => k.kind === kind)) out.push(key);
    return out.sort();
  }
}

const NODES = [0x10, 0x40, 0x70, 0xa0, 0xd0].map((b) => id16(b));
const hexes = (ids: readonly NodeId[]) => ids.map((id) => hexKey(id)).sort();

async function storedAtResponsible(net: Network, who: FakeIdentity, resource: ResourceId, text: string, time: bigint) {
  const responsible = net.peer(net.ring.responsible(resource));
  const result = await responsible.store.store(storeReq(resource, K.SINGLE, [who.sign(resource, K.SINGLE, single(text), time, 600)]), { requester: who.signer, certificates: [] });
  return { responsible, result };
}

/** alice's value 'old' stored at its responsible peer, whose first replica already holds a newer one (e.g. from the other side of a partition). */
async function newerAtFirstReplica() {
  const net = new Network(NODES);
  const alice = net.trust.identity('alice@example.com', [id16(0xee)]);
  const resource = await resourceOfName('alice@example.com');
  const { responsible, result } = await storedAtResponsible(net, alice, resource, 'old', 1n);
  const first = net.peer(net.ring.successors(responsible.node, 1)[0] as NodeId);
  await first.store.store(storeReq(resource, K.SINGLE, [alice.sign(resource, K.SINGLE, single('newer'), 2n, 600)], 3n, 1), { requester: responsible.identity.signer, certificates: [] });
  return { net, alice, resource, responsible, result, first };
}

describe('replication over a ring of DataStores (fake oracle, direct delivery)', () => {
  it('afterStore: the responsible peer stores to its two successors with replica numbers 1 and 2 (§10.4)', async () => {
    const net = new Network(NODES);
    const alice = net.trust.identity('alice@example.com', [id16(0xee)]);
    const resource = await resourceOfName('alice@example.com');
    const { responsible, result } = await storedAtResponsible(net, alice, resource, 'hello', 1n);
    expect(result.answer.kindResponses[0]?.replicas).toEqual(net.ring.successors(responsible.node, 2));
    net.clock.advance(5_000);
    const report = await responsible.replicator.afterStore(resource, result);
    expect(report).toEqual({ sent: 2, failed: 0, resynced: 0 });
    expect(net.sent.map((s) => [hexKey(s.to), s.req.replicaNumber, s.req.kindData[0]?.generationCounter, s.req.kindData[0]?.values[0]?.lifetime])).toEqual(
      net.ring.successors(responsible.node, 2).map((n, i) => [hexKey(n), i + 1, 1n, 595]),
    );
    expect(await net.holders(resource, K.SINGLE)).toEqual(hexes(net.ring.group(resource)));
    // A replica answers a Fetch like the responsible peer.
    const replica = net.peer(net.ring.successors(responsible.node, 1)[0] as NodeId);
    const ans = await fetchAnswer(replica.store, { resource, specifiers: [{ kind: K.SINGLE, generation: 0n, modelSpecifier: { model: 'single' } }] });
    expect(ans.kindResponses[0]?.generation).toBe(1n);
  });

  // RFC 6940 §6.3.4: "implementers MUST include all referenced certificates"; the replica verifies every value (§7.4.1.1).
  it('replica Stores carry the certificates kept with their values, and the replicas keep them in turn', async () => {
    const net = new Network(NODES);
    const alice = net.trust.identity('alice@example.com', [id16(0xee)]);
    const resource = await resourceOfName('alice@example.com');
    const { responsible, result } = await storedAtResponsible(net, alice, resource, 'hello', 1n);
    await responsible.replicator.afterStore(resource, result);
    expect(net.sent.map((s) => s.certificates)).toEqual([alice.signer.certificates, alice.signer.certificates]);
    // The replicas keep them, to send with the values in turn (a Fetch, a replica Store after a ring change).
    const successor = net.peer(net.ring.successors(responsible.node, 1)[0] as NodeId);
    expect(await successor.store.certificatesOf((await successor.store.snapshot(resource)).flatMap((k) => k.records))).toEqual(alice.signer.certificates);
  });

  it('afterStore does nothing for a replica store or when not responsible', async () => {
    const net = new Network(NODES);
    const alice = net.trust.identity('alice@example.com', [id16(0xee)]);
    const resource = await resourceOfName('alice@example.com');
    const { result } = await storedAtResponsible(net, alice, resource, 'hello', 1n);
    const other = net.peer(NODES.find((n) => !bytesEqual(n, net.ring.responsible(resource))) as NodeId);
    expect(await other.replicator.afterStore(resource, result)).toEqual({ sent: 0, failed: 0, resynced: 0 });
  });

  it('handOver: a joining peer receives the data it becomes responsible for (§10.5 step 6), and prune drops what left the replica set (§10.7.3)', async () => {
    const net = new Network(NODES);
    const alice = net.trust.identity('alice@example.com', [id16(0xee)]);
    const resource = await resourceOfName('alice@example.com');
    const { responsible, result } = await storedAtResponsible(net, alice, resource, 'hello', 1n);
    await responsible.replicator.afterStore(resource, result);
    const oldGroup = net.ring.group(resource);
    // JN joins just before the resource: it becomes responsible; AP (the old responsible peer) is its successor.
    const joining = new Uint8Array(resource); // JN's Node-ID is the Resource-ID itself: responsible for it.
    const predecessor = net.ring.members[(net.ring.members.findIndex((n) => bytesEqual(n, responsible.node)) + net.ring.members.length - 1) % net.ring.members.length] as NodeId;
    net.ring.add(joining);
    net.addPeer(joining);
    const report = await responsible.replicator.handOver(joining, { after: predecessor, upTo: joining });
    expect(report).toEqual({ sent: 1, failed: 0, resynced: 0 });
    expect(net.sent.at(-1)?.req.replicaNumber).toBe(1);
    const jnAns = await fetchAnswer(net.peer(joining).store, { resource, specifiers: [{ kind: K.SINGLE, generation: 0n, modelSpecifier: { model: 'single' } }] });
    expect(jnAns.kindResponses[0]?.generation).toBe(1n);
    expect(jnAns.kindResponses[0]?.values[0]?.value).toEqual(single('hello'));
    // The old second replica is now the third successor: it prunes; the others keep theirs.
    const dropped = oldGroup[2] as NodeId;
    for (const n of oldGroup) expect(await net.peer(n).replicator.prune()).toBe(bytesEqual(n, dropped) ? 1 : 0);
    expect(await net.holders(resource, K.SINGLE)).toEqual(hexes(net.ring.group(resource)));
  });

  it('replicaSetChanged: after a successor fails, the responsible peer fills the new replica (§10.7.3)', async () => {
    const net = new Network(NODES);
    const alice = net.trust.identity('alice@example.com', [id16(0xee)]);
    const resource = await resourceOfName('alice@example.com');
    const { responsible, result } = await storedAtResponsible(net, alice, resource, 'hello', 1n);
    await responsible.replicator.afterStore(resource, result);
    const previous = net.ring.successors(responsible.node, 2);
    const failed = previous[0] as NodeId;
    net.ring.remove(failed);
    net.peers.delete(hexKey(failed));
    const report = await responsible.replicator.replicaSetChanged(previous);
    expect(report).toEqual({ sent: 1, failed: 0, resynced: 0 });
    expect(net.sent.at(-1)?.req.replicaNumber).toBe(2);
    expect(await net.holders(resource, K.SINGLE)).toEqual(hexes(net.ring.group(resource)));
  });

  it('rangeGained: after the responsible peer fails, its successor replicates the range it now owns', async () => {
    const net = new Network(NODES);
    const alice = net.trust.identity('alice@example.com', [id16(0xee)]);
    const resource = await resourceOfName('alice@example.com');
    const { responsible, result } = await storedAtResponsible(net, alice, resource, 'hello', 1n);
    await responsible.replicator.afterStore(resource, result);
    const predecessor = net.ring.members[(net.ring.members.findIndex((n) => bytesEqual(n, responsible.node)) + net.ring.members.length - 1) % net.ring.members.length] as NodeId;
    net.ring.remove(responsible.node);
    net.peers.delete(hexKey(responsible.node));
    const heir = net.peer(net.ring.responsible(resource));
    const report = await heir.replicator.rangeGained({ after: predecessor, upTo: responsible.node });
    expect(report.failed).toBe(0);
    expect(await net.holders(resource, K.SINGLE)).toEqual(hexes(net.ring.group(resource)));
  });

  it('a refused replica store with Error_Data_Too_Old makes the sender fetch and take the newer data (§7.4.1.1)', async () => {
    const { net, alice, resource, responsible, result, first } = await newerAtFirstReplica();
    const report = await responsible.replicator.afterStore(resource, result);
    expect(report).toEqual({ sent: 1, failed: 0, resynced: 1 });
    const ans = await fetchAnswer(responsible.store, { resource, specifiers: [{ kind: K.SINGLE, generation: 0n, modelSpecifier: { model: 'single' } }] });
    expect(ans.kindResponses[0]?.values[0]?.value).toEqual(single('newer'));
  });

  it('after resynchronizing from a replica that refused one older value, the merged data is stored at that replica (§7.4.1.1, §10.7.3)', async () => {
    const net = new Network(NODES);
    const alice = net.trust.identity('alice@example.com', [id16(0xee)]);
    const resource = await resourceOfName('alice@example.com');
    const responsible = net.peer(net.ring.responsible(resource));
    const [k1, k2] = [Uint8Array.of(1), Uint8Array.of(2)];
    await responsible.store.store(storeReq(resource, K.DICT, [alice.sign(resource, K.DICT, dict(k1, 'k1-old'), 1n, 600), alice.sign(resource, K.DICT, dict(k2, 'k2'), 5n, 600)]), {
      requester: alice.signer,
      certificates: [],
    });
    // The first replica holds a newer k1 and no k2 (e.g. it replicated a peer that failed before storing k2 there).
    const first = net.peer(net.ring.successors(responsible.node, 1)[0] as NodeId);
    await first.store.store(storeReq(resource, K.DICT, [alice.sign(resource, K.DICT, dict(k1, 'k1-new'), 3n, 600)], 7n, 1), { requester: responsible.identity.signer, certificates: [] });

    // §10.7.3: the replica set is filled (both successors are new). The Store of {k1@1, k2@5} is refused as a whole at the first one.
    expect(await responsible.replicator.replicaSetChanged([])).toEqual({ sent: 1, failed: 0, resynced: 1 });
    const all = { resource, specifiers: [{ kind: K.DICT, generation: 0n, modelSpecifier: { model: 'dictionary' as const, keys: [] } }] };
    const times = async (p: { store: DataStore }) => (await fetchAnswer(p.store, all)).kindResponses[0]?.values.map((v) => v.storageTime);
    expect(await times(responsible)).toEqual([3n, 5n]);
    expect(await times(first)).toEqual([3n, 5n]);
  });

  it('a replica that refuses the merged data again counts as failed', async () => {
    const { net, alice, resource, responsible, result, first } = await newerAtFirstReplica();
    // A still newer value reaches the replica between the Fetch and the second Store.
    const store = first.store.store.bind(first.store);
    let stores = 0;
    first.store.store = async (req, context) => {
      if (++stores === 2) await store(storeReq(resource, K.SINGLE, [alice.sign(resource, K.SINGLE, single('newest'), 4n, 600)], 4n, 1), { requester: responsible.identity.signer, certificates: [] });
      return store(req, context);
    };
    expect(await responsible.replicator.afterStore(resource, result)).toEqual({ sent: 1, failed: 1, resynced: 0 });
  });

  it('counts failed deliveries (an unreachable replica)', async () => {
    const net = new Network(NODES);
    const alice = net.trust.identity('alice@example.com', [id16(0xee)]);
    const resource = await resourceOfName('alice@example.com');
    const { responsible, result } = await storedAtResponsible(net, alice, resource, 'x', 1n);
    net.down.add(hexKey(net.ring.successors(responsible.node, 2)[1] as NodeId));
    expect(await responsible.replicator.afterStore(resource, result)).toEqual({ sent: 1, failed: 1, resynced: 0 });
  });
});
