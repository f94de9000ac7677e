/**
 * The simulation driver on a toy topology (peers are numbers, storage is a map with a delay, no
 * Chord): churn bookkeeping, the workload, the report and determinism. The real overlay is
 * exercised end to end in src/cli/sim.test.ts and chord-topology.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { MemoryNetwork } from '../../reload/links/memory/index.js';
import { SeededRandom } from '../seeded-random.js';
import { VirtualClock } from '../virtual-clock.js';
import { runSimulation, type SimulationReport } from './run-simulation.js';
import type { SimTopology, SimTopologyFactory } from './sim-topology.js';

interface ToyLog {
  joined: number;
  failed: number;
  left: number;
  stores: number;
}

function toyFactory(log: ToyLog, opts: { loseEvery?: number } = {}): SimTopologyFactory {
  return async (init) => {
    const clock = new VirtualClock();
    const network = new MemoryNetwork({ clock, random: new SeededRandom(init.seed) });
    const data = new Map<string, Uint8Array>();
    const alive = new Set<number>();
    let next = 0;
    const add = () => {
      const p = next++;
      alive.add(p);
      return p;
    };
    const initialPeers = Array.from({ length: init.peers }, add);
    const after = <T>(ms: number, v: () => T) => new Promise<T>((resolve) => clock.setTimer(ms, () => resolve(v())));
    const topology: SimTopology<number> = {
      label: 'toy',
      clock,
      network,
      initialPeers,
      supportsChurn: true,
      addressOf: (p) => `toy${p}`,
      join: () => after(500, () => (log.joined++, add())),
      fail: (p) => {
        log.failed++;
        alive.delete(p);
      },
      leave: (p) => after(100, () => void (log.left++, alive.delete(p))),
      store: (p, name, value) => {
        expect(alive.has(p)).toBe(true);
        log.stores++;
        if (!opts.loseEvery || log.stores % opts.loseEvery !== 0) data.set(name, value);
        return after(40, () => ({ ok: true, hops: 1 + (name.length % 3) }));
      },
      fetch: (p, name) => {
        expect(alive.has(p)).toBe(true);
        const value = data.get(name);
        return after(40, () => (value ? { ok: true, hops: 2, value } : { ok: true, hops: 2 }));
      },
      close: () => {},
    };
    return topology as SimTopology;
  };
}

/** The report without its wall-clock figures (those differ from run to run). */
const deterministic = ({ buildSeconds: _b, buildCpuSeconds: _c, runSeconds: _r, heapMB: _h, ...rest }: SimulationReport) => rest;

describe('runSimulation (toy topology)', () => {
  it('runs churn and workload and reports the figures', async () => {
    const log: ToyLog = { joined: 0, failed: 0, left: 0, stores: 0 };
    const { report } = await runSimulation(toyFactory(log), { peers: 200, seed: 3, durationMs: 1_800_000, churnMedianMs: 600_000, stores: 300, failFraction: 0.3 });
    expect(report.topology).toBe('toy');
    expect(report.peers).toBe(200);
    expect(report.churnMedianSeconds).toBe(600);
    // Departures of peers whose join had not finished are applied once it does; all counted.
    expect(report.churn.joins).toBe(log.joined);
    expect(report.churn.fails).toBe(log.failed);
    expect(report.churn.leaves).toBe(log.left);
    expect(report.churn.fails / (report.churn.fails + report.churn.leaves)).toBeGreaterThan(0.15);
    expect(report.churn.fails / (report.churn.fails + report.churn.leaves)).toBeLessThan(0.45);
    expect(report.churn.peersAtEnd).toBe(200 + report.churn.joins - report.churn.fails - report.churn.leaves);
    expect(report.churn.meanPeers).toBeGreaterThan(160);
    expect(report.churn.meanPeers).toBeLessThan(240);
    expect(report.workload).toMatchObject({ stores: 300, storesOk: 300, fetches: 300, fetchesOk: 300 });
    expect(report.lookupSuccess).toBe(1);
    expect(report.fetchAfterStoreSuccess).toBe(1);
    expect(report.hops.count).toBe(600);
    expect(report.hops.mean).toBeGreaterThan(1);
    expect(report.messages).toBe(0);
    expect(report.upkeepBytesPerPeerPerSec).toBe(0);
    // The toy has no links to count (SimTopology.linksOf).
    expect(report.linksPerPeer).toBeNull();
  });

  it('same seed, same report (apart from wall-clock figures); another seed differs', async () => {
    const run = (seed: number, loseEvery?: number) =>
      runSimulation(toyFactory({ joined: 0, failed: 0, left: 0, stores: 0 }, { loseEvery }), { peers: 50, seed, durationMs: 600_000, churnMedianMs: 120_000, stores: 100 }).then((r) => deterministic(r.report));
    const a = await run(11);
    expect(JSON.stringify(await run(11))).toBe(JSON.stringify(a));
    expect(JSON.stringify(await run(12))).not.toBe(JSON.stringify(a));
    const lossy = await run(11, 10);
    expect(lossy.fetchAfterStoreSuccess).toBe(0.9);
    expect(lossy.workload.errors).toEqual({ 'fetch: not found': 10 });
  });

  it('refuses bad options', async () => {
    const f = toyFactory({ joined: 0, failed: 0, left: 0, stores: 0 });
    await expect(runSimulation(f, { peers: 0, seed: 1, durationMs: 1000 })).rejects.toThrow(RangeError);
    await expect(runSimulation(f, { peers: 5, seed: -1, durationMs: 1000 })).rejects.toThrow(RangeError);
    await expect(runSimulation(f, { peers: 5, seed: 1, durationMs: 0 })).rejects.toThrow(RangeError);
    await expect(runSimulation(f, { peers: 5, seed: 1, durationMs: 1000, loss: 1 })).rejects.toThrow(RangeError);
  });
});
