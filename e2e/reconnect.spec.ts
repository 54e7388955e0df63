/** A direct connection closed underneath two tabs comes back on its own, and sync resumes (with catch-up). */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { USER_SDL, addSchema, connectTo, createDoc, dialableAddress, openApp, peerIdOf, peerItem, rowWith, uniqueNode, syncOn } from './fixtures.js';

async function tab(context: BrowserContext, prefix: string): Promise<Page> {
  const p = await context.newPage();
  await openApp(p, uniqueNode(prefix));
  await addSchema(p, USER_SDL);
  await dialableAddress(p);
  await syncOn(p);
  return p;
}

test('a direct connection closed underneath is re-dialled by the tab that connected, and sync resumes', async ({ context }) => {
  const a = await tab(context, 'rcA');
  const b = await tab(context, 'rcB');
  const [idA, idB] = [await peerIdOf(a), await peerIdOf(b)];
  await connectTo(b, await dialableAddress(a));
  await expect(peerItem(b, idA)).toContainText('direct', { timeout: 30_000 });
  await expect(peerItem(a, idB)).toContainText('direct', { timeout: 30_000 });
  // Abort A's direct (WebRTC) connections to B from underneath: no goodbye, as when a network drops.
  // (Connections settle just after an upgrade: wait until a direct one is there, then close it.)
  const closed = await a.evaluate(async (peer) => {
    const libp2p = (window as unknown as { __node: { network: { libp2p: { getConnections(): Array<{ remotePeer: { toString(): string }; limits?: unknown; status: string; abort(err: Error): void }> } } } }).__node.network.libp2p;
    for (let i = 0; i < 100; i++) {
      const direct = libp2p.getConnections().filter((c) => c.remotePeer.toString() === peer && c.limits == null && c.status === 'open');
      if (direct.length) {
        for (const c of direct) c.abort(new Error('test: the network dropped'));
        return direct.length;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return 0;
  }, idB);
  expect(closed).toBeGreaterThan(0);
  // B, which connected, notices and re-dials; both list each other as direct again.
  await expect(b.getByRole('log', { name: 'Activity' })).toContainText(`Reconnected to ${idA} directly`, { timeout: 30_000 });
  await expect(peerItem(b, idA)).toContainText('direct', { timeout: 30_000 });
  await expect(peerItem(a, idB)).toContainText('direct', { timeout: 30_000 });
  // Each peer says where this tab stands with it on User.
  await expect(peerItem(b, idA).getByLabel(`Sync with ${idA}`)).toHaveText(/User: (in sync|caught up)/, { timeout: 15_000 });
  await createDoc(a, 'User', { name: 'After the drop' });
  await expect(rowWith(b, 'User', 'After the drop')).toHaveCount(1, { timeout: 15_000 });
});
