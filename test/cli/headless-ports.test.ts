/** A headless node's WebSocket port: derived from its TCP port so it survives restarts, a free one when taken. */
import '../../src/net/polyfill.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startHeadless } from '../../src/cli/headless.js';

const base = 50_000 + (process.pid % 500) * 10;
const dir = mkdtempSync(join(tmpdir(), 'p2pdb-ports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const wsPort = (addrs: readonly string[]): number => Number(/\/tcp\/(\d+)\/ws\//.exec(addrs.find((a) => a.includes('/ws/'))!)![1]);

it('listens for tabs on TCP port + 1000 across restarts, and on a free port (with a warning) when that one is taken', async () => {
  const opts = { rootdir: dir, host: '127.0.0.1', p2paddrs: [`/ip4/127.0.0.1/tcp/${base}`], peers: [], relays: [] };
  const lines: string[] = [];
  let node = await startHeadless({ ...opts, port: base + 1, log: (l) => lines.push(l) });
  expect(wsPort(node.client.info().addresses)).toBe(base + 1000);
  await node.close();

  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(base + 1000, '127.0.0.1', r));
  try {
    node = await startHeadless({ ...opts, port: base + 1, log: (l) => lines.push(l) });
    const port = wsPort(node.client.info().addresses);
    expect(port).not.toBe(base + 1000);
    expect(port).toBeGreaterThan(0);
    expect(lines.some((l) => /WRN net The WebSocket port next to .* is taken/.test(l))).toBe(true);
    await node.close();
  } finally {
    await new Promise((r) => blocker.close(r));
  }
}, 60_000);
