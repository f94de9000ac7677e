/**
 * Issue 4, "What it must show" 2: the core's overlay test (chord-overlay.test.ts) with real
 * signatures and real certificates at 300 peers. Every peer has its own ECDSA P-256 key (the
 * configuration allows it, beside the mandatory RSA) and an X.509 certificate in the §11.3 form
 * from one test CA, the configuration's root-cert; every message is signed (§6.3.4) and verified by
 * its destination with its own X509Verifier and certificate cache; every stored value carries a
 * §7.1 signature that the storing peer, the replicas and the fetcher each verify.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../reload/wire/codec/hex.js';
import { buildChordOverlay, SIM_KINDS, type ChordOverlay, type SimChordPeer } from './chord-overlay.js';
import { createRealIdentities } from './testing/real-identities.js';
import { VirtualClock } from './virtual-clock.js';

const N = Number(process.env.REAL_CERT_PEERS ?? 300);
/** The overlay's and the peers' Node-IDs' seed: the same ring every run. */
const SEED = 4004;

describe(`a ${N}-peer overlay with real X.509 certificates and real signatures`, () => {
  let o: ChordOverlay;
  const timing = { credentialsMs: 0, buildMs: 0 };

  beforeAll(async () => {
    const clock = new VirtualClock();
    let t = performance.now();
    const ids = await createRealIdentities({ clock, seed: SEED });
    await ids.prepare(N + 1);
    timing.credentialsMs = performance.now() - t;
    t = performance.now();
    o = await buildChordOverlay({ peers: N, seed: SEED, clock, configuration: ids.configuration, identity: (i) => ids.identity(i) });
    timing.buildMs = performance.now() - t;
  }, 600_000);
  afterAll(() => o?.close());

  it(`is an exact ring after ${N} joins, every message verified (§6.3.4, §10.5)`, () => {
    const check = o.ringCheck();
    expect(check.mismatches).toEqual([]);
    expect(check).toMatchObject({ exact: true, peers: N });
    const stats = o.live().map((p) => p.peer.stats().transport);
    const handled = stats.reduce((a, s) => a + s.requestsHandled, 0);
    const bad = stats.reduce((a, s) => a + s.droppedBadSignature, 0);
    console.log(`credentials for ${N + 1} peers in ${(timing.credentialsMs / 1000).toFixed(1)} s; built in ${(timing.buildMs / 1000).toFixed(1)} s; ${handled} requests verified and handled, ${bad} dropped`);
    expect(handled).toBeGreaterThan(N * 10);
    // Every peer holds a valid certificate from the root: no message failed verification.
    expect(bad).toBe(0);
  });

  it('fetches 100% of the records stored (USER-MATCH, signed values verified by storer, replicas and fetcher)', async () => {
    const live = o.live();
    const records: { storer: SimChordPeer; key: Uint8Array; value: Uint8Array }[] = [];
    for (const storer of live) {
      const key = o.random.bytes(8);
      const value = o.random.bytes(24);
      await o.clock.run(storer.peer.store(storer.peer.userName, SIM_KINDS.user, [{ key, value }]));
      records.push({ storer, key, value });
    }
    let found = 0;
    let rejected = 0;
    for (const r of records) {
      const from = live[o.random.int(live.length)]!;
      const out = await o.clock.run(from.peer.fetch(r.storer.userName, [{ kind: SIM_KINDS.user, keys: [r.key] }]));
      rejected += out.rejected.length;
      const v = out.answer.kindResponses[0]?.values[0]?.value;
      if (v?.model === 'dictionary' && v.dictionaryEntry.value.exists && toHex(v.dictionaryEntry.value.value) === toHex(r.value)) found++;
    }
    expect(rejected).toBe(0);
    expect(found).toBe(N);
  }, 600_000);

  it('keeps every record after a peer joins and another leaves (replica Stores carry the values\' certificates)', async () => {
    const live = o.live();
    const stored = live.slice(0, 20).map((p) => ({ p, key: o.random.bytes(8), value: o.random.bytes(16) }));
    for (const s of stored) await o.clock.run(s.p.peer.store(s.p.peer.userName, SIM_KINDS.user, [{ key: s.key, value: s.value }]));
    await o.clock.run(o.addPeer());
    await o.clock.run(o.leave(live[25]!));
    await o.settle(60_000);
    let found = 0;
    for (const s of stored) {
      const from = o.live()[o.random.int(o.live().length)]!;
      const out = await o.clock.run(from.peer.fetch(s.p.peer.userName, [{ kind: SIM_KINDS.user, keys: [s.key] }]));
      const v = out.answer.kindResponses[0]?.values[0]?.value;
      if (v?.model === 'dictionary' && toHex(v.dictionaryEntry.value.value) === toHex(s.value)) found++;
    }
    expect(found).toBe(stored.length);
    expect(o.ringCheck().exact).toBe(true);
  }, 600_000);
});
