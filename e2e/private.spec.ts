/**
 * Private documents in real tabs, the scenario: n1 – n2 – n3 in a line (n3 connected only to n2), all
 * subscribed to Dossier. n3 carries what it may not read without its IndexedDB ever holding the plaintext.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { createDoc, link, openTab, rowWith, syncOn } from './fixtures.js';

const DOSSIER_SDL = 'type Dossier { codename: String clearance: Int }';

const tab = (context: BrowserContext, prefix: string): Promise<Page> => openTab(context, prefix, DOSSIER_SDL);

/**
 * Every string and byte this tab's node database holds in IndexedDB, store by store, as text (bytes read as
 * latin1 and as UTF-8, the encodings the app writes).
 */
async function indexedDbText(p: Page): Promise<Record<string, string>> {
  const node = new URL(p.url()).searchParams.get('node')!;
  return p.evaluate(async (dbName) => {
    let parts: string[] = [];
    const out: Record<string, string> = {};
    const bytes = (b: Uint8Array): void => { parts.push(new TextDecoder('latin1').decode(b), new TextDecoder('utf-8').decode(b)); };
    const walk = (v: unknown): void => {
      if (v instanceof Uint8Array) bytes(v);
      else if (v instanceof ArrayBuffer) bytes(new Uint8Array(v));
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
        parts = [];
        walk(all);
        out[name] = parts.join('\n');
      }
      db.close();
    }
    return out;
  }, `p2pdb:${node}`);
}

const identityOf = async (p: Page): Promise<string> => (await p.getByLabel('Identity', { exact: true }).textContent())!;
const unreadable = (p: Page) => p.getByRole('status').filter({ hasText: 'private document' });
const row = (p: Page, text: string) => rowWith(p, 'Dossier', text);

/** The owner opens Share on a row, adds an identity with a relation (or removes one), and closes. */
async function share(owner: Page, rowText: string, did: string, relation: 'reader' | 'writer' | 'remove'): Promise<void> {
  await row(owner, rowText).getByRole('button', { name: /^Share/ }).click();
  const dialog = owner.getByRole('dialog', { name: 'Share document' });
  await expect(dialog).toBeVisible();
  const access = dialog.getByRole('list', { name: 'Document access' });
  if (relation === 'remove') {
    await access.getByRole('listitem').filter({ hasText: did.slice(-6) }).getByRole('button', { name: /^Remove/ }).click();
    await expect(access.getByRole('listitem').filter({ hasText: did.slice(-6) })).toHaveCount(0);
  } else {
    await dialog.getByRole('textbox', { name: 'Identity to share with' }).fill(did);
    await dialog.getByRole('combobox', { name: 'Relation' }).selectOption(relation);
    await dialog.getByRole('button', { name: 'Add' }).click();
    await expect(access.getByRole('listitem').filter({ hasText: did.slice(-6) })).toContainText(relation);
  }
  await dialog.getByRole('button', { name: 'Close' }).click();
}

// Plain http on a LAN address is not a secure context (no crypto.subtle, no Web Locks, no randomUUID).
// Chromium treats localhost as secure, so the second run removes those APIs before the app loads.
const stripSecureContextApis = () => {
  Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined, configurable: true });
  Object.defineProperty(Crypto.prototype, 'subtle', { get: () => undefined, configurable: true });
  Object.defineProperty(Crypto.prototype, 'randomUUID', { value: undefined, configurable: true });
};

for (const insecure of [false, true]) {
  test(`the seed's three tabs in a line${insecure ? ', without secure-context APIs' : ''}: readers read, the peer in between carries ciphertext only, removal and writers work`, async ({ context }) => {
    if (insecure) await context.addInitScript(stripSecureContextApis);
    await scenario(context, insecure);
  });
}

