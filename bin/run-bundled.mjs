#!/usr/bin/env node
// Runs a TypeScript entry point bundled by esbuild the way a production build is (bundled-import.mjs),
// so benchmarks measure the code users run.
import { resolve } from 'node:path';
import { withBundled } from './bundled-import.mjs';
import { ensureLargeYoungGeneration } from './young-generation.mjs';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: run-bundled.mjs FILE.ts [args…]');
  process.exit(2);
}
// The benches include the simulator: with the young generation `chordphone sim` runs with.
ensureLargeYoungGeneration();
process.argv = [process.argv[0], resolve(entry), ...rest];
await withBundled(entry, () => undefined);
