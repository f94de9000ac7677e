/**
 * The overlay's chunks named in index.html for an early, low-priority fetch (overlay-preload.ts):
 * the chunk of overlay-boot.ts and what it imports statically, transitively, minus what the entry
 * chunks load anyway; nothing when there is no such chunk. Checked on a real build by the e2e runs
 * (the page joins with them preloaded) and here on bundle shapes.
 */
import { describe, expect, it } from 'vitest';
import type { BundleLike } from './bundle-size-report.js';
import { overlayPreloadFiles } from './overlay-preload.js';

const chunk = (fileName: string, imports: string[], more: { isEntry?: boolean; facadeModuleId?: string } = {}) => ({
  type: 'chunk' as const,
  fileName,
  code: '',
  isEntry: more.isEntry ?? false,
  imports,
  dynamicImports: [],
  ...(more.facadeModuleId ? { facadeModuleId: more.facadeModuleId } : {}),
});

const bundle: BundleLike = Object.fromEntries(
  [
    chunk('assets/index.js', ['assets/runtime.js'], { isEntry: true, facadeModuleId: '/work/main/index.html' }),
    chunk('assets/runtime.js', []),
    chunk('assets/overlay-boot.js', ['assets/browser-overlay.js', 'assets/runtime.js'], { facadeModuleId: '/work/main/src/app/overlay-boot.ts' }),
    chunk('assets/browser-overlay.js', ['assets/pcap.js', 'assets/runtime.js']),
    chunk('assets/pcap.js', []),
    chunk('assets/session-boot.js', ['assets/browser-overlay.js', 'assets/jssip.js'], { facadeModuleId: '/work/main/src/app/session-boot.tsx' }),
    chunk('assets/jssip.js', []),
    { type: 'asset' as const, fileName: 'assets/index.css', source: '' },
  ].map((c) => [c.fileName, c]),
);

describe('overlayPreloadFiles', () => {
  it('names the overlay chunk and its static imports, not the entry’s nor the session’s', () => {
    expect(overlayPreloadFiles(bundle).sort()).toEqual(['assets/browser-overlay.js', 'assets/overlay-boot.js', 'assets/pcap.js']);
  });

  it('names the session chunk and its own imports for the session module', () => {
    expect(overlayPreloadFiles(bundle, 'src/app/session-boot.tsx').sort()).toEqual(['assets/browser-overlay.js', 'assets/jssip.js', 'assets/pcap.js', 'assets/session-boot.js']);
  });

  it('names nothing when no chunk starts with that module', () => {
    expect(overlayPreloadFiles(bundle, 'src/app/elsewhere.ts')).toEqual([]);
  });
});
