/** Shared helpers for browser tests. */
import { expect, type BrowserContext, type Page } from '@playwright/test';

export const USER_SDL = `type User {
  name: String
  age: Int
  verified: Boolean
  points: Float
}`;

/** A node name no other test uses. */
export function uniqueNode(prefix = 'e2e'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** The test relay's HTTP port (see playwright.config.ts). */
export const RELAY_HTTP_PORT = Number(process.env.E2E_RELAY_HTTP_PORT ?? 9191);

/** Opens the app for a node (on the test relay unless `query` says otherwise) and waits until it is ready. */
export async function openApp(page: Page, node?: string, query: Record<string, string> = {}): Promise<void> {
  const params = new URLSearchParams({ ...(node ? { node } : {}), relayHttpPort: String(RELAY_HTTP_PORT), ...query });
  await page.goto(`/?${params}`);
  await expect(page.getByRole('button', { name: 'Add collection' })).toBeVisible();
}

/** Waits for the node's WebRTC-dialable address and returns it. */
export async function dialableAddress(page: Page): Promise<string> {
  await openAllAddresses(page);
  const item = page.getByRole('list', { name: 'Listen addresses' }).getByRole('listitem').filter({ hasText: '/p2p-circuit/webrtc/' }).first();
  await expect(item).toBeVisible({ timeout: 20_000 });
  return (await item.locator('code').textContent())!;
}

/** Opens the "All addresses" disclosure (where the list "Listen addresses" lives). */
export async function openAllAddresses(page: Page): Promise<void> {
  const summary = page.getByText('All addresses', { exact: true });
  await expect(summary).toBeVisible();
  if (!(await page.locator('details.all-addresses').evaluate((d) => (d as HTMLDetailsElement).open))) await summary.click();
}

/** Pastes an address into "Peer multiaddress" and presses Connect. */
export async function connectTo(page: Page, address: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Peer multiaddress' }).fill(address);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
}

/** The Active peers item of a PeerID. */
export function peerItem(page: Page, peerId: string) {
  return page.getByRole('list', { name: 'Active peers' }).getByRole('listitem').filter({ hasText: peerId });
}

/** The node's PeerID as shown. */
export async function peerIdOf(page: Page): Promise<string> {
  const el = page.getByLabel('Peer ID');
  await expect(el).toHaveText(/^12D3Koo/);
  return (await el.textContent())!;
}

/** Adds SDL through the UI. */
export async function addSchema(page: Page, sdl: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Collection schema' }).fill(sdl);
  await page.getByRole('button', { name: 'Add collection' }).click();
  // Done when every type is listed, or the app said why not (the add is asynchronous: a test that goes on
  // through the API at once raced it, "unknown collection").
  const names = [...sdl.matchAll(/\btype\s+([A-Za-z_]\w*)/g)].map((m) => m[1]!);
  const listed = page.getByRole('list', { name: 'Collections' });
  await expect(async () => {
    if (await page.getByRole('alert').count()) return;
    for (const n of names) await expect(listed.getByRole('button', { name: n, exact: true })).toBeVisible({ timeout: 100 });
  }).toPass({ timeout: 10_000 });
}

/** Fills the New <Name> document form and submits it. */
export async function createDoc(page: Page, collection: string, values: Record<string, string | boolean>): Promise<void> {
  const form = page.getByRole('form', { name: `New ${collection} document` });
  for (const [field, v] of Object.entries(values)) {
    if (typeof v === 'boolean') await form.getByLabel(field, { exact: true }).setChecked(v);
    else await form.getByLabel(field, { exact: true }).fill(v);
  }
  await form.getByRole('button', { name: 'Create document' }).click();
}

/** The row of the documents table that contains `text`. */
export function rowWith(page: Page, collection: string, text: string) {
  return page.getByRole('table', { name: `${collection} documents` }).getByRole('row').filter({ hasText: text });
}

/** `b` pastes `a`'s address and connects; resolves once both list each other as direct. */
export async function link(a: Page, b: Page): Promise<void> {
  const idA = await peerIdOf(a);
  const idB = await peerIdOf(b);
  await connectTo(b, await dialableAddress(a));
  await expect(peerItem(b, idA)).toContainText('direct', { timeout: 30_000 });
  await expect(peerItem(a, idB)).toContainText('direct', { timeout: 30_000 });
}

/** Switches "Sync <collection>" on and waits until it shows. */
export async function syncOn(p: Page, collection = 'User'): Promise<void> {
  const sw = p.getByRole('switch', { name: `Sync ${collection}` });
  await sw.click();
  await expect(sw).toHaveAttribute('aria-checked', 'true');
}

/** A new tab with a fresh node, the collections of `sdl` (User by default), and its dialable address ready. */
export async function openTab(context: BrowserContext, prefix: string, sdl = USER_SDL): Promise<Page> {
  const p = await context.newPage();
  await openApp(p, uniqueNode(prefix));
  await addSchema(p, sdl);
  await dialableAddress(p);
  return p;
}
