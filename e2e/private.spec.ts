/**
 * Private documents in real tabs: A–B–C in a line (A and C are not connected). B carries A's private
 * document without reading it (its IndexedDB holds no plaintext); C reads it once A shares it, through B.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { USER_SDL, addSchema, createDoc, dialableAddress, link, openApp, rowWith, syncOn, uniqueNode } from './fixtures.js';

async function tab(context: BrowserContext, prefix: string): Promise<Page> {
  const p = await context.newPage();
  await openApp(p, uniqueNode(prefix));
  await addSchema(p, USER_SDL);
  await dialableAddress(p);
  return p;
}

/** Every string and byte this tab's node database holds in IndexedDB, as one text (bytes read as latin1). */
async function indexedDbText(p: Page): Promise<string> {
  const node = new URL(p.url()).searchParams.get('node')!;
  return p.evaluate(async (dbName) => {
    const parts: string[] = [];
    const walk = (v: unknown): void => {
      if (v instanceof Uint8Array) parts.push(new TextDecoder('latin1').decode(v));
      else if (v instanceof ArrayBuffer) parts.push(new TextDecoder('latin1').decode(new Uint8Array(v)));
      else if (typeof v === 'string') parts.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v instanceof Map) [...v.entries()].forEach(walk);
      else if (v && typeof v === 'object') Object.entries(v).forEach(walk);
    };
    // Tabs of one origin share IndexedDB: read this node's database only (it must exist).
    if (!(await indexedDB.databases()).some((d) => d.name === dbName)) throw new Error(`no database ${dbName}`);
    {
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open(dbName);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      for (const name of Array.from(db.objectStoreNames)) {
        const all = await new Promise<unknown[]>((res, rej) => {
          const r = db.transaction(name, 'readonly').objectStore(name).getAll();
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
        walk(all);
      }
      db.close();
    }
    return parts.join('\n');
  }, `p2pdb:${node}`);
}

const identityOf = async (p: Page): Promise<string> => (await p.getByLabel('Identity', { exact: true }).textContent())!;
const unreadable = (p: Page) => p.getByRole('status').filter({ hasText: 'private document' });

test('a private document crosses a peer that cannot read it, and reaches only the identity it is shared with', async ({ context }) => {
  const a = await tab(context, 'privA');
  const b = await tab(context, 'privB');
  const c = await tab(context, 'privC');
  await link(a, b);
  await link(b, c);
  for (const p of [a, b, c]) await syncOn(p);

  const form = a.getByRole('form', { name: 'New User document' });
  await form.getByRole('checkbox', { name: 'Private' }).check();
  await createDoc(a, 'User', { name: 'Operation Nightjar', age: '7' });
  const row = rowWith(a, 'User', 'Operation Nightjar');
  await expect(row).toContainText('private');
  await expect(row.getByRole('button', { name: /^Edit/ })).toBeVisible();

  // B and C carry it, sealed: not listed, counted.
  for (const p of [b, c]) {
    await expect(unreadable(p)).toContainText('1 private document you cannot read', { timeout: 20_000 });
    await expect(rowWith(p, 'User', 'Operation Nightjar')).toHaveCount(0);
  }
  expect(await indexedDbText(a)).toContain('Operation Nightjar'); // the scan does find plaintext where it is
  expect(await indexedDbText(b)).not.toContain('Nightjar');

  // A shares it with C's identity, as a reader.
  await row.getByRole('button', { name: /^Share/ }).click();
  const dialog = a.getByRole('dialog', { name: 'Share document' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('textbox', { name: 'Identity to share with' }).fill('did:key:z6Mknot-a-key');
  await dialog.getByRole('button', { name: 'Add' }).click();
  await expect(dialog.getByRole('alert')).toContainText('not an identity');
  const didC = await identityOf(c);
  await dialog.getByRole('textbox', { name: 'Identity to share with' }).fill(didC);
  await dialog.getByRole('combobox', { name: 'Relation' }).selectOption('reader');
  await dialog.getByRole('button', { name: 'Add' }).click();
  const access = dialog.getByRole('list', { name: 'Document access' });
  await expect(access.getByRole('listitem').filter({ hasText: 'reader' })).toHaveCount(1);
  await a.screenshot({ path: 'test-results/private-share-dialog.png' });
  await dialog.getByRole('button', { name: 'Close' }).click();

  // C (reachable only through B) reads it; as a reader it has no Edit or Delete. B still cannot read it.
  const atC = rowWith(c, 'User', 'Operation Nightjar');
  await expect(atC).toContainText('7', { timeout: 20_000 });
  await expect(atC).toContainText('private');
  await expect(atC.getByRole('button', { name: /^Edit/ })).toHaveCount(0);
  await expect(atC.getByRole('button', { name: /^Delete/ })).toHaveCount(0);
  await expect(atC.getByRole('button', { name: /^Share/ })).toHaveCount(0);
  await expect(unreadable(c)).toHaveCount(0);
  await expect(unreadable(b)).toContainText('1 private document you cannot read');
  await b.screenshot({ path: 'test-results/private-carrier.png', fullPage: true });
  await c.screenshot({ path: 'test-results/private-reader.png', fullPage: true });
  expect(await indexedDbText(b)).not.toContain('Nightjar');

  // A edits; C follows. Then A removes C: the key rotates and C no longer reads the document.
  await row.getByRole('button', { name: /^Edit/ }).click();
  const edit = a.getByRole('form', { name: 'Edit User document' });
  await edit.getByLabel('age', { exact: true }).fill('8');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(atC).toContainText('8', { timeout: 20_000 });
  await row.getByRole('button', { name: /^Share/ }).click();
  await dialog.getByRole('list', { name: 'Document access' }).getByRole('button', { name: /^Remove/ }).click();
  await expect(access.getByRole('listitem').filter({ hasText: 'reader' })).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(unreadable(c)).toContainText('1 private document you cannot read', { timeout: 20_000 });
  await expect(rowWith(c, 'User', 'Operation Nightjar')).toHaveCount(0);
  await expect(rowWith(a, 'User', 'Operation Nightjar')).toContainText('8');
});
