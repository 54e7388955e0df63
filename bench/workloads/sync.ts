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

export const SYNC_KEYS = ['live_latency_p50_ms', 'live_latency_p99_ms', 'burst_1000_ms', 'line5_latency_p50_ms', 'catchup_1000_ms', 'catchup_10000_ms'];

export interface SyncOptions {
  liveSamples: number;
  burstRounds: number;
  line5Samples: number;
  catchup1000Rounds: number;
  catchup10000Rounds: number;
}

interface Bench {
  arrivals: Map<string, number>;
}

/** In page: subscribes to User and records the arrival time of every document a peer sends. */
export async function installRecorder(): Promise<void> {
  const g = globalThis as unknown as { __node: PageNode; __bench?: Bench };
  if (g.__bench) return;
  const bench: Bench = { arrivals: new Map() };
  g.__bench = bench;
  g.__node.db.on('change', (e) => {
    if (e.origin === 'local') return;
    const t = performance.timeOrigin + performance.now();
    for (const d of e.docs) if (!bench.arrivals.has(d)) bench.arrivals.set(d, t);
  });
  await g.__node.sync!.subscribe('User');
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
        for (let i = 0; i < rounds; i++) {
          const ida = await peerIdOf(a);
          const idb = await peerIdOf(b);
          await b.evaluate((id) => (globalThis as unknown as { __node: PageNode }).__node.network.disconnect(id), ida);
          await a.waitForFunction((id) => !(globalThis as unknown as { __node: PageNode }).__node.network.activePeers().some((p) => p.peerId === id), idb, { timeout: 15_000 });
          const ids = await a.evaluate(bulkCreate, { n, tag: `c${n}-${i}` });
          const addr = await dialable(a);
          const times = await b.evaluate(async (addr) => {
            const net = (globalThis as unknown as { __node: PageNode }).__node.network;
            const t0 = performance.timeOrigin + performance.now();
            await net.connect(addr);
            return { t0, connected: performance.timeOrigin + performance.now() };
          }, addr);
          const got = await b.evaluate(arrivalsOf, { ids, timeoutMs: 120_000 });
          const missing = got.filter((t) => t === null).length;
          if (missing) throw new Error(`catch-up of ${n}: ${missing} documents never reached B within 120 s`);
          const last = Math.max(...(got as number[]));
          runs.push(last - times.connected);
          withDial.push(last - times.t0);
        }
        r.set(key, round(median(runs)), runs.length, `from the reconnect (connect() resolved, direct WebRTC up) to the last document stored; counting the dial too: ${round(median(withDial))} ms`);
        r.detail[`${key}_runs`] = runs.map((v) => round(v));
        r.detail[`${key}_with_dial`] = withDial.map((v) => round(v));
      } catch (err) {
        r.fail([key], err);
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
