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
import { longestBusy, summarise, type CpuProfile } from './lib/cpuprofile.js';
import { addUser, type PageNode } from './workloads/common.js';
import { watchDirect } from './workloads/connect.js';
import { arrivalsOf, bulkCreate, installRecorder, waitMesh } from './workloads/sync.js';
import { connectApi, dialable } from './lib/browser.js';

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

/** In page: raw IndexedDB cost per document for record shapes a catch-up could write, 500 documents a transaction. */
async function packShapes(args: { n: number }): Promise<Record<string, number>> {
  const open = (name: string, up: (db: IDBDatabase) => void): Promise<IDBDatabase> => new Promise((resolve, reject) => {
    const req = indexedDB.open(`${name}-${Date.now()}`, 1);
    req.onupgradeneeded = () => up(req.result);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const rnd = () => Math.random().toString(36).slice(2);
  const docId = (i: number) => `bae-${rnd()}${rnd()}-${i}`;
  const nested = (i: number) => { const id = docId(i); return { id, collection: 'bafy-col', heads: [`bafy${rnd()}${rnd()}`], state: { fields: { name: { value: `n${i}`, clock: [1, i] }, age: { value: i, clock: [1, i] }, verified: { value: true, clock: [1, i] }, points: { value: i, clock: [1, i] } }, created: { clock: [1, i] } }, cids: [`bafy${rnd()}${rnd()}`], inline: [{ clock: [Date.now(), i], parents: [], bytes: new Uint8Array(260).fill(i & 255) }] }; };
  const flat = (i: number) => ({ id: docId(i), collection: 'bafy-col', cids: [`bafy${rnd()}${rnd()}`], body: new Uint8Array(420).fill(i & 255) });
  const out: Record<string, number> = {};
  const per = 500;
  const timeTx = async (db: IDBDatabase, store: string, make: (i: number) => unknown, count: number): Promise<number> => {
    const t0 = performance.now();
    for (let s = 0; s < count; s += per) {
      const recs = Array.from({ length: Math.min(per, count - s) }, (_, j) => make(s + j));
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction([store], 'readwrite');
        const st = tx.objectStore(store);
        for (const r of recs) st.add(r);
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
    }
    return performance.now() - t0;
  };
  const readAll = async (db: IDBDatabase, store: string): Promise<number> => {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction([store], 'readonly');
      let lower: IDBValidKey | undefined;
      const next = (): void => {
        const q = tx.objectStore(store).getAll(lower === undefined ? undefined : IDBKeyRange.lowerBound(lower, true), 1000);
        q.onsuccess = () => { const r = q.result as Array<Record<string, IDBValidKey>>; if (r.length < 1000) return; lower = (r[r.length - 1]!.id ?? r[r.length - 1]!.key)!; next(); };
      };
      next();
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    return performance.now() - t0;
  };
  for (let rep = 0; rep < 2; rep++) {
    const a = await open('shp-nested', (d) => { const s = d.createObjectStore('docs', { keyPath: 'id' }); s.createIndex('collection', 'collection'); s.createIndex('cid', 'cids', { multiEntry: true }); });
    out.nested_add_ms_per_doc = (await timeTx(a, 'docs', nested, args.n)) / args.n;
    out.nested_read_ms_per_doc = (await readAll(a, 'docs')) / args.n;
    a.close();
    const b = await open('shp-flat', (d) => { const s = d.createObjectStore('docs', { keyPath: 'id' }); s.createIndex('collection', 'collection'); s.createIndex('cid', 'cids', { multiEntry: true }); });
    out.flat_add_ms_per_doc = (await timeTx(b, 'docs', flat, args.n)) / args.n;
    out.flat_read_ms_per_doc = (await readAll(b, 'docs')) / args.n;
    b.close();
    const c = await open('shp-noidx', (d) => { d.createObjectStore('docs', { keyPath: 'id' }); });
    out.flat_noidx_add_ms_per_doc = (await timeTx(c, 'docs', flat, args.n)) / args.n;
    c.close();
    for (const size of [100, 500]) {
      const pack = (i: number) => { const ids = Array.from({ length: size }, (_, j) => docId(i * size + j)).sort(); return { collection: 'bafy-col', ids, cids: ids.map(() => `bafy${rnd()}${rnd()}`), docs: ids.map((id, j) => ({ ...nested(i * size + j), id })) }; };
      const variants: Array<[string, (s: IDBObjectStore) => void]> = [
        ['noidx', () => undefined],
        ['cid', (s) => { s.createIndex('cid', 'cids', { multiEntry: true }); }],
        ['cid_id', (s) => { s.createIndex('cid', 'cids', { multiEntry: true }); s.createIndex('id', 'ids', { multiEntry: true }); }],
        ['cid_id_unique', (s) => { s.createIndex('cid', 'cids', { multiEntry: true }); s.createIndex('id', 'ids', { multiEntry: true, unique: true }); }],
      ];
      for (const [name, idx] of variants) {
        const p = await open('shp-pack', (d) => { const s = d.createObjectStore('packs', { autoIncrement: true }); s.createIndex('collection', 'collection'); idx(s); });
        out[`pack${size}_${name}_add_ms_per_doc`] = (await timeTx(p, 'packs', pack, args.n / size)) / args.n;
        p.close();
      }
    }
  }
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

/** In page: the Activity log lines since `since` (ms since the page's time origin), as "t ms: message". */
async function activitySince(since: number): Promise<string[]> {
  const sync = (globalThis as unknown as { __node: { sync: { recentActivity(): Array<{ at: number; message: string }> } } }).__node.sync;
  return sync.recentActivity().filter((e) => e.at - performance.timeOrigin >= since).map((e) => `${Math.round(e.at - performance.timeOrigin - since)} ms: ${e.message.slice(0, 160)}`);
}

/** In page: wraps engine, store, puller and server methods to record when each call starts and ends. */
function installTracer(): void {
  const g = globalThis as unknown as { __node: Record<string, unknown> & { db: Record<string, unknown>; sync: Record<string, unknown> }; __trace?: Array<[string, number, number]> };
  if (g.__trace) return;
  const trace: Array<[string, number, number]> = [];
  g.__trace = trace;
  const wrap = (obj: Record<string, unknown> | undefined, name: string, label: string): void => {
    const f = obj?.[name];
    if (typeof f !== 'function') return;
    obj![name] = function (this: unknown, ...a: unknown[]) {
      const t0 = performance.now();
      const out = (f as (...x: unknown[]) => unknown).apply(this, a);
      if (out && typeof (out as Promise<unknown>).then === 'function') {
        (out as Promise<unknown>).then(() => trace.push([label, t0, performance.now()]), () => trace.push([`${label} (failed)`, t0, performance.now()]));
      } else if (out && typeof (out as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
        const it = out as AsyncGenerator<unknown>;
        return (async function* () {
          let last = t0;
          for await (const x of it) {
            const now = performance.now();
            trace.push([`${label} item`, last, now]);
            last = now;
            yield x;
          }
          trace.push([`${label} end`, t0, performance.now()]);
        })();
      } else trace.push([label, t0, performance.now()]);
      return out;
    };
  };
  const db = g.__node.db;
  for (const m of ['applyBlocks', 'precheckBytes', 'verifyBlocks', 'applyVerifiedBlocks', 'missingInRange', 'collectionHeads', 'digest', 'heads', 'missingBlocks']) wrap(db, m, `db.${m}`);
  const store = db.store as Record<string, unknown> | undefined;
  for (const m of ['commit', 'getDocs', 'docsInRange', 'blocksOfDocRange', 'blocksOfDocs', 'getBlocks', 'hasBlocks', 'listDocs']) wrap(store, m, `store.${m}`);
  const sync = g.__node.sync;
  wrap(sync.network as Record<string, unknown>, 'request', 'net.request');
  wrap(sync.server as Record<string, unknown>, 'answer', 'server.answer');
  wrap(sync.puller as Record<string, unknown>, 'pull', 'puller.pull');
  const mark = (label: string): void => { const t = performance.now(); trace.push([label, t, t]); };
  new PerformanceObserver((list) => { for (const e of list.getEntries()) trace.push([`LONG TASK ${Math.round(e.duration)} ms`, e.startTime, e.startTime + e.duration]); }).observe({ type: 'longtask' });
  (sync.on as (t: string, f: (e: { peer: string; state: string }) => void) => void)('peer', (e) => mark(`sync peer ${e.state}`));
  const libp2p = (g.__node.network as { libp2p: EventTarget }).libp2p;
  for (const ev of ['connection:open', 'connection:close', 'peer:identify']) {
    libp2p.addEventListener(ev, (e) => {
      const d = (e as CustomEvent).detail as { remoteAddr?: { toString(): string }; limits?: unknown; connection?: { remoteAddr: { toString(): string } } };
      const addr = (d.remoteAddr ?? d.connection?.remoteAddr)?.toString() ?? '';
      mark(`libp2p ${ev} ${addr.includes('/webrtc') ? 'webrtc' : addr.includes('p2p-circuit') ? 'relayed' : addr.slice(0, 40)}`);
    });
  }
}

/** In page: the recorded trace since `since`, as lines. */
function traceSince(since: number): string[] {
  const trace = (globalThis as unknown as { __trace: Array<[string, number, number]> }).__trace;
  return trace.filter(([, t0]) => t0 >= since).sort((x, y) => x[1] - y[1]).map(([l, t0, t1]) => `${(t0 - since).toFixed(0).padStart(6)} → ${(t1 - since).toFixed(0).padStart(6)} (${(t1 - t0).toFixed(1)} ms) ${l}`);
}

/** CPU profiles of both tabs while B catches up `n` documents A wrote while they were apart. */
async function catchupProfile(ctx: BrowserContext, site: Site, n: number, shared = 0): Promise<Record<string, unknown>> {
  const [a, b] = await Promise.all([openNode(ctx, site, nodeName('cuA')), openNode(ctx, site, nodeName('cuB'))]);
  try {
    const topic = (await Promise.all([addUser(a), addUser(b)]))[0]!;
    await Promise.all([a.evaluate(installRecorder), b.evaluate(installRecorder)]);
    const common = shared ? await a.evaluate(bulkCreate, { n: shared, tag: 'shared' }) : [];
    await connectApi(b, a);
    await waitMesh(a, b, topic);
    if (common.length) await b.evaluate(arrivalsOf, { ids: common, timeoutMs: 300_000 });
    const [ida, idb] = await Promise.all([peerIdOf(a), peerIdOf(b)]);
    await b.evaluate((id) => (globalThis as unknown as { __node: PageNode }).__node.network.disconnect(id), ida);
    await a.waitForFunction((id) => !(globalThis as unknown as { __node: PageNode }).__node.network.activePeers().some((p) => p.peerId === id), idb, { timeout: 15_000 });
    const ids = await a.evaluate(bulkCreate, { n, tag: `prof${n}` });
    const addr = await dialable(a);
    await Promise.all([a.evaluate(installTracer), b.evaluate(installTracer)]);
    // --hide-ui: neither tab lays out or paints (what the UI costs a catch-up).
    if (process.argv.includes('--hide-ui')) await Promise.all([a, b].map((p) => p.evaluate(() => { document.body.style.display = 'none'; })));
    const sinceB = await b.evaluate(() => performance.now());
    const sinceA = await a.evaluate(() => performance.now());
    let times: { t0: number; connected: number } | undefined;
    let got: Array<number | null> = [];
    const cdpA = await ctx.newCDPSession(a);
    await cdpA.send('Profiler.enable');
    await cdpA.send('Profiler.setSamplingInterval', { interval: 500 });
    await cdpA.send('Profiler.start');
    const profB = await cpuProfile(ctx, b, async () => {
      times = await b.evaluate(async (addr) => {
        const net = (globalThis as unknown as { __node: PageNode }).__node.network;
        const trace = (globalThis as unknown as { __trace: Array<[string, number, number]> }).__trace;
        const t0 = performance.timeOrigin + performance.now();
        const s = performance.now();
        await (net as unknown as { connect(a: string, p: (m: string) => void): Promise<unknown> }).connect(addr, (m) => { const t = performance.now(); trace.push([`connect: ${m.slice(0, 80)}`, t, t]); });
        trace.push(['connect() resolved', s, performance.now()]);
        return { t0, connected: performance.timeOrigin + performance.now() };
      }, addr);
      got = await b.evaluate(arrivalsOf, { ids, timeoutMs: 180_000 });
    });
    const { profile: profA } = await cdpA.send('Profiler.stop');
    await cdpA.detach().catch(() => undefined);
    const arrived = got.filter((t): t is number => t !== null).sort((x, y) => x - y);
    return {
      n,
      missing: got.length - arrived.length,
      connect_ms: round(times!.connected - times!.t0),
      first_doc_after_connect_ms: round(arrived[0]! - times!.connected),
      half_after_connect_ms: round(arrived[Math.floor(arrived.length / 2)]! - times!.connected),
      last_after_connect_ms: round(arrived.at(-1)! - times!.connected),
      activity_B: await b.evaluate(activitySince, sinceB),
      trace_B: await b.evaluate(traceSince, sinceB),
      trace_A: await a.evaluate(traceSince, sinceA),
      cpu_B: await summarise(profB, BUILD),
      longest_busy_B: await longestBusy(profB, BUILD),
      cpu_A: await summarise(profA as unknown as CpuProfile, BUILD),
    };
  } finally {
    await closePages([a, b]);
  }
}

/** In page: records absolute start and end times of the live path's steps (one browser: comparable clocks). */
function installLiveTracer(): void {
  const g = globalThis as unknown as { __node: Record<string, unknown> & { db: Record<string, unknown> & { on(t: string, f: (e: { origin: string }) => void): void }; sync: Record<string, unknown> }; __live?: Array<[string, number, number]> };
  if (g.__live) return;
  const live: Array<[string, number, number]> = [];
  g.__live = live;
  const now = (): number => performance.timeOrigin + performance.now();
  const wrap = (obj: Record<string, unknown> | undefined, name: string, label: string): void => {
    const f = obj?.[name];
    if (typeof f !== 'function') return;
    obj![name] = function (this: unknown, ...a: unknown[]) {
      const t0 = now();
      const out = (f as (...x: unknown[]) => unknown).apply(this, a);
      if (out && typeof (out as Promise<unknown>).then === 'function') (out as Promise<unknown>).then(() => live.push([label, t0, now()]), () => undefined);
      else live.push([label, t0, now()]);
      return out;
    };
  };
  const db = g.__node.db;
  for (const m of ['create', 'update', 'verifyBlocks', 'applyVerifiedBlocks']) wrap(db, m, `db.${m}`);
  wrap(db.store as Record<string, unknown>, 'commit', 'store.commit');
  const sync = g.__node.sync;
  wrap(sync.network as Record<string, unknown>, 'publish', 'net.publish');
  wrap(sync.receiver as Record<string, unknown>, 'receive', 'receiver.receive');
  db.on('outgoing', () => { const t = now(); live.push(['outgoing', t, t]); });
  db.on('change', (e) => { const t = now(); live.push([`change ${e.origin === 'local' ? 'local' : 'remote'}`, t, t]); });
}

/** Live latency by step: A creates `n` documents 30 ms apart; when each step started and ended, relative to the create. */
async function liveProfile(ctx: BrowserContext, site: Site, n: number): Promise<Record<string, unknown>> {
  const [a, b] = await Promise.all([openNode(ctx, site, nodeName('lvA')), openNode(ctx, site, nodeName('lvB'))]);
  try {
    const topic = (await Promise.all([addUser(a), addUser(b)]))[0]!;
    await Promise.all([a.evaluate(installRecorder), b.evaluate(installRecorder)]);
    await connectApi(b, a);
    await waitMesh(a, b, topic);
    await Promise.all([a.evaluate(installLiveTracer), b.evaluate(installLiveTracer)]);
    if (process.argv.includes('--hide-ui')) await Promise.all([a, b].map((p) => p.evaluate(() => { document.body.style.display = 'none'; })));
    // --hide=<selector>: hides parts of the UI only (which part costs the live path).
    const hide = process.argv.find((x) => x.startsWith('--hide='))?.slice('--hide='.length);
    if (hide) await Promise.all([a, b].map((p) => p.evaluate((sel) => { for (const el of document.querySelectorAll<HTMLElement>(sel)) el.style.display = 'none'; }, hide)));
    // A CPU profile of B when asked (--live=N --cpu): the profiler slows the tab and so the steps it times.
    const withCpu = process.argv.includes('--cpu');
    // --replicated: back to back, each create awaited until B holds it (as replicated_awaited_per_s), 'held'
    // marking when A hears it; otherwise creates 30 ms apart.
    const replicated = process.argv.includes('--replicated');
    // --update: A updates one public document instead of creating; --private: one private document shared with B.
    const kind = process.argv.includes('--private') ? 'private' : process.argv.includes('--update') ? 'update' : 'create';
    let target = '';
    if (kind !== 'create') {
      const didB = await b.evaluate(() => (globalThis as unknown as { __client: { info(): { did: string } } }).__client.info().did);
      target = await a.evaluate(async ({ did, kind }) => {
        const c = (globalThis as unknown as { __client: { create(c: string, f: object): Promise<{ id: string }>; createPrivate(c: string, f: object): Promise<{ id: string }>; share(c: string, id: string, did: string, r: string): Promise<unknown> } }).__client;
        if (kind === 'update') return (await c.create('User', { name: 'target', age: 0 })).id;
        const d = await c.createPrivate('User', { name: 'target', age: 0 });
        await c.share('User', d.id, did, 'reader');
        return d.id;
      }, { did: didB, kind });
      await b.waitForFunction(async (id) => (await (globalThis as unknown as { __client: { get(c: string, id: string): Promise<{ fields: { age?: number } } | undefined> } }).__client.get('User', id))?.fields.age === 0, target, { timeout: 15_000, polling: 100 });
    }
    const run = (): Promise<unknown> => a.evaluate(async ({ n, replicated, target }) => {
      const g = globalThis as unknown as { __node: PageNode; __live: Array<[string, number, number]> };
      const db = g.__node.db as PageNode['db'] & { update(c: string, id: string, p: object): Promise<unknown> };
      const channel = new BroadcastChannel('bench-arrivals');
      const held = new Set<string>();
      let wake: (() => void) | undefined;
      channel.onmessage = (m: MessageEvent<string[]>) => {
        const t = performance.timeOrigin + performance.now();
        for (const d of m.data) { held.add(d); g.__live.push(['held', t, t]); }
        wake?.();
      };
      const t0all = performance.now();
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        if (target) {
          await db.update('User', target, { age: i + 1 });
          const rest = 30 - (performance.now() - t0);
          if (rest > 0) await new Promise((r) => setTimeout(r, rest));
          continue;
        }
        const doc = await db.create('User', { name: `lv-${i}`, age: i % 90, verified: true, points: i });
        if (replicated) {
          while (!held.has(doc.id)) await new Promise<void>((r) => { wake = r; setTimeout(r, 100); });
          continue;
        }
        const rest = 30 - (performance.now() - t0);
        if (rest > 0) await new Promise((r) => setTimeout(r, rest));
      }
      channel.close();
      return n / ((performance.now() - t0all) / 1000);
    }, { n, replicated, target });
    let perSecond: unknown;
    if (withCpu) printCpu('receiving tab B during the live run', await summarise(await cpuProfile(ctx, b, async () => { perSecond = await run(); }), BUILD), 30);
    else perSecond = await run();
    await new Promise((r) => setTimeout(r, 500));
    const get = (p: Page): Promise<Array<[string, number, number]>> => p.evaluate(() => (globalThis as unknown as { __live: Array<[string, number, number]> }).__live);
    const [la, lb] = await Promise.all([get(a), get(b)]);
    const starts = la.filter(([l]) => l === 'db.create' || l === 'db.update').map(([, t0]) => t0).sort((x, y) => x - y);
    // Each event is attributed to the latest create started before it.
    const steps = new Map<string, number[]>();
    const add = (label: string, t: number): void => {
      let i = starts.length - 1;
      while (i >= 0 && starts[i]! > t) i--;
      if (i < 0) return;
      const k = label;
      if (!steps.has(k)) steps.set(k, []);
      steps.get(k)!.push(t - starts[i]!);
    };
    for (const [l, t0, t1] of la) { add(`A ${l} start`, t0); if (t1 !== t0) add(`A ${l} end`, t1); }
    for (const [l, t0, t1] of lb) { add(`B ${l} start`, t0); if (t1 !== t0) add(`B ${l} end`, t1); }
    const out: Record<string, string> = {};
    if (replicated) out['replicated awaited'] = `${round(perSecond as number)}/s`;
    // The same page's raw IndexedDB: one put per transaction, as the receiver's commit of one created document.
    out['B raw IndexedDB one-put transaction p50'] = `${round(await b.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const q = indexedDB.open(`rawlive-${Date.now()}`, 1);
        q.onupgradeneeded = () => { const st = q.result.createObjectStore('docs', { keyPath: 'id' }); st.createIndex('collection', 'collection'); st.createIndex('cid', 'cids', { multiEntry: true }); };
        q.onsuccess = () => resolve(q.result);
        q.onerror = () => reject(q.error);
      });
      const lat: number[] = [];
      for (let i = 0; i < 100; i++) {
        const t = performance.now();
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction(['docs'], 'readwrite');
          tx.objectStore('docs').add({ id: `bae-${i}`, collection: 'c', cids: [`bafy${i}`], heads: [`bafy${i}`], state: { fields: { name: { value: `x${i}` } } }, inline: [{ clock: [1, 2], parents: [], bytes: new Uint8Array(260) }] });
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
        lat.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 10));
      }
      db.close();
      return lat.sort((x, y) => x - y)[50]!;
    }), 2)} ms`;
    const rows = [...steps.entries()].map(([k, v]) => [k, median(v), v.length] as const).sort((x, y) => x[1] - y[1]);
    for (const [k, m, c] of rows) out[k] = `${round(m, 2)} ms (n=${c})`;
    return out;
  } finally {
    await closePages([a, b]);
  }
}

/**
 * A line of `n` tabs (the first writes, creates 50 ms apart): when each step started in each tab, relative
 * to the create (`bench/profile.ts --line=5`).
 */
async function lineProfile(ctx: BrowserContext, site: Site, n: number, samples = 60): Promise<Record<string, string>> {
  const pages = await Promise.all(Array.from({ length: n }, (_, i) => openNode(ctx, site, nodeName(`ln${i}`))));
  try {
    const topic = (await Promise.all(pages.map((p) => addUser(p))))[0]!;
    await Promise.all(pages.map((p) => p.evaluate(installRecorder)));
    for (let i = 1; i < n; i++) await connectApi(pages[i]!, pages[i - 1]!);
    for (let i = 1; i < n; i++) await waitMesh(pages[i]!, pages[i - 1]!, topic);
    await Promise.all(pages.map((p) => p.evaluate(installLiveTracer)));
    // --cpu: a CPU profile of the middle tab (receives, forwards, commits).
    const mid = pages[Math.floor(n / 2)]!;
    const run = (): Promise<unknown> => pages[0]!.evaluate(async (n) => {
      const db = (globalThis as unknown as { __node: PageNode }).__node.db;
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await db.create('User', { name: `ln-${i}`, age: i % 90, verified: true, points: i });
        const rest = 50 - (performance.now() - t0);
        if (rest > 0) await new Promise((r) => setTimeout(r, rest));
      }
    }, samples);
    if (process.argv.includes('--cpu')) printCpu(`middle tab ${String.fromCharCode(65 + Math.floor(n / 2))} during the line run`, await summarise(await cpuProfile(ctx, mid, run), BUILD), 40);
    else await run();
    await new Promise((r) => setTimeout(r, 1000));
    const logs = await Promise.all(pages.map((p) => p.evaluate(() => (globalThis as unknown as { __live: Array<[string, number, number]> }).__live)));
    const starts = logs[0]!.filter(([l]) => l === 'db.create').map(([, t0]) => t0).sort((x, y) => x - y);
    const steps = new Map<string, number[]>();
    const add = (label: string, t: number): void => {
      let i = starts.length - 1;
      while (i >= 0 && starts[i]! > t) i--;
      if (i < 0) return;
      if (!steps.has(label)) steps.set(label, []);
      steps.get(label)!.push(t - starts[i]!);
    };
    logs.forEach((log, k) => {
      const tab = String.fromCharCode(65 + k);
      for (const [l, t0, t1] of log) { add(`${tab} ${l} start`, t0); if (t1 !== t0) add(`${tab} ${l} end`, t1); }
    });
    const rows = [...steps.entries()].map(([k, v]) => [k, median(v), v.length] as const).sort((x, y) => x[1] - y[1]);
    return Object.fromEntries(rows.map(([k, m, c]) => [k, `${round(m, 2)} ms (n=${c})`]));
  } finally {
    await closePages(pages);
  }
}

/** In page: the bytes of every block of User, in causal order (as a server sends them). */
async function userBlocks(): Promise<number[][]> {
  const node = (globalThis as unknown as { __node: { db: { collection(n: string): { id: string }; store: { blockCidsOf(c: string): Promise<string[]>; getBlocks(c: string[]): Promise<Array<{ bytes: Uint8Array }>> } } } }).__node;
  const cids = await node.db.store.blockCidsOf(node.db.collection('User').id);
  return (await node.db.store.getBlocks(cids)).map((b) => [...b.bytes]);
}

/** In page: applies blocks in chunks, timing verification and commit apart (and, when asked, overlapped). */
async function applyTimed(args: { blocks: number[][]; chunk: number }): Promise<Record<string, number>> {
  const db = (globalThis as unknown as { __node: { db: { verifyBlocks(i: unknown[]): Promise<{ verified: unknown[]; rejected: unknown[] }>; applyVerifiedBlocks(v: unknown[], o: string, r: unknown[]): Promise<{ applied: unknown[] }> } } }).__node.db;
  const items = args.blocks.map((b) => ({ bytes: Uint8Array.from(b) }));
  let verify = 0;
  let commit = 0;
  let applied = 0;
  const t0 = performance.now();
  for (let i = 0; i < items.length; i += args.chunk) {
    const t1 = performance.now();
    const v = await db.verifyBlocks(items.slice(i, i + args.chunk));
    const t2 = performance.now();
    const r = await db.applyVerifiedBlocks(v.verified, 'remote:bench', v.rejected);
    const t3 = performance.now();
    verify += t2 - t1;
    commit += t3 - t2;
    applied += r.applied.length;
  }
  const total = performance.now() - t0;
  // The same records put again into a fresh database of the same shape, as raw IndexedDB (same page).
  const store = (db as unknown as { store: { blockCidsOf(c: string): Promise<string[]>; getBlocks(c: string[]): Promise<Array<{ doc: string }>>; getDocs(d: string[]): Promise<unknown[]> }; collection(n: string): { id: string } });
  const cids = await store.store.blockCidsOf(store.collection('User').id);
  const blocks = await store.store.getBlocks(cids);
  const docs = await store.store.getDocs([...new Set(blocks.map((b) => b.doc))]);
  // Same layout as the store's (version 2): each document's record holds its block, CIDs in a multi-entry index.
  const raw = await new Promise<IDBDatabase>((resolve, reject) => {
    const q = indexedDB.open(`rawcmp-${Date.now()}`, 1);
    q.onupgradeneeded = () => {
      const d = q.result;
      const docsStore = d.createObjectStore('docs', { keyPath: 'id' });
      docsStore.createIndex('collection', 'collection');
      docsStore.createIndex('cid', 'cids', { multiEntry: true });
      const b = d.createObjectStore('blocks', { keyPath: 'cid' });
      b.createIndex('doc', 'doc');
      b.createIndex('collection', 'collection');
    };
    q.onsuccess = () => resolve(q.result);
    q.onerror = () => reject(q.error);
  });
  const byDoc = new Map(blocks.map((b) => [b.doc, b as unknown as { cid: string; clock: unknown; parents: unknown; bytes: Uint8Array }]));
  const records = (docs as Array<{ id: string }>).map((d) => { const b = byDoc.get(d.id)!; return { ...d, cids: [b.cid], inline: [{ clock: b.clock, parents: b.parents, bytes: b.bytes }] }; });
  const r0 = performance.now();
  for (let i = 0; i < records.length; i += args.chunk) {
    await new Promise<void>((resolve, reject) => {
      const tx = raw.transaction(['docs'], 'readwrite');
      for (const d of records.slice(i, i + args.chunk)) tx.objectStore('docs').add(d);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  }
  const rawMs = performance.now() - r0;
  raw.close();
  return { total_ms: total, verify_ms: verify, commit_ms: commit, applied, per_block_ms: total / items.length, raw_same_records_ms_per_block: rawMs / blocks.length };
}

function printCpu(name: string, s: Awaited<ReturnType<typeof summarise>>, fns = 14): void {
  console.log(`\n${name} (${s.totalMs} ms sampled)`);
  for (const c of s.byCategory.slice(0, 12)) console.log(`  ${String(c.pct).padStart(5)}%  ${String(c.ms).padStart(8)} ms  ${c.category}`);
  console.log('  top functions (self time):');
  for (const f of s.topFunctions.slice(0, fns)) console.log(`    ${String(f.ms).padStart(8)} ms  ${f.fn}  (${f.source})`);
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
    const applyArg = process.argv.find((a) => a.startsWith('--apply='));
    if (applyArg) {
      const n = Number(applyArg.slice('--apply='.length));
      const a = await openNode(ctx, site, nodeName('apA'), { reservation: false });
      const b = await openNode(ctx, site, nodeName('apB'), { reservation: false });
      await Promise.all([addUser(a), addUser(b)]);
      await a.evaluate(bulkCreate, { n, tag: 'ap' });
      const blocks = await a.evaluate(userBlocks);
      await closePages([a]);
      let timed: Record<string, number> | undefined;
      const prof = await cpuProfile(ctx, b, async () => { timed = await b.evaluate(applyTimed, { blocks, chunk: 500 }); });
      console.log(timed);
      printCpu('applying tab', await summarise(prof, BUILD), 30);
      await closePages([b]);
      return;
    }
    const packArg = process.argv.find((a) => a.startsWith('--shapes='));
    if (packArg) {
      const page = await openNode(ctx, site, nodeName('shp'), { reservation: false });
      console.log(await page.evaluate(packShapes, { n: Number(packArg.slice('--shapes='.length)) }));
      await closePages([page]);
      return;
    }
    const lineArg = process.argv.find((a) => a.startsWith('--line='));
    if (lineArg) {
      console.log(await lineProfile(ctx, site, Number(lineArg.slice('--line='.length))));
      return;
    }
    const liveArg = process.argv.find((a) => a.startsWith('--live='));
    if (liveArg) {
      console.log(await liveProfile(ctx, site, Number(liveArg.slice('--live='.length))));
      return;
    }
    const only = process.argv.find((a) => a.startsWith('--catchup='));
    if (only) {
      const n = Number(only.slice('--catchup='.length));
      const sharedArg = process.argv.find((a) => a.startsWith('--shared='));
      const r = await catchupProfile(ctx, site, n, sharedArg ? Number(sharedArg.slice('--shared='.length)) : 0);
      mkdirSync(RESULTS_DIR, { recursive: true });
      writeFileSync(join(RESULTS_DIR, `profile-catchup-${n}.json`), JSON.stringify(r, null, 2));
      const { cpu_A, cpu_B, activity_B, trace_A, trace_B, ...rest } = r as Record<string, unknown> & { cpu_A: Awaited<ReturnType<typeof summarise>>; cpu_B: Awaited<ReturnType<typeof summarise>>; activity_B: string[]; trace_A: string[]; trace_B: string[] };
      console.log(rest);
      for (const l of activity_B.slice(0, 40)) console.log(`  B ${l}`);
      console.log('trace B (the receiver):');
      for (const l of trace_B.slice(0, 80)) console.log(`  ${l}`);
      console.log('trace A (the server):');
      for (const l of trace_A.slice(0, 80)) console.log(`  ${l}`);
      printCpu('receiving tab B', cpu_B, 25);
      console.log('longest busy stretch in B:', JSON.stringify((r as { longest_busy_B?: unknown }).longest_busy_B, null, 1));
      printCpu('serving tab A', cpu_A, 15);
      return;
    }
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
