/**
 * Overlapping pings on one connection (libp2p's connection monitor, the peer manager's ping times, the other
 * side's) must all get a stream: a refused ping stream made the monitor abort healthy connections mid-catch-up.
 */
import './setup.js';
import { afterEach, expect, it } from 'vitest';
import { createNodeLibp2p } from '../../src/net/node-libp2p.js';
import type { NetNode } from '../../src/net/services.js';
import { tcpAddr } from './setup.js';

const nodes: NetNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

it('three pings at once each way on one connection all succeed, and the connection stays', async () => {
  const [a, b] = [await createNodeLibp2p({ transports: ['tcp'] }), await createNodeLibp2p({ transports: ['tcp'] })];
  nodes.push(a, b);
  await a.dial(tcpAddr(b));
  while (b.getConnections(a.peerId).length === 0) await new Promise((r) => setTimeout(r, 10));
  const pings = [...Array.from({ length: 3 }, () => a.services.ping.ping(b.peerId)), ...Array.from({ length: 3 }, () => b.services.ping.ping(a.peerId))];
  const results = await Promise.allSettled(pings);
  expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(Array(6).fill('ok'));
  expect(a.getConnections(b.peerId).filter((c) => c.status === 'open')).toHaveLength(1);
});
