/**
 * The simulation driver behind `chordphone sim` and the `sim` bench: build N peers on one memory
 * network and one virtual clock, let the overlay stabilize, then run churn (churn.ts) and a
 * workload of Stores and Fetches (workload.ts) for the given virtual duration, metering traffic
 * (traffic-meter.ts) and optionally capturing a sample of peers (pcap-tap.ts). Returns the
 * figures of issue 3. Everything but the wall-clock figures (buildSeconds, buildCpuSeconds, runSeconds, heapMB)
 * depends only on the options: same seed, same report.
 */
import type { MemoryLinkModel } from '../../reload/links/memory/index.js';
import type { Logger } from '../../reload/runtime/components.js';
import { SeededRandom } from '../seeded-random.js';
import type { VirtualClock } from '../virtual-clock.js';
import { churnSchedule, type ChurnEvent } from './churn.js';
import { hopStats, linkStats, measureHeapMB, PopulationAverage, roundTo, successFraction, upkeepBytesPerPeerPerSec, type HopStats, type LinkStats } from './metrics.js';
import { PcapTap } from './pcap-tap.js';
import type { SimTopology, SimTopologyFactory } from './sim-topology.js';
import { trafficBetween, TrafficMeter, type TrafficFigures } from './traffic-meter.js';
import { Workload, type WorkloadSummary } from './workload.js';

export interface SimulationOptions {
  readonly peers: number;
  readonly seed: number;
  /** Virtual time the churn and workload phase lasts (after the overlay is built). */
  readonly durationMs: number;
  /** Median session time; undefined or 0: no churn. */
  readonly churnMedianMs?: number;
  /** Fraction of departures that are abrupt failures (the rest are graceful Leaves); default 0.5. */
  readonly failFraction?: number;
  /**
   * One-way link latency in whole ms; default 20. No jitter: OUR CHOICE, virtual time stays in
   * whole milliseconds, because FramedLink's liveness timer can spin at one instant when float
   * rounding puts `lastSendAt + interval` a hair before `now` (see the report of issue 3's sim).
   */
  readonly latencyMs?: number;
  /**
   * Chord only: chord-reactive of the simulated overlay's configuration (RFC 6940 §11.1); default
   * the topology's choice for `peers` (chord-topology.ts defaultChordReactive).
   */
  readonly chordReactive?: boolean;
  /** Probability that a frame is lost; default 0. */
  readonly loss?: number;
  /** Stores of the workload (each followed by a Fetch); default 1000. */
  readonly stores?: number;
  /** Bytes per stored value; default 64. */
  readonly valueSize?: number;
  /** Capture the traffic of `pcapSamplePeers` random initial peers (default 5). */
  readonly pcap?: { readonly samplePeers?: number; readonly maxPackets?: number };
  readonly logger?: Logger;
  /** Progress lines (to stderr in the CLI). */
  readonly progress?: (line: string) => void;
}

export interface SimulationReport {
  readonly topology: string;
  readonly peers: number;
  readonly seed: number;
  readonly durationSeconds: number;
  readonly churnMedianSeconds: number | null;
  readonly failFraction: number;
  readonly latencyMs: number;
  readonly loss: number;
  /** The overlay's chord-reactive (§11.1): reactive or periodic recovery; null when the topology has no such setting. */
  readonly chordReactive: boolean | null;
  /** Wall time to build and stabilize the initial overlay. */
  readonly buildSeconds: number;
  /**
   * CPU time (user + system) this process spent on the build: on a shared machine, the figure
   * other processes' load does not inflate (it includes the garbage collector's helper threads).
   */
  readonly buildCpuSeconds: number;
  /** Wall time of the churn and workload phase. */
  readonly runSeconds: number;
  /** Heap in use after the build (after a GC when available). */
  readonly heapMB: number;
  /** Frames sent while building (every hop, framing acks and link probes included), per peer built; null: not metered. */
  readonly buildTraffic: BuildTraffic | null;
  /**
   * Links per peer once built (each peer's Connection Table; for a browser tab, WebRTC
   * connections): a peer that many others keep links to is a hot spot. Null when the topology
   * cannot tell (linksOf).
   */
  readonly linksPerPeer: LinkStats | null;
  readonly hops: HopStats;
  /** Stores and Fetches that got a non-error answer, 0..1 (null: none issued). */
  readonly lookupSuccess: number | null;
  /** Fetches (after an acknowledged Store) that returned the stored value, 0..1 (null: none issued). */
  readonly fetchAfterStoreSuccess: number | null;
  /** Upkeep bytes sent per live peer per second during the run phase. */
  readonly upkeepBytesPerPeerPerSec: number;
  /** RELOAD messages (or fragments) sent over links during the run phase, each hop counted. */
  readonly messages: number;
  readonly workload: {
    readonly stores: number;
    readonly storesOk: number;
    readonly fetches: number;
    readonly fetchesOk: number;
    readonly errors: Readonly<Record<string, number>>;
    /** Stores and Fetches issued again from another peer because theirs departed while they ran (workload.ts). */
    readonly reissued: number;
  };
  /** Churn as applied: joins completed (and failed), abrupt failures and graceful leaves done. */
  readonly churn: {
    readonly joins: number;
    readonly joinFailures: number;
    readonly fails: number;
    readonly leaves: number;
    readonly meanPeers: number;
    readonly peersAtEnd: number;
  };
  /** Traffic of the run phase by class and by message code. */
  readonly traffic: {
    readonly byClass: Readonly<Record<string, TrafficFigures>>;
    readonly byCode: Readonly<Record<string, TrafficFigures>>;
  };
  readonly pcap?: { readonly packets: number; readonly skipped: number; readonly samplePeers: number };
}

