#!/usr/bin/env node
// Runs a TypeScript entry point bundled by esbuild the way a production build is (no tsx
// `keepNames` helpers wrapping every function), so benchmarks measure the code users run.
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: run-bundled.mjs FILE.ts [args…]');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'chordphone-bundle-'));
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
  // Bare imports resolve from the project, not from the temporary folder.
  nodePaths: [resolve('node_modules')],
  banner: { js: `import { createRequire as __cr } from 'node:module'; const require = __cr(${JSON.stringify(pathToFileURL(resolve(entry)).href)});` },
});
process.argv = [process.argv[0], resolve(entry), ...rest];
try {
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
