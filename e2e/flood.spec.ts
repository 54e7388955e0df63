/**
 * A flood: a Node peer writes as fast as it can for 30 s into a tab. Afterwards the tab holds every document
 * without any user action, the connection is still up, and local creates stayed fast meanwhile.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { expect, test } from '@playwright/test';
import { USER_SDL, addSchema, connectTo, openApp, peerItem, uniqueNode } from './fixtures.js';

const FLOOD_SECONDS = Number(process.env.FLOOD_SECONDS ?? 30);
/** The bound on one local create in the tab while the flood runs (stated in docs/threats-and-limits.md). */
const LOCAL_CREATE_BOUND_MS = 2_000;

test('a peer writing as fast as it can for 30 s: the tab gets every document, stays connected and responsive', async ({ page }) => {
  test.setTimeout(FLOOD_SECONDS * 1000 + 300_000);
  const peer = spawn('node_modules/.bin/tsx', ['e2e/harness/flood-peer.ts'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const messages: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: peer.stdout! }).on('line', (line) => {
    try {
      messages.push(JSON.parse(line) as Record<string, unknown>);
      for (const w of waiters.splice(0)) w();
    } catch {
      /* not ours */
    }
  });
  const next = async (key: string, ms: number): Promise<Record<string, unknown>> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = messages.find((x) => key in x);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`flood peer never said ${key}`);
      await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 500); });
    }
  };
  try {
    const { address, peerId } = (await next('address', 30_000)) as { address: string; peerId: string };
    await openApp(page, uniqueNode('flood'));
    await addSchema(page, USER_SDL);
    const sw = page.getByRole('switch', { name: 'Sync User' });
    await sw.click();
    await expect(sw).toHaveAttribute('aria-checked', 'true');
    await connectTo(page, address);
    await expect(peerItem(page, peerId)).toContainText('direct', { timeout: 30_000 });
    await expect(peerItem(page, peerId).getByLabel(`Sync with ${peerId}`)).toHaveText(/User: (in sync|caught up)/, { timeout: 30_000 });

    // Every sync state the tab reports about the flooding peer.
    await page.evaluate((id) => {
      const w = window as unknown as { __states: string[]; __fell: boolean; __client: { on(e: string, f: (s: { peer: string; state: string; message: string }) => void): void } };
      w.__states = [];
      w.__fell = false;
      w.__client.on('sync-status', (s) => { if (s.peer === id) w.__states.push(s.state); });
      w.__client.on('activity', (e) => { if (e.message.startsWith('Falling behind on User')) w.__fell = true; });
    }, peerId);
    peer.stdin!.write(`go ${FLOOD_SECONDS}\n`);
    // Local creates while the flood runs, one every second, each timed from call to acknowledgement.
    const local: number[] = [];
    const floodEnd = Date.now() + FLOOD_SECONDS * 1000;
    while (Date.now() < floodEnd) {
      local.push(await page.evaluate(async (i) => {
        const t0 = performance.now();
        await (window as unknown as { __client: { create(c: string, f: object): Promise<unknown> } }).__client.create('User', { name: `local ${i}` });
        return performance.now() - t0;
      }, local.length));
      await page.waitForTimeout(1000);
    }
    const { created } = (await next('done', 60_000)) as { created: number };
    const expected = created + local.length;
    const t0 = Date.now();
    const count = () => page.evaluate(async () => (await (window as unknown as { __client: { list(c: string, o: object): Promise<{ total: number }> } }).__client.list('User', { limit: 1 })).total);
    await expect.poll(count, { timeout: 240_000, intervals: [1000] }).toBe(expected);
    const worst = Math.max(...local);
    console.log(`[flood] ${created} documents in ${FLOOD_SECONDS} s from the peer; all held ${Date.now() - t0} ms after it stopped; ` +
      `local creates during the flood: p50 ${local.sort((a, b) => a - b)[Math.floor(local.length / 2)]!.toFixed(0)} ms, worst ${worst.toFixed(0)} ms (${local.length})`);
    expect(worst).toBeLessThan(LOCAL_CREATE_BOUND_MS);
    // The connection is still up, direct, and the two are in step.
    await expect(peerItem(page, peerId)).toContainText('direct');
    await expect(peerItem(page, peerId).getByLabel(`Sync with ${peerId}`)).toHaveText('User: in sync', { timeout: 60_000 });
    // When the tab fell behind (it logs so), it said so in the peer's sync state too.
    const { fellBehind, states } = await page.evaluate(() => {
      const w = window as unknown as { __states: string[]; __fell: boolean };
      return { fellBehind: w.__fell, states: w.__states };
    });
    console.log(`[flood] fell behind: ${fellBehind}; states: ${[...new Set(states)].join(', ')}`);
    if (fellBehind) expect(states).toContain('behind');
    await expect(page.getByRole('table', { name: 'User documents' })).toBeVisible();
  } finally {
    peer.stdin!.end('stop\n');
    await new Promise((r) => { if (peer.exitCode !== null) r(undefined); else { peer.once('exit', r); setTimeout(() => { peer.kill('SIGKILL'); r(undefined); }, 5000); } });
  }
});
