/**
 * A headless node killed with SIGKILL in the middle of a burst of creates loses none the API acknowledged,
 * and after a restart serves them to a peer catching up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startHeadless, type Headless } from '../../src/cli/headless.js';

const base = 30_000 + (process.pid % 1000) * 20;
const URL = `127.0.0.1:${base + 11}`;
const dir = mkdtempSync(join(tmpdir(), 'p2pdb-crash-'));
const other = mkdtempSync(join(tmpdir(), 'p2pdb-crash-peer-'));
const procs: ChildProcess[] = [];
let peer: Headless | undefined;

afterAll(async () => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  await peer?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(other, { recursive: true, force: true });
});

async function startProc(): Promise<{ proc: ChildProcess; log: string[] }> {
  const proc = spawn('node', ['bin/p2pdb.mjs', 'start', '--rootdir', dir, '--p2paddr', `/ip4/127.0.0.1/tcp/${base + 1}`, '--url', URL], { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(proc);
  const log: string[] = [];
  proc.stdout!.on('data', (d: Buffer) => log.push(...d.toString().split('\n')));
  proc.stderr!.on('data', (d: Buffer) => log.push(...d.toString().split('\n')));
  const deadline = Date.now() + 30_000;
  while (!log.some((l) => l.includes('INF node Started'))) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`the node did not start: ${log.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, log };
}

async function api(path: string, body?: unknown): Promise<{ data?: Record<string, unknown>; errors?: unknown[] } & Record<string, unknown>> {
  const res = await fetch(`http://${URL}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return (await res.json()) as never;
}

it('SIGKILL during a burst of acknowledged creates: after a restart every acknowledged document is there and is served to a peer', async () => {
  const first = await startProc();
  await api('/api/v0/collections', { sdl: 'type User { name: String n: Int }' });
  const acked: string[] = [];
  let stop = false;
  // Eight writers, each waiting for its acknowledgement before the next create.
  const writer = async (w: number): Promise<void> => {
    for (let i = 0; !stop; i++) {
      try {
        const r = await api('/api/v0/graphql', { query: `mutation { create_User(input: {name: "w${w}-${i}", n: ${i}}) { _docID } }` });
        const id = (r.data?.create_User as Array<{ _docID: string }> | undefined)?.[0]?._docID;
        if (id) acked.push(id);
      } catch {
        return; // the node is gone: this create was never acknowledged
      }
    }
  };
  const writers = Array.from({ length: 8 }, (_, w) => writer(w));
  await new Promise((r) => setTimeout(r, 1500));
  first.proc.kill('SIGKILL');
  await new Promise((r) => first.proc.once('exit', r));
  stop = true;
  await Promise.all(writers);
  expect(acked.length).toBeGreaterThan(20);

  const second = await startProc();
  const held = await api('/api/v0/graphql', { query: 'query ($ids: [ID!]) { User(docIDs: $ids) { _docID } }', variables: { ids: acked } });
  expect((held.data!.User as unknown[]).length).toBe(acked.length);
  console.log(`[crash] ${acked.length} creates acknowledged before SIGKILL; all ${acked.length} there after the restart`);

  // A fresh peer catches up from the restarted node.
  const info = (await (await fetch(`http://${URL}/api/v0/p2p/info`)).json()) as string[];
  peer = await startHeadless({ rootdir: other, host: '127.0.0.1', port: base + 12, p2paddrs: [`/ip4/127.0.0.1/tcp/${base + 2}`], peers: [], relays: [], log: () => undefined });
  await peer.client.addSchema('type User { name: String n: Int }');
  await peer.client.subscribe('User');
  await api('/api/v0/p2p/collections', { names: 'User' });
  await peer.client.connect(info.find((a) => a.includes(`/tcp/${base + 1}/p2p/`))!);
  const deadline = Date.now() + 30_000;
  while ((await peer.client.list('User', { limit: 0 })).total < acked.length) {
    if (Date.now() > deadline) throw new Error('the peer did not catch up');
    await new Promise((r) => setTimeout(r, 100));
  }
  const total = (await peer.client.list('User', { limit: 0 })).total;
  expect(total).toBeGreaterThanOrEqual(acked.length);
  second.proc.kill('SIGINT');
  await new Promise((r) => second.proc.once('exit', r));
}, 120_000);
