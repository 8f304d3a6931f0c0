// Build of the delta benchmark harness (tests/bench/dashboard.ts): its own output folder, never dist/client,
// which the product and the browser tests serve.
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const HARNESS_OUT_DIR = path.join(tmpdir(), 'opsmap-bench-harness');

export default defineConfig({
  root: HERE,
  base: './',
  logLevel: 'warn',
  build: { outDir: HARNESS_OUT_DIR, emptyOutDir: true, chunkSizeWarningLimit: 5000 },
});
