import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { createDoc, link, openTab, peerIdOf, peerItem, rowWith, syncOn, USER_SDL } from './fixtures.js';

const tab = (context: BrowserContext, prefix: string, sdl = USER_SDL): Promise<Page> => openTab(context, prefix, sdl);

const syncUser = (p: Page) => syncOn(p);

const activity = (p: Page) => p.getByRole('log', { name: 'Activity' });

test("the seed's scenario: tab 2 connects to tab 1 and subscribes; tab 1's document appears in tab 2; updates and deletes travel both ways", async ({ context }) => {
  const one = await tab(context, 'seed1');
  const two = await tab(context, 'seed2');
  await link(one, two);
  await syncUser(two);
  await expect(activity(two)).toContainText('Adding pubsub topic');
  await expect(activity(two)).toContainText('(User)');
  // Tab 1 hears of tab 2's subscription (gossip now knows where to send tab 1's writes).
  await expect(activity(one)).toContainText(`Peer ${await peerIdOf(two)} subscribed to User`, { timeout: 15_000 });

  await createDoc(one, 'User', { name: 'John', age: '42', verified: true, points: '3.5' });
  await expect(rowWith(two, 'User', 'John')).toContainText('42', { timeout: 15_000 });
  await expect(rowWith(two, 'User', 'John')).toContainText('3.5');
  await expect(activity(two)).toContainText('Received new pubsub message');
  await expect(activity(two)).toContainText(await peerIdOf(one));

  // Both ways: tab 1 subscribes too; an edit in tab 2 reaches tab 1, a delete in tab 1 reaches tab 2.
  await syncUser(one);
  await rowWith(two, 'User', 'John').getByRole('button', { name: 'Edit' }).click();
  const edit = two.getByRole('form', { name: 'Edit User document' });
  await edit.getByLabel('age', { exact: true }).fill('43');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(rowWith(one, 'User', 'John')).toContainText('43', { timeout: 15_000 });
  await rowWith(one, 'User', 'John').getByRole('button', { name: 'Delete' }).click();
  await one.getByRole('dialog', { name: 'Delete document?' }).getByRole('button', { name: 'Delete' }).click();
  await expect(rowWith(two, 'User', 'John')).toHaveCount(0, { timeout: 15_000 });
  await createDoc(two, 'User', { name: 'Back' });
  await expect(rowWith(one, 'User', 'Back')).toHaveCount(1, { timeout: 15_000 });
});

test('a line of three tabs: C, connected only to B, gets what A writes; a non-subscriber gets nothing', async ({ context }) => {
  const a = await tab(context, 'lineA');
  const b = await tab(context, 'lineB');
  const c = await tab(context, 'lineC');
  const lurker = await tab(context, 'lurk');
  await link(a, b);
  await link(b, c);
  await link(a, lurker); // connected, has User, but never subscribes
  for (const p of [a, b, c]) await syncUser(p);
  await expect(peerItem(c, await peerIdOf(a))).toHaveCount(0);
  await createDoc(a, 'User', { name: 'Along the line' });
  await expect(rowWith(c, 'User', 'Along the line')).toHaveCount(1, { timeout: 20_000 });
  await createDoc(c, 'User', { name: 'And back' });
  await expect(rowWith(a, 'User', 'And back')).toHaveCount(1, { timeout: 20_000 });
  await lurker.waitForTimeout(1500);
  await expect(lurker.getByRole('table', { name: 'User documents' }).getByText('Along the line')).toHaveCount(0);
  await expect(lurker.getByText('No documents yet.')).toBeVisible();
});

test('subscriptions survive a reload and peers do not; a tab away during writes catches up on reconnect', async ({ context }) => {
  const a = await tab(context, 'cuA');
  const b = await tab(context, 'cuB');
  await link(a, b);
  await syncUser(a);
  await syncUser(b);
  await createDoc(a, 'User', { name: 'Before' });
  await expect(rowWith(b, 'User', 'Before')).toHaveCount(1, { timeout: 15_000 });

  await b.reload();
  await expect(b.getByRole('switch', { name: 'Sync User' })).toHaveAttribute('aria-checked', 'true');
  await expect(b.getByText('No peers connected')).toBeVisible();
  await expect(peerItem(a, await peerIdOf(b))).toHaveCount(0, { timeout: 20_000 });

  // While B is away, A writes 30 documents through its API (no UI needed for bulk).
  await a.evaluate(async () => {
    const node = (window as unknown as { __node: { db: { create(c: string, f: unknown): Promise<unknown> } } }).__node;
    for (let i = 0; i < 30; i++) await node.db.create('User', { name: `away-${i}`, age: i });
  });
  await expect(a.getByText('31 documents')).toBeVisible();
  await link(a, b); // reconnect: no new write needed
  await expect(b.getByText('31 documents')).toBeVisible({ timeout: 20_000 });
  await expect(activity(b)).toContainText(/[Cc]atch/);
  // The pulled blocks were checked in the tab's worker, not on its main thread.
  const offThread = await b.evaluate(() => (window as unknown as { __node: { db: { blocksCheckedElsewhere: number } } }).__node.db.blocksCheckedElsewhere);
  expect(offThread).toBeGreaterThanOrEqual(30);
});

