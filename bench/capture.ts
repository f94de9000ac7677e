/**
 * What keeping a `--pcap FILE` up to date costs the process that captures (`npm run bench --
 * capture`). `chordphone serve --pcap` writes the file anew every 2 s (pcap-file-writer.ts); the
 * part of that write that runs on the event loop — where every link's liveness check and every
 * peer's messages wait their turn — is getting the file's bytes. Measured side by side on one
 * full capture (200,000 packets, the capture's limit, of a typical RELOAD message size):
 * - `parts()`: the records as they were encoded when added, handed out without a copy (now);
 * - encoding the whole file again from its records (`encodePcapFile`, what each write did before).
 * Goal: a write's share of the event loop is at most 1 ms at the capture's limit.
 */
import { decodePcapFile, encodePcapFile, PcapWriter } from '../src/reload/wire/pcap/index.js';
import { consume, fmt, opsPerSecond, table, type BenchModule, type BenchOptions } from './bench.js';

const PACKETS = 200_000;
/** Bytes of RELOAD message per packet (an Update or a Fetch answer is ~150-300 B). */
const PAYLOAD = 230;
const GOAL_MS = 1;

function runCapture(options: BenchOptions): { ok: boolean } {
  const writer = new PcapWriter();
  const payload = new Uint8Array(PAYLOAD).fill(7);
  for (let i = 0; i < PACKETS; i++) {
    writer.addUdp({ timestampMs: Date.UTC(2026, 0, 1) + i, src: { ip: '172.16.0.1', port: 6084 }, dst: { ip: '172.16.0.2', port: 6084 }, payload });
  }
  const file = decodePcapFile(writer.toBytes());
  const size = file.records.reduce((n, r) => n + 16 + r.data.length, 24);
  const parts = opsPerSecond(() => consume(writer.parts().length), options);
  const encode = opsPerSecond(() => consume(encodePcapFile(file).length), options);
  const partsMs = 1000 / parts;
  const encodeMs = 1000 / encode;
  const ok = partsMs <= GOAL_MS;
  console.log(
    table(
      ['capture', 'file', 'parts() µs', 'encode whole file ms', 'ratio', 'goal'],
      [[`${fmt(PACKETS)} packets`, `${fmt(size / 1e6, 1)} MB`, fmt(partsMs * 1000, 1), fmt(encodeMs, 1), `${fmt(encodeMs / partsMs)}×`, ok ? `✓ ≤${GOAL_MS} ms` : `✗ >${GOAL_MS} ms`]],
    ),
  );
  console.log('µs, ms: event-loop time to get the bytes of one write of the file (the write itself runs off the event loop).');
  return { ok };
}

export const captureBench: BenchModule = {
  name: 'capture',
  description: `a --pcap write's event-loop cost at the capture's limit: parts() vs encoding the whole file (goal ≤ ${GOAL_MS} ms)`,
  run: runCapture,
};
