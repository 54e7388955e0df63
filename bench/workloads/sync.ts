/**
 * Replication between tabs: live latency, a burst, a five-tab line, and catch-up after a disconnection.
 * Needs `window.__node.sync` (the Sync engine of src/sync); without it every key is null with the reason.
 * Times are `performance.timeOrigin + performance.now()` in each page: one browser, comparable clocks.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { closePages, connectApi, dialable, nodeName, openNode, peerIdOf, type Site } from '../lib/browser.js';
import { median, quantile, round } from '../lib/stats.js';
import type { Results } from '../lib/results.js';
import { addUser, hasSync, NoSyncError, type PageNode } from './common.js';
import { heapMb } from './heap.js';

export const SYNC_KEYS = [
  'live_latency_p50_ms', 'live_latency_p99_ms', 'replicated_awaited_per_s', 'burst_1000_ms', 'line5_latency_p50_ms',
  'catchup_1000_ms', 'catchup_10000_ms', 'catchup_10000_longest_task_ms',
];
export const CATCHUP_100K_KEYS = ['catchup_100000_ms', 'heap_mb_100000_docs'];

export interface SyncOptions {
  liveSamples: number;
  burstRounds: number;
  line5Samples: number;
  catchup1000Rounds: number;
  catchup10000Rounds: number;
  replicatedN: number;
  replicatedRounds: number;
}

interface Bench {
  arrivals: Map<string, number>;
  /** Tells the other pages of the browser (same origin) what arrived here, for writers that await it. */
  channel: BroadcastChannel;
}

/** In page: subscribes to User and records the arrival time of every document a peer sends. */
export async function installRecorder(): Promise<void> {
  const g = globalThis as unknown as { __node: PageNode; __bench?: Bench };
  if (g.__bench) return;
  const bench: Bench = { arrivals: new Map(), channel: new BroadcastChannel('bench-arrivals') };
  g.__bench = bench;
  g.__node.db.on('change', (e) => {
    if (e.origin === 'local') return;
    const t = performance.timeOrigin + performance.now();
    for (const d of e.docs) if (!bench.arrivals.has(d)) bench.arrivals.set(d, t);
    bench.channel.postMessage(e.docs);
  });
  await g.__node.sync!.subscribe('User');
}

/**
 * In page (the writer): creates a document, waits until another page reports holding it (through the
 * recorder's BroadcastChannel), then the next; returns documents per second.
 */
async function replicatedAwaited(args: { n: number; tag: string }): Promise<number> {
  const db = (globalThis as unknown as { __node: PageNode }).__node.db;
  const channel = new BroadcastChannel('bench-arrivals');
  const held = new Set<string>();
  let wake: (() => void) | undefined;
  channel.onmessage = (m: MessageEvent<string[]>) => { for (const d of m.data) held.add(d); wake?.(); };
  try {
    const t0 = performance.now();
    for (let i = 0; i < args.n; i++) {
      const doc = await db.create('User', { name: `ra-${args.tag}-${i}`, age: i % 90, verified: true, points: i });
      const deadline = performance.now() + 10_000;
      while (!held.has(doc.id)) {
        if (performance.now() > deadline) throw new Error(`document ${i} never reached the other tab`);
        await new Promise<void>((r) => { wake = r; setTimeout(r, 100); });
      }
    }
    return args.n / ((performance.now() - t0) / 1000);
  } finally {
    channel.close();
  }
}

/**
 * In page: watches the main thread until `stop()` is called through `globalThis.__longest`: long tasks from a
 * PerformanceObserver (Chromium reports those of 50 ms or more), and the longest gap of a 0 ms timer loop,
 * which sees shorter ones too.
 */
function watchLongTasks(): void {
  const g = globalThis as unknown as { __longest?: { stop(): { longtask: number; gap: number } } };
  let longtask = 0;
  let gap = 0;
  let last = performance.now();
  let on = true;
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) longtask = Math.max(longtask, e.duration); });
  obs.observe({ type: 'longtask', buffered: false });
  const tick = (): void => {
    if (!on) return;
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
    setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  g.__longest = { stop: () => { on = false; obs.disconnect(); return { longtask, gap }; } };
}

/** In page: waits until every id has arrived (or the timeout); returns arrival times (null where missing). */
export async function arrivalsOf(args: { ids: string[]; timeoutMs: number }): Promise<Array<number | null>> {
  const b = (globalThis as unknown as { __bench: Bench }).__bench;
  const deadline = performance.now() + args.timeoutMs;
  while (performance.now() < deadline && !args.ids.every((id) => b.arrivals.has(id))) await new Promise((r) => setTimeout(r, 25));
  return args.ids.map((id) => b.arrivals.get(id) ?? null);
}

