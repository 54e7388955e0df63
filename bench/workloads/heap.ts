/**
 * heap_mb_10000_docs: a tab whose node holds 10,000 User documents, reloaded, with the collection open in the UI
 * (count shown, first page of rows rendered). Forced GC through CDP HeapProfiler.collectGarbage, then
 * Performance.getMetrics JSHeapUsedSize. Each round reloads the same node. An empty node is measured as detail.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { closePages, nodeName, openNode, type Site } from '../lib/browser.js';
import { median, round } from '../lib/stats.js';
import type { Results } from '../lib/results.js';
import { addUser, type PageNode } from './common.js';

export const HEAP_KEYS = ['heap_mb_10000_docs'];

/** The page's JS heap after two forced collections, in MB. */
export async function heapMb(ctx: BrowserContext, page: Page): Promise<number> {
  const cdp = await ctx.newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.enable');
    for (let i = 0; i < 2; i++) await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value;
    if (used === undefined) throw new Error('no JSHeapUsedSize metric');
    return used / (1024 * 1024);
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

async function openCollection(page: Page, count: number): Promise<void> {
  await page.getByRole('list', { name: 'Collections' }).getByRole('button', { name: 'User', exact: true }).click();
  await page.getByText(`${count} documents`, { exact: true }).waitFor({ timeout: 60_000 });
  await page.getByRole('table', { name: 'User documents' }).getByRole('row').nth(2).waitFor({ timeout: 30_000 });
}

export async function runHeap(ctx: BrowserContext, site: Site, r: Results, o: { rounds: number }): Promise<void> {
  const name = nodeName('heap');
  const page = await openNode(ctx, site, name, { reservation: false });
  try {
    await addUser(page);
    const empty = await heapMb(ctx, page);
    await page.evaluate(async () => {
      const db = (globalThis as unknown as { __node: PageNode }).__node.db;
      for (let s = 0; s < 10_000; s += 2000) {
        await db.createMany('User', Array.from({ length: 2000 }, (_, j) => ({ name: `heap-user-${s + j}`, age: (s + j) % 90, verified: (s + j) % 3 === 0, points: (s + j) * 1.25 })));
      }
    });
    const runs: number[] = [];
    for (let i = 0; i < o.rounds; i++) {
      await page.reload();
      await page.waitForFunction(() => (globalThis as { __node?: unknown }).__node !== undefined, undefined, { timeout: 30_000 });
      await openCollection(page, 10_000);
      await page.waitForTimeout(300);
      runs.push(await heapMb(ctx, page));
    }
    r.set('heap_mb_10000_docs', round(median(runs)), runs.length, `after reload + opening User (10,000 docs) and a forced GC; an empty node's tab: ${round(empty)} MB`);
    r.detail.heap_runs_mb = runs.map((v) => round(v));
    r.detail.heap_empty_node_mb = round(empty);
  } finally {
    await closePages([page]);
  }
}
