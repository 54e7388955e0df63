/**
 * connect_ms through the real UI: paste A's address into B's "Peer multiaddress", click "Connect", and time until
 * both "Active peers" lists show the other as "direct". The click and both list changes are timestamped in the
 * pages (a capture listener and MutationObservers), so Playwright's polling adds nothing.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { closePages, nodeName, openNode, peerIdOf, type Site } from '../lib/browser.js';
import { median, quantile, round } from '../lib/stats.js';
import type { Results } from '../lib/results.js';

export const CONNECT_KEYS = ['connect_ms'];

/** In page: records when the Active peers list first shows `peerId` as direct. */
export function watchDirect(peerId: string): void {
  const g = globalThis as unknown as { __direct?: number };
  delete g.__direct;
  const check = (): boolean => {
    const list = document.querySelector('ul[aria-label="Active peers"]');
    const hit = list && [...list.querySelectorAll('li')].some((li) => (li.textContent ?? '').includes(peerId) && (li.textContent ?? '').includes('direct'));
    if (hit && g.__direct === undefined) g.__direct = performance.timeOrigin + performance.now();
    return !!hit;
  };
  if (check()) return;
  const obs = new MutationObserver(() => {
    if (check()) obs.disconnect();
  });
  obs.observe(document.body, { subtree: true, childList: true, characterData: true });
}

/** In page: records the time of the next click on the Connect button (capture phase, before React handles it). */
function watchClick(): void {
  const g = globalThis as unknown as { __click?: number };
  delete g.__click;
  const form = document.querySelector('form[aria-label="Connect to a peer"]')!;
  const btn = [...form.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Connect')!;
  btn.addEventListener('click', () => {
    g.__click ??= performance.timeOrigin + performance.now();
  }, { capture: true, once: true });
}

async function uiAddress(page: Page): Promise<string> {
  // The addresses sit under the collapsed "All addresses" (the invite link is the first thing offered).
  await page.locator('summary', { hasText: 'All addresses' }).click();
  const item = page.getByRole('list', { name: 'Listen addresses' }).getByRole('listitem').filter({ hasText: '/p2p-circuit/webrtc/' }).first();
  await item.waitFor({ timeout: 30_000 });
  return (await item.locator('code').textContent())!.trim();
}

async function oneRound(ctx: BrowserContext, site: Site, i: number): Promise<{ ms: number; retries: boolean }> {
  const [a, b] = await Promise.all([openNode(ctx, site, nodeName(`conA${i}`)), openNode(ctx, site, nodeName(`conB${i}`))]);
  try {
    const [ida, idb] = await Promise.all([peerIdOf(a), peerIdOf(b)]);
    const addr = await uiAddress(a);
    await a.evaluate(watchDirect, idb);
    await b.evaluate(watchDirect, ida);
    await b.evaluate(watchClick);
    await b.getByRole('textbox', { name: 'Peer multiaddress' }).fill(addr);
    await b.getByRole('button', { name: 'Connect', exact: true }).click();
    const get = (p: Page, k: string) => p.waitForFunction((k) => (globalThis as unknown as Record<string, number | undefined>)[k] ?? false, k, { timeout: 45_000, polling: 20 }).then((h) => h.jsonValue() as Promise<number>);
    const [tClick, tA, tB] = await Promise.all([get(b, '__click'), get(a, '__direct'), get(b, '__direct')]);
    const status = await b.getByRole('form', { name: 'Connect to a peer' }).textContent();
    return { ms: Math.max(tA, tB) - tClick, retries: /attempt \d/.test(status ?? '') };
  } finally {
    await closePages([a, b]);
  }
}

export async function runConnect(ctx: BrowserContext, site: Site, r: Results, o: { rounds: number }): Promise<void> {
  const runs: number[] = [];
  const errors: string[] = [];
  for (let i = 0; i < o.rounds; i++) {
    try {
      runs.push((await oneRound(ctx, site, i)).ms);
    } catch (err) {
      errors.push((err as Error).message.split('\n')[0]!);
    }
  }
  if (!runs.length) throw new Error(`every connect round failed: ${errors.join('; ')}`);
  r.set('connect_ms', round(median(runs)), runs.length, `fresh pair of tabs each round; p90 ${round(quantile(runs, 0.9))} ms, max ${round(Math.max(...runs))} ms${errors.length ? `; ${errors.length} rounds failed: ${errors[0]}` : ''}`);
  r.detail.connect_runs = runs.map((v) => round(v));
}
