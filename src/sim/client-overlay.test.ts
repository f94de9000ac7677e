/**
 * Client mode (issue 5; RFC 6940 §4.2, RFC 7890 §2.2) over the memory network and virtual clock:
 * a client attaches to the peer responsible for its Node-ID (§4.2.1), stores and fetches through
 * it, is in no peer's routing table, routes and stores nothing for others, and follows the
 * responsibility when its peer fails or a new peer takes over its Node-ID.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../reload/storage/index.js';
import { ReloadError } from '../reload/runtime/reload-error.js';
import { clockwise, ringPosition } from '../reload/topology/chord/ring.js';
import { toHex } from '../reload/wire/codec/hex.js';
import type { NodeId } from '../reload/wire/ids.js';
import { storedDataSignatureInput } from '../reload/wire/storage/stored-data-signature-input.js';
import type { StoreReq } from '../reload/wire/storage/store.js';
import { buildChordOverlay, SIM_KINDS, type ChordOverlay, type SimChordPeer } from './chord-overlay.js';
import { FastSigner } from './fast-signer.js';

const utf8 = new TextEncoder();
const ping = { name: 'ping_req', value: { padding: new Uint8Array(0) } } as const;

let overlay: ChordOverlay | undefined;
afterEach(() => {
  overlay?.close();
  overlay = undefined;
});

async function tenPeers(seed: number): Promise<ChordOverlay> {
  overlay = await buildChordOverlay({ peers: 10, seed });
  return overlay;
}

/** The live peer responsible for `id` (§10.1: the first at or after it, clockwise). */
function responsibleFor(o: ChordOverlay, id: NodeId): SimChordPeer {
  const k = ringPosition(id);
  let best: SimChordPeer | undefined;
  let bestDist = 0n;
  for (const p of o.live()) {
    const d = clockwise(k, ringPosition(p.nodeId));
    if (!best || d < bestDist) {
      best = p;
      bestDist = d;
    }
  }
  return best!;
}

/** Create a client and attach it through the first three live peers. */
async function attachClient(o: ChordOverlay, options: { nodeId?: NodeId } = {}): Promise<SimChordPeer> {
  const storage = createMemoryBackend();
  const client = o.createPeer({ mode: 'client', storage, ...options });
  await o.clock.run(client.peer.join(o.live().slice(0, 3).map((p) => p.address)));
  return client;
}

const hexes = (ids: readonly NodeId[]) => ids.map(toHex);

function expectInNoRoutingTable(o: ChordOverlay, client: SimChordPeer): void {
  const id = toHex(client.nodeId);
  for (const p of o.live()) {
    const s = p.peer.status();
    expect(hexes(s.predecessors), `${p.address} predecessors`).not.toContain(id);
    expect(hexes(s.successors), `${p.address} successors`).not.toContain(id);
    expect(hexes(s.fingers), `${p.address} fingers`).not.toContain(id);
  }
}

