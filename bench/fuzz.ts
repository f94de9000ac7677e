/**
 * `npm run bench:fuzz`: the wire fuzzer of `src/reload/wire/fuzz.test.ts` at 1,000,000 inputs
 * (or the count given as the first argument; the seed as the second). Prints the counts and the
 * throughput; exits 1 on any failure, printing the failing inputs as hex for fuzz-fixtures.ts.
 */
import { checkInput, formatFuzzReport, runFuzz } from '../src/reload/wire/testing/fuzz.js';
import { fromHex } from '../src/reload/wire/codec/hex.js';
import { reloadFuzzTargets } from '../src/reload/wire/testing/fuzz-targets.js';
import { sampleMessages } from '../src/reload/wire/testing/message-samples.js';
import { fmt, table } from './bench.js';

const count = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 0xf022);
if (!Number.isSafeInteger(count) || count <= 0 || !Number.isSafeInteger(seed)) {
  console.error('usage: bench/fuzz.ts [COUNT] [SEED]');
  process.exit(2);
}

const t0 = performance.now();
const targets = reloadFuzzTargets(sampleMessages(seed, { perCase: 3 }), { seed });
const setupMs = performance.now() - t0;
console.log(`corpus (seed ${seed}, ${fmt(setupMs)} ms): ${targets.map((t) => `${t.name} ${t.corpus.length}`).join(', ')}`);

const t1 = performance.now();
const report = runFuzz(targets, { seed, count, now: () => performance.now(), keepFailures: 20 });
const wallMs = performance.now() - t1;

console.log(
  table(
    ['target', 'inputs', 'decoded', 'rejected', 'failures'],
    [...Object.entries(report.byTarget), ['all', report] as const].map(([name, c]) => [name, fmt(c.total), fmt(c.ok), fmt(c.rejected), fmt(c.failures)]),
  ),
);
console.log(formatFuzzReport(report));
console.log(
  `throughput: ${fmt((count * 1000) / wallMs)} inputs/s overall (${fmt(wallMs / 1000, 1)} s wall, mutation included); ` +
    `${fmt((count * 1000) / report.totalMs)} inputs/s in the decoders`,
);
if (report.slowest) {
  // Re-time the slowest input: a pause that does not repeat was GC or JIT, not the input.
  const { target: name, hex, ms } = report.slowest;
  const target = targets.find((t) => t.name === name);
  const bytes = fromHex(hex) ?? new Uint8Array(0);
  let best = Infinity;
  for (let i = 0; target && i < 20; i++) {
    const t = performance.now();
    checkInput(target, bytes);
    best = Math.min(best, performance.now() - t);
  }
  console.log(`slowest input: ${name}, ${bytes.length} bytes, ${ms.toFixed(2)} ms once, ${best.toFixed(3)} ms best of 20 re-runs: ${hex.slice(0, 120)}${hex.length > 120 ? '…' : ''}`);
}
for (const f of report.failureSamples) console.log(`FAILURE ${f.target} [${f.mutations.join(', ')}] ${f.error}\n  ${f.hex}`);
process.exitCode = report.failures === 0 ? 0 : 1;
