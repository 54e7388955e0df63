#!/usr/bin/env node
// The p2pdb command. Inside this repository it runs the TypeScript sources through tsx (so it is never
// stale); an installed package has no sources and runs the built CLI (dist/lib, built by `npm pack`).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src/cli/main.ts');
let entry;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = source;
} else {
  entry = join(root, 'dist/lib/cli/main.js');
}
const { main } = await import(pathToFileURL(entry).href);
// Exit when the command is done (a stopped node may leave libp2p timers behind; stdout is synchronous on pipes).
process.exit(await main(process.argv.slice(2)));
