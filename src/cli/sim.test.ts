import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodePcapFile } from '../reload/wire/pcap/index.js';
import { main, type CliIo } from './main.js';
import { parseSimArgs } from './sim.js';

function captureIo(): CliIo & { outText: () => string; errText: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), stdin: async () => new Uint8Array(), outText: () => out, errText: () => err };
}

describe('chordphone sim: options', () => {
  it('reads durations, fractions and counts', () => {
    const o = parseSimArgs(['--peers', '50', '--seed', '9', '--churn-median', '10m', '--duration', '30m', '--latency', '20ms', '--loss', '0.01', '--pcap', 'x.pcap', '--sample-peers', '3', '--json']);
    expect(o).toEqual({
      topology: 'chord',
      json: true,
      progress: false,
      pcapFile: 'x.pcap',
      simulation: {
        peers: 50,
        seed: 9,
        durationMs: 1_800_000,
        churnMedianMs: 600_000,
        failFraction: 0.5,
        latencyMs: 20,
        loss: 0.01,
        stores: 1000,
        valueSize: 64,
        pcap: { samplePeers: 3 },
      },
    });
    const d = parseSimArgs([]);
    expect(d !== 'help' && d.simulation).toMatchObject({ peers: 100, seed: 1, durationMs: 600_000, churnMedianMs: 0 });
    expect(parseSimArgs(['--churn-median', 'none'])).toMatchObject({ simulation: { churnMedianMs: 0 } });
    expect(parseSimArgs(['--duration', '1.5h'])).toMatchObject({ simulation: { durationMs: 5_400_000 } });
    // chord-reactive (RFC 6940 §11.1): absent or auto leaves the choice to the topology.
    expect(parseSimArgs(['--chord-reactive', 'false'])).toMatchObject({ simulation: { chordReactive: false } });
    expect(parseSimArgs(['--chord-reactive', 'true'])).toMatchObject({ simulation: { chordReactive: true } });
    const auto = parseSimArgs(['--chord-reactive', 'auto']);
    expect(auto !== 'help' && 'chordReactive' in auto.simulation).toBe(false);
  });

  it.each([
    [['--peers', '0'], /--peers/],
    [['--peers', 'ten'], /--peers/],
    [['--seed', '-3'], /--seed/],
    [['--duration', '10 minutes'], /--duration/],
    [['--duration', '0'], /--duration/],
    [['--churn-median', '5x'], /--churn-median/],
    [['--loss', '1'], /--loss/],
    [['--loss', '-0.1'], /loss/],
    [['--fail-fraction', '1.5'], /--fail-fraction/],
    [['--latency', 'fast'], /--latency/],
    [['--sample-peers', '3'], /--pcap/],
    [['--topology', 'kademlia'], /--topology/],
    [['--chord-reactive', 'yes'], /--chord-reactive/],
    [['--frobnicate'], /frobnicate/],
    [['extra'], /extra|positional/i],
  ])('%j → one-line error, exit 2', async (args, message) => {
    const io = captureIo();
    expect(await main(['sim', ...args], io)).toBe(2);
    const lines = io.errText().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^chordphone sim: /);
    expect(lines[0]).toMatch(message);
    expect(io.outText()).toBe('');
  });

  it('--help prints the usage', async () => {
    const io = captureIo();
    expect(await main(['sim', '--help'], io)).toBe(0);
    expect(io.outText()).toMatch(/--peers N/);
    expect(io.outText()).toMatch(/--churn-median/);
  });
});

describe('chordphone sim: end to end through main()', () => {
  it('--peers 50 --duration 2m --json prints exactly one JSON object with the issue\'s keys', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chordphone-sim-'));
    try {
      const io = captureIo();
      const pcap = join(dir, 'sim.pcap');
      expect(await main(['sim', '--peers', '50', '--duration', '2m', '--json', '--stores', '200', '--pcap', pcap, '--sample-peers', '2'], io)).toBe(0);
      const lines = io.outText().trim().split('\n');
      expect(lines).toHaveLength(1);
      const r = JSON.parse(lines[0]!) as Record<string, unknown>;
      for (const k of ['peers', 'seed', 'buildSeconds', 'heapMB', 'hops', 'lookupSuccess', 'fetchAfterStoreSuccess', 'upkeepBytesPerPeerPerSec', 'messages']) expect(r).toHaveProperty(k);
      // 50 peers: reactive recovery by default (chord-topology.ts defaultChordReactive); the build's frames metered.
      expect(r).toMatchObject({ peers: 50, seed: 1, topology: 'chord', chordReactive: true });
      expect((r.buildTraffic as { updatesPerPeer: number }).updatesPerPeer).toBeGreaterThan(0);
      const hops = r.hops as { mean: number; p50: number; p99: number };
      expect(hops.mean).toBeGreaterThan(0);
      expect(hops.p99).toBeGreaterThanOrEqual(hops.p50);
      expect(r.lookupSuccess).toBeGreaterThan(0.99);
      expect(r.fetchAfterStoreSuccess).toBe(1);
      expect(r.upkeepBytesPerPeerPerSec).toBeGreaterThan(0);
      expect(r.messages).toBeGreaterThan(0);
      expect(r.pcap).toMatchObject({ file: pcap });
      expect(decodePcapFile(new Uint8Array(readFileSync(pcap))).records.length).toBe((r.pcap as { packets: number }).packets);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints a human-readable report by default', async () => {
    const io = captureIo();
    expect(await main(['sim', '--peers', '20', '--duration', '1m', '--stores', '40'], io)).toBe(0);
    expect(io.outText()).toMatch(/20 peers, topology: chord/);
    expect(io.outText()).toMatch(/hops +mean/);
    expect(io.outText()).toMatch(/fetch after store +100\.00 %/);
    expect(io.outText()).toMatch(/upkeep traffic/);
  });
});

describe('chordphone sim: the installed command', () => {
  // The bin runs `sim` bundled (bin/bundled-import.mjs), not through tsx: that path is tested here.
  const run = promisify(execFile);

  it('runs the bundled simulator and prints its JSON report', async () => {
    const { stdout } = await run(process.execPath, ['bin/chordphone.mjs', 'sim', '--peers', '12', '--duration', '10s', '--json']);
    const report = JSON.parse(stdout) as { peers: number; fetchAfterStoreSuccess: number; heapMB: number };
    expect(report.peers).toBe(12);
    expect(report.fetchAfterStoreSuccess).toBe(1);
    expect(report.heapMB).toBeGreaterThan(0);
  }, 60_000);

  it('exits with status 2 and the one-line reason on a bad option', async () => {
    const err = await run(process.execPath, ['bin/chordphone.mjs', 'sim', '--peers', 'x']).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr.trim()).toBe('chordphone sim: --peers must be a whole number from 1 to 1000000, not "x"');
  }, 60_000);
});
