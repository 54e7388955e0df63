/** The Query panel: GraphQL in real tabs, writes reaching a subscribed peer, filters, live subscriptions, errors. */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { USER_SDL, addSchema, connectTo, createDoc, dialableAddress, openApp, peerIdOf, peerItem, rowWith, uniqueNode, syncOn } from './fixtures.js';

async function tab(context: BrowserContext, prefix: string): Promise<Page> {
  const p = await context.newPage();
  await openApp(p, uniqueNode(prefix));
  await addSchema(p, USER_SDL);
  return p;
}

const syncUser = (p: Page) => syncOn(p);

/** Types a request into "GraphQL query" and runs it with the Run button (or Ctrl+Enter). */
async function run(p: Page, source: string, how: 'button' | 'keys' = 'button'): Promise<void> {
  const box = p.getByRole('textbox', { name: 'GraphQL query' });
  await box.fill(source);
  if (how === 'keys') await box.press('Control+Enter');
  else await p.getByRole('button', { name: 'Run' }).click();
}

const result = (p: Page) => p.getByRole('region', { name: 'Result' });

async function resultJson(p: Page): Promise<Record<string, unknown>> {
  return JSON.parse((await result(p).locator('pre').textContent())!) as Record<string, unknown>;
}

test("the seed's mutation run in the Query panel of one tab reaches a subscribed second tab; filters return exactly the matches", async ({ context }) => {
  const a = await tab(context, 'qA');
  const b = await tab(context, 'qB');
  // The box starts with an example for the open collection.
  await expect(a.getByRole('textbox', { name: 'GraphQL query' })).toHaveValue(/User\(order: \{_createdAt: DESC\}, limit: 10\)/);
  const [idA, idB] = [await peerIdOf(a), await peerIdOf(b)];
  await connectTo(b, await dialableAddress(a));
  await expect(peerItem(b, idA)).toContainText('direct', { timeout: 30_000 });
  await expect(peerItem(a, idB)).toContainText('direct', { timeout: 30_000 });
  // Each collection says where it stands with its peers.
  const state = (p: Page) => p.getByLabel('Sync state of User');
  await expect(state(a)).toHaveText('sync off');
  await syncUser(a);
  await expect(state(a)).toHaveText('no peers'); // B does not sync User yet
  // B is told that a connected peer syncs User while it does not, and switches it on from the notice.
  const offer = b.getByRole('status').filter({ hasText: 'A connected peer syncs User' });
  await expect(offer).toBeVisible({ timeout: 15_000 });
  await offer.getByRole('button', { name: 'Sync User' }).click();
  await expect(b.getByRole('switch', { name: 'Sync User' })).toHaveAttribute('aria-checked', 'true');
  await expect(offer).toHaveCount(0);
  await expect(peerItem(b, idA).getByLabel(`Sync with ${idA}`)).toHaveText(/User: (in sync|caught up)/, { timeout: 15_000 });
  for (const p of [a, b]) await expect(state(p)).toHaveText('in sync with 1 peer', { timeout: 15_000 });

  await run(a, 'mutation { create_User(input: {name: "Alice", age: 30, verified: true, points: 1.5}) { _docID } }');
  await expect(result(a)).toContainText('"create_User"');
  const created = (await resultJson(a)).create_User as Array<{ _docID: string }>;
  expect(created[0]!._docID).toMatch(/^bae-/);
  await expect(rowWith(b, 'User', 'Alice')).toHaveCount(1, { timeout: 15_000 });
  await expect(rowWith(b, 'User', 'Alice')).toContainText(created[0]!._docID);

  // More people, from the form of tab B and a list mutation of tab A.
  await createDoc(b, 'User', { name: 'Bob', age: '25' });
  await run(a, 'mutation { create_User(input: [{name: "Cy", age: 41}, {name: "Dee", age: 30, verified: false}]) { name } }', 'keys');
  await expect(result(a)).toContainText('"Dee"');
  await expect(rowWith(a, 'User', 'Bob')).toHaveCount(1, { timeout: 15_000 });
  await expect(rowWith(b, 'User', 'Dee')).toHaveCount(1, { timeout: 15_000 });

  // A filter returns exactly the matching documents, ordered; tab B sees the same.
  for (const p of [a, b]) {
    await run(p, '{ User(filter: {age: {_ge: 30}}, order: {age: DESC, name: ASC}) { name age } }');
    await expect(result(p)).toContainText('"Cy"');
    expect(await resultJson(p)).toEqual({ User: [{ name: 'Cy', age: 41 }, { name: 'Alice', age: 30 }, { name: 'Dee', age: 30 }] });
  }
  await run(b, '{ _count(User: {filter: {name: {_like: "%e"}}}) }');
  await expect(result(b)).toContainText('"_count": 2');
});

test('a live subscription in tab B updates its Result when tab A writes, until another query runs', async ({ context }) => {
  const a = await tab(context, 'lvA');
  const b = await tab(context, 'lvB');
  const [idA, idB] = [await peerIdOf(a), await peerIdOf(b)];
  await connectTo(b, await dialableAddress(a));
  await expect(peerItem(a, idB)).toContainText('direct', { timeout: 30_000 });
  await syncUser(a);
  await syncUser(b);
  await expect(peerItem(b, idA).getByLabel(`Sync with ${idA}`)).toHaveText(/User: (in sync|caught up)/, { timeout: 15_000 });

  await run(b, 'subscription { User(filter: {verified: {_eq: true}}) { name } }');
  await expect(b.getByRole('status').filter({ hasText: 'Live: updates when documents change' })).toBeVisible();
  await expect(result(b)).toContainText('"User": []');
  await createDoc(a, 'User', { name: 'Trusted', verified: true });
  await expect(result(b)).toContainText('"Trusted"', { timeout: 15_000 });
  await createDoc(a, 'User', { name: 'Unverified' });
  await createDoc(a, 'User', { name: 'Also trusted', verified: true });
  await expect(result(b)).toContainText('"Also trusted"', { timeout: 15_000 });
  await expect(result(b)).not.toContainText('Unverified');
  // Another query ends the subscription: later writes no longer change the Result.
  await run(b, '{ _count(User: {}) }');
  await expect(result(b)).toContainText('"_count": 3');
  await expect(b.getByText('Live: updates when documents change')).toHaveCount(0);
  await createDoc(a, 'User', { name: 'Later', verified: true });
  await expect(rowWith(b, 'User', 'Later')).toHaveCount(1, { timeout: 15_000 });
  await expect(result(b)).toContainText('"_count": 3');
});

test('errors show in an alert with line and column, and store nothing', async ({ page }) => {
  await openApp(page, uniqueNode('qErr'));
  await addSchema(page, USER_SDL);
  await run(page, '{\n  User {\n    nam\n  }\n}');
  await expect(page.getByRole('alert')).toContainText('Cannot query field "nam" on type "User". Did you mean "name"? (line 3, column 5)');
  await run(page, 'mutation { create_User(input: {name: "X", age: "old"}) { _docID } }');
  await expect(page.getByRole('alert')).toContainText('Int cannot represent a non-integer value: "old" (line 1, column 48)');
  await run(page, '{ Ghost { x } }');
  await expect(page.getByRole('alert')).toContainText('Cannot query field "Ghost" on type "Query". (line 1, column 3)');
  await run(page, '{ _count(User: {}) }');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(result(page)).toContainText('"_count": 0');
});