/** In page: paced creates, one every `spacingMs`; returns [docId, start time] pairs. */
async function pacedCreates(args: { n: number; spacingMs: number; tag: string }): Promise<Array<[string, number]>> {
  const db = (globalThis as unknown as { __node: PageNode }).__node.db;
  const out: Array<[string, number]> = [];
  for (let i = 0; i < args.n; i++) {
    const t0 = performance.now();
    const doc = await db.create('User', { name: `live-${args.tag}-${i}`, age: i % 90, verified: i % 2 === 0, points: i * 0.5 });
    out.push([doc.id, performance.timeOrigin + t0]);
    const rest = args.spacingMs - (performance.now() - t0);
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
  }
  return out;
}

/** In page: N creates fired at once (no awaiting in between); returns the start time and the ids. */
async function burstCreates(args: { n: number; tag: string }): Promise<{ t0: number; ids: string[]; localMs: number }> {
  const db = (globalThis as unknown as { __node: PageNode }).__node.db;
  const t0 = performance.now();
  const docs = await Promise.all(Array.from({ length: args.n }, (_, i) => db.create('User', { name: `burst-${args.tag}-${i}`, age: i % 90, verified: true, points: i })));
  return { t0: performance.timeOrigin + t0, ids: docs.map((d) => d.id), localMs: performance.now() - t0 };
}

/** In page: N documents created in chunks with createMany (catch-up set-up); returns their ids. */
export async function bulkCreate(args: { n: number; tag: string }): Promise<string[]> {
  const db = (globalThis as unknown as { __node: PageNode }).__node.db;
  const ids: string[] = [];
  for (let s = 0; s < args.n; s += 1000) {
    const list = Array.from({ length: Math.min(1000, args.n - s) }, (_, j) => ({ name: `cu-${args.tag}-${s + j}`, age: (s + j) % 90, verified: false, points: s + j }));
    for (const d of await db.createMany('User', list)) ids.push(d.id);
  }
  return ids;
}

/** Waits until each page has the other in its gossip mesh for the topic. */
export async function waitMesh(a: Page, b: Page, topic: string, timeoutMs = 15_000): Promise<void> {
  const [ida, idb] = await Promise.all([peerIdOf(a), peerIdOf(b)]);
  const inMesh = (p: Page, other: string) => p.waitForFunction(({ topic, other }) => {
    const ps = (globalThis as unknown as { __node: PageNode }).__node.network.libp2p.services.pubsub;
    return ps.getMeshPeers(topic).includes(other);
  }, { topic, other }, { timeout: timeoutMs, polling: 50 });
  await Promise.all([inMesh(a, idb), inMesh(b, ida)]);
}

async function openSyncNodes(ctx: BrowserContext, site: Site, n: number, prefix: string): Promise<{ pages: Page[]; topic: string }> {
  const pages = await Promise.all(Array.from({ length: n }, (_, i) => openNode(ctx, site, nodeName(`${prefix}${i}`))));
  if (!(await hasSync(pages[0]!))) {
    await closePages(pages);
    throw new NoSyncError();
  }
  const topics = await Promise.all(pages.map((p) => addUser(p)));
  await Promise.all(pages.map((p) => p.evaluate(installRecorder)));
  return { pages, topic: topics[0]! };
}

function latencies(sent: Array<[string, number]>, got: Array<number | null>): { lat: number[]; lost: number } {
  const lat: number[] = [];
  let lost = 0;
  sent.forEach(([, t0], i) => {
    const t = got[i];
    if (t === null || t === undefined) lost++;
    else lat.push(t - t0);
  });
  return { lat, lost };
}

