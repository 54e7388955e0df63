/** Names and the network map: a line A–B–C, where A sees C on its map through B's hellos. */
import { expect, test, type Page } from '@playwright/test';
import { link, openTab, peerIdOf, peerItem, syncOn } from './fixtures.js';

const nameOf = async (p: Page): Promise<string> => (await p.getByLabel('Node name').textContent())!;
const state = (p: Page) => p.getByLabel('Sync state of User');
const map = (p: Page) => p.getByRole('figure', { name: 'Network map' });

test('a line A–B–C: peers show by name, A\'s network map shows C, all say in sync after a burst, and A has no peers once B leaves', async ({ context }) => {
  const a = await openTab(context, 'mapA');
  const b = await openTab(context, 'mapB');
  const c = await openTab(context, 'mapC');
  const [nameA, nameB, nameC] = [await nameOf(a), await nameOf(b), await nameOf(c)];
  await link(a, b);
  await link(b, c);
  for (const p of [a, b, c]) await syncOn(p);

  // Active peers lead with the node name; the PeerID stays in the item.
  const idB = await peerIdOf(b);
  await expect(peerItem(a, idB)).toContainText(nameB, { timeout: 15_000 });
  await expect(peerItem(a, idB).getByRole('button', { name: `Disconnect ${nameB}` })).toBeVisible();
  // A's map: itself, B directly, and C (not connected to A) through B's hello.
  await expect(map(a)).toContainText(nameB.slice(0, 15));
  await expect(map(a)).toContainText(nameC.slice(0, 15), { timeout: 20_000 });
  await expect(map(a).getByRole('img')).toHaveAttribute('aria-label', new RegExp(`${nameC}: a peer of ${nameB}`));
  await expect(map(c)).toContainText(nameA.slice(0, 15), { timeout: 20_000 });
  // The Activity log names peers first.
  await expect(a.getByRole('log', { name: 'Activity' }).locator('.who').filter({ hasText: nameB }).first()).toBeVisible({ timeout: 15_000 });

  // A burst from A: every tab ends "in sync with …", and A's link to B is drawn in sync.
  await a.evaluate(async () => {
    const c = (window as unknown as { __client: { create(col: string, f: unknown): Promise<unknown> } }).__client;
    await Promise.all(Array.from({ length: 50 }, (_, i) => c.create('User', { name: `burst ${i}`, age: i })));
  });
  await expect(state(a)).toHaveText('in sync with 1 peer', { timeout: 20_000 });
  await expect(state(b)).toHaveText('in sync with 2 peers', { timeout: 20_000 });
  await expect(state(c)).toHaveText('in sync with 1 peer', { timeout: 20_000 });
  await expect(map(a).getByRole('img')).toHaveAttribute('aria-label', new RegExp(`${nameB}: direct, in sync`));
  await a.screenshot({ path: 'test-results/network-map.png', fullPage: true });
  await map(a).screenshot({ path: 'test-results/network-map-figure.png' });
  await map(b).screenshot({ path: 'test-results/network-map-figure-b.png' });

  // B goes away (its tab closes; no goodbye gets out): once A finds the link dead (a ping unanswered for 10 s),
  // A has no peers, and C drops off A's map.
  const t0 = Date.now();
  await b.close();
  await expect(state(a)).toHaveText('no peers', { timeout: 30_000 });
  console.log(`[map] A saw B gone after ${Date.now() - t0} ms`);
  await expect(map(a)).not.toContainText(nameC.slice(0, 15));
});

test('after a reload peers are cleared, and "Recent peers" reconnects one with a press', async ({ context }) => {
  const a = await openTab(context, 'recentA');
  const b = await openTab(context, 'recentB');
  const nameB = await nameOf(b);
  const idB = await peerIdOf(b);
  await link(b, a); // A connects to B, so B does not re-dial A after A's reload
  await expect(peerItem(a, idB)).toContainText(nameB, { timeout: 15_000 });
  await a.reload();
  await expect(a.getByText('No peers connected')).toBeVisible();
  const recent = a.getByRole('list', { name: 'Recent peers' }).getByRole('listitem').filter({ hasText: idB });
  await expect(recent).toContainText(nameB, { timeout: 15_000 });
  await recent.getByRole('button', { name: `Reconnect ${nameB}` }).click();
  await expect(peerItem(a, idB)).toContainText('direct', { timeout: 30_000 });
  await expect(a.getByRole('list', { name: 'Recent peers' })).toHaveCount(0); // the only recent peer is connected again
});
