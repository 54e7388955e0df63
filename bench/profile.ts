/**
 * Where the time goes in our code: `npx tsx bench/profile.ts` (writes bench/results/profile.json).
 * Builds the app WITHOUT minification (names kept, source maps on) into bench/.build-prof, then in headless Chromium:
 *  1. timing spans around the store calls of db.create / db.createMany (IndexedDB vs everything else);
 *  2. CDP CPU profiles of 300 awaited creates and of one createMany(10,000), by source category and function;
 *  3. connect phases from NodeNetwork.connect's progress messages, then until both UIs show "direct".
 */
import type { BrowserContext, Page } from '@playwright/test';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { closePages, launch, nodeName, openNode, peerIdOf, type Browser, type Site } from './lib/browser.js';
import { runToEnd, start, stopAll, waitForHttp } from './lib/procs.js';
import { RESULTS_DIR } from './lib/results.js';
import { PORTS, ROOT, startRelay } from './lib/site.js';
import { median, round } from './lib/stats.js';
import { summarise, type CpuProfile } from './lib/cpuprofile.js';
import { addUser, type PageNode } from './workloads/common.js';
import { watchDirect } from './workloads/connect.js';

const BUILD = join(ROOT, 'bench', '.build-prof');
const PORT = Number(process.env.BENCH_PROF_PORT ?? 9393);
const bin = (n: string): string => join(ROOT, 'node_modules', '.bin', n);

/** In page: wraps the store so each create's time splits into store reads, the commit transaction, and the rest. */
async function spans(args: { n: number; batch: number; tag: string }): Promise<Record<string, number>> {
  const node = (globalThis as unknown as { __node: PageNode & { db: { store: Record<string, (...a: unknown[]) => Promise<unknown>> } } }).__node;
  const store = node.db.store;
  const acc: Record<string, number> = { commit: 0, getDocs: 0, other_store: 0 };
  const orig: Record<string, (...a: unknown[]) => Promise<unknown>> = {};
  for (const m of ['commit', 'getDocs', 'getDoc', 'hasBlocks', 'getBlocks', 'putMeta']) {
    const f = store[m];
    if (typeof f !== 'function') continue;
    orig[m] = f;
    store[m] = async (...a: unknown[]) => {
      const t = performance.now();
      try { return await f.apply(store, a); } finally {
        const k = m === 'commit' || m === 'getDocs' ? m : 'other_store';
        acc[k] = (acc[k] ?? 0) + performance.now() - t;
      }
    };
  }
  let listeners = 0;
  const off = node.db.on('change', () => { listeners++; });
  const t0 = performance.now();
  try {
    if (args.batch > 1) {
      for (let s = 0; s < args.n; s += args.batch) {
        await node.db.createMany('User', Array.from({ length: Math.min(args.batch, args.n - s) }, (_, j) => ({ name: `p-${args.tag}-${s + j}`, age: j % 90, verified: true, points: j })));
      }
    } else {
      for (let i = 0; i < args.n; i++) await node.db.create('User', { name: `p-${args.tag}-${i}`, age: i % 90, verified: true, points: i });
    }
  } finally {
    for (const [m, f] of Object.entries(orig)) store[m] = f;
    off();
  }
  const total = performance.now() - t0;
  return { total_ms: total, per_doc_ms: total / args.n, commit_ms: acc.commit!, getDocs_ms: acc.getDocs!, other_store_ms: acc.other_store!, outside_store_ms: total - acc.commit! - acc.getDocs! - acc.other_store!, change_events: listeners };
}

