/** A phone-sized window (390×844): the page never grows wider than the screen, whatever is on it. */
import { expect, test, type Page } from '@playwright/test';
import { USER_SDL, addSchema, connectTo, createDoc, dialableAddress, openApp, peerIdOf, peerItem, rowWith, uniqueNode } from './fixtures.js';

const width = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth);

test('no horizontal overflow at 390×844: empty, connected with documents, editing, a query result, history', async ({ browser }) => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    const a = await ctx.newPage();
    const b = await ctx.newPage();
    await openApp(a, uniqueNode('phA'));
    expect(await width(a)).toBeLessThanOrEqual(390);
    await openApp(b, uniqueNode('phB'));
    for (const p of [a, b]) await addSchema(p, USER_SDL);
    await connectTo(b, await dialableAddress(a));
    await expect(peerItem(b, await peerIdOf(a))).toContainText('direct', { timeout: 30_000 });
    await createDoc(a, 'User', { name: 'A rather long name for a narrow screen', age: '33', points: '1234567.891' });
    await expect(rowWith(a, 'User', 'A rather long name')).toHaveCount(1);
    for (const p of [a, b]) expect(await width(p), 'connected, with a document').toBeLessThanOrEqual(390);
    // Documents are cards on a phone: every field's value is on screen, not scrolled off to the right.
    for (const value of ['A rather long name for a narrow screen', '33', '1234567.891']) {
      const box = (await rowWith(a, 'User', 'A rather long name').getByRole('cell', { name: value, exact: true }).boundingBox())!;
      expect(box.x + box.width, `the cell "${value}" fits the screen`).toBeLessThanOrEqual(390);
    }
    await rowWith(a, 'User', 'A rather long name').getByRole('button', { name: 'Edit' }).click();
    await expect(a.getByRole('form', { name: 'Edit User document' })).toBeVisible();
    expect(await width(a), 'editing').toBeLessThanOrEqual(390);
    await a.getByRole('textbox', { name: 'GraphQL query' }).fill('{ User { _docID name age verified points } }');
    await a.getByRole('button', { name: 'Run' }).click();
    await expect(a.getByRole('region', { name: 'Result' })).toContainText('_docID');
    expect(await width(a), 'a query result').toBeLessThanOrEqual(390);
    await rowWith(a, 'User', 'A rather long name').getByRole('button', { name: 'History' }).click();
    await expect(a.getByRole('dialog', { name: 'Document history' })).toBeVisible();
    expect(await width(a), 'history').toBeLessThanOrEqual(390);
  } finally {
    await ctx.close();
  }
});