export async function runSync(ctx: BrowserContext, site: Site, r: Results, o: SyncOptions): Promise<void> {
  // ---- a pair: live latency, burst, catch-up
  const { pages, topic } = await openSyncNodes(ctx, site, 2, 'pair');
  const [a, b] = pages as [Page, Page];
  try {
    await connectApi(b, a);
    await waitMesh(a, b, topic);
    try {
      // Warm-up: a few documents, not counted.
      const warm = await a.evaluate(pacedCreates, { n: 10, spacingMs: 30, tag: 'warm' });
      await b.evaluate(arrivalsOf, { ids: warm.map(([id]) => id), timeoutMs: 10_000 });
      const sent = await a.evaluate(pacedCreates, { n: o.liveSamples, spacingMs: 30, tag: 'live' });
      const got = await b.evaluate(arrivalsOf, { ids: sent.map(([id]) => id), timeoutMs: 20_000 });
      const { lat, lost } = latencies(sent, got);
      const note = `${lat.length} creates paced 30 ms apart${lost ? `; ${lost} never arrived` : ''}`;
      r.set('live_latency_p50_ms', round(median(lat), 2), lat.length, note);
      r.set('live_latency_p99_ms', round(quantile(lat, 0.99), 2), lat.length, note);
      r.detail.live_latency = { p90: round(quantile(lat, 0.9), 2), max: round(Math.max(...lat), 2), min: round(Math.min(...lat), 2), lost };
    } catch (err) {
      r.fail(['live_latency_p50_ms', 'live_latency_p99_ms'], err);
    }

    try {
      const rounds: number[] = [];
      for (let i = 0; i < o.replicatedRounds; i++) rounds.push(await a.evaluate(replicatedAwaited, { n: o.replicatedN, tag: `r${i}` }));
      r.set('replicated_awaited_per_s', round(median(rounds)), rounds.length, `A creates one document, waits until B holds it (B's change event, told through a BroadcastChannel), then the next; median of ${rounds.length} rounds of ${o.replicatedN}`);
      r.detail.replicated_awaited_rounds = rounds.map((v) => round(v));
    } catch (err) {
      r.fail(['replicated_awaited_per_s'], err);
    }

    try {
      const runs: number[] = [];
      const local: number[] = [];
      for (let i = 0; i < o.burstRounds; i++) {
        const burst = await a.evaluate(burstCreates, { n: 1000, tag: `b${i}` });
        const got = await b.evaluate(arrivalsOf, { ids: burst.ids, timeoutMs: 60_000 });
        const missing = got.filter((t) => t === null).length;
        if (missing) throw new Error(`burst ${i}: ${missing} of 1000 documents never reached B within 60 s`);
        runs.push(Math.max(...(got as number[])) - burst.t0);
        local.push(burst.localMs);
      }
      r.set('burst_1000_ms', round(median(runs)), runs.length, `1000 db.create calls fired without awaiting each (A's own writes took a median ${round(median(local))} ms)`);
      r.detail.burst_1000_runs = runs.map((v) => round(v));
    } catch (err) {
      r.fail(['burst_1000_ms'], err);
    }

    for (const [n, rounds, key] of [[1000, o.catchup1000Rounds, 'catchup_1000_ms'], [10_000, o.catchup10000Rounds, 'catchup_10000_ms']] as const) {
      try {
        const runs: number[] = [];
        const withDial: number[] = [];
        const longest: Array<{ longtask: number; gap: number }> = [];
        for (let i = 0; i < rounds; i++) {
          const ida = await peerIdOf(a);
          const idb = await peerIdOf(b);
          await b.evaluate((id) => (globalThis as unknown as { __node: PageNode }).__node.network.disconnect(id), ida);
          await a.waitForFunction((id) => !(globalThis as unknown as { __node: PageNode }).__node.network.activePeers().some((p) => p.peerId === id), idb, { timeout: 15_000 });
          const ids = await a.evaluate(bulkCreate, { n, tag: `c${n}-${i}` });
          const addr = await dialable(a);
          if (n === 10_000) await b.evaluate(watchLongTasks);
          const times = await b.evaluate(async (addr) => {
            const net = (globalThis as unknown as { __node: PageNode }).__node.network;
            const t0 = performance.timeOrigin + performance.now();
            await net.connect(addr);
            return { t0, connected: performance.timeOrigin + performance.now() };
          }, addr);
          const got = await b.evaluate(arrivalsOf, { ids, timeoutMs: 120_000 });
          if (n === 10_000) longest.push(await b.evaluate(() => (globalThis as unknown as { __longest: { stop(): { longtask: number; gap: number } } }).__longest.stop()));
          const missing = got.filter((t) => t === null).length;
          if (missing) throw new Error(`catch-up of ${n}: ${missing} documents never reached B within 120 s`);
          const last = Math.max(...(got as number[]));
          runs.push(last - times.connected);
          withDial.push(last - times.t0);
        }
        r.set(key, round(median(runs)), runs.length, `from the reconnect (connect() resolved, direct WebRTC up) to the last document stored; counting the dial too: ${round(median(withDial))} ms`);
        r.detail[`${key}_runs`] = runs.map((v) => round(v));
        r.detail[`${key}_with_dial`] = withDial.map((v) => round(v));
        if (longest.length) {
          // Chromium reports long tasks of 50 ms or more only: a round without any counts as 50 (an upper bound).
          const worst = longest.map((l) => Math.max(50, l.longtask));
          r.set('catchup_10000_longest_task_ms', round(Math.max(...worst)), worst.length, `B's longest main-thread task during the catch-up of 10,000 (from connect until the last document is stored), from a PerformanceObserver of 'longtask' entries (Chromium reports those of 50 ms or more; none seen counts as 50); the worst of ${worst.length} round(s): ${longest.map((l) => round(l.longtask)).join(', ')} ms. Not a task: the longest wait of a 0 ms timer loop meanwhile, ${longest.map((l) => round(l.gap)).join(', ')} ms (tasks queued back to back)`);
        }
      } catch (err) {
        r.fail(n === 10_000 ? [key, 'catchup_10000_longest_task_ms'] : [key], err);
      }
    }
  } finally {
    await closePages(pages);
  }

  // ---- a line of five
  try {
    const { pages: line, topic: t5 } = await openSyncNodes(ctx, site, 5, 'line');
    try {
      for (let i = 1; i < 5; i++) await connectApi(line[i]!, line[i - 1]!);
      for (let i = 1; i < 5; i++) await waitMesh(line[i]!, line[i - 1]!, t5);
      const [first, last] = [line[0]!, line[4]!];
      const warm = await first.evaluate(pacedCreates, { n: 5, spacingMs: 50, tag: 'lwarm' });
      await last.evaluate(arrivalsOf, { ids: warm.map(([id]) => id), timeoutMs: 15_000 });
      const sent = await first.evaluate(pacedCreates, { n: o.line5Samples, spacingMs: 50, tag: 'line' });
      const got = await last.evaluate(arrivalsOf, { ids: sent.map(([id]) => id), timeoutMs: 30_000 });
      const { lat, lost } = latencies(sent, got);
      r.set('line5_latency_p50_ms', round(median(lat), 2), lat.length, `A→E over 4 hops, creates paced 50 ms apart${lost ? `; ${lost} never arrived` : ''}`);
      r.detail.line5 = { p90: round(quantile(lat, 0.9), 2), max: round(Math.max(...lat), 2), lost };
    } finally {
      await closePages(line);
    }
  } catch (err) {
    r.fail(['line5_latency_p50_ms'], err);
  }
}

