// `npm start`: builds the app, serves it on http://localhost:5173 (or $PORT) on every interface,
// starts the relay alongside when the project has one, and stops everything on Ctrl-C.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { build, preview } from 'vite';

const port = Number(process.env.PORT ?? 5173);
/** Where the app is built (default dist/; tests use another directory so they never touch dist/). */
const outDir = process.env.P2PDB_OUT_DIR ?? 'dist';
/** What the page learns from the server it was loaded from: the relay's address endpoint port. */
const pageConfig = { relayHttpPort: Number(process.env.RELAY_HTTP_PORT ?? 9091) };
const configPlugin = {
  name: 'p2pdb-page-config',
  configurePreviewServer(server) {
    server.middlewares.use('/p2pdb-config.json', (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('cache-control', 'no-store');
      res.end(JSON.stringify(pageConfig));
    });
  },
};
const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts ?? {};

let relay = null;
if (scripts.relay) {
  // Run the relay's command directly (not through npm, which does not pass signals on to it).
  const [cmd, ...args] = scripts.relay.split(' ');
  relay = spawn(`node_modules/.bin/${cmd}`, args, { stdio: 'inherit' });
  relay.on('exit', (code, signal) => {
    if (!stopping) console.error(`relay exited (${signal ?? code}); the app keeps working locally and retries the relay`);
  });
}

console.log('Building the app…');
await build({ logLevel: 'warn', build: { outDir } });
const server = await preview({ preview: { port, host: true, strictPort: true }, build: { outDir }, plugins: [configPlugin], logLevel: 'warn' });
const lan = Object.values(networkInterfaces()).flat().filter((i) => i && i.family === 'IPv4' && !i.internal).map((i) => `http://${i.address}:${port}`);
console.log(`\nP2P DocDB is running: http://localhost:${port}`);
if (lan.length) console.log(`On your LAN: ${lan.join('  ')}`);
console.log('Open it in several tabs (each tab is its own node). Press Ctrl-C to stop.\n');

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  const relayDone = relay && relay.exitCode === null ? new Promise((r) => relay.once('exit', r)) : Promise.resolve();
  relay?.kill('SIGTERM');
  await Promise.race([relayDone, new Promise((r) => setTimeout(r, 5000))]);
  await new Promise((r) => server.httpServer.close(r));
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
