import { describe, expect, it } from 'vitest';
import { tcpAddr } from './setup.js';
import { createNodeLibp2p } from '../../src/net/node-libp2p.js';
import type { NetNode } from '../../src/net/services.js';
import { libp2pSyncNetwork, type Libp2pSyncNetwork } from '../../src/net/sync-network.js';
import { entries, makeTestPeer, waitFor, type SyncHarness, type TestPeer } from '../sync/harness.js';
import { syncCases } from '../sync/sync-cases.js';


/** The shared cases' harness over real libp2p nodes (TCP on loopback). */
async function libp2pHarness(): Promise<SyncHarness> {
  const nodes = new Map<string, { node: NetNode; net: Libp2pSyncNetwork }>();
  const peers: TestPeer[] = [];
  const nodeOf = (p: TestPeer): NetNode => nodes.get(p.id)!.node;
  return {
    kind: 'libp2p',
    async peer(name, opts) {
      const node = await createNodeLibp2p({ transports: ['tcp'], listen: ['/ip4/127.0.0.1/tcp/0'] });
      const net = await libp2pSyncNetwork(node);
      nodes.set(net.selfId, { node, net });
      const p = await makeTestPeer(name, net, opts);
      peers.push(p);
      return p;
    },
    async connect(a, b) {
      await nodeOf(a).dial(tcpAddr(nodeOf(b)));
      await waitFor(() => a.sync.peers().includes(b.id) && b.sync.peers().includes(a.id), `${a.name} and ${b.name} to see each other`);
    },
    async disconnect(a, b) {
      await nodeOf(a).hangUp(nodeOf(b).peerId);
      await waitFor(() => !a.sync.peers().includes(b.id) && !b.sync.peers().includes(a.id), `${a.name} and ${b.name} to part`);
    },
    async ready(list, topic) {
      const subscribed = (p: TestPeer): boolean => nodeOf(p).services.pubsub.getTopics().includes(topic);
      await waitFor(() => list.every((p) => list.every((q) => {
        if (p === q || !p.sync.peers().includes(q.id) || !subscribed(q)) return true;
        const ps = nodeOf(p).services.pubsub;
        if (!ps.getSubscribers(topic).some((id) => id.toString() === q.id)) return false;
        // getMeshPeers is on the implementation, not on the GossipSub interface.
        const mesh = (ps as unknown as { getMeshPeers(t: string): string[] }).getMeshPeers(topic);
        return !subscribed(p) || mesh.includes(q.id);
      })), `the gossip mesh on ${topic.slice(0, 12)}…`);
    },
    async close() {
      for (const p of peers) await p.sync.stop();
      for (const { node, net } of nodes.values()) {
        await net.close();
        await node.stop();
      }
      for (const p of peers) await p.db.close();
    },
  };
}

syncCases('sync over libp2p (TCP, loopback)', libp2pHarness, { bulk: 1500 });

describe('libp2p sync network', () => {
  it('publishes the same bytes twice without an error, and close() detaches its topic validators', async () => {
    const node = await createNodeLibp2p({ transports: ['tcp'], listen: ['/ip4/127.0.0.1/tcp/0'] });
    try {
      const net = await libp2pSyncNetwork(node);
      net.subscribe('topic-a');
      const bytes = new Uint8Array([1, 2, 3]);
      await net.publish('topic-a', bytes);
      await expect(net.publish('topic-a', bytes)).resolves.toBeUndefined();
      expect(node.services.pubsub.topicValidators.has('topic-a')).toBe(true);
      await net.close();
      expect(node.services.pubsub.topicValidators.has('topic-a')).toBe(false);
    } finally {
      await node.stop();
    }
  });
});

describe('a write made right after another node subscribes', () => {
  it('reaches the new subscriber without the periodic resync: hearing its subscription starts an exchange', async () => {
    const nodes: NetNode[] = [];
    const peers: TestPeer[] = [];
    const make = async (name: string) => {
      const node = await createNodeLibp2p({ transports: ['tcp'], listen: ['/ip4/127.0.0.1/tcp/0'] });
      nodes.push(node);
      const p = await makeTestPeer(name, await libp2pSyncNetwork(node), { sync: { resyncIntervalMs: 0 } });
      peers.push(p);
      return { node, p };
    };
    try {
      const a = await make('writer');
      const b = await make('subscriber');
      await a.p.sync.subscribe('User');
      await a.node.dial(tcpAddr(b.node));
      await waitFor(() => a.p.sync.peers().includes(b.p.id) && b.p.sync.peers().includes(a.p.id), 'the peers to see each other');
      // B subscribes to two collections; A writes at once, before gossip knows B is subscribed.
      await b.p.sync.subscribe(['User', 'Post']);
      const doc = await a.p.db.create('User', { name: 'written at once' });
      await waitFor(async () => (await b.p.db.get('User', doc.id)) !== undefined, 'B to hold the document', 10_000);
      // The path: A heard B's subscription and exchanged digests with it (no resync timer runs here).
      expect(entries(a.p, { text: `Peer ${b.p.id} subscribed to User: exchanging digests with it` }).length).toBeGreaterThanOrEqual(1);
    } finally {
      for (const p of peers) await p.sync.stop();
      for (const n of nodes) await n.stop();
      for (const p of peers) await p.db.close();
    }
  });
});
