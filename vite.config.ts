import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// The browser app: root index.html, built to dist/ (served by `chordphone serve`).
export default defineConfig({
  plugins: [react()],
  root: '.',
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
