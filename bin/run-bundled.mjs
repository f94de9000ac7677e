#!/usr/bin/env node
// Runs a TypeScript entry point bundled by esbuild the way a production build is (no tsx
// `keepNames` helpers wrapping every function), so benchmarks measure the code users run.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureLargeYoungGeneration } from './young-generation.mjs';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: run-bundled.mjs FILE.ts [args…]');
  process.exit(2);
}
// The benches include the simulator: with the young generation `chordphone sim` runs with.
ensureLargeYoungGeneration();
// Inside the project, so the bundle's bare imports (packages stay external) resolve from node_modules.
const cache = resolve('node_modules/.cache');
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, 'chordphone-bundle-'));
const outfile = join(dir, 'entry.mjs');
await build({
  entryPoints: [resolve(entry)],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});
process.argv = [process.argv[0], resolve(entry), ...rest];
try {
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
