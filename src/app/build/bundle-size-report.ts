/**
 * Build-time check of issue 7's quality bar "the initial JavaScript ≤ 250 KB gzipped": after
 * `vite build`, sum the gzipped size of the JavaScript a first visit must load before the app runs
 * (each entry chunk plus everything it imports statically, transitively; not the chunks behind
 * dynamic `import()`), print it, and fail the build over the budget.
 *
 * It also emits `sw-precache.js` for the service worker (public/sw.js): the app shell's hashed
 * files (initial JS and its CSS) and a version derived from them, so each build's shell is
 * precached under its own cache name and a new build updates the worker (the browser byte-compares
 * importScripts() files when checking for an update).
 *
 * Node-only (build tooling): node:zlib and node:crypto.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Plugin, ResolvedConfig } from 'vite';

/** The parts of a Rollup/Rolldown output chunk this needs. */
export interface ChunkLike {
  readonly type: 'chunk';
  readonly fileName: string;
  readonly code: string;
  readonly isEntry: boolean;
  readonly imports: readonly string[];
  readonly dynamicImports: readonly string[];
  /** Vite's per-chunk metadata: the CSS files the chunk pulls in. */
  readonly viteMetadata?: { readonly importedCss: ReadonlySet<string> };
  /** The modules bundled in the chunk and the bytes each left in the output. */
  readonly modules?: Readonly<Record<string, { readonly renderedLength: number }>>;
}

export interface AssetLike {
  readonly type: 'asset';
  readonly fileName: string;
  readonly source: string | Uint8Array;
}

export type BundleLike = Readonly<Record<string, ChunkLike | AssetLike>>;

export interface FileSize {
  readonly fileName: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

export interface InitialJavaScript {
  /** Entry chunks and their static imports, each once, entries first. */
  readonly files: readonly FileSize[];
  readonly bytes: number;
  readonly gzipBytes: number;
  /** JS chunks loaded only later (dynamic imports), for the report. */
  readonly lazy: readonly FileSize[];
  /** CSS the initial chunks import. */
  readonly css: readonly string[];
  /** Where the initial bytes come from (raw, before gzip), largest first: npm packages and src/ folders. */
  readonly sources: readonly { readonly name: string; readonly bytes: number }[];
}

/** `react-dom` for …/node_modules/react-dom/cjs/x.js, `src/reload/wire` for …/src/reload/wire/x.ts. */
export function sourceGroup(moduleId: string): string {
  const id = moduleId.replace(/\\/g, '/').replace(/^\0/, '');
  const pkg = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(id);
  if (pkg) return pkg[1]!;
  const src = /(?:^|\/)(src\/[^/]+(?:\/[^/]+)?)\//.exec(id);
  if (src) return src[1]!;
  return id.split('?')[0]!.split('/').slice(-2).join('/');
}

export const DEFAULT_BUDGET_KB = 250;

const utf8 = new TextEncoder();

function sizeOf(fileName: string, code: string): FileSize {
  const raw = utf8.encode(code);
  return { fileName, bytes: raw.length, gzipBytes: gzipSync(raw).length };
}

/** The JS chunks of `bundle` by file name. */
export function chunksOf(bundle: BundleLike): Map<string, ChunkLike> {
  const chunks = new Map<string, ChunkLike>();
  for (const item of Object.values(bundle)) if (item.type === 'chunk') chunks.set(item.fileName, item);
  return chunks;
}

/** The chunks `from` and everything they import statically, transitively, each once, in visiting order (external imports left out). */
export function staticClosure(chunks: ReadonlyMap<string, ChunkLike>, from: readonly string[]): string[] {
  const closure: string[] = [];
  const seen = new Set<string>();
  const visit = (fileName: string) => {
    if (seen.has(fileName)) return;
    seen.add(fileName);
    const chunk = chunks.get(fileName);
    if (!chunk) return; // an external import: not part of this bundle
    closure.push(fileName);
    for (const dep of chunk.imports) visit(dep);
  };
  for (const f of from) visit(f);
  return closure;
}

/** What a first visit loads: entries plus the transitive closure of their static imports. */
export function initialJavaScript(bundle: BundleLike): InitialJavaScript {
  const chunks = chunksOf(bundle);
  const initial = staticClosure(
    chunks,
    [...chunks.values()].filter((c) => c.isEntry).map((c) => c.fileName),
  );
  const seen = new Set(initial);
  const files = initial.map((f) => sizeOf(f, chunks.get(f)!.code));
  const lazy = [...chunks.values()].filter((c) => !seen.has(c.fileName)).map((c) => sizeOf(c.fileName, c.code));
  const css = [...new Set(initial.flatMap((f) => [...(chunks.get(f)!.viteMetadata?.importedCss ?? [])]))];
  const groups = new Map<string, number>();
  for (const f of initial) {
    for (const [id, m] of Object.entries(chunks.get(f)!.modules ?? {})) {
      const name = sourceGroup(id);
      groups.set(name, (groups.get(name) ?? 0) + m.renderedLength);
    }
  }
  const sources = [...groups.entries()].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
  return {
    files,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    gzipBytes: files.reduce((n, f) => n + f.gzipBytes, 0),
    lazy,
    css,
    sources,
  };
}

/** "123.4 KB" (1 KB = 1,000 bytes, as browsers' network panels and Vite print). */
export function formatKb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} KB`;
}

export interface PrecacheList {
  readonly version: string;
  readonly files: readonly string[];
}

/** The service worker's precache list for this build: URLs under `base`, version from their names. */
export function precacheList(initial: InitialJavaScript, base = '/'): PrecacheList {
  const files = [...initial.files.map((f) => f.fileName), ...initial.css].map((f) => `${base}${f}`);
  const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 12);
  return { version, files };
}

/** The importScripts() file sw.js reads. */
export function precacheScript(list: PrecacheList): string {
  return `// Generated by bundle-size-report.ts at build time: the app shell for public/sw.js.\nself.__CHORDPHONE_PRECACHE__ = ${JSON.stringify(list)};\n`;
}

