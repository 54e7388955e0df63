/** The browser bundle (the app, the example app and the public entries) pulls in no Node-only module. */
import { expect, it } from 'vitest';
import { build, type Plugin } from 'vite';
import { resolve } from 'node:path';
import { packageAliases } from '../../vite.config.js';

const root = resolve(import.meta.dirname, '../..');
/** Modules that exist only for Node: they must never reach a page. */
const NODE_ONLY = [/node_modules\/@libp2p\/tcp\//, /node_modules\/ws\//, /src\/net\/node-libp2p\.ts$/, /src\/net\/node-websocket\.ts$/, /src\/api\/node\.ts$/, /^node:/];

it('bundles the browser entries without @libp2p/tcp, ws or other Node-only modules', async () => {
  const modules = new Set<string>();
  const record: Plugin = { name: 'record-modules', moduleParsed(info) { modules.add(info.id); } };
  await build({
    configFile: false,
    root,
    logLevel: 'silent',
    resolve: { alias: packageAliases },
    plugins: [record],
    build: {
      write: false,
      minify: false,
      target: 'es2022',
      rollupOptions: {
        input: {
          app: resolve(root, 'src/ui/main.tsx'),
          todo: resolve(root, 'examples/todo/main.tsx'),
          api: resolve(root, 'src/api/index.ts'),
          react: resolve(root, 'src/api/react.ts'),
        },
        preserveEntrySignatures: 'strict',
      },
    },
  });
  const ids = [...modules];
  expect(ids.some((id) => id.includes('@libp2p/webrtc'))).toBe(true); // the record is real
  expect(ids.some((id) => id.endsWith('src/api/client.ts'))).toBe(true);
  const offenders = ids.filter((id) => NODE_ONLY.some((re) => re.test(id)));
  expect(offenders).toEqual([]);
}, 180_000);
