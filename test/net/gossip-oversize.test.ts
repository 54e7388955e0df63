/**
 * A gossip RPC over gossipsub's own 4 MiB limit never reaches our validator: gossipsub's length-prefix
 * decoder refuses it and drops the sender's inbound stream. This proves the refusal is logged with the sender,
 * and that the node goes on writing and hearing honest peers live (real libp2p over TCP).
 */
import { expect, it } from 'vitest';
import { cleanupAfterEach, tcpAddr, tcpNode } from './setup.js';
import type { NetNode } from '../../src/net/services.js';
import { libp2pSyncNetwork } from '../../src/net/sync-network.js';
import { entries, makeTestPeer, waitFor, type TestPeer } from '../sync/harness.js';

const cleanup = cleanupAfterEach();
const libp2pNode = (): Promise<NetNode> => tcpNode(cleanup);

async function fullPeer(name: string): Promise<{ node: NetNode; peer: TestPeer }> {
  const node = await libp2pNode();
  const net = await libp2pSyncNetwork(node);
  const peer = await makeTestPeer(name, net);
  cleanup.push(async () => { await peer.sync.stop(); await net.close(); await peer.db.close(); });
  await peer.sync.subscribe('User');
  return { node, peer };
}

/** An unsigned varint, as libp2p's length prefixes are written. */
function varint(n: number): Uint8Array {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  out.push(n);
  return Uint8Array.from(out);
}

const knows = (node: NetNode, other: NetNode): boolean => node.services.pubsub.getPeers().some((p) => p.equals(other.peerId));

it('logs a gossip message over 4 MiB with its sender, and keeps writing and hearing honest peers live', async () => {
  const victim = await fullPeer('victim');
  const honest = await fullPeer('honest');
  const attacker = await libp2pNode();
  await honest.node.dial(tcpAddr(victim.node));
  await attacker.dial(tcpAddr(victim.node));
  await waitFor(() => knows(victim.node, attacker) && knows(victim.node, honest.node), 'the victim\'s gossipsub to know both peers');
  const topic = victim.node.services.pubsub.getTopics()[0]!;
  await waitFor(() => honest.node.services.pubsub.getSubscribers(topic).some((p) => p.equals(victim.node.peerId)), 'the honest peer to hear the victim\'s subscription');

  // A length prefix announcing 5 MiB on a gossipsub stream, then some of it: refused on the prefix alone.
  const stream = await attacker.dialProtocol(victim.node.peerId, ['/meshsub/1.2.0', '/meshsub/1.1.0']);
  stream.send(varint(5 * 1024 * 1024));
  stream.send(new Uint8Array(64 * 1024));
  const id = attacker.peerId.toString();
  await waitFor(() => entries(victim.peer, { peer: id as never, text: 'over the 4 MiB gossip limit' }).length === 1, 'the refusal to be logged with the sender', 10_000);
  const [line] = entries(victim.peer, { peer: id as never, level: 'warn' });
  expect(line!.message).toMatch(new RegExp(`^Gossip from ${id}: refused a message over the 4 MiB gossip limit`));

  // The victim still writes, and still hears the honest peer by gossip (not only by catch-up).
  await victim.peer.db.create('User', { name: 'after the attack' });
  const doc = await honest.peer.db.create('User', { name: 'honest after the attack' });
  await waitFor(async () => (await victim.peer.db.get('User', doc.id)) !== undefined, 'the honest write to arrive', 10_000);
  expect(entries(victim.peer, { peer: honest.peer.id, text: 'Received new pubsub message' }).length).toBeGreaterThanOrEqual(1);
  stream.abort(new Error('done'));
});
