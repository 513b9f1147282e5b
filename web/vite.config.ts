import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The console's build (`npm run build:web` → web/dist, served by polis at `/`) and dev server (`npm run dev:web`),
 * which proxies the API to a running polis (POLIS_URL, default http://127.0.0.1:8080) so that the browser talks to
 * one origin, as it does in production.
 */
const target = process.env.POLIS_URL ?? 'http://127.0.0.1:8080';
const API_PREFIXES = ['/api', '/apis', '/healthz', '/readyz', '/version', '/openapi.json', '/docs'];

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The initial bundle is budgeted (docs/console.md): charts, topology and the YAML editor load lazily.
    chunkSizeWarningLimit: 1200,
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: false,
    proxy: Object.fromEntries(API_PREFIXES.map((p) => [p, { target, changeOrigin: false }])),
  },
  preview: { host: '127.0.0.1' },
});
