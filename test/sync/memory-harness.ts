/** The shared cases' harness over the in-memory network. */
import { createMemoryNetwork, type MemoryNetwork, type MemoryNetworkInit, type MemoryPeer } from './memory-network.js';
import { makeTestPeer, waitFor, type SyncHarness, type TestPeer } from './harness.js';

/** A memory harness, and its network for memory-only assertions. */
export interface MemoryHarness extends SyncHarness {
  readonly net: MemoryNetwork;
  endpoint(p: TestPeer): MemoryPeer;
}

/** Creates a harness over a fresh memory network. */
export async function memoryHarness(init: MemoryNetworkInit = {}): Promise<MemoryHarness> {
  const net = createMemoryNetwork(init);
  const peers: TestPeer[] = [];
  const endpoint = (p: TestPeer): MemoryPeer => net.byId(p.id)!;
  return {
    kind: 'memory',
    net,
    endpoint,
    async peer(name, opts) {
      const p = await makeTestPeer(name, net.peer(name), opts);
      peers.push(p);
      return p;
    },
    async connect(a, b) {
      net.connect(endpoint(a), endpoint(b));
      await waitFor(() => a.sync.peers().includes(b.id) && b.sync.peers().includes(a.id), 'the link');
    },
    async disconnect(a, b) {
      net.disconnect(endpoint(a), endpoint(b));
      await Promise.resolve();
    },
    async ready() { /* subscriptions are visible at once */ },
    async close() {
      for (const p of peers) await p.sync.stop();
      for (const p of peers) await p.db.close();
    },
  };
}
