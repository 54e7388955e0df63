import { expect, test } from '@playwright/test';
import { USER_SDL, addSchema, createDoc, openApp, rowWith, uniqueNode } from './fixtures.js';

test('one tab as a local database: add User, create, edit, delete, reload', async ({ page }) => {
  const node = uniqueNode();
  await openApp(page, node);
  await expect(page.getByLabel('Node name')).toHaveText(node);
  await addSchema(page, USER_SDL);
  const collections = page.getByRole('list', { name: 'Collections' });
  await expect(collections.getByRole('button', { name: 'User', exact: true })).toBeVisible();
  const table = page.getByRole('table', { name: 'User documents' });

  await createDoc(page, 'User', { name: 'Ann', age: '30', verified: true, points: '1.5' });
  await createDoc(page, 'User', { name: 'Bob', age: '41' });
  await createDoc(page, 'User', { name: 'Cy' });
  await expect(table.getByRole('row')).toHaveCount(4); // header + 3
  await expect(rowWith(page, 'User', 'Ann')).toContainText('30');
  await expect(rowWith(page, 'User', 'Ann')).toContainText('true');
  await expect(rowWith(page, 'User', 'Ann')).toContainText(/bae-[0-9a-f-]{36}/);

  // Edit Bob's age.
  await rowWith(page, 'User', 'Bob').getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('form', { name: 'Edit User document' });
  await expect(edit.getByLabel('age', { exact: true })).toHaveValue('41');
  await edit.getByLabel('age', { exact: true }).fill('42');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit).toHaveCount(0);
  await expect(rowWith(page, 'User', 'Bob')).toContainText('42');

  // Delete Cy: a dialog asks first; Cancel (or Esc) keeps it, Delete deletes it and focus returns to the documents.
  const confirm = page.getByRole('dialog', { name: 'Delete document?' });
  await rowWith(page, 'User', 'Cy').getByRole('button', { name: 'Delete' }).click();
  await expect(confirm).toBeVisible();
  await expect(confirm).toContainText('"Cy"');
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  await expect(rowWith(page, 'User', 'Cy')).toHaveCount(1);
  await rowWith(page, 'User', 'Cy').getByRole('button', { name: 'Delete' }).click();
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(rowWith(page, 'User', 'Cy')).toHaveCount(1);
  await rowWith(page, 'User', 'Cy').getByRole('button', { name: 'Delete' }).click();
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(rowWith(page, 'User', 'Cy')).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Documents in User' })).toBeFocused();

  // Reload: everything is still there.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Add collection' })).toBeVisible();
  await page.getByRole('list', { name: 'Collections' }).getByRole('button', { name: 'User', exact: true }).click();
  await expect(table.getByRole('row')).toHaveCount(3);
  await expect(rowWith(page, 'User', 'Ann')).toContainText('1.5');
  await expect(rowWith(page, 'User', 'Bob')).toContainText('42');
  await expect(rowWith(page, 'User', 'Cy')).toHaveCount(0);
});

test('bad SDL and bad field values show alerts and store nothing', async ({ page }) => {
  await openApp(page, uniqueNode());
  await addSchema(page, 'type User {\n  name: String\n  age Int\n}');
  await expect(page.getByRole('alert')).toContainText('line 3, column');
  await expect(page.getByRole('list', { name: 'Collections' })).toHaveCount(0);

  await addSchema(page, 'type User { name: Strng }');
  await expect(page.getByRole('alert')).toContainText('unknown type Strng');

  await addSchema(page, USER_SDL);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await createDoc(page, 'User', { name: 'Ann' });
  await expect(rowWith(page, 'User', 'Ann')).toHaveCount(1);

  await createDoc(page, 'User', { name: 'Bob', age: 'abc' });
  await expect(page.getByRole('alert')).toHaveText(/age: expected Int, got "abc"/);
  await createDoc(page, 'User', { name: 'Bob', age: '', points: 'lots' });
  await expect(page.getByRole('alert')).toHaveText(/points: expected Float, got "lots"/);
  await expect(page.getByRole('table', { name: 'User documents' }).getByRole('row')).toHaveCount(2);

  // A different User definition is refused, naming the differing fields.
  await addSchema(page, 'type User { name: String age: String }');
  await expect(page.getByRole('region', { name: 'Collections' }).getByRole('alert')).toContainText('age is Int in the existing schema, String in the new one');

  // Editing to a bad value is refused and the stored value stays.
  await rowWith(page, 'User', 'Ann').getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('form', { name: 'Edit User document' });
  await edit.getByLabel('age', { exact: true }).fill('1.5');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit.getByRole('alert')).toHaveText(/age: expected Int, got 1.5/);

  await page.reload();
  await expect(page.getByRole('table', { name: 'User documents' }).getByRole('row')).toHaveCount(2);
  await expect(rowWith(page, 'User', 'Ann')).not.toContainText('1.5');
  await expect(page.getByRole('list', { name: 'Collections' }).getByRole('listitem')).toHaveCount(1);
});

test('a node is chosen by ?node=, the first free name otherwise, and refused in a second tab', async ({ context }) => {
  const a = await context.newPage();
  await openApp(a);
  await expect(a).toHaveURL(/[?&]node=node1\b/);
  const b = await context.newPage();
  await openApp(b);
  await expect(b).toHaveURL(/[?&]node=node2\b/);
  const c = await context.newPage();
  await c.goto('/?node=node1');
  await expect(c.getByRole('alert')).toContainText('"node1" is already open in another tab');
  await expect(c.getByRole('button', { name: 'Add collection' })).toHaveCount(0);
  await a.close();
  await c.reload();
  await expect(c.getByRole('button', { name: 'Add collection' })).toBeVisible();
});

test('a bad node name gets a clear message', async ({ page }) => {
  await page.goto('/?node=' + encodeURIComponent('../x'));
  await expect(page.getByRole('alert')).toContainText('not a valid node name');
});

test('when another tab upgrades the node\'s database, the tab says so in an alert instead of failing later', async ({ page }) => {
  const node = uniqueNode('blk');
  await openApp(page, node);
  await addSchema(page, USER_SDL);
  // Another tab (here, the same page's script) opens the node's IndexedDB database at a higher version.
  const opened = await page.evaluate((name) => new Promise<string>((resolve) => {
    const req = indexedDB.open(`p2pdb:${name}`, 99);
    req.onsuccess = () => { req.result.close(); resolve('upgraded'); };
    req.onblocked = () => resolve('blocked');
    req.onerror = () => resolve(`error: ${String(req.error)}`);
  }), node);
  expect(opened).toBe('upgraded');
  await expect(page.getByRole('alert').filter({ hasText: 'another tab is upgrading or deleting this node\'s database' })).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'reload the page' })).toBeVisible();
});
