/**
 * `chordphone sim`: runs N peers in this process over in-memory links on a virtual clock, with a
 * latency and loss model, churn and a workload of Stores and Fetches, and prints the figures of
 * issue 3 (human-readable, or one JSON object with `--json`). `--pcap FILE` writes the traffic
 * of a sample of peers for Wireshark (`tshark -d udp.port==6084,reload-framing`).
 */
import { writeFile } from 'node:fs/promises';
import { formatDuration, parseDuration } from '../sim/harness/duration.js';
import { runSimulation, type SimulationOptions, type SimulationReport } from '../sim/harness/run-simulation.js';
import { DEFAULT_TOPOLOGY, TOPOLOGIES } from '../sim/harness/topologies.js';
import { parseChordReactive } from '../sim/harness/chord-topology.js';
import { parseOptions, UsageError, type Command } from './command.js';
import type { CliIo } from './main.js';

const USAGE =
  'sim [--peers N] [--seed S] [--duration 10m] [--churn-median 10m|none] [--fail-fraction 0.5] ' +
  '[--latency 20ms] [--loss 0.01] [--stores N] [--value-size BYTES] ' +
  '[--pcap FILE] [--sample-peers K] [--topology chord] [--chord-reactive true|false|auto] [--json] [--progress]';

const OPTIONS = {
  peers: { type: 'string' },
  seed: { type: 'string' },
  duration: { type: 'string' },
  'churn-median': { type: 'string' },
  'fail-fraction': { type: 'string' },
  latency: { type: 'string' },
  loss: { type: 'string' },
  stores: { type: 'string' },
  'value-size': { type: 'string' },
  pcap: { type: 'string' },
  'sample-peers': { type: 'string' },
  topology: { type: 'string' },
  'chord-reactive': { type: 'string' },
  json: { type: 'boolean', default: false },
  progress: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export interface SimCommandOptions {
  readonly simulation: SimulationOptions;
  readonly topology: string;
  readonly json: boolean;
  /** Progress lines on standard error. */
  readonly progress: boolean;
  readonly pcapFile?: string;
}

function integer(name: string, text: string | undefined, dflt: number, min: number, max: number): number {
  if (text === undefined) return dflt;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not "${text}"`);
  return n;
}

function fraction(name: string, text: string | undefined, dflt: number, maxExclusive: boolean): number {
  if (text === undefined) return dflt;
  const n = /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && (maxExclusive ? n < 1 : n <= 1))) throw new UsageError(`--${name} must be a number from 0 to 1${maxExclusive ? ' (1 excluded)' : ''}, not "${text}"`);
  return n;
}

function duration(name: string, text: string | undefined, dflt: number, allowZero: boolean): number {
  if (text === undefined) return dflt;
  const ms = parseDuration(text);
  if (ms === undefined || (!allowZero && ms <= 0)) throw new UsageError(`--${name} must be a ${allowZero ? '' : 'positive '}duration like 250ms, 30s, 10m or 1h, not "${text}"`);
  return ms;
}

/** The options of `chordphone sim` (throws UsageError on bad input). */
export function parseSimArgs(args: readonly string[]): SimCommandOptions | 'help' {
  const values = parseOptions(args, OPTIONS);
  if (values.help) return 'help';
  const topology = values.topology ?? DEFAULT_TOPOLOGY;
  if (!(topology in TOPOLOGIES)) throw new UsageError(`--topology must be one of ${Object.keys(TOPOLOGIES).join(', ')}, not "${topology}"`);
  const churnText = values['churn-median'];
  const churnMedianMs = churnText === undefined || churnText === 'none' || churnText === 'off' ? 0 : duration('churn-median', churnText, 0, true);
  // §11.1 chord-reactive of the simulated overlay; `auto` (default): the topology's choice by N.
  let chordReactive: boolean | undefined;
  try {
    chordReactive = parseChordReactive(values['chord-reactive'] ?? 'auto');
  } catch (e) {
    throw new UsageError(`--chord-reactive ${(e as Error).message}`);
  }
  const pcapFile = values.pcap;
  if (pcapFile === '') throw new UsageError('--pcap needs a file name');
  if (values['sample-peers'] !== undefined && pcapFile === undefined) throw new UsageError('--sample-peers only makes sense with --pcap FILE');
  const simulation: SimulationOptions = {
    peers: integer('peers', values.peers, 100, 1, 1_000_000),
    seed: integer('seed', values.seed, 1, 0, 0xffffffff),
    durationMs: duration('duration', values.duration, 600_000, false),
    churnMedianMs,
    failFraction: fraction('fail-fraction', values['fail-fraction'], 0.5, false),
    latencyMs: duration('latency', values.latency, 20, true),
    loss: fraction('loss', values.loss, 0, true),
    stores: integer('stores', values.stores, 1000, 0, 10_000_000),
    valueSize: integer('value-size', values['value-size'], 64, 0, 60_000),
    ...(chordReactive !== undefined ? { chordReactive } : {}),
    ...(pcapFile !== undefined ? { pcap: { samplePeers: integer('sample-peers', values['sample-peers'], 5, 1, 1_000_000) } } : {}),
  };
  return { simulation, topology, json: values.json ?? false, progress: values.progress ?? false, ...(pcapFile !== undefined ? { pcapFile } : {}) };
}

const pct = (x: number | null) => (x === null ? 'n/a (none issued)' : `${(x * 100).toFixed(2)} %`);
const num = (x: number, digits = 0) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The report for people. */
export function formatSimReport(r: SimulationReport, pcapFile?: string): string {
  const churn = r.churnMedianSeconds === null ? 'no churn' : `churn median session ${formatDuration(r.churnMedianSeconds * 1000)} (${Math.round(r.failFraction * 100)} % abrupt failures)`;
  const errors = Object.entries(r.workload.errors).map(([k, v]) => `${k} ×${v}`).join(', ');
  const lines = [
    `chordphone sim: ${num(r.peers)} peers, topology: ${r.topology}, seed ${r.seed}`,
    `  ${formatDuration(r.durationSeconds * 1000)} of virtual time, ${churn}, latency ${r.latencyMs} ms, loss ${r.loss}${r.chordReactive === null ? '' : `, ${r.chordReactive ? 'reactive' : 'periodic'} recovery`}`,
    `  build              ${r.buildSeconds.toFixed(1)} s wall (${r.buildCpuSeconds.toFixed(1)} s CPU) to build and stabilize, heap ${num(r.heapMB)} MB` +
      (r.buildTraffic ? `; ${num(r.buildTraffic.framesPerPeer)} frames, ${num(r.buildTraffic.updatesPerPeer)} Updates per peer` : ''),
    ...(r.linksPerPeer ? [`  links per peer     mean ${num(r.linksPerPeer.mean, 1)}, p50 ${r.linksPerPeer.p50}, p99 ${r.linksPerPeer.p99}, max ${num(r.linksPerPeer.max)} once built`] : []),
    `  run                ${r.runSeconds.toFixed(1)} s wall`,
    `  hops               mean ${r.hops.mean.toFixed(2)}, p50 ${r.hops.p50}, p99 ${r.hops.p99} (${num(r.hops.count)} lookups)`,
    `  lookups answered   ${pct(r.lookupSuccess)}`,
    `  fetch after store  ${pct(r.fetchAfterStoreSuccess)} (${num(r.workload.fetchesOk)} of ${num(r.workload.fetches)}; ${num(r.workload.storesOk)} of ${num(r.workload.stores)} stores acknowledged)`,
    `  upkeep traffic     ${num(r.upkeepBytesPerPeerPerSec, 1)} bytes/s per peer`,
    `  messages           ${num(r.messages)} sent over links`,
    `  churn              ${num(r.churn.joins)} joins (${r.churn.joinFailures} failed), ${num(r.churn.fails)} failures, ${num(r.churn.leaves)} leaves; ${num(r.churn.meanPeers, 1)} peers on average, ${num(r.churn.peersAtEnd)} at the end`,
  ];
  if (errors) lines.push(`  failures           ${errors}`);
  if (r.pcap && pcapFile) lines.push(`  pcap               ${pcapFile}: ${num(r.pcap.packets)} packets of ${r.pcap.samplePeers} sampled peers${r.pcap.skipped > 0 ? ` (${num(r.pcap.skipped)} left out)` : ''}`);
  return `${lines.join('\n')}\n`;
}

export const simCommand: Command = {
  name: 'sim',
  usage: USAGE,
  summary: 'simulate N peers over in-memory links on a virtual clock (churn, Stores and Fetches) and print hops, success, upkeep traffic',
  async run(args: readonly string[], io: CliIo): Promise<number> {
    let parsed: SimCommandOptions | 'help';
    try {
      parsed = parseSimArgs(args);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      io.err(`chordphone sim: ${e.message}\n`);
      return 2;
    }
    if (parsed === 'help') {
      io.out(`usage: chordphone ${USAGE}\n  durations: 250ms, 30s, 10m, 1h; --churn-median none (default) runs without churn\n`);
      return 0;
    }
    const { simulation, topology, json, pcapFile } = parsed;
    const progress = parsed.progress ? (line: string) => io.err(`${line}\n`) : undefined;
    const factory = TOPOLOGIES[topology]!;
    const { report, pcap } = await runSimulation(factory, { ...simulation, ...(progress ? { progress } : {}) });
    if (pcapFile !== undefined && pcap) await writeFile(pcapFile, pcap);
    const shown = pcapFile !== undefined && report.pcap ? { ...report, pcap: { file: pcapFile, ...report.pcap } } : report;
    io.out(json ? `${JSON.stringify(shown)}\n` : formatSimReport(report, pcapFile));
    return 0;
  },
};
