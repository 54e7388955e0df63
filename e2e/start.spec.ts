/** `npm start` with other relay ports: the page learns them from the server it came from, with no URL parameters. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { connectTo, dialableAddress, peerIdOf, peerItem } from './fixtures.js';

test('npm start with RELAY_PORT and RELAY_HTTP_PORT changed: two tabs find the relay and connect without URL parameters', async ({ context }) => {
  test.setTimeout(180_000);
  const port = 4190;
  const start = spawn('node', ['scripts/start.mjs'], {
    env: { ...process.env, PORT: String(port), RELAY_PORT: '9390', RELAY_HTTP_PORT: '9391', RELAY_DATA_DIR: mkdtempSync(join(tmpdir(), 'start-relay-')), P2PDB_OUT_DIR: 'reports/start-dist' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  start.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  start.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  try {
    await expect.poll(() => out, { timeout: 150_000 }).toContain('P2P DocDB is running');
    const a = await context.newPage();
    const b = await context.newPage();
    for (const p of [a, b]) {
      await p.goto(`http://localhost:${port}/`);
      await expect(p.getByRole('button', { name: 'Add collection' })).toBeVisible();
    }
    await expect(a.getByRole('status').filter({ hasText: 'Relay:' })).toHaveText('Relay: connected to the relay', { timeout: 20_000 });
    expect(new URL(a.url()).searchParams.get('relayHttpPort')).toBeNull();
    await connectTo(b, await dialableAddress(a));
    await expect(peerItem(b, await peerIdOf(a))).toContainText('direct', { timeout: 30_000 });
  } finally {
    start.kill('SIGINT');
    await new Promise((r) => (start.exitCode !== null ? r(undefined) : start.once('exit', r)));
  }
});