export interface SimulationResult {
  readonly report: SimulationReport;
  /** The capture, when `pcap` was asked for. */
  readonly pcap?: Uint8Array;
}

/** Virtual time the driver lets pass for operations still running at the end, at most. */
const DRAIN_MS = 120_000;
/** The clock runs in steps of this much virtual time (progress lines, population sampling). */
const STEP_MS = 10_000;

export async function runSimulation(factory: SimTopologyFactory, options: SimulationOptions): Promise<SimulationResult> {
  checkOptions(options);
  const master = new SeededRandom(options.seed);
  const topologyRandom = master.fork();
  const churnRandom = master.fork();
  const workloadRandom = master.fork();
  const sampleRandom = master.fork();
  const progress = options.progress ?? (() => {});
  const model: Partial<MemoryLinkModel> = { latencyMs: options.latencyMs ?? 20, jitterMs: 0, loss: options.loss ?? 0 };

  let buildMeter: TrafficMeter | undefined;
  const buildStart = performance.now();
  const cpuStart = process.cpuUsage();
  const topology: SimTopology = await factory({
    peers: options.peers,
    seed: topologyRandom.u32(),
    network: { model },
    logger: options.logger,
    progress,
    onNetwork: (network) => (buildMeter = new TrafficMeter(network)),
    ...(options.chordReactive !== undefined ? { chordReactive: options.chordReactive } : {}),
  });
  const buildSeconds = (performance.now() - buildStart) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const buildCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const heapMB = measureHeapMB();
  const buildTraffic = buildFigures(buildMeter, options.peers);
  const linksOf = topology.linksOf?.bind(topology);
  const linksPerPeer = linksOf ? linkStats(topology.initialPeers.map((p) => linksOf(p))) : null;
  progress(
    `built ${options.peers} peers (${topology.label}) in ${buildSeconds.toFixed(1)} s, heap ${heapMB.toFixed(0)} MB` +
      (buildTraffic ? `, ${buildTraffic.framesPerPeer.toFixed(0)} frames and ${buildTraffic.updatesPerPeer.toFixed(0)} Updates per peer` : '') +
      (linksPerPeer ? `, links per peer mean ${linksPerPeer.mean} max ${linksPerPeer.max}` : ''),
  );

  try {
    return await runPhase(topology, options, { clock: topology.clock, churnRandom, workloadRandom, sampleRandom, progress, buildSeconds, buildCpuSeconds, heapMB, buildTraffic, linksPerPeer });
  } finally {
    topology.close();
  }
}

interface PhaseContext {
  readonly clock: VirtualClock;
  readonly churnRandom: SeededRandom;
  readonly workloadRandom: SeededRandom;
  readonly sampleRandom: SeededRandom;
  readonly progress: (line: string) => void;
  readonly buildSeconds: number;
  readonly buildCpuSeconds: number;
  readonly heapMB: number;
  readonly buildTraffic: BuildTraffic | null;
  readonly linksPerPeer: LinkStats | null;
}

/** The build's frames per peer built, all of them and the Update requests (frames carrying update_req). */
export interface BuildTraffic {
  readonly framesPerPeer: number;
  readonly updatesPerPeer: number;
}

