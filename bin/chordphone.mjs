#!/usr/bin/env node
// The `chordphone` command (package.json "bin"): the TypeScript CLI, through tsx, except `sim`.
import { fileURLToPath } from 'node:url';
import { ensureLargeYoungGeneration } from './young-generation.mjs';

const args = process.argv.slice(2);
const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
if (args[0] === 'sim') {
  // `chordphone sim` runs a whole overlay in this process: a larger young generation, and the code
  // bundled as production code is (bundled-import.mjs), so its figures are those of `npm run bench`.
  ensureLargeYoungGeneration();
  // Imported here: esbuild (a devDependency) is not loaded by the other commands.
  const { withBundled } = await import('./bundled-import.mjs');
  process.exitCode = await withBundled(cli, (m) => m.main(args));
} else {
  // `serve` finds the app's files from its own module's place (import.meta.url): not bundled.
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(args);
}
