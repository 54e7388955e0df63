/** Regression scenarios kept from the hostile-peer review: a tab killed in the middle of a burst loses no acknowledged write. */
import { expect, test, type Page } from '@playwright/test';
import { USER_SDL, addSchema, openApp, uniqueNode } from './fixtures.js';

type ClientLike = { create(c: string, f: unknown): Promise<{ id: string }>; get(c: string, id: string): Promise<unknown> };

test('a tab killed in the middle of a burst of creates loses none that were acknowledged', async ({ context }) => {
  const node = uniqueNode('kill');
  const page = await context.newPage();
  await openApp(page, node);
  await addSchema(page, USER_SDL);
  // Fire creates continuously, recording each one the API acknowledged.
  await page.evaluate(() => {
    const w = window as unknown as { __client: ClientLike; __acked: string[] };
    w.__acked = [];
    let i = 0;
    const burst = (): void => {
      for (let k = 0; k < 50; k++) {
        const n = i++;
        void w.__client.create('User', { name: `burst ${n}`, age: n }).then((d) => { w.__acked.push(d.id); });
      }
      setTimeout(burst, 5);
    };
    burst();
  });
  await page.waitForFunction(() => (window as unknown as { __acked: string[] }).__acked.length >= 500, undefined, { timeout: 30_000 });
  const acked = await page.evaluate(() => [...(window as unknown as { __acked: string[] }).__acked]);
  // Close the tab mid-burst without running its unload handlers: no goodbye, creates still in flight.
  await page.close({ runBeforeUnload: false });

  const again = await context.newPage();
  await openApp(again, node);
  const missing = await again.evaluate(async (ids) => {
    const c = (window as unknown as { __client: ClientLike }).__client;
    const out: string[] = [];
    for (const id of ids) if ((await c.get('User', id)) === undefined) out.push(id);
    return out;
  }, acked);
  expect(acked.length).toBeGreaterThanOrEqual(500);
  expect(missing).toEqual([]);
});

test('four tabs split in two halves edit the same document, then heal: all four converge, keeping every field', async ({ context }) => {
  test.setTimeout(120_000);
  const { connectTo, dialableAddress, peerIdOf, peerItem } = await import('./fixtures.js');
  const tabs: Page[] = [];
  for (const name of ['pa', 'pb', 'pc', 'pd']) {
    const p = await context.newPage();
    await openApp(p, uniqueNode(name));
    await addSchema(p, USER_SDL);
    const sw = p.getByRole('switch', { name: 'Sync User' });
    await sw.click();
    await expect(sw).toHaveAttribute('aria-checked', 'true');
    tabs.push(p);
  }
  const [a, b, c, d] = tabs as [typeof tabs[0], typeof tabs[0], typeof tabs[0], typeof tabs[0]];
  const link = async (x: typeof a, y: typeof a): Promise<void> => {
    const idX = await peerIdOf(x);
    await connectTo(y, await dialableAddress(x));
    await expect(peerItem(y, idX)).toContainText('direct', { timeout: 30_000 });
    await expect(peerItem(x, await peerIdOf(y))).toContainText('direct', { timeout: 30_000 });
  };
  await link(a, b);
  await link(b, c);
  await link(c, d);
  const client = (p: typeof a) => p.evaluate.bind(p);
  const id = await client(a)(async () => (await (window as unknown as { __client: { create(c: string, f: unknown): Promise<{ id: string }> } }).__client.create('User', { name: 'shared' })).id);
  const fieldsOf = (p: typeof a) => p.evaluate(async (docId) => {
    const doc = await (window as unknown as { __client: { get(c: string, id: string): Promise<{ fields: Record<string, unknown> } | undefined> } }).__client.get('User', docId);
    return doc ? JSON.stringify(Object.fromEntries(Object.entries(doc.fields).sort())) : null; // key order is not part of the state
  }, id);
  // Reaching the far end of the line can take a while: a tab that joined the topic just after its neighbour
  // received the document (so gossip did not forward it) waits for an exchange, and on links this new that has
  // stalled for up to 20 s here (a stream that never opens, cut by the idle timeout, then retried).
  const t0 = Date.now();
  for (const p of tabs) await expect.poll(() => fieldsOf(p), { timeout: 45_000 }).toBe(JSON.stringify({ name: 'shared' }));
  console.log(`[durability] the first document reached all four tabs in ${Date.now() - t0} ms`);
  // Split: B and C part (an explicit Disconnect, so neither re-dials).
  await peerItem(b, await peerIdOf(c)).getByRole('button', { name: 'Disconnect' }).click();
  await expect(peerItem(c, await peerIdOf(b))).toHaveCount(0, { timeout: 15_000 });
  const update = (p: typeof a, patch: Record<string, unknown>) => p.evaluate(async ([docId, fields]) => {
    await (window as unknown as { __client: { update(c: string, id: string, f: unknown): Promise<unknown> } }).__client.update('User', docId as string, fields);
  }, [id, patch] as const);
  await update(a, { name: 'left', age: 1 });
  await update(d, { name: 'right', points: 2.5 });
  await expect.poll(() => fieldsOf(b), { timeout: 15_000 }).toContain('left');
  await expect.poll(() => fieldsOf(c), { timeout: 15_000 }).toContain('right');
  // Heal: all four hold the same document, with both halves' fields and one name.
  await link(b, c);
  await expect.poll(async () => new Set(await Promise.all(tabs.map(fieldsOf))).size, { timeout: 20_000 }).toBe(1);
  const final = JSON.parse((await fieldsOf(a))!) as Record<string, unknown>;
  expect(final.age).toBe(1);
  expect(final.points).toBe(2.5);
  expect(['left', 'right']).toContain(final.name);
});
