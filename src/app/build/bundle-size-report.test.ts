import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bundleSizeReport, initialJavaScript, judgeBudget, precacheList, precacheScript, sourceGroup, type BundleLike, type ChunkLike } from './bundle-size-report.js';

/** Code that does not compress to nothing: `n` pseudo-random characters. */
function code(seed: number, n: number): string {
  let x = seed;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    s += String.fromCharCode(33 + (x % 90));
  }
  return s;
}

function chunk(fileName: string, init: Partial<ChunkLike> & { size?: number; seed?: number } = {}): ChunkLike {
  return { type: 'chunk', fileName, code: code(init.seed ?? fileName.length, init.size ?? 1000), isEntry: false, imports: [], dynamicImports: [], ...init };
}

const gz = (s: string) => gzipSync(new TextEncoder().encode(s)).length;

// index → react, shared; react → shared (shared counted once); index ⇢ ring (lazy) → shared, ring-only.
const index = chunk('assets/index-a1.js', { isEntry: true, imports: ['assets/react-b2.js', 'assets/shared-c3.js'], dynamicImports: ['assets/ring-d4.js'], seed: 1, viteMetadata: { importedCss: new Set(['assets/index-e5.css']) } });
const react = chunk('assets/react-b2.js', {
  imports: ['assets/shared-c3.js'],
  seed: 2,
  size: 3000,
  modules: { '/w/node_modules/react-dom/cjs/react-dom.js': { renderedLength: 2500 }, '/w/node_modules/react/index.js': { renderedLength: 400 }, '/w/src/app/App.tsx': { renderedLength: 100 } },
});
const shared = chunk('assets/shared-c3.js', { seed: 3 });
const ring = chunk('assets/ring-d4.js', { imports: ['assets/shared-c3.js', 'assets/ring-only-f6.js'], seed: 4, size: 5000, modules: { '/w/src/app/ring/RingView.tsx': { renderedLength: 5000 } } });
const ringOnly = chunk('assets/ring-only-f6.js', { seed: 5 });
const bundle: BundleLike = {
  [index.fileName]: index,
  [react.fileName]: react,
  [shared.fileName]: shared,
  [ring.fileName]: ring,
  [ringOnly.fileName]: ringOnly,
  'assets/index-e5.css': { type: 'asset', fileName: 'assets/index-e5.css', source: 'body{}' },
  'index.html': { type: 'asset', fileName: 'index.html', source: '<!doctype html>' },
};

describe('initialJavaScript', () => {
  const initial = initialJavaScript(bundle);

  it('counts the entry and its static imports transitively, each once, and no lazy chunk', () => {
    expect(initial.files.map((f) => f.fileName)).toEqual(['assets/index-a1.js', 'assets/react-b2.js', 'assets/shared-c3.js']);
    expect(initial.lazy.map((f) => f.fileName).sort()).toEqual(['assets/ring-d4.js', 'assets/ring-only-f6.js']);
  });

  it('sums gzipped sizes of the initial files', () => {
    expect(initial.gzipBytes).toBe(gz(index.code) + gz(react.code) + gz(shared.code));
    expect(initial.bytes).toBe(index.code.length + react.code.length + shared.code.length);
    expect(initial.gzipBytes).toBeLessThan(initial.bytes);
  });

  it('says where the initial bytes come from, by package and src/ folder, lazy modules left out', () => {
    expect(initial.sources).toEqual([
      { name: 'react-dom', bytes: 2500 },
      { name: 'react', bytes: 400 },
      { name: 'src/app', bytes: 100 },
    ]);
    expect(sourceGroup('/x/node_modules/.pnpm/a/node_modules/@scope/pkg/dist/i.js')).toBe('@scope/pkg');
    expect(sourceGroup('C:\\w\\src\\reload\\wire\\codec\\hex.ts')).toBe('src/reload/wire');
  });

  it('collects the CSS of the initial chunks', () => {
    expect(initial.css).toEqual(['assets/index-e5.css']);
  });

  it('ignores imports that are not in the bundle (externals)', () => {
    const lone = chunk('main.js', { isEntry: true, imports: ['https://cdn.example/x.js'] });
    expect(initialJavaScript({ 'main.js': lone }).files.map((f) => f.fileName)).toEqual(['main.js']);
  });
});

describe('judgeBudget', () => {
  const initial = initialJavaScript(bundle);
  it('passes at or under the budget and fails above it, saying by how much', () => {
    const kb = initial.gzipBytes / 1000;
    expect(judgeBudget(initial, kb).ok).toBe(true);
    const over = judgeBudget(initial, kb - 0.5);
    expect(over.ok).toBe(false);
    expect(over.lines.at(-1)).toMatch(/over budget by 0\.5 KB/);
    expect(over.lines[0]).toContain(`initial JavaScript: ${(initial.gzipBytes / 1000).toFixed(1)} KB gzipped`);
  });
});

describe('precache list', () => {
  it('lists the shell files under base and versions them by name', () => {
    const list = precacheList(initialJavaScript(bundle), '/');
    expect(list.files).toEqual(['/assets/index-a1.js', '/assets/react-b2.js', '/assets/shared-c3.js', '/assets/index-e5.css']);
    const renamed = chunk('assets/index-zz.js', { ...index, fileName: 'assets/index-zz.js' });
    const other = precacheList(initialJavaScript({ ...bundle, [index.fileName]: renamed }), '/');
    expect(other.version).not.toBe(list.version);
    expect(precacheScript(list)).toContain(`self.__CHORDPHONE_PRECACHE__ = ${JSON.stringify(list)}`);
  });
});

describe('bundleSizeReport plugin', () => {
  type Hook = { handler: (this: unknown, output: unknown, bundle: unknown) => void };
  const run = (budgetKb: number, onOverBudget?: 'error' | 'warn') => {
    const printed: string[] = [];
    const emitted: { fileName: string; source: string }[] = [];
    const errors: string[] = [];
    const plugin = bundleSizeReport({ budgetKb, print: (l) => printed.push(l), ...(onOverBudget ? { onOverBudget } : {}) });
    const ctx = {
      emitFile: (f: { fileName: string; source: string }) => emitted.push(f),
      error: (m: string) => {
        errors.push(m);
        throw new Error(m);
      },
    };
    let thrown: unknown;
    try {
      (plugin.generateBundle as unknown as Hook).handler.call(ctx, {}, bundle);
    } catch (e) {
      thrown = e;
    }
    return { printed, emitted, errors, thrown };
  };

  it('prints the size and emits the precache script within budget', () => {
    const r = run(250);
    expect(r.thrown).toBeUndefined();
    expect(r.printed[0]).toMatch(/^initial JavaScript: \d+\.\d KB gzipped/);
    expect(r.emitted.map((e) => e.fileName)).toEqual(['sw-precache.js']);
  });

  it('fails the build over budget', () => {
    const r = run(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/over budget/);
  });

  it('only warns over budget when told to', () => {
    const r = run(1, 'warn');
    expect(r.errors).toEqual([]);
    expect(r.thrown).toBeUndefined();
    expect(r.printed.at(-1)).toMatch(/^warning: initial JavaScript is over budget/);
  });
});
