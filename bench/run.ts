/**
 * The browser benchmark suite: `npm run bench`.
 *
 * Builds the production app into bench/.build, serves it with `vite preview`, starts the real relay, launches
 * headless Debian Chromium with an on-disk profile, runs each workload group, prints the table and merges the
 * figures into bench/results/latest.json. A failing group records null and its error; the run goes on.
 *
 *   npm run bench                       # everything
 *   npm run bench -- --only=sync,heap   # some groups (storage, query, private, sync, catchup100k, resync, connect, bundle, heap)
 *   npm run bench -- --quick            # fewer repetitions (a smoke run)
 */
import { cpus } from 'node:os';
import { ensureChromium } from '../scripts/chromium.mjs';
import { launch, type Browser, type Site } from './lib/browser.js';
import { stopAll } from './lib/procs.js';
import { BROWSER_ROWS, table } from './lib/targets.js';
import { mergeLatest, Results, LATEST } from './lib/results.js';
import { build, PORTS, startPreview, startRelay, BUILD_DIR } from './lib/site.js';
import { runStorage, STORAGE_KEYS } from './workloads/storage.js';
import { CATCHUP_100K_KEYS, runCatchup100k, runSync, SYNC_KEYS } from './workloads/sync.js';
import { runConnect, CONNECT_KEYS } from './workloads/connect.js';
import { runBundle, BUNDLE_KEYS } from './workloads/bundle.js';
import { runHeap, HEAP_KEYS } from './workloads/heap.js';
import { runQuery, QUERY_KEYS } from './workloads/query.js';
import { runPrivate, PRIVATE_KEYS } from './workloads/private.js';
import { runResync, RESYNC_KEYS } from './workloads/resync.js';

ensureChromium(); // like `npm test`: installs Debian's chromium when missing and possible, or says what to do
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const only = argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const want = (g: string): boolean => !only || only.includes(g);

const started = performance.now();
const log = (msg: string): void => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}`);

async function group(r: Results, name: string, keys: readonly string[], fn: () => Promise<void>): Promise<void> {
  if (!want(name)) return;
  const t0 = performance.now();
  log(`${name}…`);
  try {
    await fn();
  } catch (err) {
    console.error(`  ${name} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    r.fail(keys, err);
  }
  for (const k of keys) if (!(k in r.values)) r.fail([k], new Error(`${name} finished without measuring ${k}`));
  log(`${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function main(): Promise<number> {
  const r = new Results();
  const owned = [STORAGE_KEYS, SYNC_KEYS, CATCHUP_100K_KEYS, RESYNC_KEYS, CONNECT_KEYS, BUNDLE_KEYS, HEAP_KEYS, QUERY_KEYS, PRIVATE_KEYS].flat();
  let browser: Browser | undefined;
  try {
    log(`building the app into ${BUILD_DIR}…`);
    await build();
    log('starting vite preview and the relay…');
    const [preview] = await Promise.all([startPreview(), startRelay()]);
    void preview;
    const site: Site = { appUrl: `http://localhost:${PORTS.app}`, relayHttpPort: PORTS.relayHttp };
    browser = await launch();
    log(`Chromium ${browser.version}, ${cpus().length} cores`);
    const ctx = browser.context;
    await group(r, 'bundle', BUNDLE_KEYS, () => runBundle(ctx, site, r));
    await group(r, 'storage', STORAGE_KEYS, () => runStorage(ctx, site, r, quick
      ? { awaitedN: 100, awaitedRounds: 2, batchN: 10_000, batchRounds: 1 }
      : { awaitedN: 300, awaitedRounds: 5, batchN: 10_000, batchRounds: 3 }));
    await group(r, 'query', QUERY_KEYS, () => runQuery(ctx, site, r, quick ? { n: 100, rounds: 2, samples: 10 } : { n: 300, rounds: 5, samples: 30 }));
    await group(r, 'connect', CONNECT_KEYS, () => runConnect(ctx, site, r, { rounds: quick ? 2 : 7 }));
    await group(r, 'sync', SYNC_KEYS, () => runSync(ctx, site, r, quick
      ? { liveSamples: 60, burstRounds: 1, line5Samples: 20, catchup1000Rounds: 1, catchup10000Rounds: 1, replicatedN: 50, replicatedRounds: 1 }
      : { liveSamples: 300, burstRounds: 3, line5Samples: 60, catchup1000Rounds: 3, catchup10000Rounds: 2, replicatedN: 200, replicatedRounds: 3 }));
    // Several minutes (A writes 100,000 first): left out of --quick unless asked for by name.
    if (!quick || only?.includes('catchup100k')) await group(r, 'catchup100k', CATCHUP_100K_KEYS, () => runCatchup100k(ctx, site, r, { n: 100_000 }));
    await group(r, 'resync', RESYNC_KEYS, () => runResync(r)); // Node peers: bytes on the wire do not depend on the browser
    await group(r, 'private', PRIVATE_KEYS, () => runPrivate(ctx, site, r, quick ? { n: 100, rounds: 2, liveSamples: 60 } : { n: 300, rounds: 5, liveSamples: 300 }));
    await group(r, 'heap', HEAP_KEYS, () => runHeap(ctx, site, r, { rounds: quick ? 1 : 3 }));
    const all = mergeLatest(r, only ? owned.filter((k) => k in r.values) : owned, {
      at: new Date().toISOString(),
      machine: { cores: cpus().length, cpu: cpus()[0]?.model, chromium: browser.version, node: process.version, platform: `${process.platform} ${process.arch}` },
      bench_run_s: Math.round((performance.now() - started) / 100) / 10,
    });
    console.log(`\nBrowser suite (headless Chromium ${browser.version}, ${cpus().length} cores, on-disk profile):\n`);
    console.log(table(BROWSER_ROWS, all));
    console.log(`\nwritten to ${LATEST} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return 0;
  } catch (err) {
    console.error(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    return 1;
  } finally {
    await browser?.close();
    await stopAll();
  }
}

process.exitCode = await main();