async function scenario(context: BrowserContext, insecure: boolean): Promise<void> {
  const n1 = await tab(context, 'priv1');
  const n2 = await tab(context, 'priv2');
  const n3 = await tab(context, 'priv3');
  await link(n1, n2);
  await link(n2, n3);
  for (const p of [n1, n2, n3]) await syncOn(p, 'Dossier');
  const [did2, did3] = [await identityOf(n2), await identityOf(n3)];
  if (insecure) expect(await n1.evaluate(() => typeof crypto.subtle)).toBe('undefined');

  // n1 creates a private document and makes n2 a reader.
  const form = n1.getByRole('form', { name: 'New Dossier document' });
  await form.getByRole('checkbox', { name: 'Private' }).check();
  await createDoc(n1, 'Dossier', { codename: 'Operation Nightjar', clearance: '7' });
  await expect(row(n1, 'Operation Nightjar')).toContainText('private');
  await expect(row(n1, 'Operation Nightjar').getByRole('button', { name: /^Edit/ })).toBeVisible();
  await expect(unreadable(n2)).toContainText('1 private document you cannot read', { timeout: 20_000 });

  // A malformed identity is refused with an alert, and nothing is stored.
  await row(n1, 'Operation Nightjar').getByRole('button', { name: /^Share/ }).click();
  const dialog = n1.getByRole('dialog', { name: 'Share document' });
  await dialog.getByRole('textbox', { name: 'Identity to share with' }).fill('did:key:z6Mknot-a-key');
  await dialog.getByRole('button', { name: 'Add' }).click();
  await expect(dialog.getByRole('alert')).toContainText('not an identity');
  await expect(dialog.getByRole('list', { name: 'Document access' }).getByRole('listitem')).toHaveCount(1); // the owner only
  await dialog.getByRole('button', { name: 'Close' }).click();

  await share(n1, 'Operation Nightjar', did2, 'reader');
  if (!insecure) await n1.screenshot({ path: 'test-results/private-n1.png' });
  await expect(row(n2, 'Operation Nightjar')).toContainText('7', { timeout: 20_000 });
  await expect(row(n2, 'Operation Nightjar')).toContainText('private');
  for (const name of ['Edit', 'Delete', 'Share']) await expect(row(n2, 'Operation Nightjar').getByRole('button', { name: new RegExp(`^${name}`) })).toHaveCount(0);
  await expect(unreadable(n3)).toContainText('1 private document you cannot read', { timeout: 20_000 });
  await expect(row(n3, 'Operation Nightjar')).toHaveCount(0);
  if (!insecure) await n3.screenshot({ path: 'test-results/private-n3-carrier.png', fullPage: true });

  // Every record of n3's IndexedDB: no value anywhere; no field name outside the collection's own schema.
  const n1Text = await indexedDbText(n1);
  expect(n1Text.docs).toContain('Operation Nightjar'); // the scan does find plaintext where it is
  const n3Text = await indexedDbText(n3);
  expect(Object.keys(n3Text)).toEqual(expect.arrayContaining(['blocks', 'docs', 'meta', 'collections']));
  for (const [store, text] of Object.entries(n3Text)) {
    expect(text, `store ${store}`).not.toContain('Nightjar');
    if (store !== 'collections') for (const field of ['codename', 'clearance']) expect(text, `store ${store}`).not.toContain(field);
  }

  // n1 adds n3 as a reader: n3 reads it. n1 removes n2 and updates: n2 never shows the new value, n3 does.
  await share(n1, 'Operation Nightjar', did3, 'reader');
  await expect(row(n3, 'Operation Nightjar')).toContainText('7', { timeout: 20_000 });
  await share(n1, 'Operation Nightjar', did2, 'remove');
  await row(n1, 'Operation Nightjar').getByRole('button', { name: /^Edit/ }).click();
  const edit = n1.getByRole('form', { name: 'Edit Dossier document' });
  await edit.getByLabel('clearance', { exact: true }).fill('9');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(row(n3, 'Operation Nightjar')).toContainText('9', { timeout: 20_000 });
  await expect(unreadable(n2)).toContainText('1 private document you cannot read');
  await expect(n2.getByRole('table', { name: 'Dossier documents' }).getByText('9', { exact: true })).toHaveCount(0);
  expect(Object.values(await indexedDbText(n2)).join('\n')).not.toContain('Operation Nightjar'); // n2 never stored the new state either

  // n2 made a writer edits; everyone with read access converges on the edit.
  await share(n1, 'Operation Nightjar', did2, 'writer');
  await expect(row(n2, 'Operation Nightjar').getByRole('button', { name: /^Edit/ })).toBeVisible({ timeout: 20_000 });
  await row(n2, 'Operation Nightjar').getByRole('button', { name: /^Edit/ }).click();
  const edit2 = n2.getByRole('form', { name: 'Edit Dossier document' });
  await edit2.getByLabel('codename', { exact: true }).fill('Operation Kestrel');
  await edit2.getByRole('button', { name: 'Save' }).click();
  for (const p of [n1, n2, n3]) await expect(row(p, 'Operation Kestrel')).toContainText('9', { timeout: 20_000 });
}
