/**
 * bundle_gzip_kb: the JavaScript a page load of index.html actually fetches (entry, static imports, and the lazy
 * chunks it loads while starting), each gzipped at level 9 and summed. harness.html's chunk is never loaded by
 * index.html; it is also excluded by name as a guard. A static count from index.html is kept as detail.
 */
import type { BrowserContext } from '@playwright/test';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { closePages, nodeName, type Site } from '../lib/browser.js';
import type { Results } from '../lib/results.js';
import { round } from '../lib/stats.js';
import { BUILD_DIR } from '../lib/site.js';

export const BUNDLE_KEYS = ['bundle_gzip_kb'];

const gz = (b: Buffer): number => gzipSync(b, { level: 9 }).length;

export async function runBundle(ctx: BrowserContext, site: Site, r: Results): Promise<void> {
  const page = await ctx.newPage();
  const loaded = new Map<string, number>();
  const pending: Array<Promise<void>> = [];
  page.on('response', (res) => {
    const url = new URL(res.url());
    if (!url.pathname.endsWith('.js') || url.origin !== site.appUrl) return;
    pending.push(res.body().then((b) => { loaded.set(url.pathname, b.length); }, () => undefined));
  });
  try {
    await page.goto(`${site.appUrl}/?node=${nodeName('bundle')}&relayHttpPort=${site.relayHttpPort}`);
    await page.waitForFunction(() => (globalThis as { __node?: unknown }).__node !== undefined, undefined, { timeout: 30_000 });
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await Promise.all(pending);
  } finally {
    await closePages([page]);
  }
  const files = [...loaded.keys()].filter((p) => !/\/harness[-.]/.test(p));
  let raw = 0;
  let gzip = 0;
  const perFile: Record<string, { raw_kb: number; gzip_kb: number }> = {};
  for (const p of files) {
    const buf = readFileSync(join(BUILD_DIR, p));
    raw += buf.length;
    const g = gz(buf);
    gzip += g;
    perFile[p] = { raw_kb: round(buf.length / 1024), gzip_kb: round(g / 1024) };
  }
  if (!files.length) throw new Error('the page loaded no JavaScript from the app');
  // Static view: every chunk in the build except harness's.
  const all = readdirSync(join(BUILD_DIR, 'assets')).filter((f) => f.endsWith('.js') && !f.startsWith('harness'));
  const allGzip = all.reduce((s, f) => s + gz(readFileSync(join(BUILD_DIR, 'assets', f))), 0);
  r.set('bundle_gzip_kb', round(gzip / 1024), files.length, `${files.length} JS files fetched by index.html, ${round(raw / 1024)} KB minified; all non-harness chunks of the build: ${round(allGzip / 1024)} KB gzip`);
  r.detail.bundle_files = perFile;
}
