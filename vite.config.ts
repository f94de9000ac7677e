import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { bundleSizeReport } from './src/app/build/bundle-size-report.js';
import { overlayPreload } from './src/app/build/overlay-preload.js';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// The browser app: root index.html, built to dist/ (served by `chordphone serve`).
export default defineConfig({
  // Prints the gzipped initial JS, fails the build over 250 KB (issue 7), and writes sw-precache.js;
  // index.html names the overlay's chunks for an early, low-priority fetch (issue 5).
  plugins: [react(), bundleSizeReport(), overlayPreload()],
  root: '.',
  resolve: {
    alias: [
      // simple-peer's sources need Node's process, Buffer and stream shims in a browser; its own
      // prebuilt browser bundle carries them (browserify), so the app uses that one.
      { find: /^simple-peer$/, replacement: fileURLToPath(new URL('./node_modules/simple-peer/simplepeer.min.js', import.meta.url)) },
    ],
  },
  publicDir: 'public',
  define: {
    __APP_VERSION__: JSON.stringify(pkg.version),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed files live under dist/assets/; the server gives them a long immutable Cache-Control.
    assetsDir: 'assets',
    // Inline nothing: the Content-Security-Policy allows only same-origin scripts, styles and images
    // (data: images are allowed too, but keeping files separate keeps the policy simple to reason about).
    assetsInlineLimit: 0,
    sourcemap: true,
    target: 'es2022',
  },
});
