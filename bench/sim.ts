/**
 * The simulator against issue 3's goals (`npm run bench -- sim`):
 * - N = 10,000 without churn: mean hops ≤ ½·log2 N, fetch-after-store 100 %, build (to a
 *   stable overlay) ≤ 60 s of wall time, heap ≤ 1.5 GB;
 * - N = 10,000 with a 10-minute median session: fetch-after-store ≥ 99.9 %;
 * - N = 1,000 in steady state (no churn): upkeep traffic ≤ 500 bytes/s per peer.
 * The three runs go one after another in one process and the table shows every goal beside its
 * measured figure (the upkeep figure comes from the steady run when both have the same N). By default the 10,000-peer runs are made at N = 1,000 (a 10,000-peer build
 * takes far longer than a bench should, see the figures in the issue notes); their rows are then
 * marked as not proving the goal. To measure at the goal's N:
 *   SIM_PEERS=10000 npm run bench -- sim
 * Environment: SIM_PEERS (1000), SIM_UPKEEP_PEERS (1000), SIM_DURATION (10m, the runs without
 * churn), SIM_CHURN_DURATION (30m), SIM_CHURN_MEDIAN (10m), SIM_STORES (1000), SIM_SEED (1),
 * SIM_RUNS (steady,churn,upkeep: which runs), SIM_TOPOLOGY, SIM_CHORD_REACTIVE (true, false or auto:
 * chord-reactive of the overlay, RFC 6940 §11.1; auto, the default, is reactive up to 1,000 peers).
 * Build time is wall time (the goal's measure); the CPU time of the build is shown beside it, since
 * other processes on a shared machine inflate the wall time, and so are the build's frames and
 * Update requests per peer (every hop, framing acks and link probes included), and the CPU per
 * frame: the build's cost with the machine's speed left in and the overlay's traffic taken out
 * (the same code at N = 10,000 took ~20 µs per frame on one machine here and ~40 µs on another,
 * whose 2,000-peer builds took ~38 µs too: the build's wall time depends on the machine as much
 * as on the code). bin/run-bundled.mjs
 * runs the benches with a 64 MB young generation (bin/young-generation.mjs), as `chordphone sim` runs.
 */
import { formatDuration, parseDuration } from '../src/sim/harness/duration.js';
import { runSimulation, type SimulationOptions, type SimulationReport } from '../src/sim/harness/run-simulation.js';
import { DEFAULT_TOPOLOGY, TOPOLOGIES } from '../src/sim/harness/topologies.js';
import { parseChordReactive } from '../src/sim/harness/chord-topology.js';
import { envInteger, fmt, table, type BenchModule } from './bench.js';

interface Goal {
  readonly goal: string;
  readonly run: string;
  readonly measured: string;
  readonly met: boolean;
  /** The run's N is the goal's N (else the row is indicative only). */
  readonly atGoalN: boolean;
}

function envDuration(name: string, dflt: string): number {
  const v = process.env[name] ?? dflt;
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) throw new Error(`${name} must be a duration like 10m, got "${v}"`);
  return ms;
}

const pct = (x: number | null) => (x === null ? 'n/a' : `${fmt(x * 100, 2)} %`);

