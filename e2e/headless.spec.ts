/**
 * Tabs and an always-on headless node (`p2pdb start`): they sync both ways; once the first tab is closed the
 * node keeps receiving from a second one; a third tab opened after both closed catches up from the node alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { RELAY_HTTP_PORT, USER_SDL, addSchema, connectTo, createDoc, openApp, peerItem, rowWith, uniqueNode } from './fixtures.js';

const base = 40_000 + (process.pid % 1000) * 20;
const URL = `http://127.0.0.1:${base + 11}`;

async function api(path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${URL}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return (await res.json()) as Record<string, unknown>;
}

async function names(): Promise<string[]> {
  const r = (await api('/api/v0/graphql', { query: '{ User(order: {name: ASC}) { name } }' })) as { data: { User: Array<{ name: string }> } };
  return r.data.User.map((u) => u.name);
}

async function tabOn(context: BrowserContext, prefix: string, wsAddress: string, peerId: string): Promise<Page> {
  const p = await context.newPage();
  await openApp(p, uniqueNode(prefix));
  await addSchema(p, USER_SDL);
  const sw = p.getByRole('switch', { name: 'Sync User' });
  await sw.click();
  await expect(sw).toHaveAttribute('aria-checked', 'true');
  await connectTo(p, wsAddress);
  await expect(peerItem(p, peerId)).toContainText('direct', { timeout: 30_000 });
  await expect(peerItem(p, peerId).getByLabel(`Sync with ${peerId}`)).toHaveText(/User: (in sync|caught up)/, { timeout: 30_000 });
  return p;
}

test('a headless node syncs with tabs both ways and serves a tab opened after the others closed', async ({ context }) => {
  test.setTimeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'p2pdb-e2e-'));
  const node: ChildProcess = spawn('node', ['bin/p2pdb.mjs', 'start', '--rootdir', dir, '--p2paddr', `/ip4/127.0.0.1/tcp/${base + 1}`, '--url', `127.0.0.1:${base + 11}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  node.stdout!.on('data', (d: Buffer) => log.push(...d.toString().split('\n')));
  node.stderr!.on('data', (d: Buffer) => log.push(...d.toString().split('\n')));
  try {
    await expect.poll(() => log.some((l) => l.includes('INF node Started')), { timeout: 30_000 }).toBe(true);
    await api('/api/v0/collections', { sdl: USER_SDL });
    await api('/api/v0/p2p/collections', { names: 'User' });
    const info = (await (await fetch(`${URL}/api/v0/p2p/info`)).json()) as string[];
    const ws = info.find((a) => a.includes('/ws/p2p/'))!;
    const peerId = ws.split('/p2p/')[1]!;

    const one = await tabOn(context, 'hl1', ws, peerId);
    await createDoc(one, 'User', { name: 'From tab 1' });
    await expect.poll(names, { timeout: 15_000 }).toContain('From tab 1');
    await api('/api/v0/graphql', { query: 'mutation { create_User(input: {name: "From the node"}) { _docID } }' });
    await expect(rowWith(one, 'User', 'From the node')).toHaveCount(1, { timeout: 15_000 });
    await one.close();

    const two = await tabOn(context, 'hl2', ws, peerId);
    await expect(rowWith(two, 'User', 'From tab 1')).toHaveCount(1, { timeout: 15_000 });
    await createDoc(two, 'User', { name: 'From tab 2' });
    await expect.poll(names, { timeout: 15_000 }).toContain('From tab 2');
    await two.close();

    const three = await tabOn(context, 'hl3', ws, peerId);
    for (const n of ['From tab 1', 'From the node', 'From tab 2']) await expect(rowWith(three, 'User', n)).toHaveCount(1, { timeout: 15_000 });
    expect(await names()).toEqual(['From tab 1', 'From tab 2', 'From the node']);
    expect(log.some((l) => l.includes('INF p2p Received new pubsub message'))).toBe(true);
  } finally {
    node.kill('SIGINT');
    await new Promise((r) => (node.exitCode !== null ? r(undefined) : node.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a headless node started with --relay is reachable by tabs through the relay, and they end on a direct connection', async ({ page }) => {
  test.setTimeout(90_000);
  const relay = ((await (await fetch(`http://localhost:${RELAY_HTTP_PORT}/multiaddrs`)).json()) as { multiaddrs: string[] }).multiaddrs.find((a) => a.includes('/ws/') && a.includes('127.0.0.1'))!;
  const dir = mkdtempSync(join(tmpdir(), 'p2pdb-e2e-relay-'));
  const port = base + 13;
  const node = spawn('node', ['bin/p2pdb.mjs', 'start', '--rootdir', dir, '--p2paddr', `/ip4/127.0.0.1/tcp/${base + 3}`, '--url', `127.0.0.1:${port}`, '--relay', relay], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  node.stdout!.on('data', (d: Buffer) => log.push(...d.toString().split('\n')));
  node.stderr!.on('data', (d: Buffer) => log.push(...d.toString().split('\n')));
  const call = async (path: string, body?: unknown) => (await fetch(`http://127.0.0.1:${port}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })).json() as Promise<unknown>;
  try {
    await expect.poll(() => log.some((l) => l.includes('INF node Started')), { timeout: 30_000 }).toBe(true);
    await call('/api/v0/collections', { sdl: USER_SDL });
    await call('/api/v0/p2p/collections', { names: 'User' });
    await call('/api/v0/graphql', { query: 'mutation { create_User(input: {name: "Kept by the node"}) { _docID } }' });
    let circuit: string | undefined;
    await expect.poll(async () => {
      circuit = ((await call('/api/v0/p2p/info')) as string[]).find((a) => a.includes('/p2p-circuit/webrtc/'));
      return circuit !== undefined;
    }, { timeout: 30_000 }).toBe(true);
    const peerId = circuit!.split('/p2p/').at(-1)!;
    await openApp(page, uniqueNode('hlr'));
    await addSchema(page, USER_SDL);
    const sw = page.getByRole('switch', { name: 'Sync User' });
    await sw.click();
    await connectTo(page, circuit!);
    await expect(peerItem(page, peerId)).toContainText('direct', { timeout: 30_000 });
    await expect(rowWith(page, 'User', 'Kept by the node')).toHaveCount(1, { timeout: 20_000 });
  } finally {
    node.kill('SIGINT');
    await new Promise((r) => (node.exitCode !== null ? r(undefined) : node.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
});