export interface BundleSizeReportOptions {
  /** Fail the build above this many kilobytes (1,000 bytes) of gzipped initial JavaScript; default 250. */
  readonly budgetKb?: number;
  /** File name of the precache script for the service worker; false for none. Default `sw-precache.js`. */
  readonly precacheFile?: string | false;
  /** Where the report goes; default Vite's logger. */
  readonly print?: (line: string) => void;
  /**
   * Over budget: fail the build (default) or only warn (while the views are being split, so other
   * work keeps building).
   */
  readonly onOverBudget?: 'error' | 'warn';
}

export interface BudgetVerdict {
  readonly ok: boolean;
  readonly lines: readonly string[];
}

/** The report's text and whether the budget holds. */
export function judgeBudget(initial: InitialJavaScript, budgetKb: number): BudgetVerdict {
  const ok = initial.gzipBytes <= budgetKb * 1000;
  const lines = [
    `initial JavaScript: ${formatKb(initial.gzipBytes)} gzipped (${formatKb(initial.bytes)} raw) in ${initial.files.length} file(s); budget ${budgetKb} KB gzipped`,
    ...initial.files.map((f) => `  ${f.fileName}  ${formatKb(f.gzipBytes)} gzipped`),
    ...(initial.sources.length > 0 ? [`largest parts (raw): ${initial.sources.slice(0, 8).map((g) => `${g.name} ${formatKb(g.bytes)}`).join(', ')}`] : []),
    ...(initial.lazy.length > 0 ? [`lazy JavaScript (not counted): ${formatKb(initial.lazy.reduce((n, f) => n + f.gzipBytes, 0))} gzipped in ${initial.lazy.length} chunk(s)`] : []),
  ];
  if (!ok) lines.push(`initial JavaScript is over budget by ${formatKb(initial.gzipBytes - budgetKb * 1000)}: split the call and ring views behind import()`);
  return { ok, lines };
}

export function bundleSizeReport(options: BundleSizeReportOptions = {}): Plugin {
  const budgetKb = options.budgetKb ?? DEFAULT_BUDGET_KB;
  const precacheFile = options.precacheFile ?? 'sw-precache.js';
  let config: ResolvedConfig | undefined;
  return {
    name: 'chordphone:bundle-size-report',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    generateBundle: {
      // After Vite's own generateBundle work (preload helpers, CSS), so the code measured is the code written.
      order: 'post',
      handler(_output, bundle) {
        const initial = initialJavaScript(bundle as unknown as BundleLike);
        const verdict = judgeBudget(initial, budgetKb);
        const print = options.print ?? ((line: string) => config?.logger.info(line));
        for (const line of verdict.ok ? verdict.lines : verdict.lines.slice(0, -1)) print(line);
        if (precacheFile) this.emitFile({ type: 'asset', fileName: precacheFile, source: precacheScript(precacheList(initial, config?.base ?? '/')) });
        if (!verdict.ok) {
          const message = verdict.lines[verdict.lines.length - 1]!;
          if (options.onOverBudget === 'warn') (options.print ?? ((line: string) => config?.logger.warn(line)))(`warning: ${message}`);
          else this.error(message);
        }
      },
    },
  };
}