/**
 * A fresh tab catches up 100,000 documents from another (both on disk, one browser): `catchup_100000_ms` from
 * the connect resolving to the last document stored, then `heap_mb_100000_docs`, the receiving tab's JS heap
 * after forced garbage collection, holding them.
 */
export async function runCatchup100k(ctx: BrowserContext, site: Site, r: Results, o: { n: number }): Promise<void> {
  const { pages } = await openSyncNodes(ctx, site, 2, 'big');
  const [a, b] = pages as [Page, Page];
  try {
    const t0 = performance.now();
    const ids = await a.evaluate(bulkCreate, { n: o.n, tag: 'big' });
    const created = performance.now() - t0;
    const addr = await dialable(a);
    const times = await b.evaluate(async (addr) => {
      const net = (globalThis as unknown as { __node: PageNode }).__node.network;
      const t = performance.timeOrigin + performance.now();
      await net.connect(addr);
      return { t0: t, connected: performance.timeOrigin + performance.now() };
    }, addr);
    const got = await b.evaluate(arrivalsOf, { ids, timeoutMs: 900_000 });
    const missing = got.filter((t) => t === null).length;
    if (missing) throw new Error(`catch-up of ${o.n}: ${missing} documents never reached B within 15 min`);
    const last = Math.max(...(got as number[]));
    const sorted = (got as number[]).map((t) => t - times.connected).sort((x, y) => x - y);
    r.set('catchup_100000_ms', round(last - times.connected), 1, `a fresh tab B connects to A holding ${o.n.toLocaleString('en-US')} documents (A created them in ${round(created / 1000)} s with createMany of 1,000); from connect() resolved to the last stored; half were stored after ${round(sorted[Math.floor(sorted.length / 2)]!)} ms`);
    const heap = await heapMb(ctx, b);
    r.set('heap_mb_100000_docs', round(heap), 1, `B's JS heap after the catch-up of ${o.n.toLocaleString('en-US')} documents and a forced GC (the app open, User not opened in the UI)`);
  } finally {
    await closePages(pages);
  }
}