test('several collections at once, unknown names refused with nothing subscribed', async ({ context }) => {
  const p = await tab(context, 'multi', `${USER_SDL}\ntype Post { title: String }`);
  const box = p.getByRole('textbox', { name: 'Subscribe to collections' });
  await box.fill('User,Nope,Post');
  await p.getByRole('button', { name: 'Subscribe', exact: true }).click();
  await expect(p.getByRole('alert')).toContainText('Nope');
  await expect(p.getByRole('switch', { name: 'Sync User' })).toHaveAttribute('aria-checked', 'false');
  await expect(p.getByRole('switch', { name: 'Sync Post' })).toHaveAttribute('aria-checked', 'false');
  await box.fill('User, Post');
  await p.getByRole('button', { name: 'Subscribe', exact: true }).click();
  await expect(p.getByRole('switch', { name: 'Sync User' })).toHaveAttribute('aria-checked', 'true');
  await expect(p.getByRole('switch', { name: 'Sync Post' })).toHaveAttribute('aria-checked', 'true');
  await p.getByRole('switch', { name: 'Sync Post' }).click();
  await expect(p.getByRole('switch', { name: 'Sync Post' })).toHaveAttribute('aria-checked', 'false');
});

test('a peer whose User has other fields: nothing syncs, and the app says which fields differ', async ({ context }) => {
  const a = await tab(context, 'mmA');
  const b = await tab(context, 'mmB', 'type User {\n  name: String\n  age: String\n  email: String\n}');
  await link(a, b);
  await syncUser(a);
  await syncUser(b);
  const notice = a.getByRole('alert').filter({ hasText: 'different User collection' });
  await expect(notice).toBeVisible({ timeout: 15_000 });
  await expect(notice).toContainText('age is Int in your schema, String in the peer');
  await expect(notice).toContainText('email');
  await createDoc(b, 'User', { name: 'Other', age: 'old' });
  await a.waitForTimeout(1500);
  await expect(rowWith(a, 'User', 'Other')).toHaveCount(0);
});

test('concurrent edits while apart: after reconnecting both tabs show the later value and keep every other edit', async ({ context }) => {
  const a = await tab(context, 'ceA');
  const b = await tab(context, 'ceB');
  await link(a, b);
  await syncUser(a);
  await syncUser(b);
  await createDoc(a, 'User', { name: 'Shared', age: '1' });
  await expect(rowWith(b, 'User', 'Shared')).toHaveCount(1, { timeout: 15_000 });

  const idA = await peerIdOf(a);
  await peerItem(b, idA).getByRole('button', { name: 'Disconnect' }).click();
  await expect(peerItem(a, await peerIdOf(b))).toHaveCount(0, { timeout: 20_000 });

  const edit = async (p: Page, values: Record<string, string | boolean>) => {
    await rowWith(p, 'User', 'Shared').getByRole('button', { name: 'Edit' }).click();
    const form = p.getByRole('form', { name: 'Edit User document' });
    for (const [f, v] of Object.entries(values)) {
      if (typeof v === 'boolean') await form.getByLabel(f, { exact: true }).setChecked(v);
      else await form.getByLabel(f, { exact: true }).fill(v);
    }
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(form).toHaveCount(0);
  };
  await edit(a, { name: 'Shared by A', age: '10' });
  await a.waitForTimeout(20); // B's edit of the same field comes later
  await edit(b, { name: 'Shared by B', verified: true });

  await link(a, b);
  for (const p of [a, b]) {
    const row = rowWith(p, 'User', 'Shared by B');
    await expect(row).toHaveCount(1, { timeout: 20_000 });
    await expect(row).toContainText('10'); // A's age survives
    await expect(row).toContainText('true'); // B's verified survives
    await expect(rowWith(p, 'User', 'Shared by A')).toHaveCount(0);
  }
  // A's name lost to B's later one: A is told which field, what won and why; B, whose value won, is not.
  const notice = a.getByRole('status').filter({ hasText: 'Your change to name' });
  await expect(notice).toContainText('"Shared by B"');
  await expect(notice).toContainText('later');
  await expect(activity(a)).toContainText('Your edit of User.name');
  await expect(b.getByRole('status').filter({ hasText: 'Your change to' })).toHaveCount(0);
});