function buildFigures(meter: TrafficMeter | undefined, peers: number): BuildTraffic | null {
  if (!meter) return null;
  const s = meter.snapshot();
  meter.close();
  return { framesPerPeer: roundTo(s.total.frames / peers, 1), updatesPerPeer: roundTo((s.byCode.update_req?.frames ?? 0) / peers, 1) };
}

async function runPhase(topology: SimTopology, options: SimulationOptions, ctx: PhaseContext): Promise<SimulationResult> {
  const { clock, progress } = ctx;
  const live = new LivePeers<unknown>();
  for (const p of topology.initialPeers) live.add(p);

  const samplePeers = options.pcap ? Math.min(options.pcap.samplePeers ?? 5, topology.initialPeers.length) : 0;
  const tap = options.pcap
    ? new PcapTap(topology.network, {
        addresses: pickDistinct(ctx.sampleRandom, topology.initialPeers.length, samplePeers).map((i) => topology.addressOf(topology.initialPeers[i])),
        maxPackets: options.pcap.maxPackets,
      })
    : undefined;
  const meter = new TrafficMeter(topology.network);
  const start = clock.now();
  const end = start + options.durationMs;
  const before = meter.snapshot();
  const population = new PopulationAverage(start, live.size);

  // Churn: the schedule is fixed up front; each event becomes a timer.
  const churnMedianMs = options.churnMedianMs ?? 0;
  const failFraction = options.failFraction ?? 0.5;
  let events: ChurnEvent[] = [];
  if (churnMedianMs > 0) {
    if (!topology.supportsChurn) throw new Error(`the ${topology.label} topology cannot run churn (no join/leave)`);
    events = churnSchedule(ctx.churnRandom, { initialPeers: topology.initialPeers.length, medianSessionMs: churnMedianMs, durationMs: options.durationMs, failFraction });
  }
  const byIndex = new Map<number, unknown>(topology.initialPeers.map((p, i) => [i, p]));
  const joining = new Map<number, Promise<unknown>>();
  const applied = { joins: 0, joinFailures: 0, fails: 0, leaves: 0 };
  const depart = (peer: unknown, kind: 'fail' | 'leave') => {
    if (!live.remove(peer)) return;
    population.set(clock.now(), live.size);
    if (kind === 'fail') {
      applied.fails++;
      topology.fail(peer);
    } else {
      applied.leaves++;
      void topology.leave(peer).catch(() => undefined);
    }
  };
  for (const e of events) {
    clock.setTimer(start + e.at - clock.now(), () => {
      if (e.kind === 'join') {
        const p = topology.join().then(
          (peer) => {
            joining.delete(e.peer);
            applied.joins++;
            byIndex.set(e.peer, peer);
            live.add(peer);
            population.set(clock.now(), live.size);
            return peer;
          },
          () => {
            joining.delete(e.peer);
            applied.joinFailures++;
            return undefined;
          },
        );
        joining.set(e.peer, p);
        return;
      }
      const peer = byIndex.get(e.peer);
      if (peer !== undefined) depart(peer, e.kind);
      else void joining.get(e.peer)?.then((q) => q !== undefined && depart(q, e.kind));
    });
  }

  // Workload: Stores over the first 3/4 of the run, each Fetch 1 s .. 1/5 of the run (at most 5 min) later.
  const fetchDelayMax = Math.max(1000, Math.min(300_000, options.durationMs / 5));
  const workload = new Workload(
    { clock, random: ctx.workloadRandom },
    { pickPeer: (r) => live.pick(r), isLive: (p) => live.has(p), store: (p, n, v) => topology.store(p, n, v), fetch: (p, n) => topology.fetch(p, n) },
    { stores: options.stores ?? 1000, startMs: start, windowMs: options.durationMs * 0.75, fetchDelayMs: [Math.min(1000, fetchDelayMax), fetchDelayMax], valueSize: options.valueSize ?? 64 },
  );
  workload.start();

  const runStart = performance.now();
  for (let t = start; t < end; ) {
    t = Math.min(end, t + STEP_MS);
    await clock.runUntilTime(t);
    if ((t - start) % 60_000 === 0 || t === end) {
      progress(`t=${((t - start) / 1000).toFixed(0)} s: ${live.size} live peers, ${workload.summary().fetchesOk} fetches ok, ${((performance.now() - runStart) / 1000).toFixed(1)} s wall`);
    }
  }
  const window = trafficBetween(before, meter.snapshot());
  const meanPeers = population.mean(end);
  // Let operations that started before the end finish (no new churn: its events all lie before `end`).
  for (let waited = 0; workload.pending > 0 && waited < DRAIN_MS; waited += STEP_MS) await clock.advance(STEP_MS);
  workload.stop();
  const runSeconds = (performance.now() - runStart) / 1000;
  meter.close();
  tap?.close();

  const w: WorkloadSummary = workload.summary();
  const report: SimulationReport = {
    topology: topology.label,
    peers: options.peers,
    seed: options.seed,
    durationSeconds: options.durationMs / 1000,
    churnMedianSeconds: churnMedianMs > 0 ? churnMedianMs / 1000 : null,
    failFraction,
    latencyMs: options.latencyMs ?? 20,
    loss: options.loss ?? 0,
    chordReactive: topology.chordReactive ?? null,
    buildSeconds: roundTo(ctx.buildSeconds, 3),
    buildCpuSeconds: roundTo(ctx.buildCpuSeconds, 3),
    runSeconds: roundTo(runSeconds, 3),
    heapMB: roundTo(ctx.heapMB, 1),
    buildTraffic: ctx.buildTraffic,
    linksPerPeer: ctx.linksPerPeer,
    hops: (({ mean, p50, p99, count }) => ({ mean: roundTo(mean, 3), p50, p99, count }))(hopStats(w.hops)),
    lookupSuccess: fractionOrNull(successFraction(w.lookupsOk, w.lookups)),
    fetchAfterStoreSuccess: fractionOrNull(successFraction(w.fetchesOk, w.fetches)),
    upkeepBytesPerPeerPerSec: roundTo(upkeepBytesPerPeerPerSec(window, meanPeers, options.durationMs), 1),
    messages: window.total.messages,
    workload: { stores: w.stores, storesOk: w.storesOk, fetches: w.fetches, fetchesOk: w.fetchesOk, errors: w.errors, reissued: w.reissued },
    churn: { ...applied, meanPeers: roundTo(meanPeers, 1), peersAtEnd: live.size },
    traffic: { byClass: window.byClass, byCode: window.byCode },
    ...(tap ? { pcap: { ...tap.stats(), samplePeers } } : {}),
  };
  return tap ? { report, pcap: tap.toBytes() } : { report };
}

