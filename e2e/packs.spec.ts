import { expect, test, type Page } from '@playwright/test';
import { link, openTab, rowWith, syncOn, USER_SDL } from './fixtures.js';

/** In page: how many packs this tab's IndexedDB database holds (layout version 3). */
const packsIn = (p: Page, node: string): Promise<number> => p.evaluate((node) => new Promise<number>((resolve, reject) => {
  void indexedDB.databases().then((dbs) => {
    const name = dbs.map((d) => d.name ?? '').find((n) => n.startsWith(`p2pdb:${node}`));
    if (!name) return reject(new Error(`no database for ${node}`));
    const q = indexedDB.open(name);
    q.onerror = () => reject(q.error);
    q.onsuccess = () => {
      const c = q.result.transaction('packs').objectStore('packs').count();
      c.onsuccess = () => { resolve(c.result); q.result.close(); };
    };
  });
}), node);

test('a tab that catches up a bulk import keeps it in packs; an edit of one of those documents wins, travels and survives a reload', async ({ context }) => {
  const a = await openTab(context, 'packA', USER_SDL);
  const b = await openTab(context, 'packB', USER_SDL);
  await syncOn(a);
  // A bulk import (createMany), then B connects and pulls it.
  await a.evaluate(async () => {
    const db = (globalThis as unknown as { __node: { db: { createMany(c: string, l: unknown[]): Promise<unknown> } } }).__node.db;
    await db.createMany('User', Array.from({ length: 300 }, (_, i) => ({ name: `Bulk ${String(i).padStart(3, '0')}`, age: i, verified: i % 2 === 0, points: i / 2 })));
  });
  await link(a, b);
  await syncOn(b);
  await expect(b.getByText('300 documents')).toBeVisible({ timeout: 30_000 });
  const nodeB = (await b.getByRole('heading', { level: 1 }).textContent())!.replace(/^.*node\s*/, '').trim();
  expect(await packsIn(b, nodeB)).toBeGreaterThan(0);
  await rowWith(b, 'User', 'Bulk 007').getByRole('button', { name: 'Edit' }).click();
  const edit = b.getByRole('form', { name: 'Edit User document' });
  await edit.getByLabel('age', { exact: true }).fill('77');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(rowWith(a, 'User', 'Bulk 007')).toContainText('77', { timeout: 15_000 });
  await b.reload();
  await expect(rowWith(b, 'User', 'Bulk 007')).toContainText('77', { timeout: 15_000 });
  await expect(b.getByText('300 documents')).toBeVisible();
  await expect(rowWith(b, 'User', 'Bulk 008')).toContainText('4');
});
