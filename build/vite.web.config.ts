/**
 * Vite config of the web build of the renderer: `npm run build:web` writes a
 * static app to `dist/web/` with relative asset paths; the engine runs in a
 * module Web Worker bundled from `engine/host/web/worker.ts`.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The Content-Security-Policy the built page carries: no eval, no inline
 * script, no inline style (React and React Flow set styles through the CSSOM,
 * `element.style`, which CSP does not restrict; test/e2e/csp.e2e.test.ts).
 */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; " +
  "img-src 'self' data: blob:; worker-src 'self' blob:; connect-src 'self'";

/** Cross-origin isolation headers: the engine worker's WebAssembly kernels need shared memory. */
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** Adds the CSP meta tag to the built index.html (not in dev, where HMR injects inline scripts). */
function cspMeta(): Plugin {
  return {
    name: 'autograd-studio-csp',
    apply: 'build',
    transformIndexHtml(html) {
      return html.replace(
        '<meta charset="UTF-8" />',
        `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${CSP}" />`,
      );
    },
  };
}

export default defineConfig({
  root: resolve(repo, 'renderer'),
  base: './',
  plugins: [react(), cspMeta()],
  worker: { format: 'es' },
  build: {
    outDir: resolve(repo, 'dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
  },
  server: { fs: { allow: [repo] }, host: '127.0.0.1', headers: ISOLATION },
  preview: { host: '127.0.0.1', headers: ISOLATION },
});
