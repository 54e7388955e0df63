/** Headless Debian Chromium with a persistent profile (IndexedDB on disk, like a real browser), and app pages. */
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export interface Browser {
  readonly context: BrowserContext;
  readonly version: string;
  close(): Promise<void>;
}

/**
 * Launches Chromium with a fresh on-disk profile: Playwright's ordinary `newContext()` is off the record,
 * where IndexedDB lives in memory, which would flatter every storage figure.
 */
export async function launch(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'p2pdb-bench-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
  });
  // tsx compiles with keepNames: functions passed to page.evaluate may call esbuild's `__name` helper.
  await context.addInitScript({ content: 'globalThis.__name = globalThis.__name || ((f) => f);' });
  const version = context.browser()?.version() ?? (await versionFromPage(context));
  let closed = false;
  return {
    context,
    version,
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

async function versionFromPage(context: BrowserContext): Promise<string> {
  const page = await context.newPage();
  try {
    const ua = await page.evaluate(() => navigator.userAgent);
    return /Chrome\/([\d.]+)/.exec(ua)?.[1] ?? ua;
  } finally {
    await page.close();
  }
}

/** Where the app and the relay are. */
export interface Site {
  readonly appUrl: string;
  readonly relayHttpPort: number;
}

let counter = 0;
/** A node name no earlier page of this run used. */
export function nodeName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}

/** Opens the app as node `name` and waits until `window.__node` is there (and, by default, its relay reservation). */
export async function openNode(ctx: BrowserContext, site: Site, name: string, opts: { reservation?: boolean } = {}): Promise<Page> {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error(`  [${name}] page error: ${e.message}`));
  await page.goto(`${site.appUrl}/?node=${encodeURIComponent(name)}&relayHttpPort=${site.relayHttpPort}`);
  await page.waitForFunction(() => (globalThis as { __node?: { db?: unknown } }).__node?.db !== undefined, undefined, { timeout: 30_000 });
  if (opts.reservation !== false) await dialable(page);
  return page;
}

/** The node's /p2p-circuit/webrtc address, once it has a reservation on the relay. */
export async function dialable(page: Page, timeoutMs = 30_000): Promise<string> {
  const handle = await page.waitForFunction(() => {
    const net = (globalThis as { __node?: { network?: { addresses(): string[] } } }).__node?.network;
    return net?.addresses().find((a) => a.includes('/p2p-circuit/webrtc/')) ?? false;
  }, undefined, { timeout: timeoutMs, polling: 100 });
  return (await handle.jsonValue()) as string;
}

export async function peerIdOf(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as unknown as { __node: { network: { peerId: string } } }).__node.network.peerId);
}

/** Connects `from` to `to` through the API (not the UI) and waits until both list each other as direct. */
export async function connectApi(from: Page, to: Page): Promise<void> {
  const addr = await dialable(to);
  const [idFrom, idTo] = await Promise.all([peerIdOf(from), peerIdOf(to)]);
  await from.evaluate(async (a) => {
    await (globalThis as unknown as { __node: { network: { connect(a: string): Promise<unknown> } } }).__node.network.connect(a);
  }, addr);
  await Promise.all([waitDirect(from, idTo), waitDirect(to, idFrom)]);
}

/** Resolves when `page`'s node lists `peerId` with a direct connection. */
export async function waitDirect(page: Page, peerId: string, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction((id) => {
    const net = (globalThis as unknown as { __node: { network: { activePeers(): Array<{ peerId: string; kind: string }> } } }).__node.network;
    return net.activePeers().some((p) => p.peerId === id && p.kind === 'direct');
  }, peerId, { timeout: timeoutMs, polling: 50 });
}

/** Closes pages, ignoring errors (each page's node stops on pagehide). */
export async function closePages(pages: readonly Page[]): Promise<void> {
  await Promise.all(pages.map((p) => p.close({ runBeforeUnload: false }).catch(() => undefined)));
}