/** In page: what a commit's shape costs: 1 store/1 put vs ours (blocks+docs+meta, 3 indexes), 300 awaited tx each. */
async function idbShapes(args: { n: number }): Promise<Record<string, number>> {
  const open = (name: string, indexes: boolean): Promise<IDBDatabase> => new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore('meta');
      const docs = db.createObjectStore('docs', { keyPath: 'id' });
      const blocks = db.createObjectStore('blocks', { keyPath: 'cid' });
      if (indexes) {
        docs.createIndex('collection', 'collection');
        blocks.createIndex('doc', 'doc');
        blocks.createIndex('collection', 'collection');
      }
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const block = (i: number) => ({ cid: `bafy-${i}-${Math.random()}`, collection: 'bafy-col', doc: `bae-${i}`, clock: [Date.now(), i], parents: [], bytes: new Uint8Array(260).fill(i & 255) });
  const doc = (i: number) => ({ id: `bae-${i}-${Math.random()}`, collection: 'bafy-col', heads: ['bafy'], state: { fields: { name: { value: `n${i}`, clock: [1, i] }, age: { value: i, clock: [1, i] }, verified: { value: true, clock: [1, i] }, points: { value: i, clock: [1, i] } }, created: { clock: [1, i] } } });
  const run = async (db: IDBDatabase, stores: string[], durability?: 'strict' | 'relaxed'): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < args.n; i++) {
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction(stores, 'readwrite', durability ? { durability } : undefined);
        if (stores.includes('blocks')) tx.objectStore('blocks').put(block(i));
        if (stores.includes('docs')) tx.objectStore('docs').put(doc(i));
        if (stores.includes('meta')) tx.objectStore('meta').put([Date.now(), i], 'clock');
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
    }
    return (performance.now() - t0) / args.n;
  };
  const withIdx = await open('shape-idx', true);
  const noIdx = await open('shape-noidx', false);
  const out: Record<string, number> = {};
  for (let rep = 0; rep < 2; rep++) {
    out.ms_per_tx_1store_1put = await run(noIdx, ['docs']);
    out.ms_per_tx_ours_3stores_3idx = await run(withIdx, ['blocks', 'docs', 'meta']);
    out.ms_per_tx_3stores_no_idx = await run(noIdx, ['blocks', 'docs', 'meta']);
    out.ms_per_tx_2stores_3idx_no_meta = await run(withIdx, ['blocks', 'docs']);
    out.ms_per_tx_ours_shape_relaxed = await run(withIdx, ['blocks', 'docs', 'meta'], 'relaxed');
    out.ms_per_tx_ours_shape_strict = await run(withIdx, ['blocks', 'docs', 'meta'], 'strict');
  }
  withIdx.close();
  noIdx.close();
  return out;
}

async function cpuProfile(ctx: BrowserContext, page: Page, fn: () => Promise<unknown>): Promise<CpuProfile> {
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  try {
    await fn();
  } finally {
    var { profile } = await cdp.send('Profiler.stop');
    await cdp.detach().catch(() => undefined);
  }
  return profile as unknown as CpuProfile;
}

async function connectPhases(ctx: BrowserContext, site: Site, rounds: number): Promise<unknown> {
  const out: Array<Record<string, number | string>> = [];
  for (let i = 0; i < rounds; i++) {
    const [a, b] = await Promise.all([openNode(ctx, site, nodeName(`pcA${i}`)), openNode(ctx, site, nodeName(`pcB${i}`))]);
    try {
      const [ida, idb] = await Promise.all([peerIdOf(a), peerIdOf(b)]);
      const addr = await a.evaluate(() => (globalThis as unknown as { __node: PageNode }).__node.network.addresses().find((x) => x.includes('/p2p-circuit/webrtc/'))!);
      await a.evaluate(watchDirect, idb);
      await b.evaluate(watchDirect, ida);
      const marks = await b.evaluate(async (addr) => {
        const net = (globalThis as unknown as { __node: { network: { connect(a: string, p: (m: string) => void): Promise<unknown> } } }).__node.network;
        const now = (): number => performance.timeOrigin + performance.now();
        const m: Array<[string, number]> = [['start', now()]];
        await net.connect(addr, (msg) => m.push([msg, now()]));
        m.push(['resolved', now()]);
        return m;
      }, addr);
      const get = (p: Page) => p.waitForFunction(() => (globalThis as unknown as { __direct?: number }).__direct ?? false, undefined, { timeout: 30_000, polling: 20 }).then((h) => h.jsonValue() as Promise<number>);
      const [tA, tB] = await Promise.all([get(a), get(b)]);
      const t0 = marks[0]![1];
      const checked = marks.find(([msg]) => msg.includes('checking'))?.[1] ?? NaN;
      out.push({
        dial_ms: round(checked - t0),
        app_check_ms: round(marks.at(-1)![1] - checked),
        connect_resolved_ms: round(marks.at(-1)![1] - t0),
        ui_direct_B_ms: round(tB - t0),
        ui_direct_A_ms: round(tA - t0),
        attempts: marks.filter(([msg]) => /attempt \d/.test(msg)).length + 1,
        messages: marks.map(([msg, t]) => `${round(t - t0)} ms ${msg}`).join(' | '),
      });
    } finally {
      await closePages([a, b]);
    }
  }
  return out;
}