async function runSim(): Promise<{ ok: boolean }> {
  const peers = envInteger('SIM_PEERS', 1000);
  const upkeepPeers = envInteger('SIM_UPKEEP_PEERS', 1000);
  const durationMs = envDuration('SIM_DURATION', '10m');
  const churnDurationMs = envDuration('SIM_CHURN_DURATION', '30m');
  const churnMedianMs = envDuration('SIM_CHURN_MEDIAN', '10m');
  const stores = envInteger('SIM_STORES', 1000);
  const seed = envInteger('SIM_SEED', 1);
  const runs = new Set((process.env.SIM_RUNS ?? 'steady,churn,upkeep').split(',').map((s) => s.trim()));
  const topologyName = process.env.SIM_TOPOLOGY ?? DEFAULT_TOPOLOGY;
  const reactive = parseChordReactive(process.env.SIM_CHORD_REACTIVE ?? 'auto');
  const chordReactive = reactive === undefined ? {} : { chordReactive: reactive };
  const factory = TOPOLOGIES[topologyName];
  if (!factory) throw new Error(`SIM_TOPOLOGY must be one of ${Object.keys(TOPOLOGIES).join(', ')}`);

  const goals: Goal[] = [];
  const reports: SimulationReport[] = [];
  const simulate = async (name: string, o: SimulationOptions): Promise<SimulationReport> => {
    const what = `${name}: N = ${fmt(o.peers)}, ${formatDuration(o.durationMs)}${o.churnMedianMs ? `, churn median ${formatDuration(o.churnMedianMs)}` : ', no churn'}, ${fmt(o.stores ?? 0)} stores, seed ${o.seed}`;
    console.log(`-- ${what}`);
    const { report } = await runSimulation(factory, { ...o, ...chordReactive, progress: (l) => console.log(`   ${l}`) });
    console.log(
      `   topology ${report.topology}${report.chordReactive === null ? '' : ` (${report.chordReactive ? 'reactive' : 'periodic'} recovery)`}; ` +
        `build ${fmt(report.buildSeconds, 1)} s wall (${fmt(report.buildCpuSeconds, 1)} s CPU${report.buildTraffic ? `, ${fmt(report.buildTraffic.framesPerPeer)} frames and ${fmt(report.buildTraffic.updatesPerPeer)} Updates per peer, ${fmt((report.buildCpuSeconds * 1e6) / (report.buildTraffic.framesPerPeer * report.peers), 1)} µs CPU per frame` : ''}${report.linksPerPeer ? `, links per peer mean ${fmt(report.linksPerPeer.mean, 1)} max ${fmt(report.linksPerPeer.max)}` : ''}), run ${fmt(report.runSeconds, 1)} s wall, heap ${fmt(report.heapMB)} MB; ` +
        `hops mean ${fmt(report.hops.mean, 2)} p50 ${report.hops.p50} p99 ${report.hops.p99}; lookups ${pct(report.lookupSuccess)}; ` +
        `fetch-after-store ${pct(report.fetchAfterStoreSuccess)} (${report.workload.fetchesOk}/${report.workload.fetches}); ` +
        `upkeep ${fmt(report.upkeepBytesPerPeerPerSec, 1)} B/s/peer; ${fmt(report.messages)} messages`,
    );
    const errors = Object.entries(report.workload.errors);
    if (errors.length > 0) console.log(`   failures: ${errors.map(([k, v]) => `${k} ×${v}`).join(', ')}`);
    reports.push(report);
    return report;
  };

  let steady: SimulationReport | undefined;
  if (runs.has('steady')) {
    const r = (steady = await simulate('steady', { peers, seed, durationMs, stores }));
    const halfLog = 0.5 * Math.log2(peers);
    const at = peers === 10_000;
    const run = `N=${fmt(peers)}, no churn`;
    goals.push({ goal: 'mean hops ≤ ½·log2 N', run, measured: `${fmt(r.hops.mean, 2)} (½·log2 N = ${fmt(halfLog, 2)})`, met: r.hops.count > 0 && r.hops.mean <= halfLog, atGoalN: at });
    goals.push({ goal: 'fetch-after-store 100 % without churn', run, measured: pct(r.fetchAfterStoreSuccess), met: r.fetchAfterStoreSuccess === 1, atGoalN: at });
    goals.push({ goal: 'build ≤ 60 s', run, measured: `${fmt(r.buildSeconds, 1)} s wall (${fmt(r.buildCpuSeconds, 1)} s CPU)`, met: r.buildSeconds <= 60, atGoalN: at });
    goals.push({ goal: 'heap ≤ 1.5 GB', run, measured: `${fmt(r.heapMB)} MB`, met: r.heapMB <= 1536, atGoalN: at });
  }
  if (runs.has('churn')) {
    const r = await simulate('churn', { peers, seed, durationMs: churnDurationMs, churnMedianMs, stores });
    const at = peers === 10_000 && churnMedianMs === 600_000;
    goals.push({
      goal: 'fetch-after-store ≥ 99.9 % with 10 min median session',
      run: `N=${fmt(peers)}, median ${formatDuration(churnMedianMs)}, ${formatDuration(churnDurationMs)}`,
      measured: pct(r.fetchAfterStoreSuccess),
      met: r.fetchAfterStoreSuccess !== null && r.fetchAfterStoreSuccess >= 0.999,
      atGoalN: at,
    });
  }
  if (runs.has('upkeep')) {
    // The same run as `steady` when the sizes agree (same seed, same report): measured once.
    const r = steady && upkeepPeers === peers ? steady : await simulate('upkeep', { peers: upkeepPeers, seed, durationMs, stores });
    goals.push({
      goal: 'upkeep ≤ 500 B/s per peer (steady state)',
      run: `N=${fmt(upkeepPeers)}, no churn`,
      measured: `${fmt(r.upkeepBytesPerPeerPerSec, 1)} B/s`,
      met: r.upkeepBytesPerPeerPerSec <= 500,
      atGoalN: upkeepPeers === 1000,
    });
  }

  const labels = new Set(reports.map((r) => r.topology));
  console.log(`\ntopology: ${[...labels].join(', ')}`);
  console.log(
    table(
      ['goal', 'run', 'measured', 'result'],
      goals.map((g) => [g.goal, g.run, g.measured, `${g.met ? 'MET' : 'NOT MET'}${g.atGoalN ? '' : ' (not at the goal\'s N: indicative only)'}`]),
    ),
  );
  const chordOnly = [...labels].every((l) => l === 'chord');
  if (!chordOnly) console.log("NOTE: these figures are not Chord's: the topology is a stand-in, so no goal counts as met.");
  const missed = goals.filter((g) => !g.met).map((g) => g.goal);
  const indicative = goals.filter((g) => g.met && !g.atGoalN).map((g) => g.goal);
  const met = goals.filter((g) => g.met && g.atGoalN).map((g) => g.goal);
  if (met.length > 0 && chordOnly) console.log(`goals met: ${met.join('; ')}`);
  if (missed.length > 0) console.log(`goals NOT met: ${missed.join('; ')}`);
  if (indicative.length > 0) console.log(`met only at a smaller N than the goal's (not proven): ${indicative.join('; ')}`);
  const ok = chordOnly && missed.length === 0 && indicative.length === 0 && goals.length > 0;
  const skipped = ['steady', 'churn', 'upkeep'].filter((r) => !runs.has(r));
  if (ok) console.log(skipped.length === 0 ? 'all goals met' : `all goals of these runs met (runs not done: ${skipped.join(', ')})`);
  return { ok };
}

export const simBench: BenchModule = {
  name: 'sim',
  description: 'chordphone sim against issue 3: hops, fetch-after-store with and without churn, build time, heap, upkeep',
  run: runSim,
};
