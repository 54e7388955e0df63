/** The example app (examples/todo, public exports only) in two pages: connect by address, tasks sync both ways. */
import { expect, test, type Page } from '@playwright/test';
import { RELAY_HTTP_PORT } from './fixtures.js';

async function openTodo(page: Page): Promise<string> {
  await page.goto(`/examples/todo/index.html?relayHttpPort=${RELAY_HTTP_PORT}`);
  const mine = page.getByLabel('My address');
  await expect(mine).toHaveText(/\/p2p-circuit\/webrtc\/p2p\/12D3Koo/, { timeout: 20_000 });
  return (await mine.textContent())!;
}

async function addTask(page: Page, title: string): Promise<void> {
  await page.getByLabel('New task').fill(title);
  await page.getByRole('button', { name: 'Add task' }).click();
}

test('two pages of the example app connect and show each other\'s tasks', async ({ context }) => {
  const a = await context.newPage();
  const b = await context.newPage();
  const addrA = await openTodo(a);
  await openTodo(b);
  await expect(a.getByRole('heading', { level: 1 })).not.toHaveText(await b.getByRole('heading', { level: 1 }).textContent() ?? '');
  await addTask(a, 'Buy milk');
  await expect(a.getByRole('list', { name: 'Task list' })).toContainText('Buy milk');
  await b.getByLabel('Peer address').fill(addrA);
  await b.getByRole('button', { name: 'Connect' }).click();
  await expect(b.getByRole('list', { name: 'Peers' }).getByRole('listitem')).toContainText('direct', { timeout: 20_000 });
  // Catch-up brings A's earlier task; live gossip brings later ones, both ways.
  await expect(b.getByRole('list', { name: 'Task list' })).toContainText('Buy milk', { timeout: 15_000 });
  // useDocument follows one document live: B selects its copy of A's task, A ticks it.
  await b.getByRole('listitem').filter({ hasText: 'Buy milk' }).getByRole('button', { name: 'Select' }).click();
  await expect(b.getByLabel('Selected task')).toHaveText('Buy milk: to do');
  await a.getByRole('checkbox', { name: 'Buy milk' }).click();
  await expect(b.getByLabel('Selected task')).toHaveText('Buy milk: done', { timeout: 15_000 });
  await addTask(b, 'Walk the dog');
  await expect(a.getByRole('list', { name: 'Task list' })).toContainText('Walk the dog');
  // A controlled checkbox: it shows the new state once the node has stored it.
  await a.getByRole('checkbox', { name: 'Walk the dog' }).click();
  await expect(a.getByRole('checkbox', { name: 'Walk the dog' })).toBeChecked();
  await expect(b.getByRole('checkbox', { name: 'Walk the dog' })).toBeChecked();
  await expect(b.getByText('2 tasks')).toBeVisible();
  await expect(b.getByRole('list', { name: 'Peers' }).getByRole('listitem')).toContainText(/in-sync|caught-up/);
});
