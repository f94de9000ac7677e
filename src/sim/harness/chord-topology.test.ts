/**
 * The driver on the real Chord overlay (src/sim/chord-overlay.ts) at small N: same seed, same
 * report; churn and the workload together; a capture of the run that tshark decodes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MessageCode } from '../../reload/wire/message-codes.js';
import { chordTopology, defaultChordReactive } from './chord-topology.js';
import { runSimulation, type SimulationOptions, type SimulationReport } from './run-simulation.js';
import type { SimTopologyFactory } from './sim-topology.js';
import { tsharkReloadFields } from './tshark-reload.js';

const factory = chordTopology as SimTopologyFactory;

/** The report without its wall-clock figures (those differ from run to run). */
const deterministic = ({ buildSeconds: _b, buildCpuSeconds: _c, runSeconds: _r, heapMB: _h, ...rest }: SimulationReport) => rest;

describe('simulation on the Chord overlay', () => {
  const churny: SimulationOptions = { peers: 16, seed: 5, durationMs: 120_000, churnMedianMs: 120_000, stores: 60, loss: 0.01, pcap: { samplePeers: 3 } };

  it('same seed twice: identical report and capture (another seed differs: run-simulation.test.ts)', async () => {
    const a = await runSimulation(factory, churny);
    const b = await runSimulation(factory, churny);
    expect(JSON.stringify(deterministic(b.report))).toBe(JSON.stringify(deterministic(a.report)));
    expect(b.pcap).toEqual(a.pcap);

    // Churn happened, and the overlay kept answering.
    const r = a.report;
    expect(r.topology).toBe('chord');
    expect(r.churn.joins + r.churn.fails + r.churn.leaves).toBeGreaterThan(3);
    expect(r.workload.stores).toBe(60);
    expect(r.lookupSuccess).toBeGreaterThan(0.9);
    expect(r.fetchAfterStoreSuccess).toBeGreaterThan(0.9);
    expect(r.hops.count).toBeGreaterThan(90);
    expect(r.upkeepBytesPerPeerPerSec).toBeGreaterThan(0);
    expect(r.traffic.byClass.workload!.messages).toBeGreaterThan(200);
    // Links per peer once built are reported: each of 16 peers is linked to its 6 neighbours at least.
    expect(r.linksPerPeer!.p50).toBeGreaterThanOrEqual(6);
    expect(r.linksPerPeer!.mean).toBeGreaterThanOrEqual(6);
  });

  it('chord-reactive (RFC 6940 §11.1): reactive up to 1,000 peers unless the run says otherwise, and reported', async () => {
    expect(defaultChordReactive(1000)).toBe(true);
    expect(defaultChordReactive(1001)).toBe(false);
    const base: SimulationOptions = { peers: 24, seed: 9, durationMs: 60_000, stores: 30 };
    const reactive = (await runSimulation(factory, base)).report;
    const periodic = (await runSimulation(factory, { ...base, chordReactive: false })).report;
    expect(reactive.chordReactive).toBe(true);
    expect(periodic.chordReactive).toBe(false);
    expect(periodic.fetchAfterStoreSuccess).toBe(1);
    // Periodic recovery sends a change of a Neighbor Table that leaves the range alone to the
    // Neighbor Table, not to the whole Connection Table: fewer Updates for the same build.
    expect(periodic.buildTraffic!.updatesPerPeer).toBeLessThan(reactive.buildTraffic!.updatesPerPeer);
  });

  it('the capture of a run decodes in tshark with no malformed packet', async () => {
    const { report, pcap } = await runSimulation(factory, { peers: 20, seed: 8, durationMs: 120_000, churnMedianMs: 120_000, stores: 60, pcap: { samplePeers: 4 } });
    expect(pcap).toBeDefined();
    expect(report.pcap!.packets).toBeGreaterThan(100);
    const dir = mkdtempSync(join(tmpdir(), 'chordphone-sim-'));
    try {
      const file = join(dir, 'chord.pcap');
      writeFileSync(file, pcap!);
      const rows = tsharkReloadFields(file);
      expect(rows).toHaveLength(report.pcap!.packets);
      expect(rows.filter((r) => r.malformed !== '')).toEqual([]);
      const codes = new Set(rows.flatMap((r) => r.codes).map(Number));
      for (const c of [MessageCode.store_req, MessageCode.store_ans, MessageCode.fetch_req, MessageCode.fetch_ans]) expect(codes).toContain(c);
      expect([MessageCode.update_req, MessageCode.join_req, MessageCode.attach_req, MessageCode.leave_req].some((c) => codes.has(c))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
