/**
 * What a reconnect costs on the wire: two Node peers (real libp2p over TCP loopback, memory stores) holding the
 * same 10,000 documents disconnect and reconnect, equal or differing in one document; the sync stream's bytes both
 * ways (requests sent and answers read, by both peers) until both are in sync again. Pages of heads (the method
 * before reconciliation) are measured in the same run for comparison. Runs in Node: the bytes do not depend on the
 * browser, and the test harness's peers count them at the SyncNetwork boundary.
 */
import '../../src/net/polyfill.js';
import { createNodeLibp2p } from '../../src/net/node-libp2p.js';
import type { NetNode } from '../../src/net/services.js';
import { libp2pSyncNetwork } from '../../src/net/sync-network.js';
import { makeTestPeer, sameState, waitFor, type TestPeer } from '../../test/sync/harness.js';
import type { Results } from '../lib/results.js';
import { round } from '../lib/stats.js';

export const RESYNC_KEYS = ['resync_bytes_equal_10000', 'resync_bytes_1_of_10000', 'resync_1_of_10000_ms', 'resync_bytes_1_of_10000_pages'];

const N = 10_000;

interface Pair {
  a: TestPeer;
  b: TestPeer;
  na: NetNode;
  nb: NetNode;
}

async function pair(reconcile: boolean): Promise<Pair> {
  const [na, nb] = [await createNodeLibp2p({ transports: ['tcp'] }), await createNodeLibp2p({ transports: ['tcp'] })];
  const sync = { resyncIntervalMs: 0, reconcile };
  const a = await makeTestPeer('a', await libp2pSyncNetwork(na), { sync });
  const b = await makeTestPeer('b', await libp2pSyncNetwork(nb), { sync });
  await a.sync.subscribe('User');
  await b.sync.subscribe('User');
  return { a, b, na, nb };
}

const bytes = (p: Pair): number => p.a.traffic.sent + p.a.traffic.received + p.b.traffic.sent + p.b.traffic.received;
const inSync = (p: TestPeer, other: TestPeer): boolean => p.sync.syncStatus().some((s) => s.peer === other.id && s.state === 'in-sync');

/** Reconnects the pair, counting from zero; resolves with the bytes and ms once both are in sync and quiet. */
async function reconnect(p: Pair, settled: () => Promise<boolean>): Promise<{ bytes: number; ms: number }> {
  for (const x of [p.a, p.b]) { x.traffic.sent = 0; x.traffic.received = 0; }
  const t0 = performance.now();
  await p.nb.dial(p.na.getMultiaddrs()[0]!);
  await waitFor(async () => inSync(p.a, p.b) && inSync(p.b, p.a) && (await settled()), 'both in sync', 120_000);
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 1500)); // the hellos a change of peers sends 0.3 s later count too
  return { bytes: bytes(p), ms };
}

async function disconnect(p: Pair): Promise<void> {
  await p.nb.hangUp(p.na.peerId);
  await waitFor(() => !p.a.sync.peers().includes(p.b.id) && !p.b.sync.peers().includes(p.a.id), 'the link to drop', 20_000);
}

/** One pair: shared documents, then an equal reconnect (when `equal`) and a reconnect after one edit. */
async function measure(reconcile: boolean, equal: boolean): Promise<{ equal?: number; one: number; oneMs: number }> {
  const p = await pair(reconcile);
  try {
    const docs = await p.a.db.createMany('User', Array.from({ length: N }, (_, i) => ({ name: `user ${i}`, age: i % 90, verified: i % 2 === 0, points: i * 1.5 })));
    await p.nb.dial(p.na.getMultiaddrs()[0]!);
    await waitFor(async () => sameState(p.a.db, p.b.db), `B to hold the ${N} documents`, 300_000);
    await waitFor(() => inSync(p.a, p.b) && inSync(p.b, p.a), 'both in sync', 60_000);
    const out: { equal?: number; one: number; oneMs: number } = { one: 0, oneMs: 0 };
    if (equal) {
      await disconnect(p);
      out.equal = (await reconnect(p, async () => true)).bytes;
    }
    await disconnect(p);
    const edited = docs[N / 2]!.id;
    await p.a.db.update('User', edited, { name: 'edited while apart' });
    const r = await reconnect(p, async () => (await p.b.db.get('User', edited))?.fields.name === 'edited while apart');
    out.one = r.bytes;
    out.oneMs = r.ms;
    return out;
  } finally {
    for (const x of [p.a, p.b]) await x.sync.stop();
    for (const x of [p.a, p.b]) await x.db.close();
    for (const n of [p.na, p.nb]) await n.stop();
  }
}

export async function runResync(r: Results): Promise<void> {
  const recon = await measure(true, true);
  const pages = await measure(false, false);
  r.set('resync_bytes_equal_10000', recon.equal!, 1, `sync-stream bytes both ways (both peers' requests and answers) from reconnect until in sync, ${N} equal documents, libp2p TCP loopback`);
  r.set('resync_bytes_1_of_10000', recon.one, 1, `the same after one document was edited on one side while apart (range-fingerprint reconciliation)`);
  r.set('resync_1_of_10000_ms', round(recon.oneMs), 1, 'dial until both in sync and the edit held, one document of 10,000 differing');
  r.set('resync_bytes_1_of_10000_pages', pages.one, 1, 'the same with reconciliation off: each side sends its heads page by page (the method before)');
}
