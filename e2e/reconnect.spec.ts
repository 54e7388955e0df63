/** A direct connection closed underneath two tabs comes back on its own, and sync resumes (with catch-up). */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { USER_SDL, addSchema, connectTo, createDoc, dialableAddress, openApp, peerIdOf, peerItem, rowWith, uniqueNode } from './fixtures.js';

async function tab(context: BrowserContext, prefix: string): Promise<Page> {
  const p = await context.newPage();
  await openApp(p, uniqueNode(prefix));
  await addSchema(p, USER_SDL);
  await dialableAddress(p);
  const sw = p.getByRole('switch', { name: 'Sync User' });
  await sw.click();
  await expect(sw).toHaveAttribute('aria-checked', 'true');
  return p;
}

test('a direct connection closed underneath is re-dialled by the tab that connected, and sync resumes', async ({ context }) => {
  const a = await tab(context, 'rcA');
  const b = await tab(context, 'rcB');
  const [idA, idB] = [await peerIdOf(a), await peerIdOf(b)];
  await connectTo(b, await dialableAddress(a));
  await expect(peerItem(b, idA)).toContainText('direct', { timeout: 30_000 });
  await expect(peerItem(a, idB)).toContainText('direct', { timeout: 30_000 });
  // Close A's direct (WebRTC) connections to B from underneath: no goodbye, as when a network drops.
  const closed = await a.evaluate(async (peer) => {
    const libp2p = (window as unknown as { __node: { network: { libp2p: { getConnections(): Array<{ remotePeer: { toString(): string }; limits?: unknown; close(): Promise<void> }> } } } }).__node.network.libp2p;
    const direct = libp2p.getConnections().filter((c) => c.remotePeer.toString() === peer && c.limits == null);
    await Promise.all(direct.map((c) => c.close()));
    return direct.length;
  }, idB);
  expect(closed).toBeGreaterThan(0);
  // B, which connected, notices and re-dials; both list each other as direct again.
  await expect(b.getByRole('log', { name: 'Activity' })).toContainText(`Reconnected to ${idA} directly`, { timeout: 30_000 });
  await expect(peerItem(b, idA)).toContainText('direct', { timeout: 30_000 });
  await expect(peerItem(a, idB)).toContainText('direct', { timeout: 30_000 });
  await createDoc(a, 'User', { name: 'After the drop' });
  await expect(rowWith(b, 'User', 'After the drop')).toHaveCount(1, { timeout: 15_000 });
});
