/**
 * The seed's terminal walkthrough, command for command, with `p2pdb` for `defradb`: two real node processes
 * on loopback, driven by the real `p2pdb` binary.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const BIN = 'bin/p2pdb.mjs';
// Like the seed's 9171/9172 and 9181/9182, moved to ports no other test uses.
const base = 20_000 + (process.pid % 1000) * 20;
const P2P = [base + 1, base + 2];
const URL = [`localhost:${base + 11}`, `localhost:${base + 12}`];
const SDL = `
type User {
name: String
age: Int
verified: Boolean
points: Float
}
`;
const dirs = [mkdtempSync(join(tmpdir(), 'p2pdb-node1-')), mkdtempSync(join(tmpdir(), 'p2pdb-node2-'))];
const running: ChildProcess[] = [];

interface Node {
  proc: ChildProcess;
  log: string[];
  stop(): Promise<number | null>;
}

/** `p2pdb start …` in the background; resolves once its control API answers. */
async function start(i: number, extra: string[] = []): Promise<Node> {
  const proc = spawn('node', [BIN, 'start', '--rootdir', dirs[i]!, '--p2paddr', `/ip4/127.0.0.1/tcp/${P2P[i]}`, '--url', URL[i]!, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(proc);
  const log: string[] = [];
  let buf = '';
  const take = (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    log.push(...lines);
  };
  proc.stdout!.on('data', take);
  proc.stderr!.on('data', take);
  const deadline = Date.now() + 30_000;
  while (!log.some((l) => l.includes('INF node Started'))) {
    if (proc.exitCode !== null) throw new Error(`node ${i + 1} exited: ${log.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`node ${i + 1} did not start: ${log.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc,
    log,
    stop: () => new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve(proc.exitCode);
      proc.once('exit', (code) => resolve(code));
      proc.kill('SIGINT');
    }),
  };
}

/** `p2pdb client …`: exit code, parsed stdout, stderr. */
function client(args: string[]): Promise<{ code: number; out: unknown; err: string }> {
  return new Promise((resolve) => {
    const p = spawn('node', [BIN, 'client', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('exit', (code) => {
      let parsed: unknown = out;
      try { parsed = JSON.parse(out); } catch { /* not JSON */ }
      resolve({ code: code ?? -1, out: parsed, err });
    });
  });
}

async function ok(args: string[]): Promise<unknown> {
  const r = await client(args);
  expect(r.code, `p2pdb client ${args.join(' ')}: ${r.err}`).toBe(0);
  return r.out;
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

afterAll(async () => {
  for (const p of running) if (p.exitCode === null) p.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

it("runs the seed's walkthrough with two node processes", async () => {
  const node1 = await start(0);
  let node2 = await start(1);

  // Create the "User" collection on Node1 and on Node2.
  for (const url of URL) {
    const added = (await ok(['collection', 'add', SDL, '--url', url])) as Array<{ name: string; id: string }>;
    expect(added.map((c) => c.name)).toEqual(['User']);
  }
  const described = (await ok(['collection', 'describe', '--url', URL[0]!])) as Array<{ name: string; id: string; fields: unknown[] }>;
  expect(described[0]).toMatchObject({ name: 'User', fields: [{ name: 'name', kind: 'String' }, { name: 'age', kind: 'Int' }, { name: 'verified', kind: 'Boolean' }, { name: 'points', kind: 'Float' }] });
  const topic = described[0]!.id;

  // Get peer info for Node1: multiaddresses ending in /p2p/<PeerID>, the seed's TCP one among them.
  const info = (await ok(['p2p', 'info', '--url', URL[0]!])) as string[];
  const addr1 = info.find((a) => a.startsWith(`/ip4/127.0.0.1/tcp/${P2P[0]}/p2p/`))!;
  expect(addr1).toMatch(/\/p2p\/12D3KooW\w+$/);
  expect(info.some((a) => a.includes('/ws/p2p/'))).toBe(true); // tabs can dial this one
  const id1 = addr1.split('/p2p/')[1]!;

  // Connect Node1 and Node2; peer relationships are mutual.
  await ok(['p2p', 'connect', addr1, '--url', URL[1]!]);
  expect(await ok(['p2p', 'active-peers', '--url', URL[1]!])).toEqual([addr1]);
  const peers1 = (await ok(['p2p', 'active-peers', '--url', URL[0]!])) as string[];
  expect(peers1).toHaveLength(1);
  const id2 = ((await ok(['p2p', 'info', '--url', URL[1]!])) as string[])[0]!.split('/p2p/')[1]!;
  expect(peers1[0]).toMatch(new RegExp(`/p2p/${id2}$`));

  // Subscribe to updates on a collection: Node2's log reports the new topic.
  await ok(['p2p', 'collection', 'add', 'User', '--url', URL[1]!]);
  await until(() => node2.log.some((l) => / INF p2p Adding pubsub topic PeerID=\S+ Topic=\S+$/.test(l) && l.includes(`PeerID=${id2}`) && l.includes(`Topic=${topic}`)), 'the "Adding pubsub topic" line');

  // A document created on Node1 reaches Node2 as a pubsub message.
  await new Promise((r) => setTimeout(r, 1500)); // let gossipsub build its mesh (DefraDB users wait for the subscription too)
  const created = (await ok(['query', 'mutation { create_User(input: {name: "Alice", age: 30, verified: true, points: 1.5}) { _docID } }', '--url', URL[0]!])) as { data: { create_User: Array<{ _docID: string }> } };
  const docId = created.data.create_User[0]!._docID;
  await until(() => node2.log.some((l) => l.includes(`INF p2p Received new pubsub message PeerID=${id2} SenderId=${id1} Topic=${topic}`)), 'the "Received new pubsub message" line');
  expect(await ok(['query', '{ User { _docID name age verified points } }', '--url', URL[1]!])).toEqual({ data: { User: [{ _docID: docId, name: 'Alice', age: 30, verified: true, points: 1.5 }] } });

  // Restart Node2: subscriptions are kept (its log says it joins the topic again), peers are not.
  expect(await node2.stop()).toBe(0);
  node2 = await start(1);
  expect(node2.log.some((l) => l.includes(`INF p2p Adding pubsub topic PeerID=${id2} Topic=${topic}`))).toBe(true);
  expect(((await ok(['p2p', 'collection', 'getall', '--url', URL[1]!])) as Array<{ name: string }>).map((c) => c.name)).toEqual(['User']);
  expect(await ok(['p2p', 'active-peers', '--url', URL[1]!])).toEqual([]);
  expect(await ok(['query', '{ _count(User: {}) }', '--url', URL[1]!])).toEqual({ data: { _count: 1 } });

  // Start Node2 with Node1 as peer.
  expect(await node2.stop()).toBe(0);
  node2 = await start(1, ['--peers', addr1]);
  expect(await ok(['p2p', 'active-peers', '--url', URL[1]!])).toEqual([addr1]);
  // The kept subscription still receives: a document created on Node1 now reaches the restarted Node2.
  await new Promise((r) => setTimeout(r, 1500));
  await ok(['query', 'mutation { create_User(input: {name: "Bob", age: 41}) { _docID } }', '--url', URL[0]!]);
  await until(async () => ((await ok(['query', '{ _count(User: {}) }', '--url', URL[1]!])) as { data: { _count: number } }).data._count === 2, 'Bob on the restarted node2');
  await ok(['p2p', 'collection', 'remove', 'User', '--url', URL[1]!]);
  expect(await ok(['p2p', 'collection', 'getall', '--url', URL[1]!])).toEqual([]);
  await until(() => node2.log.some((l) => l.includes(`INF p2p Removing pubsub topic PeerID=${id2} Topic=${topic}`)), 'the "Removing pubsub topic" line');

  // Failures: one line on stderr, non-zero exit.
  const cases: Array<[string[], RegExp]> = [
    [['p2p', 'connect', '/ip4/nope', '--url', URL[1]!], /multiaddr/i],
    [['p2p', 'collection', 'add', 'Ghost', '--url', URL[1]!], /Ghost/],
    [['collection', 'add', 'type Bad { x: Nope }', '--url', URL[1]!], /line 1, column \d+/],
    [['query', '{ User { nam } }', '--url', URL[1]!], /Cannot query field "nam" on type "User".*\(line 1, column 10\)/],
    [['p2p', 'info', '--url', 'localhost:1'], /cannot reach a node at http:\/\/localhost:1/],
    [['p2p', 'frobnicate', '--url', URL[1]!], /unknown command/],
  ];
  for (const [args, message] of cases) {
    const r = await client(args);
    expect(r.code, args.join(' ')).not.toBe(0);
    expect(r.err.trim(), args.join(' ')).toMatch(message);
    expect(r.err.trim().split('\n'), `${args.join(' ')}: one line`).toHaveLength(1);
  }
  await until(() => node2.log.some((l) => /WRN net could not connect to \/ip4\/nope: .*PeerID=/.test(l)), 'the failed connect in the log');

  // The control API refuses a foreign Host header (DNS rebinding) and sends no CORS headers.
  const port = Number(URL[1]!.split(':')[1]);
  const asked = (host: string) => new Promise<{ status: number; cors: string | undefined }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v0/p2p/info', headers: { host } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, cors: res.headers['access-control-allow-origin'] as string | undefined });
    });
    req.on('error', reject);
    req.end();
  });
  expect(await asked(`evil.example:${port}`)).toEqual({ status: 403, cors: undefined });
  expect(await asked(`127.0.0.1:${port}`)).toEqual({ status: 200, cors: undefined });
  await until(() => node2.log.some((l) => l.includes('WRN http refused a control request for Host "evil.example')), 'the refusal in the log');

  // Nor can a web page send it a write blindly (cross-site request forgery): a request with an Origin, or a
  // body not declared JSON, is refused and nothing is stored.
  const post = (headers: Record<string, string>) => new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v0/graphql', headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(JSON.stringify({ query: 'mutation { create_User(input: {name: "Mallory"}) { _docID } }' }));
  });
  expect(await post({ 'content-type': 'application/json', origin: 'http://evil.example' })).toBe(403);
  expect(await post({ 'content-type': 'text/plain' })).toBe(403);
  expect(await post({ 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' })).toBe(403);
  expect(await ok(['query', '{ User(filter: {name: {_eq: "Mallory"}}) { name } }', '--url', URL[1]!])).toEqual({ data: { User: [] } });
  await until(() => node2.log.some((l) => l.includes('WRN http refused a control request POST /api/v0/graphql: it came from a web page (Origin "http://evil.example")')), 'the forgery refusal in the log');

  expect(await node1.stop()).toBe(0);
  expect(await node2.stop()).toBe(0);
  expect(node2.log.at(-1)).toMatch(/INF node Stopped/);
}, 180_000);
