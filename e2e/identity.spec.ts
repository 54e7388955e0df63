/** The node's identity: shown as a DID, copied by "Copy identity", and the author of every block it signs. */
import { expect, test } from '@playwright/test';
import { USER_SDL, addSchema, createDoc, openApp, rowWith, uniqueNode } from './fixtures.js';

test('"Identity" shows the DID that signs this node\'s blocks, and "Copy identity" copies it', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openApp(page, uniqueNode('ident'));
  const identity = page.getByLabel('Identity', { exact: true });
  await expect(identity).toHaveText(/^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{40,}$/);
  const did = (await identity.textContent())!;
  await page.getByRole('button', { name: 'Copy identity' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(did);
  // The same identity authors what this node writes.
  await addSchema(page, USER_SDL);
  await createDoc(page, 'User', { name: 'Signed' });
  await expect(rowWith(page, 'User', 'Signed')).toHaveCount(1);
  const authors = await page.evaluate(async () => {
    const c = (window as unknown as { __client: { list(c: string): Promise<{ docs: Array<{ id: string }> }>; query(q: string): Promise<{ data: { _commits: Array<{ author: string }> } }> } }).__client;
    const id = (await c.list('User')).docs[0]!.id;
    return (await c.query(`{ _commits(docID: "${id}") { author } }`)).data._commits.map((x) => x.author);
  });
  expect(authors).toEqual([did]);
  // It stays the same across a reload (the key is kept with the node).
  await page.reload();
  await expect(page.getByLabel('Identity', { exact: true })).toHaveText(did);
});