async function main(): Promise<void> {
  let browser: Browser | undefined;
  const report: Record<string, unknown> = { at: new Date().toISOString() };
  try {
    console.log('building without minification…');
    await runToEnd('vite build (profile)', bin('vite'), ['build', '--outDir', BUILD, '--emptyOutDir', '--minify', 'false', '--logLevel', 'warn'], { cwd: ROOT, timeoutMs: 240_000 });
    const prev = start('vite preview (profile)', bin('vite'), ['preview', '--outDir', BUILD, '--port', String(PORT), '--strictPort'], { cwd: ROOT });
    await Promise.all([waitForHttp(`http://localhost:${PORT}/`, 60_000, prev), startRelay()]);
    const site: Site = { appUrl: `http://localhost:${PORT}`, relayHttpPort: PORTS.relayHttp };
    browser = await launch();
    const ctx = browser.context;
    const page = await openNode(ctx, site, nodeName('prof'), { reservation: false });
    await addUser(page);
    await page.evaluate(spans, { n: 50, batch: 1, tag: 'warm' });
    report.idb_commit_shapes = await page.evaluate(idbShapes, { n: 200 });
    console.log('idb shapes', report.idb_commit_shapes);
    report.spans_create_awaited_300 = await page.evaluate(spans, { n: 300, batch: 1, tag: 's1' });
    report.spans_createMany_10000 = await page.evaluate(spans, { n: 10_000, batch: 10_000, tag: 's2' });
    console.log('spans', report.spans_create_awaited_300, report.spans_createMany_10000);
    const p1 = await cpuProfile(ctx, page, () => page.evaluate(spans, { n: 300, batch: 1, tag: 'c1' }));
    report.cpu_create_awaited_300 = await summarise(p1, BUILD);
    const p2 = await cpuProfile(ctx, page, () => page.evaluate(spans, { n: 10_000, batch: 10_000, tag: 'c2' }));
    report.cpu_createMany_10000 = await summarise(p2, BUILD);
    await closePages([page]);
    report.connect_phases = await connectPhases(ctx, site, 5);
    const ph = report.connect_phases as Array<Record<string, number>>;
    report.connect_phases_median = Object.fromEntries(['dial_ms', 'app_check_ms', 'connect_resolved_ms', 'ui_direct_B_ms', 'ui_direct_A_ms'].map((k) => [k, round(median(ph.map((p) => p[k]!)))]));
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(join(RESULTS_DIR, 'profile.json'), JSON.stringify(report, null, 2));
    for (const k of ['cpu_create_awaited_300', 'cpu_createMany_10000']) {
      const s = report[k] as Awaited<ReturnType<typeof summarise>>;
      console.log(`\n${k} (${s.totalMs} ms sampled)`);
      for (const c of s.byCategory.slice(0, 12)) console.log(`  ${String(c.pct).padStart(5)}%  ${String(c.ms).padStart(8)} ms  ${c.category}`);
      console.log('  top functions (self time):');
      for (const f of s.topFunctions.slice(0, 14)) console.log(`    ${String(f.ms).padStart(8)} ms  ${f.fn}  (${f.source})`);
    }
    console.log('\nconnect phases', report.connect_phases_median);
    for (const p of ph) console.log(`  ${p.messages}  | UI direct B ${p.ui_direct_B_ms} A ${p.ui_direct_A_ms}`);
  } finally {
    await browser?.close();
    await stopAll();
  }
}

await main();
