import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';

/** `p2p-docdb`, `p2p-docdb/react` and `p2p-docdb/node` → their sources (see package.json "exports"). */
export const packageAliases = [
  { find: /^p2p-docdb$/, replacement: resolve(import.meta.dirname, 'src/api/index.ts') },
  { find: /^p2p-docdb\/react$/, replacement: resolve(import.meta.dirname, 'src/api/react.ts') },
  { find: /^p2p-docdb\/node$/, replacement: resolve(import.meta.dirname, 'src/api/node.ts') },
];

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
        // The example app, built from the package's public exports only (tested in Chromium).
        todo: resolve(import.meta.dirname, 'examples/todo/index.html'),
      },
    },
  },
  // The package's own name resolves to its source, so examples import it as an app would.
  resolve: { alias: packageAliases },
  server: { port, host: true, strictPort: true },
  preview: { port, host: true, strictPort: true },
  test: {
    // Slow fault scenarios (test/faults) run in their own stage: `npm run test:faults` (part of `npm test`).
    include: process.env.FAULTS ? ['test/faults/**/*.test.ts'] : ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: process.env.FAULTS ? ['node_modules/**'] : ['node_modules/**', 'test/faults/**'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
