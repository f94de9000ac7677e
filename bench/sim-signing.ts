/**
 * The simulator with real signatures beside the fast test signer (issue 4, "What it must show" 3):
 * the same N-peer CHORD-RELOAD overlay (default N = 1,000; SIM_SIGNED_PEERS overrides), built one
 * join after another and then storing and fetching SIM_SIGNED_STORES records (default 300,
 * USER-MATCH dictionary entries), once with src/sim/fast-signer.ts and once with a real ECDSA P-256
 * key and X.509 certificate per peer from one test CA (src/sim/testing/real-identities.ts): every message
 * signed and verified (§6.3.4), every value signed and verified by storer, replicas and fetcher
 * (§7.1). Same seed and workload; the Node-IDs differ (the real ones come from the certificates).
 * The figures show what real cryptography costs in wall time and what it does not change (ring,
 * hops, fetch rate).
 */
import { buildChordOverlay, SIM_KINDS, type ChordOverlay, type ChordOverlayInit } from '../src/sim/chord-overlay.js';
import { createRealIdentities } from '../src/sim/testing/real-identities.js';
import { VirtualClock } from '../src/sim/virtual-clock.js';
import { toHex } from '../src/reload/wire/codec/hex.js';
import { envInteger, fmt, table, type BenchModule } from './bench.js';

interface RunFigures {
  readonly signer: string;
  readonly credentialsS: number;
  readonly buildS: number;
  readonly virtualS: number;
  readonly exact: boolean;
  readonly messagesVerified: number;
  readonly droppedBadSignature: number;
  readonly storeFetchS: number;
  readonly fetched: number;
  readonly stores: number;
  readonly meanHops: number;
  readonly heapMb: number;
}

async function run(signer: 'fast' | 'real', peers: number, stores: number, seed: number): Promise<RunFigures> {
  const clock = new VirtualClock();
  let init: ChordOverlayInit = { peers, seed, clock };
  const t0 = performance.now();
  if (signer === 'real') {
    const ids = await createRealIdentities({ clock });
    await ids.prepare(peers);
    init = { ...init, configuration: ids.configuration, identity: (i) => ids.identity(i) };
  }
  const t1 = performance.now();
  const o: ChordOverlay = await buildChordOverlay(init);
  const t2 = performance.now();
  const virtualS = o.clock.now() / 1000;
  const exact = o.ringCheck().exact;
  try {
    const live = o.live();
    const records = live.slice(0, stores).map((p) => ({ p, key: o.random.bytes(8), value: o.random.bytes(24) }));
    for (const r of records) await o.clock.run(r.p.peer.store(r.p.peer.userName, SIM_KINDS.user, [{ key: r.key, value: r.value }]));
    let fetched = 0;
    const hops: number[] = [];
    for (const r of records) {
      const from = live[o.random.int(live.length)]!;
      const out = await o.clock.run(from.peer.fetch(r.p.peer.userName, [{ kind: SIM_KINDS.user, keys: [r.key] }]));
      hops.push(out.hops);
      const v = out.answer.kindResponses[0]?.values[0]?.value;
      if (v?.model === 'dictionary' && toHex(v.dictionaryEntry.value.value) === toHex(r.value)) fetched++;
    }
    const t3 = performance.now();
    const stats = o.peers.map((p) => p.peer.stats().transport);
    return {
      signer: signer === 'fast' ? 'fast test signer (sim only)' : 'X.509, ECDSA P-256 (WebCrypto)',
      credentialsS: (t1 - t0) / 1000,
      buildS: (t2 - t1) / 1000,
      virtualS,
      exact,
      messagesVerified: stats.reduce((a, s) => a + s.requestsHandled + s.answersAccepted, 0),
      droppedBadSignature: stats.reduce((a, s) => a + s.droppedBadSignature, 0),
      storeFetchS: (t3 - t2) / 1000,
      fetched,
      stores: records.length,
      meanHops: hops.reduce((a, b) => a + b, 0) / Math.max(1, hops.length),
      heapMb: process.memoryUsage().heapUsed / 2 ** 20,
    };
  } finally {
    o.close();
  }
}

async function runSimSigning(): Promise<{ ok: boolean }> {
  const peers = envInteger('SIM_SIGNED_PEERS', 1000);
  const stores = Math.min(peers, envInteger('SIM_SIGNED_STORES', 300));
  const seed = envInteger('SIM_SEED', 1);
  console.log(`N = ${fmt(peers)}, joined one after another, then ${fmt(stores)} Stores and as many Fetches from random peers; seed ${seed}`);
  const results: RunFigures[] = [];
  for (const signer of ['fast', 'real'] as const) {
    console.log(`-- ${signer} …`);
    results.push(await run(signer, peers, stores, seed));
  }
  console.log(
    table(
      ['signer', 'credentials', 'build (wall)', 'build (virtual)', 'ring exact', 'messages verified', 'bad signatures', 'wall µs / message', 'store+fetch (wall)', 'fetched', 'mean hops', 'heap'],
      results.map((r) => [
        r.signer,
        `${fmt(r.credentialsS, 1)} s`,
        `${fmt(r.buildS, 1)} s`,
        `${fmt(r.virtualS, 0)} s`,
        r.exact ? 'yes' : 'NO',
        fmt(r.messagesVerified),
        fmt(r.droppedBadSignature),
        fmt(((r.buildS + r.storeFetchS) * 1e6) / Math.max(1, r.messagesVerified), 0),
        `${fmt(r.storeFetchS, 1)} s`,
        `${r.fetched}/${r.stores}`,
        fmt(r.meanHops, 2),
        `${fmt(r.heapMb, 0)} MB`,
      ]),
    ),
  );
  console.log('messages verified = requests handled + answers accepted, over all peers (each one a signature verified by its destination, §6.3.4).');
  const ok = results.every((r) => r.exact && r.fetched === r.stores && r.droppedBadSignature === 0);
  return { ok };
}

export const simSigningBench: BenchModule = {
  name: 'sim-signing',
  description: 'the simulator with real X.509 signatures beside the fast test signer (N = 1,000)',
  run: runSimSigning,
};
