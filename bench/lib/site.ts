/** Builds the app (production), serves it with `vite preview`, and starts the real relay; all on the bench's own ports. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runToEnd, start, waitForHttp, type Managed } from './procs.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
/** The bench's build output (kept apart from dist/, which the e2e tests build into). */
export const BUILD_DIR = join(ROOT, 'bench', '.build');

export const PORTS = {
  app: Number(process.env.BENCH_APP_PORT ?? 9392),
  relay: Number(process.env.BENCH_RELAY_PORT ?? 9390),
  relayHttp: Number(process.env.BENCH_RELAY_HTTP_PORT ?? 9391),
};

const bin = (name: string): string => join(ROOT, 'node_modules', '.bin', name);

export async function build(): Promise<void> {
  await runToEnd('vite build', bin('vite'), ['build', '--outDir', BUILD_DIR, '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT, timeoutMs: 240_000 });
}

export async function startPreview(): Promise<Managed> {
  const p = start('vite preview', bin('vite'), ['preview', '--outDir', BUILD_DIR, '--port', String(PORTS.app), '--strictPort'], { cwd: ROOT });
  await waitForHttp(`http://localhost:${PORTS.app}/`, 60_000, p);
  return p;
}

export async function startRelay(): Promise<Managed & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'p2pdb-bench-relay-'));
  const p = start('relay', bin('tsx'), ['relay/main.ts'], {
    cwd: ROOT,
    env: { RELAY_PORT: String(PORTS.relay), RELAY_HTTP_PORT: String(PORTS.relayHttp), RELAY_DATA_DIR: dataDir },
  });
  await waitForHttp(`http://localhost:${PORTS.relayHttp}/multiaddrs`, 60_000, p);
  const stop = p.stop;
  return { ...p, dataDir, stop: async () => { await stop(); rmSync(dataDir, { recursive: true, force: true }); } };
}
