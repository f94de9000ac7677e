/**
 * Issue 3, "What it must show" 1: a 300-peer CHORD-RELOAD overlay (RFC 6940 §10) of full peers
 * (forwarding, transport, Chord, storage with replication) on the memory network and the virtual
 * clock, built through the real join sequence (§10.5).
 *
 * Hops, one definition throughout: the overlay links a request crosses from the peer that sends
 * it to the peer that answers it (0 when that is itself). Routing is symmetric (§6.2) and every
 * relay appends to the via list (§6.1.2), so the requester reads it off the answer: via list
 * length + 1 (`Outcome.hops`).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from './testing/rejection.js';
import { clockwise, fingerIndex, fingerRangeStart, ringPosition } from '../reload/topology/chord/ring.js';
import { toHex } from '../reload/wire/codec/hex.js';
import type { Destination } from '../reload/wire/destination.js';
import { ForwardingOptionFlag } from '../reload/wire/forwarding-option.js';
import { decodeStoreAns } from '../reload/wire/storage/store.js';
import { decodeUnknownKindsInfo } from '../reload/wire/storage/unknown-kinds-info.js';
import { buildChordOverlay, createChordOverlay, simAddress, simConfiguration, SIM_KINDS, SimPeerGoneError, type ChordOverlay, type SimChordPeer } from './chord-overlay.js';

const N = 300;
const utf8 = new TextEncoder();
const resource = (resourceId: Uint8Array): Destination => ({ kind: 'resource', resourceId });
const ping = { name: 'ping_req', value: { padding: new Uint8Array(0) } } as const;

/** One record: a USER-MATCH dictionary entry (§7.3.1) its storer put under its own user name. */
interface Record {
  readonly storer: SimChordPeer;
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

async function storeRecords(o: ChordOverlay, storers: readonly SimChordPeer[]): Promise<Record[]> {
  const records: Record[] = [];
  for (const storer of storers) {
    const key = o.random.bytes(8);
    const value = o.random.bytes(24);
    await o.clock.run(storer.peer.store(storer.peer.userName, SIM_KINDS.user, [{ key, value }]));
    records.push({ storer, key, value });
  }
  return records;
}

/** Fetch each record from a random live peer; resolves with the records found and the hops taken. */
async function fetchRecords(o: ChordOverlay, records: readonly Record[]): Promise<{ found: number; hops: number[]; missing: Record[] }> {
  const live = o.live();
  let found = 0;
  const hops: number[] = [];
  const missing: Record[] = [];
  for (const r of records) {
    const from = live[o.random.int(live.length)]!;
    const { answer, hops: h } = await o.clock.run(from.peer.fetch(r.storer.userName, [{ kind: SIM_KINDS.user, keys: [r.key] }]));
    hops.push(h);
    const v = answer.kindResponses[0]?.values[0]?.value;
    if (v?.model === 'dictionary' && v.dictionaryEntry.value.exists && toHex(v.dictionaryEntry.value.value) === toHex(r.value)) found++;
    else missing.push(r);
  }
  return { found, hops, missing };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const shuffled = <T>(o: ChordOverlay, xs: readonly T[]): T[] => {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = o.random.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

describe(`a ${N}-peer overlay with the RFC's defaults (3 predecessors, 3 successors, 2 replicas)`, () => {
  let o: ChordOverlay;
  let records: Record[] = [];
  const built = { wallMs: 0, virtualMs: 0 };

  beforeAll(async () => {
    const t0 = performance.now();
    o = await buildChordOverlay({ peers: N, seed: 2024 });
    built.wallMs = performance.now() - t0;
    built.virtualMs = o.clock.now();
  });
  afterAll(() => o.close());

  it('is an exact ring after 300 joins, one after another (§10.5)', () => {
    const check = o.ringCheck();
    expect(check.mismatches).toEqual([]);
    expect(check).toMatchObject({ exact: true, peers: N });
    // Finger tables (§10.7.4.2, §10.7.4.3): of the finger ranges 1..16 that hold a live peer beyond
    // the successor list (the ranges nearer in are covered by the successors), how many have a valid
    // entry. A range's search can miss (the periodic refresh's random target lies past the range's
    // only peer, or the ring changed while the join searched); the next refresh tries again.
    const live = o.live();
    let ranges = 0;
    let filled = 0;
    for (const p of live) {
      const self = ringPosition(p.nodeId);
      const st = p.peer.status();
      const span = clockwise(self, ringPosition(st.successors.at(-1)!));
      const occupied = new Set(live.filter((q) => q !== p).map((q) => clockwise(self, ringPosition(q.nodeId))).filter((d) => d > span).map(fingerIndex));
      const valid = new Set(st.fingers.map((f) => fingerIndex(clockwise(self, ringPosition(f)))));
      for (const i of occupied) {
        if (i > 16) continue;
        ranges++;
        if (valid.has(i)) filled++;
      }
    }
    const fingers = live.map((p) => p.peer.status().fingers.length);
    console.log(
      `built ${N} peers in ${(built.wallMs / 1000).toFixed(1)} s (${(built.virtualMs / 1000).toFixed(0)} s virtual); ` +
        `distinct fingers per peer: mean ${mean(fingers).toFixed(1)}; finger ranges 1-16 with a peer: ${filled}/${ranges} filled`,
    );
    expect(filled / ranges).toBeGreaterThanOrEqual(0.9);
  });

  it('has no hot spot: the largest Connection Table holds at most three times the mean (§10.7.3, chord-maintenance.ts onUpdate)', () => {
    // A joining node used to Attach to every finger of its admitting peer's `full` Update, and the
    // first peers of the ring stayed everyone's fingers: 4.6 times the mean here (116 links against
    // 25.0; now 53 against 21.7), 12 times at 1,000 peers. For a browser peer, each link is a WebRTC
    // connection.
    const links = o.live().map((p) => p.peer.status().links);
    console.log(`links per peer: mean ${mean(links).toFixed(1)}, max ${Math.max(...links)}`);
    expect(Math.max(...links)).toBeLessThanOrEqual(3 * mean(links));
  });

  it('fetches every record stored from random peers from random peers, in at most ½·log2 N + 1 hops on average', async () => {
    records = await storeRecords(o, shuffled(o, o.live()));
    const { found, hops, missing } = await fetchRecords(o, records);
    expect(missing).toEqual([]);
    expect(found).toBe(N);
    const limit = 0.5 * Math.log2(N) + 1;
    console.log(`fetch: ${found}/${records.length}; hops mean ${mean(hops).toFixed(2)} (limit ${limit.toFixed(2)}), max ${Math.max(...hops)}`);
    expect(mean(hops)).toBeLessThanOrEqual(limit);
  });

  describe('answers every broken rule with its RFC error, end to end through the overlay', () => {
    let odd: SimChordPeer;
    const ODD_KIND = 0x7ff0;

    beforeAll(async () => {
      // A peer whose configuration knows one more Kind and allows larger messages than everyone else's.
      const base = simConfiguration();
      const configuration = simConfiguration({
        maxMessageSize: 20_000,
        requiredKinds: [...base.requiredKinds, { kind: { id: ODD_KIND, dataModel: 'SINGLE', accessControl: 'USER-MATCH', maxCount: 1, maxSize: 64, extensions: [] } }],
      });
      odd = await o.clock.run(o.addPeer({ configuration }));
    });

    /** A Resource-ID and a peer that reaches it in at least `min` hops. */
    async function farTarget(min: number): Promise<{ from: SimChordPeer; id: Uint8Array }> {
      for (;;) {
        const live = o.live();
        const from = live[o.random.int(live.length)]!;
        const id = o.random.bytes(16);
        const { hops } = await o.clock.run(from.peer.transport.request([resource(id)], ping).then((a) => ({ hops: a.header.viaList.length + 1 })));
        if (hops >= min) return { from, id };
      }
    }

    it('unknown Kind: Error_Unknown_Kind listing it (§7.4.1.2)', async () => {
      const owner = o.live().find((p) => p !== odd)!;
      const e = await rejection(o, odd.peer.store(owner.nodeId, ODD_KIND, [{ value: utf8.encode('x') }]));
      expect(e.codeName).toBe('Error_Unknown_Kind');
      expect(decodeUnknownKindsInfo(e.info).unknownKinds).toEqual([ODD_KIND]);
    });

    it('a Store its access policy refuses: Error_Forbidden (§7.3.1 USER-MATCH)', async () => {
      const [a, b] = o.live();
      const e = await rejection(o, a!.peer.store(b!.peer.userName, SIM_KINDS.small, [{ value: utf8.encode('not mine') }]));
      expect(e.codeName).toBe('Error_Forbidden');
    });

    it('a value larger than the Kind\'s max-size: Error_Data_Too_Large (§7.4.1.2)', async () => {
      const p = o.live()[5]!;
      const e = await rejection(o, p.peer.store(p.peer.userName, SIM_KINDS.small, [{ value: new Uint8Array(65) }]));
      expect(e.codeName).toBe('Error_Data_Too_Large');
    });

    it('more values than the Kind\'s max-count: Error_Data_Too_Large (§7.4.1.1)', async () => {
      const p = o.live()[6]!;
      const values = Array.from({ length: 5 }, (_, i) => ({ key: Uint8Array.of(i), value: utf8.encode('v') }));
      const e = await rejection(o, p.peer.store(p.peer.userName, SIM_KINDS.user, values));
      expect(e.codeName).toBe('Error_Data_Too_Large');
    });

    it('a generation counter below the stored one: Error_Generation_Counter_Too_Low with the current counter (§7.4.1.2)', async () => {
      const p = o.live()[7]!;
      await o.clock.run(p.peer.store(p.peer.userName, SIM_KINDS.small, [{ value: utf8.encode('one') }]));
      const second = await o.clock.run(p.peer.store(p.peer.userName, SIM_KINDS.small, [{ value: utf8.encode('two') }]));
      expect(second.answer.kindResponses[0]!.generationCounter).toBe(2n);
      const e = await rejection(o, p.peer.store(p.peer.userName, SIM_KINDS.small, [{ value: utf8.encode('three') }], { generation: 1n }));
      expect(e.codeName).toBe('Error_Generation_Counter_Too_Low');
      expect(decodeStoreAns(e.info).kindResponses[0]!.generationCounter).toBe(2n);
    });

    it('a TTL that runs out before the destination, or exceeds initial-ttl: Error_TTL_Exceeded (§6.3.2)', async () => {
      const { from, id } = await farTarget(3);
      let e = await rejection(o, from.peer.transport.request([resource(id)], ping, { ttl: 1 }));
      expect(e.codeName).toBe('Error_TTL_Exceeded');
      e = await rejection(o, from.peer.transport.request([resource(id)], ping, { ttl: 101 }));
      expect(e.codeName).toBe('Error_TTL_Exceeded');
    });

    it('a message for another overlay: Error_Incompatible_with_Overlay (§6.1, §6.3.3.1)', async () => {
      const stranger = o.createPeer({ configuration: simConfiguration({ instanceName: 'another.overlay.invalid' }), chord: { joinAttempts: 1 } });
      const e = await rejection(o, o.joinPeer(stranger, o.live()[0]!.address));
      expect(e.codeName).toBe('Error_Incompatible_with_Overlay');
      o.kill(stranger);
    });

    it('a message larger than max-message-size: Error_Message_Too_Large (§6.6)', async () => {
      const e = await rejection(o, odd.peer.transport.request([resource(o.random.bytes(16))], { name: 'ping_req', value: { padding: new Uint8Array(10_000) } }));
      expect(e.codeName).toBe('Error_Message_Too_Large');
    });

    it('an unknown critical extension: Error_Unknown_Extension (§6.3.3)', async () => {
      const { from, id } = await farTarget(2);
      const e = await rejection(o, from.peer.transport.request([resource(id)], ping, { extensions: [{ type: 0x7777, critical: true, extensionContents: utf8.encode('?') }] }));
      expect(e.codeName).toBe('Error_Unknown_Extension');
      // Not critical: ignored.
      const a = await o.clock.run(from.peer.transport.request([resource(id)], ping, { extensions: [{ type: 0x7777, critical: false, extensionContents: utf8.encode('?') }] }));
      expect(a.name).toBe('ping_ans');
    });

    it('an unknown forwarding option marked critical: Error_Unsupported_Forwarding_Option (§6.3.2.3)', async () => {
      const { from, id } = await farTarget(2);
      const option = (flags: number) => ({ forwardingOptions: [{ type: 0x7e, flags, option: utf8.encode('?') }] });
      // FORWARD_CRITICAL: the first peer that would forward it refuses.
      let e = await rejection(o, from.peer.transport.request([resource(id)], ping, option(ForwardingOptionFlag.FORWARD_CRITICAL)));
      expect(e.codeName).toBe('Error_Unsupported_Forwarding_Option');
      // DESTINATION_CRITICAL: relayed, refused by the peer that would answer.
      e = await rejection(o, from.peer.transport.request([resource(id)], ping, option(ForwardingOptionFlag.DESTINATION_CRITICAL)));
      expect(e.codeName).toBe('Error_Unsupported_Forwarding_Option');
      expect(toHex(e.info).length).toBeGreaterThan(0);
    });
  });

  it('is an exact ring again after 30 peers leave (§10.9), and still serves every record', async () => {
    const leavers = shuffled(o, o.live()).slice(0, 30);
    await o.clock.run(Promise.all(leavers.map((p) => o.leave(p))));
    await o.settle(10_000);
    const check = o.ringCheck();
    expect(check.mismatches).toEqual([]);
    expect(check.exact).toBe(true);
    // A leaver's own records too: its successor held replicas (§10.4) and took over its range.
    const { found } = await fetchRecords(o, records);
    expect(found).toBe(records.length);
  });

  it('after killing 30% at once, repairs the ring and loses only the records whose 3 copies were all killed', async () => {
    // With the RFC's replication (§10.4: responsible peer + 2 successors) no code can save a record
    // whose three holders die together; every other record must survive.
    const live = o.live();
    const victims = new Set(shuffled(o, live).slice(0, Math.round(0.3 * live.length)));
    const doomed = await recordsWithoutCopy(o, records, byPosition(live), victims, 3);
    for (const v of victims) o.kill(v);
    await o.settle(300_000);
    const check = o.ringCheck();
    expect(check.mismatches).toEqual([]);
    expect(check.exact).toBe(true);
    const { missing } = await fetchRecords(o, records);
    console.log(`RFC defaults, ${victims.size} of ${live.length} killed: ${records.length - missing.length}/${records.length} records fetched, ${doomed.length} had lost all 3 copies`);
    expect(missing.map((r) => r.storer.address).sort()).toEqual(doomed.map((r) => r.storer.address).sort());
  });
});

/** How many of `records` have all `copies` holders (responsible peer and successors on `ring`) in `victims`. */
async function recordsWithoutCopy(o: ChordOverlay, records: readonly Record[], ring: readonly SimChordPeer[], victims: ReadonlySet<SimChordPeer>, copies: number): Promise<Record[]> {
  const out: Record[] = [];
  for (const r of records) {
    const id = ringPosition(await o.clock.run(o.live()[0]!.peer.resourceId(r.storer.userName)));
    const i = Math.max(0, ring.findIndex((p) => ringPosition(p.nodeId) >= id));
    if (Array.from({ length: copies }, (_, k) => ring[(i + k) % ring.length]!).every((p) => victims.has(p))) out.push(r);
  }
  return out;
}

const byPosition = (peers: readonly SimChordPeer[]) => [...peers].sort((a, b) => (ringPosition(a.nodeId) < ringPosition(b.nodeId) ? -1 : 1));

describe(`killing 30% of a ${N}-peer overlay at once loses no record once it has re-stabilized (§10.7.1, §10.7.3)`, () => {
  it('repairs the ring and re-replicates every record', async () => {
    // RFC 6940 §10.4 keeps 3 copies (responsible + 2 successors): a simultaneous failure of 30% then
    // wipes out all copies of about 0.3^3 = 2.7% of the records, whatever the code does. This run
    // keeps 6 copies (replicas: 5, with 6-entry neighbour lists); the doomed count below shows what
    // the RFC's 3 copies would have lost in the same run.
    const t0 = performance.now();
    const o = await buildChordOverlay({ peers: N, seed: 77, chord: { successors: 6, predecessors: 6, replicas: 5 }, configuration: { chordUpdateInterval: 60 } });
    const records = await storeRecords(o, shuffled(o, o.live()));
    const live = o.live();
    const victims = new Set(shuffled(o, live).slice(0, Math.round(0.3 * live.length)));
    const ring = byPosition(live);
    const doomedWithRfcCopies = (await recordsWithoutCopy(o, records, ring, victims, 3)).length;
    expect(await recordsWithoutCopy(o, records, ring, victims, 6)).toEqual([]);
    for (const v of victims) o.kill(v);
    // Failure detection (link liveness, 30 s), the §10.7.1 hold-down (30 s), re-replication.
    await o.settle(300_000);
    const check = o.ringCheck();
    expect(check.mismatches).toEqual([]);
    expect(check).toMatchObject({ exact: true, peers: N - victims.size });
    const { found, missing } = await fetchRecords(o, records);
    console.log(`killed ${victims.size} of ${N}: ${found}/${records.length} records fetched (with the RFC's 3 copies ${doomedWithRfcCopies} would have had no copy left); ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(missing.map((r) => r.storer.address)).toEqual([]);
    expect(found).toBe(records.length);
    o.close();
    // ~30 s of CPU: a wall-clock limit of 3 minutes keeps a loaded machine from failing it (the default 60 s did at load ~13).
  }, 180_000);
});

describe('a joining node finds its fingers by Attaches to n+2^(128-i) (§10.5 step 3)', () => {
  it("each far finger is the first peer of its range, not a peer the admitting peer's Update named", async () => {
    const o = await buildChordOverlay({ peers: 64, seed: 11 });
    const p = o.createPeer();
    const self = ringPosition(p.nodeId);
    const others = o.live().map((q) => ({ q, d: clockwise(self, ringPosition(q.nodeId)) })).sort((a, b) => (a.d < b.d ? -1 : 1));
    // Through its admitting peer (its successor), so that no far peer enters its table as the
    // bootstrap node; the finger Attaches do not hold up the Join (settle).
    await o.clock.run(o.joinPeer(p, others[0]!.q.address));
    await o.settle(5_000);
    const fingers = p.peer.status().fingers.map((f) => clockwise(self, ringPosition(f)));
    // Ranges 2-4 (a quarter of the ring down to a sixteenth: some 16, 8 and 4 peers each, none of
    // them neighbours): the Attach to the range's first id is answered by the first peer at or
    // after it. (Range 1, the far half of the ring, holds the predecessors too: its entry is the
    // first of them the join took in, and no search is sent for it.)
    for (let i = 2; i <= 4; i++) {
      const first = others.find((e) => e.d >= fingerRangeStart(i))!.d;
      expect(fingerIndex(first)).toBe(i);
      expect(fingers.filter((d) => fingerIndex(d) === i)).toEqual([first]);
    }
    o.close();
  });
});

describe('addPeers when a join gives up', () => {
  it('leaves that peer `failed` and joins the others (one failed join does not end a large build)', async () => {
    // Every frame to or from the third peer is lost: its join times out on its only attempt.
    const cut = simAddress(2);
    const o = createChordOverlay({ seed: 5, chord: { joinAttempts: 1, joinTimeoutMs: 5_000 }, network: { model: { drop: (_f, from, to) => from === cut || to === cut } } });
    const joined = await o.clock.run(o.addPeers(5));
    await o.settle(5_000);
    expect(joined.map((p) => p.address)).not.toContain(cut);
    expect(joined).toHaveLength(4);
    expect(o.peers.find((p) => p.address === cut)?.state).toBe('failed');
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 4 });
    o.close();
  });
});

describe('a killed or departed peer', () => {
  it("is let go of: its OverlayPeer can be collected, its final join state and user name stay, and reading its peer says why it is gone", async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const o = await buildChordOverlay({ peers: 8, seed: 9 });
    const [killed, left] = o.live().slice(2, 4) as [SimChordPeer, SimChordPeer];
    const refs = [new WeakRef(killed.peer), new WeakRef(left.peer)];
    const userName = killed.peer.userName;
    o.kill(killed);
    await o.clock.run(o.leave(left));
    await o.settle(60_000);
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 6 });
    expect(killed.userName).toBe(userName);
    expect(killed.finalState).toBe('stopped');
    expect(left.finalState).toBe('left');
    expect(() => killed.peer).toThrow(SimPeerGoneError);
    expect(() => left.peer).toThrow(/was left: its OverlayPeer is gone/);
    // A WeakRef's target stays alive to the end of the job that made or read it: collect in a later one.
    for (let i = 0; i < 3 && refs.some((r) => r.deref()); i++) {
      await new Promise((r) => setImmediate(r));
      gc();
    }
    expect(refs.map((r) => r.deref() === undefined)).toEqual([true, true]);
    o.close();
  });
});
