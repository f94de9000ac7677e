/**
 * Build step (issue 5: page load → joined ≤ 1 s): index.html names the overlay's chunks
 * (overlay-boot.ts and the chunks it imports) with `<link rel="modulepreload" fetchpriority="low">`,
 * so the browser fetches and compiles them while the shell's own script is still arriving and
 * running, and early-boot.ts's `import()` finds them ready. Low priority: the shell's script and
 * styles (issue 7's first paint) go first; the chunks stay out of the initial JavaScript
 * (bundle-size-report.ts) and the service worker's precache.
 */
import type { HtmlTagDescriptor, Plugin } from 'vite';
import { chunksOf, staticClosure, type BundleLike, type ChunkLike } from './bundle-size-report.js';

/** The module whose chunk starts the overlay. */
export const OVERLAY_BOOT_MODULE = 'src/app/overlay-boot.ts';
/**
 * The session's module (the phone, JsSIP, the views): a guest's page runs it once the overlay has
 * joined (overlay-boot.ts sessionCodeDue), so it is fetched meanwhile (`rel="prefetch"`: into the
 * cache, not compiled) and is there when that moment comes.
 */
export const SESSION_BOOT_MODULE = 'src/app/session-boot.tsx';

type FacadeChunk = ChunkLike & { readonly facadeModuleId?: string | null };

/**
 * The files to preload for the chunk of `module` (a path ending): that chunk and everything it
 * imports statically, transitively, except what the entry chunks load anyway. Empty when no chunk has it.
 */
export function overlayPreloadFiles(bundle: BundleLike, module: string = OVERLAY_BOOT_MODULE): string[] {
  const chunks = chunksOf(bundle);
  const start = [...chunks.values()].find((c) => (c as FacadeChunk).facadeModuleId?.replace(/\\/g, '/').endsWith(module));
  if (!start) return [];
  const initial = new Set(
    staticClosure(
      chunks,
      [...chunks.values()].filter((c) => c.isEntry).map((c) => c.fileName),
    ),
  );
  return staticClosure(chunks, [start.fileName]).filter((f) => !initial.has(f));
}

export function overlayPreload(module: string = OVERLAY_BOOT_MODULE): Plugin {
  let base = '/';
  return {
    name: 'chordphone:overlay-preload',
    apply: 'build',
    configResolved(config) {
      base = config.base;
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx): HtmlTagDescriptor[] {
        if (!ctx.bundle) return [];
        const bundle = ctx.bundle as unknown as BundleLike;
        const overlay = overlayPreloadFiles(bundle, module);
        const session = overlayPreloadFiles(bundle, SESSION_BOOT_MODULE).filter((f) => !overlay.includes(f));
        const link = (rel: string, file: string): HtmlTagDescriptor => ({ tag: 'link', attrs: { rel, crossorigin: true, fetchpriority: 'low', href: `${base}${file}` }, injectTo: 'head' });
        return [...overlay.map((f) => link('modulepreload', f)), ...session.map((f) => link('prefetch', f))];
      },
    },
  };
}