function fractionOrNull(x: number | null): number | null {
  return x === null ? null : roundTo(x, 6);
}

function checkOptions(o: SimulationOptions): void {
  const bad = (what: string) => {
    throw new RangeError(what);
  };
  if (!Number.isInteger(o.peers) || o.peers < 1) bad(`peers must be a positive integer, got ${o.peers}`);
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) bad(`seed must be an integer in 0..2^32-1, got ${o.seed}`);
  if (!Number.isInteger(o.durationMs) || o.durationMs <= 0) bad(`duration must be a positive whole number of ms, got ${o.durationMs}`);
  if (o.latencyMs !== undefined && !(Number.isInteger(o.latencyMs) && o.latencyMs >= 0)) bad(`latency must be a whole number of ms, got ${o.latencyMs}`);
  if (o.churnMedianMs !== undefined && !(Number.isInteger(o.churnMedianMs) && o.churnMedianMs >= 0)) bad(`churn median must be a whole number of ms, got ${o.churnMedianMs}`);
  if (o.loss !== undefined && !(o.loss >= 0 && o.loss < 1)) bad(`loss must be in [0, 1), got ${o.loss}`);
  if (o.failFraction !== undefined && !(o.failFraction >= 0 && o.failFraction <= 1)) bad(`failFraction must be in [0, 1], got ${o.failFraction}`);
}

/** `k` distinct indexes of 0..n-1, drawn with `random`. */
function pickDistinct(random: SeededRandom, n: number, k: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k && i < n; i++) {
    const j = i + random.int(n - i);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, k);
}

/** The live peers, with O(1) add, remove and uniform random pick. */
class LivePeers<P> {
  private readonly list: P[] = [];
  private readonly index = new Map<P, number>();

  get size(): number {
    return this.list.length;
  }

  add(p: P): void {
    if (this.index.has(p)) return;
    this.index.set(p, this.list.length);
    this.list.push(p);
  }

  has(p: P): boolean {
    return this.index.has(p);
  }

  remove(p: P): boolean {
    const i = this.index.get(p);
    if (i === undefined) return false;
    const last = this.list.pop()!;
    if (last !== p) {
      this.list[i] = last;
      this.index.set(last, i);
    }
    this.index.delete(p);
    return true;
  }

  pick(random: { float(): number }): P | undefined {
    if (this.list.length === 0) return undefined;
    return this.list[Math.floor(random.float() * this.list.length)];
  }
}
