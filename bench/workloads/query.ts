/**
 * GraphQL in the browser: mutations awaited one by one (against db.create in the same page, rounds interleaved),
 * and a filtered, ordered, limited query over 10,000 documents.
 */
import type { BrowserContext } from '@playwright/test';
import { closePages, nodeName, openNode, type Site } from '../lib/browser.js';
import { median, quantile, round } from '../lib/stats.js';
import type { Results } from '../lib/results.js';
import { addUser, type PageNode } from './common.js';

export const QUERY_KEYS = ['graphql_create_awaited_per_s', 'graphql_create_baseline_per_s', 'query_filter_10000_ms'];

interface PageClient {
  query(source: string, variables?: Record<string, unknown>): Promise<{ data?: unknown; errors?: Array<{ message: string }> }>;
}

/** In page: N `create_User` mutations, each awaited; returns docs/s. */
async function graphqlCreates(args: { n: number; tag: string }): Promise<number> {
  const client = (globalThis as unknown as { __client: PageClient }).__client;
  const t0 = performance.now();
  for (let i = 0; i < args.n; i++) {
    const r = await client.query(`mutation { create_User(input: {name: "g-${args.tag}-${i}", age: ${i % 90}, verified: ${i % 2 === 0}, points: ${i * 1.5}}) { _docID } }`);
    if (r.errors) throw new Error(r.errors[0]!.message);
  }
  return args.n / ((performance.now() - t0) / 1000);
}

/** In page: N `db.create` calls, each awaited; returns docs/s (the same run's baseline). */
async function apiCreates(args: { n: number; tag: string }): Promise<number> {
  const node = (globalThis as unknown as { __node: PageNode }).__node;
  const t0 = performance.now();
  for (let i = 0; i < args.n; i++) await node.db.create('User', { name: `a-${args.tag}-${i}`, age: i % 90, verified: i % 2 === 0, points: i * 1.5 });
  return args.n / ((performance.now() - t0) / 1000);
}

/** In page: fills Person with 10,000 documents, then times the filter query `samples` times; returns ms each. */
async function filterQuery(args: { samples: number }): Promise<number[]> {
  const w = globalThis as unknown as { __client: PageClient & { addSchema(s: string): Promise<unknown>; createMany(c: string, l: unknown[]): Promise<unknown> } };
  await w.__client.addSchema('type Person { name: String age: Int city: String }');
  await w.__client.createMany('Person', Array.from({ length: 10_000 }, (_, i) => ({ name: `p${i}`, age: (i * 7919) % 100, city: `c${i % 50}` })));
  const source = '{ Person(filter: {age: {_gt: 90}}, order: {age: DESC}, limit: 10) { name age } }';
  const out: number[] = [];
  for (let i = 0; i < args.samples + 2; i++) {
    const t0 = performance.now();
    const r = await w.__client.query(source);
    const ms = performance.now() - t0;
    if (r.errors) throw new Error(r.errors[0]!.message);
    if (i >= 2) out.push(ms); // the first two warm up (JIT, schema, first read of the collection)
  }
  return out;
}

export async function runQuery(ctx: BrowserContext, site: Site, r: Results, o: { n: number; rounds: number; samples: number }): Promise<void> {
  const page = await openNode(ctx, site, nodeName('query'), { reservation: false });
  try {
    await addUser(page);
    await page.evaluate(graphqlCreates, { n: 30, tag: 'w' });
    await page.evaluate(apiCreates, { n: 30, tag: 'w' });
    const gql: number[] = [];
    const api: number[] = [];
    for (let i = 0; i < o.rounds; i++) {
      gql.push(await page.evaluate(graphqlCreates, { n: o.n, tag: `g${i}` }));
      api.push(await page.evaluate(apiCreates, { n: o.n, tag: `a${i}` }));
    }
    r.set('graphql_create_awaited_per_s', round(median(gql)), gql.length, `median of ${gql.length} rounds of ${o.n} create_User mutations, interleaved with db.create rounds`);
    r.set('graphql_create_baseline_per_s', round(median(api)), api.length, `db.create in the same page, rounds interleaved with the mutations`);
    const ms = await page.evaluate(filterQuery, { samples: o.samples });
    r.set('query_filter_10000_ms', round(quantile(ms, 0.5)), ms.length, `p50 of ${ms.length}; filter age > 90, order age DESC, limit 10 over 10,000 Person documents; p95 ${round(quantile(ms, 0.95))} ms`);
  } finally {
    await closePages([page]);
  }
}