describe('client mode (RFC 6940 §4.2)', () => {
  it('attaches to the peer responsible for its Node-ID and stores and fetches through it, in nobody’s routing table', async () => {
    const o = await tenPeers(11);
    const client = await attachClient(o);
    const status = client.peer.status();
    expect(status).toMatchObject({ mode: 'client', joined: false, state: 'client-attached', links: 1 });
    // §4.2.1: "Establish a connection to the peer responsible for the client's Node-ID".
    expect(toHex(status.attachedPeer!)).toBe(toHex(responsibleFor(o, client.nodeId).nodeId));
    expect(hexes(client.peer.neighbours().map((n) => n.nodeId))).toEqual([toHex(status.attachedPeer!)]);

    // Its own Store and Fetch work, both ways.
    const mine = utf8.encode('stored by the client');
    const stored = await o.clock.run(o.store(client, 'client-record', mine));
    expect(stored).toMatchObject({ ok: true });
    const [reader] = o.live().filter((p) => toHex(p.nodeId) !== toHex(status.attachedPeer!));
    expect((await o.clock.run(o.fetch(reader!, 'client-record'))).value).toEqual(mine);
    const theirs = utf8.encode('stored by a peer');
    expect(await o.clock.run(o.store(reader!, 'peer-record', theirs))).toMatchObject({ ok: true });
    const fetched = await o.clock.run(o.fetch(client, 'peer-record'));
    expect(fetched.value).toEqual(theirs);

    // Requests to its Node-ID reach it over the attached peer's link (§4.2.1: "the responsible peer
    // in the overlay will handle the final step of routing to the client").
    for (const p of o.live().slice(0, 4)) {
      const answer = await o.clock.run(p.peer.transport.request([{ kind: 'node', nodeId: client.nodeId }], ping));
      expect(toHex(answer.sender.nodeId)).toBe(toHex(client.nodeId));
    }

    // After a few stabilization rounds it is still in no routing table, and the ring is exact.
    await o.settle(120_000);
    expectInNoRoutingTable(o, client);
    expect(o.ringCheck().exact).toBe(true);
    // It relayed nothing and answered no storage request as a storing node.
    expect(client.peer.stats().forwarding.forwarded).toBe(0);
    expect(client.peer.stats().deliveredHops.reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('refuses to store for others and routes nothing through itself', async () => {
    const o = await tenPeers(12);
    const storage = createMemoryBackend();
    const client = o.createPeer({ mode: 'client', storage });
    await o.clock.run(client.peer.join(o.live()[0]!.address));
    const attached = o.live().find((p) => toHex(p.nodeId) === toHex(client.peer.status().attachedPeer!))!;
    const storer = o.live().find((p) => p !== attached)!;

    // A valid StoreReq (SIM-OPEN Kind, value signed by the storer), for a Resource-ID that is the client's Node-ID.
    const signer = new FastSigner(storer.nodeId, storer.peer.userName);
    const resource = client.nodeId;
    const value = { model: 'single', singleValueEntry: { exists: true, value: utf8.encode('for the client to keep') } } as const;
    const storageTime = 1n;
    const signature = await signer.sign(storedDataSignatureInput(resource, SIM_KINDS.open, storageTime, value, signer.identity()));
    const req: StoreReq = { resource, replicaNumber: 0, kindData: [{ kind: SIM_KINDS.open, generationCounter: 0n, values: [{ storageTime, lifetime: 600, value, signature }] }] };

    // Addressed to the client's Node-ID: §7.4.1.1 "The peer MUST check that it is responsible for
    // the resource if the replica number is zero; if it is not, the peer must reject the request".
    const toClient = o.clock.run(storer.peer.transport.request([{ kind: 'node', nodeId: client.nodeId }], { name: 'store_req', value: req }));
    await expect(toClient).rejects.toSatisfy((e: unknown) => e instanceof ReloadError && e.codeName === 'Error_Not_Found');
    // A replica Store (§10.4) is refused too, whoever sends it.
    const replica = o.clock.run(attached.peer.transport.request([{ kind: 'node', nodeId: client.nodeId }], { name: 'store_req', value: { ...req, replicaNumber: 1, kindData: req.kindData.map((k) => ({ ...k, generationCounter: 1n })) } }));
    await expect(replica).rejects.toSatisfy((e: unknown) => e instanceof ReloadError && e.codeName === 'Error_Forbidden');
    expect(await storage.resources()).toEqual([]);
    // The same request routed to the Resource-ID is stored by the responsible peer (it was a valid Store).
    const routed = await o.clock.run(storer.peer.transport.request([{ kind: 'resource', resourceId: resource }], { name: 'store_req', value: req }));
    expect(toHex(routed.sender.nodeId)).toBe(toHex(responsibleFor(o, client.nodeId).nodeId));

    // A source route through the client ([client, storer]) is dropped there, not relayed (§4.2).
    const before = client.peer.stats().forwarding;
    const through = o.clock.run(attached.peer.transport.request([{ kind: 'node', nodeId: client.nodeId }, { kind: 'node', nodeId: storer.nodeId }], ping));
    await expect(through).rejects.toSatisfy((e: unknown) => e instanceof ReloadError && e.codeName === 'Error_Request_Timeout');
    const after = client.peer.stats().forwarding;
    expect(after.forwarded).toBe(0);
    expect(after.dropped).toBeGreaterThan(before.dropped);
  });

  it('re-attaches to the next responsible peer when its peer fails, and keeps working', async () => {
    const o = await tenPeers(13);
    const client = await attachClient(o);
    const first = o.live().find((p) => toHex(p.nodeId) === toHex(client.peer.status().attachedPeer!))!;
    expect(await o.clock.run(o.store(client, 'before', utf8.encode('one')))).toMatchObject({ ok: true });

    o.kill(first);
    await o.settle(60_000);
    const status = client.peer.status();
    expect(status.state).toBe('client-attached');
    expect(toHex(status.attachedPeer!)).not.toBe(toHex(first.nodeId));
    expect(toHex(status.attachedPeer!)).toBe(toHex(responsibleFor(o, client.nodeId).nodeId));
    expect(status.links).toBe(1);

    expect(await o.clock.run(o.store(client, 'after', utf8.encode('two')))).toMatchObject({ ok: true });
    expect((await o.clock.run(o.fetch(client, 'before'))).value).toEqual(utf8.encode('one'));
    expect((await o.clock.run(o.fetch(o.live()[0]!, 'after'))).value).toEqual(utf8.encode('two'));
    const answer = await o.clock.run(o.live()[1]!.peer.transport.request([{ kind: 'node', nodeId: client.nodeId }], ping));
    expect(toHex(answer.sender.nodeId)).toBe(toHex(client.nodeId));
    expectInNoRoutingTable(o, client);
  });

  it('follows an Update saying its peer is no longer responsible for its Node-ID (§4.2.1)', async () => {
    const o = await tenPeers(14);
    const client = await attachClient(o);
    const first = client.peer.status().attachedPeer!;
    // A new peer whose Node-ID is the client's + 1 takes over the client's Node-ID (§10.1).
    const id = Uint8Array.from(client.nodeId);
    for (let i = id.length - 1; i >= 0 && ++id[i]! === 256; i--) id[i] = 0;
    const newcomer = await o.clock.run(o.addPeer({ nodeId: id }));
    await o.settle(10_000);
    expect(toHex(responsibleFor(o, client.nodeId).nodeId)).toBe(toHex(newcomer.nodeId));
    const status = client.peer.status();
    expect(toHex(status.attachedPeer!)).toBe(toHex(newcomer.nodeId));
    expect(toHex(status.attachedPeer!)).not.toBe(toHex(first));
    expect(status.links).toBe(1);
    const answer = await o.clock.run(o.live()[0]!.peer.transport.request([{ kind: 'node', nodeId: client.nodeId }], ping));
    expect(toHex(answer.sender.nodeId)).toBe(toHex(client.nodeId));
  });

  it('a join() its caller aborted ends there: the client does not go on attaching in the background (audit attachclient, defect 2)', async () => {
    const o = (overlay = await buildChordOverlay({ peers: 5, seed: 21 }));
    const client = o.createPeer({ mode: 'client', storage: createMemoryBackend() });
    const ac = new AbortController();
    const join = client.peer.join(o.live()[0]!.address, { signal: ac.signal }).catch((e: unknown) => e);
    ac.abort();
    expect(await o.clock.run(join)).toBeInstanceOf(Error);
    await o.settle(30_000);
    const status = client.peer.status();
    expect(status.state).toBe('client-idle');
    expect(status.attachedPeer).toBeUndefined();
    expect(status.links).toBe(0);
  });

  it('a join() its caller aborted once the bootstrap link was up closes that link: a client that gave up keeps no peer', async () => {
    const o = (overlay = await buildChordOverlay({ peers: 5, seed: 23 }));
    const client = o.createPeer({ mode: 'client', storage: createMemoryBackend() });
    const ac = new AbortController();
    let settled = false;
    const join = client.peer
      .join(o.live()[0]!.address, { signal: ac.signal })
      .catch((e: unknown) => e)
      .finally(() => (settled = true));
    // Run until the bootstrap link is in the link table, the Attach to the responsible peer not yet answered.
    while (!settled && client.peer.neighbours().length === 0) await o.clock.advance(1);
    expect(settled).toBe(false);
    ac.abort();
    expect(await o.clock.run(join)).toBeInstanceOf(Error);
    await o.settle(30_000);
    const status = client.peer.status();
    expect(status.state).toBe('client-idle');
    expect(status.links).toBe(0);
    // Nor does any peer keep one to it: the bootstrap peer, or the answerer of the abandoned Attach.
    for (const p of o.live()) expect(p.peer.neighbours().map((n) => toHex(n.nodeId)), p.address).not.toContain(toHex(client.nodeId));
    // It can still start again.
    await o.clock.run(client.peer.join(o.live()[0]!.address));
    expect(client.peer.status()).toMatchObject({ state: 'client-attached', links: 1 });
  });

  it('a join() that fails ends there, as a peer\'s does: no retries in the background after the caller was told', async () => {
    const o = await tenPeers(22);
    const gone = o.live()[0]!;
    o.kill(gone);
    const client = o.createPeer({ mode: 'client', storage: createMemoryBackend() });
    await expect(o.clock.run(client.peer.join(gone.address))).rejects.toThrow();
    await o.settle(30_000);
    expect(client.peer.status().state).toBe('client-idle');
  });
});
