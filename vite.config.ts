import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';

const port = Number(process.env.PORT ?? 5173);

export default defineConfig({
  build: {
    target: 'es2022',
    sourcemap: true,
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, 'index.html'),
        // A page that runs the storage conformance suite against real IndexedDB (browser tests only).
        harness: resolve(import.meta.dirname, 'harness.html'),
      },
    },
  },
  server: { port, host: true, strictPort: true },
  preview: { port, host: true, strictPort: true },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
