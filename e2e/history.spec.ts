/** The History dialog: a document's Merkle DAG, with concurrent branches and their merge, and long histories. */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { expectNoViolations } from './axe.js';
import { addSchema, createDoc, link, openApp, openTab, peerIdOf, peerItem, rowWith, syncOn, uniqueNode, USER_SDL } from './fixtures.js';

const tab = (context: BrowserContext, prefix: string): Promise<Page> => openTab(context, prefix);

async function edit(p: Page, rowText: string, values: Record<string, string>): Promise<void> {
  await rowWith(p, 'User', rowText).getByRole('button', { name: 'Edit' }).click();
  const form = p.getByRole('form', { name: 'Edit User document' });
  for (const [f, v] of Object.entries(values)) await form.getByLabel(f, { exact: true }).fill(v);
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toHaveCount(0);
}

test('a document edited on two disconnected tabs shows two branches in its history, and their merge after they reconnect', async ({ context }) => {
  const a = await tab(context, 'hA');
  const b = await tab(context, 'hB');
  await link(a, b);
  for (const p of [a, b]) await syncOn(p);
  await createDoc(a, 'User', { name: 'Tree', age: '1' });
  await expect(rowWith(b, 'User', 'Tree')).toHaveCount(1, { timeout: 15_000 });

  await peerItem(b, await peerIdOf(a)).getByRole('button', { name: 'Disconnect' }).click();
  await expect(peerItem(a, await peerIdOf(b))).toHaveCount(0, { timeout: 20_000 });
  await edit(a, 'Tree', { age: '10' });
  await edit(b, 'Tree', { points: '2.5' });
  await link(a, b);
  await expect(rowWith(a, 'User', '2.5')).toHaveCount(1, { timeout: 20_000 });
  await expect(rowWith(b, 'User', '10')).toHaveCount(1, { timeout: 20_000 });

  // Two branches, not merged yet.
  await rowWith(b, 'User', 'Tree').getByRole('button', { name: 'History' }).click();
  const dialog = b.getByRole('dialog', { name: 'Document history' });
  await expect(dialog).toBeVisible();
  const changes = dialog.getByRole('list', { name: 'Changes' }).getByRole('listitem');
  await expect(changes).toHaveCount(3);
  await expect(changes.filter({ hasText: 'height 2' })).toHaveCount(2);
  await expect(dialog).toContainText('2 concurrent branches');
  // …and their merge, already in the document: the merged state (each field's latest write), drawn under both heads.
  await expect(dialog.getByLabel('Merged state')).toContainText('age = 10');
  await expect(dialog.getByLabel('Merged state')).toContainText('points = 2.5');
  await expect(dialog.getByLabel('Merged state')).toContainText('name = "Tree"');
  await expect(dialog.locator('svg g.dag-merged')).toContainText('merged state · 2 branches');
  await expectNoViolations(b, 'history with two branches');
  await dialog.screenshot({ path: 'test-results/history-branches.png' });
  await expect(changes.filter({ hasText: 'current value of age' })).toContainText('age = 10');
  await expect(changes.filter({ hasText: 'current value of points' })).toContainText('points = 2.5');
  await expect(dialog.getByRole('img', { name: 'Merkle DAG of 3 blocks' })).toBeVisible();

  // The next edit, made on A, merges them; B's open dialog follows.
  await edit(a, 'Tree', { name: 'Tree merged' });
  await expect(changes).toHaveCount(4, { timeout: 15_000 });
  await expect(changes.nth(3)).toContainText('height 3');
  await expect(changes.nth(3)).toContainText('merges 2 branches');
  await expect(changes.nth(3)).toContainText('name = "Tree merged"');
  await expect(dialog).not.toContainText('concurrent branches');
  await expect(dialog.getByLabel('Merged state')).toHaveCount(0);
  await expect(dialog.locator('svg g.dag-merged')).toHaveCount(0);
  await expect(dialog.getByRole('img', { name: 'Merkle DAG of 4 blocks' }).locator('text.dag-cid', { hasText: '· merge' })).toHaveCount(1);
  await b.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(rowWith(b, 'User', 'Tree merged').getByRole('button', { name: 'History' })).toBeFocused();
});

test('a history of 200 changes stays within the window and scrolls', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openApp(page, uniqueNode('hLong'));
  await addSchema(page, USER_SDL);
  await page.evaluate(async () => {
    const c = (window as unknown as { __client: { create(c: string, f: object): Promise<{ id: string }>; update(c: string, id: string, f: object): Promise<unknown> } }).__client;
    const d = await c.create('User', { name: 'Long', age: 0 });
    for (let i = 1; i < 200; i++) await c.update('User', d.id, { age: i });
  });
  await rowWith(page, 'User', 'Long').getByRole('button', { name: 'History' }).click();
  const dialog = page.getByRole('dialog', { name: 'Document history' });
  await expect(dialog.getByRole('list', { name: 'Changes' }).getByRole('listitem')).toHaveCount(200);
  const box = (await dialog.boundingBox())!;
  expect(box.height).toBeLessThanOrEqual(800);
  const scroll = await dialog.locator('.dag-scroll').evaluate((el) => ({ client: el.clientHeight, full: el.scrollHeight }));
  expect(scroll.full).toBeGreaterThan(scroll.client); // the picture scrolls inside the dialog
  await expect(dialog.getByRole('img', { name: 'Merkle DAG of 200 blocks' })).toBeAttached();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
});
