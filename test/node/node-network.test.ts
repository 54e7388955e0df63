import '../../src/net/polyfill.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeLibp2p } from '../../src/net/node-libp2p.js';
import { startNode, type P2PNode } from '../../src/node/node.js';
import { MemoryStore, createMemoryData, type MemoryData } from '../../src/store/memory-store.js';
import type { NetNode } from '../../src/net/services.js';

const started: Array<{ close(): Promise<void> } | NetNode> = [];
afterEach(async () => {
  for (const s of started.splice(0)) await ('close' in s ? s.close() : s.stop());
});

async function node(name: string, data: MemoryData = createMemoryData()): Promise<P2PNode> {
  const n = await startNode({
    name,
    store: new MemoryStore(data),
    lockInit: { fallback: true, probeMs: 5 },
    network: { create: (privateKey) => createNodeLibp2p({ privateKey, transports: ['tcp'] }), pingEveryMs: 200, redial: { firstDelayMs: 100, maxDelayMs: 400 } },
  });
  started.push(n);
  return n;
}

const tcpAddr = (n: P2PNode): string => n.network!.addresses().find((a) => a.includes('/tcp/'))!;

async function errorOf(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(() => undefined, (x: Error) => x);
  if (!e) throw new Error('expected a rejection');
  return e;
}

describe('node network (Node, TCP)', () => {
  it('connects by address; both sides list each other as direct with a ping time; disconnect ends it', async () => {
    const a = await node('net-a');
    const b = await node('net-b');
    const peer = await b.network!.connect(tcpAddr(a));
    expect(peer.peerId).toBe(a.network!.peerId);
    expect(peer.kind).toBe('direct');
    await expect.poll(() => a.network!.activePeers().map((p) => p.peerId)).toEqual([b.network!.peerId]);
    await expect.poll(() => b.network!.activePeers()[0]?.rttMs, { timeout: 5000 }).toBeTypeOf('number');
    await b.network!.disconnect(a.network!.peerId);
    expect(b.network!.activePeers()).toEqual([]);
    await expect.poll(() => a.network!.activePeers(), { timeout: 1500 }).toEqual([]); // told, not timed out
  });

  it('the peer key is persisted: same PeerID after a restart', async () => {
    const data = createMemoryData();
    const first = await node('net-persist', data);
    const id = first.network!.peerId;
    await first.close();
    started.splice(started.indexOf(first), 1);
    const again = await node('net-persist', data);
    expect(again.network!.peerId).toBe(id);
  });

  it('refuses its own address and a libp2p peer that is not running this app', async () => {
    const a = await node('net-self');
    expect((await errorOf(a.network!.connect(tcpAddr(a)))).name).toBe('SelfDialError');
    const stranger = await createNodeLibp2p({ transports: ['tcp'] });
    started.push(stranger);
    const addr = stranger.getMultiaddrs().find((m) => m.toString().includes('/tcp/'))!.toString();
    const err = await errorOf(a.network!.connect(addr));
    expect(err.name).toBe('NotAnAppPeerError');
    expect(err.message).toContain('not running this app');
    expect(a.network!.activePeers()).toEqual([]);
  });

  it('an unreachable peer fails after bounded retries with progress reports', async () => {
    const a = await node('net-unreach');
    const gone = await node('net-gone');
    const addr = tcpAddr(gone);
    await gone.close();
    started.splice(started.indexOf(gone), 1);
    const progress: string[] = [];
    const started0 = Date.now();
    const err = await errorOf(a.network!.connect(addr, (m) => progress.push(m)));
    expect(err.name).toBe('DialFailedError');
    expect(progress.some((m) => m.includes('attempt 2 of 3'))).toBe(true);
    expect(Date.now() - started0).toBeLessThan(20_000);
  });

  it('re-dials a peer whose connection was lost without a goodbye, then catches up; an explicit Disconnect is not re-dialled', async () => {
    const a = await node('net-redial-a');
    const b = await node('net-redial-b');
    for (const n of [a, b]) {
      await n.db.addSchema('type User { name: String }');
      await n.sync!.subscribe('User');
    }
    await a.network!.connect(tcpAddr(b));
    await expect.poll(() => a.sync!.peers().length, { timeout: 5000 }).toBe(1);
    // The connection drops underneath (no goodbye), and B writes while it is down.
    await b.network!.libp2p.hangUp(a.network!.libp2p.peerId);
    const doc = await b.db.create('User', { name: 'written while apart' });
    await expect.poll(async () => (await a.db.get('User', doc.id)) !== undefined, { timeout: 10_000 }).toBe(true);
    const log = a.sync!.recentActivity().map((e) => e.message);
    expect(log.some((m) => m.startsWith(`Lost the direct connection to ${b.network!.peerId}`))).toBe(true);
    expect(log.some((m) => m.startsWith(`Reconnected to ${b.network!.peerId} directly`))).toBe(true);
    expect(a.network!.reconnecting()).toEqual([]);
    // An explicit Disconnect is final.
    await a.network!.disconnect(b.network!.peerId);
    const before = a.sync!.recentActivity().length;
    await new Promise((r) => setTimeout(r, 800)); // several re-dial periods
    expect(a.network!.activePeers()).toEqual([]);
    expect(a.sync!.recentActivity().slice(before).filter((e) => e.message.includes('re-dialling'))).toEqual([]);
  });

  it('garbage and addresses without /p2p/ are InvalidMultiaddrError', async () => {
    const a = await node('net-garbage');
    expect((await errorOf(a.network!.connect('garbage'))).name).toBe('InvalidMultiaddrError');
    expect((await errorOf(a.network!.connect('/ip4/127.0.0.1/tcp/1'))).name).toBe('InvalidMultiaddrError');
  });
});
