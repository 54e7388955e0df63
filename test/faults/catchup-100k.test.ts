/** Catch-up of 100,000 documents between two Node peers over real libp2p (TCP): it completes, in bounded requests. */
import '../../src/net/polyfill.js';
import { expect, it } from 'vitest';
import { tcpAddr } from '../net/setup.js';
import { createNodeLibp2p } from '../../src/net/node-libp2p.js';
import { libp2pSyncNetwork } from '../../src/net/sync-network.js';
import { makeTestPeer, waitFor } from '../sync/harness.js';

const N = Number(process.env.CATCHUP_DOCS ?? 100_000);

it(`catches up ${N} documents between Node peers`, async () => {
  const [na, nb] = [await createNodeLibp2p({ transports: ['tcp'] }), await createNodeLibp2p({ transports: ['tcp'] })];
  const a = await makeTestPeer('a', await libp2pSyncNetwork(na), { sync: { resyncIntervalMs: 0 } });
  const b = await makeTestPeer('b', await libp2pSyncNetwork(nb), { sync: { resyncIntervalMs: 0 } });
  try {
    await a.sync.subscribe('User');
    await b.sync.subscribe('User');
    const t0 = Date.now();
    for (let i = 0; i < N; i += 10_000) {
      await a.db.createMany('User', Array.from({ length: Math.min(10_000, N - i) }, (_, j) => ({ name: `user ${i + j}`, age: (i + j) % 100 })));
    }
    const t1 = Date.now();
    await nb.dial(tcpAddr(na));
    const col = b.db.collection('User').id;
    try {
      await waitFor(async () => (await b.db.digest(col)).count === N, `B to hold all ${N} documents`, 600_000);
    } catch (err) {
      // What each side last did, so a stall on a CI machine says where it stopped.
      for (const p of [a, b]) console.log(`[faults] activity of ${p.name}:\n${p.sync.recentActivity().slice(-40).map((e) => `${new Date(e.at).toISOString()} ${e.level} ${e.message}`).join('\n')}`);
      console.log(`[faults] B holds ${(await b.db.digest(col)).count}; requests sent by B: ${b.requests.join(',')}`);
      throw err;
    }
    const t2 = Date.now();
    expect(await b.db.digest(col)).toEqual(await a.db.digest(col));
    const pulls = b.requests.filter((k) => k === 'pull').length;
    expect(pulls).toBeGreaterThanOrEqual(Math.ceil(N / 5000)); // answers are bounded, so there were many
    console.log(`[faults] ${N} documents: written in ${t1 - t0} ms, caught up in ${t2 - t1} ms with ${pulls} pulls; heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB`);
  } finally {
    await a.sync.stop();
    await b.sync.stop();
    await na.stop();
    await nb.stop();
  }
}, 900_000);
