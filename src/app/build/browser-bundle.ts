/**
 * A real build of the browser app (vite.config.ts, nothing written) for tests that check what the
 * browser loads (issue 5: which packages reach the overlay's chunks), and the modules in chunks.
 *
 * Node-only (build tooling).
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { Rolldown } from 'vite';
import type { BundleLike, ChunkLike } from './bundle-size-report.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Build the app as `vite build` does, in memory; `outDir` only names where it would go. */
export async function buildBrowserBundle(outDir = 'tmp/browser-bundle-unused'): Promise<BundleLike> {
  const result = await build({
    root: ROOT,
    configFile: `${ROOT}vite.config.ts`,
    logLevel: 'silent',
    build: { write: false, sourcemap: false, outDir: `${ROOT}${outDir}` },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const items = outputs.flatMap((o) => o.output);
  return Object.fromEntries(items.map((item) => [item.fileName, item])) as unknown as BundleLike;
}

/** The ids (forward slashes) of the modules bundled in `files` (every chunk when omitted). */
export function bundledModules(bundle: BundleLike, files: readonly string[] = Object.keys(bundle)): string[] {
  return files.flatMap((f) => {
    const chunk = bundle[f];
    return chunk?.type === 'chunk' ? Object.keys((chunk as ChunkLike).modules ?? {}).map((id) => id.replace(/\\/g, '/')) : [];
  });
}
