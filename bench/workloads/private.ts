/**
 * Private documents in the browser: creates awaited one by one (against plain creates in the same page,
 * rounds interleaved), and live latency of a private document's updates from its owner to a reader.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { closePages, connectApi, nodeName, openNode, type Site } from '../lib/browser.js';
import { median, quantile, round } from '../lib/stats.js';
import type { Results } from '../lib/results.js';
import { addUser, hasSync, NoSyncError, type PageNode } from './common.js';
import { waitMesh } from './sync.js';

export const PRIVATE_KEYS = ['private_create_awaited_per_s', 'private_create_baseline_per_s', 'private_live_latency_p50_ms'];

interface PrivateClient {
  create(c: string, f: Record<string, unknown>): Promise<{ id: string }>;
  createPrivate(c: string, f: Record<string, unknown>): Promise<{ id: string; heads: string[] }>;
  share(c: string, id: string, did: string, rel: 'reader' | 'writer'): Promise<unknown>;
  update(c: string, id: string, f: Record<string, unknown>): Promise<unknown>;
  get(c: string, id: string): Promise<{ fields: Record<string, unknown> } | undefined>;
  info(): { did: string };
  on(t: 'change', fn: (e: { docs: readonly string[] }) => void): () => void;
}

/** In page: N creates (private or not), each awaited; returns docs/s. */
async function creates(args: { n: number; tag: string; private: boolean }): Promise<number> {
  const c = (globalThis as unknown as { __client: PrivateClient }).__client;
  const t0 = performance.now();
  for (let i = 0; i < args.n; i++) {
    const fields = { name: `${args.tag}-${i}`, age: i % 90, verified: i % 2 === 0, points: i * 1.5 };
    if (args.private) await c.createPrivate('User', fields);
    else await c.create('User', fields);
  }
  return args.n / ((performance.now() - t0) / 1000);
}

interface Seen { times: Map<number, number> }

/** In page (reader): records when each `age` value of one document is first readable here. */
async function watch(args: { doc: string }): Promise<void> {
  const g = globalThis as unknown as { __client: PrivateClient; __seen?: Seen };
  const seen: Seen = { times: new Map() };
  g.__seen = seen;
  g.__client.on('change', (e) => {
    if (!e.docs.includes(args.doc)) return;
    void g.__client.get('User', args.doc).then((d) => {
      const age = d?.fields.age;
      if (typeof age === 'number' && !seen.times.has(age)) seen.times.set(age, performance.timeOrigin + performance.now());
    });
  });
}

/** In page (owner): `n` updates of the document's age, paced; returns [age, send time]. */
async function pacedUpdates(args: { doc: string; n: number; from: number; spacingMs: number }): Promise<Array<[number, number]>> {
  const c = (globalThis as unknown as { __client: PrivateClient }).__client;
  const out: Array<[number, number]> = [];
  for (let i = 0; i < args.n; i++) {
    const age = args.from + i;
    const t0 = performance.now();
    await c.update('User', args.doc, { age });
    out.push([age, performance.timeOrigin + t0]);
    const rest = args.spacingMs - (performance.now() - t0);
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
  }
  return out;
}

/** In page (reader): waits for every age, returns their arrival times (null when missing). */
async function seenTimes(args: { ages: number[]; timeoutMs: number }): Promise<Array<number | null>> {
  const s = (globalThis as unknown as { __seen: Seen }).__seen;
  const deadline = performance.now() + args.timeoutMs;
  while (performance.now() < deadline && !args.ages.every((a) => s.times.has(a))) await new Promise((r) => setTimeout(r, 25));
  return args.ages.map((a) => s.times.get(a) ?? null);
}

export async function runPrivate(ctx: BrowserContext, site: Site, r: Results, o: { n: number; rounds: number; liveSamples: number }): Promise<void> {
  // ---- creates, private against public in the same page
  const page = await openNode(ctx, site, nodeName('private'), { reservation: false });
  try {
    await addUser(page);
    await page.evaluate(creates, { n: 30, tag: 'wp', private: true });
    await page.evaluate(creates, { n: 30, tag: 'wc', private: false });
    const priv: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < o.rounds; i++) {
      priv.push(await page.evaluate(creates, { n: o.n, tag: `p${i}`, private: true }));
      base.push(await page.evaluate(creates, { n: o.n, tag: `c${i}`, private: false }));
    }
    r.set('private_create_awaited_per_s', round(median(priv)), priv.length, `median of ${priv.length} rounds of ${o.n} createPrivate, interleaved with create rounds`);
    r.set('private_create_baseline_per_s', round(median(base)), base.length, 'create in the same page, rounds interleaved with the private ones');
  } finally {
    await closePages([page]);
  }

  // ---- live latency: the owner updates a private document shared with a reader
  const pages = await Promise.all([openNode(ctx, site, nodeName('privA')), openNode(ctx, site, nodeName('privB'))]);
  const [a, b] = pages as [Page, Page];
  try {
    if (!(await hasSync(a))) throw new NoSyncError();
    const topic = (await Promise.all(pages.map((p) => addUser(p))))[0]!;
    await Promise.all(pages.map((p) => p.evaluate(() => (globalThis as unknown as { __node: PageNode }).__node.sync!.subscribe('User'))));
    await connectApi(b, a);
    await waitMesh(a, b, topic);
    const didB = await b.evaluate(() => (globalThis as unknown as { __client: PrivateClient }).__client.info().did);
    const doc = await a.evaluate(async (did) => {
      const c = (globalThis as unknown as { __client: PrivateClient }).__client;
      const d = await c.createPrivate('User', { name: 'latency', age: 0 });
      await c.share('User', d.id, did, 'reader');
      return d.id;
    }, didB);
    await b.evaluate(watch, { doc });
    await b.evaluate(seenTimes, { ages: [0], timeoutMs: 15_000 });
    const warm = await a.evaluate(pacedUpdates, { doc, n: 10, from: 1, spacingMs: 30 });
    await b.evaluate(seenTimes, { ages: warm.map(([age]) => age), timeoutMs: 10_000 });
    const sent = await a.evaluate(pacedUpdates, { doc, n: o.liveSamples, from: 100, spacingMs: 30 });
    const got = await b.evaluate(seenTimes, { ages: sent.map(([age]) => age), timeoutMs: 20_000 });
    const lat: number[] = [];
    sent.forEach(([, t0], i) => { const t = got[i]; if (t !== null && t !== undefined) lat.push(t - t0); });
    const lost = sent.length - lat.length;
    r.set('private_live_latency_p50_ms', round(median(lat), 2), lat.length, `${lat.length} updates of a private document paced 30 ms apart, owner to reader; p99 ${round(quantile(lat, 0.99), 2)} ms${lost ? `; ${lost} values never seen (updates applied together)` : ''}`);
  } finally {
    await closePages(pages);
  }
}
