// Bundles a TypeScript entry point with esbuild the way a production build is (no tsx `keepNames`
// helpers wrapping every function: under tsx each closure made at run time also gets its own
// `name` property, which cost the simulator ~10 % more heap, 1,620 against 1,470 MB at 10,000
// peers), imports the bundle, hands the module to `use`, and removes the bundle afterwards.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * @template T
 * @param {string} entry the .ts file to bundle
 * @param {(module: Record<string, unknown>) => Promise<T> | T} use
 * @returns {Promise<T>}
 */
export async function withBundled(entry, use) {
  // Inside the project, so the bundle's bare imports (packages stay external) resolve from node_modules.
  const cache = resolve(fileURLToPath(new URL('..', import.meta.url)), 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'chordphone-bundle-'));
  const outfile = join(dir, 'entry.mjs');
  try {
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
    const module = await import(pathToFileURL(outfile).href);
    // Loaded (its source map is inline): the file is not needed while the command runs for minutes.
    rmSync(dir, { recursive: true, force: true });
    return await use(module);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
