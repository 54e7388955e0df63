/** The peer manager owns a node's connections: it follows them while started and lets go of everything on stop. */
import { afterEach, expect, it } from 'vitest';
import { tcpAddr } from './setup.js';
import { createNodeLibp2p } from '../../src/net/node-libp2p.js';
import type { NetNode } from '../../src/net/services.js';
import { APP_PROTOCOL, BYE_PROTOCOL, PeerManager } from '../../src/net/peer-manager.js';
import { waitFor } from '../sync/harness.js';

const nodes: NetNode[] = [];
afterEach(async () => { for (const n of nodes.splice(0)) await n.stop(); });
const node = async () => {
  const n = await createNodeLibp2p({ transports: ['tcp'], listen: ['/ip4/127.0.0.1/tcp/0'] });
  nodes.push(n);
  return n;
};

it('reports peers and protocol speakers while started; stop removes every listener, handler and timer', async () => {
  const [a, b] = [await node(), await node()];
  const pm = new PeerManager(a, { pingEveryMs: 50 });
  const pmB = new PeerManager(b);
  await pm.start();
  await pmB.start();
  expect(a.getProtocols()).toEqual(expect.arrayContaining([APP_PROTOCOL, BYE_PROTOCOL]));
  const events: string[] = [];
  pm.on('peers', () => events.push('peers'));
  const watched: string[] = [];
  await pm.watchProtocol(APP_PROTOCOL, (peer, state) => watched.push(`${peer === b.peerId.toString() ? 'b' : '?'}:${state}`));
  await a.dial(tcpAddr(b));
  await waitFor(() => watched.includes('b:connected'), 'A to see B speak the app protocol');
  expect(pm.protocolPeers(APP_PROTOCOL)).toEqual([b.peerId.toString()]);
  await waitFor(() => pm.activePeers()[0]?.rttMs !== undefined, 'a ping time for B');
  await a.hangUp(b.peerId);
  await waitFor(() => watched.includes('b:disconnected'), 'A to see B leave');
  expect(events.length).toBeGreaterThan(0);

  await pm.stop();
  events.length = 0;
  watched.length = 0;
  expect(a.getProtocols()).not.toContain(APP_PROTOCOL);
  expect(a.getProtocols()).not.toContain(BYE_PROTOCOL);
  await a.dial(tcpAddr(b));
  await new Promise((r) => setTimeout(r, 300)); // several ping periods: a leftover timer or listener would show
  expect(events).toEqual([]);
  expect(watched).toEqual([]);
  await pmB.stop();
});

it('closes a direct connection whose pings fail outright twice in a row (its peer closed it unseen), not one whose pings time out', async () => {
  const [a, b] = [await node(), await node()];
  const pm = new PeerManager(a, { pingEveryMs: 40 });
  const pmB = new PeerManager(b);
  await pm.start();
  await pmB.start();
  await pm.watchProtocol(APP_PROTOCOL, () => undefined);
  await a.dial(tcpAddr(b));
  await waitFor(() => pm.activePeers().length === 1, 'A to list B');
  const ping = a.services.ping;
  const real = ping.ping.bind(ping);
  // Pings that time out (a busy tab): the connection stays.
  ping.ping = async () => { throw Object.assign(new Error('ping timed out'), { name: 'TimeoutError' }); };
  await new Promise((r) => setTimeout(r, 300));
  expect(a.getConnections(b.peerId).filter((c) => c.status === 'open')).toHaveLength(1);
  // One outright failure between successes: the connection stays.
  let calls = 0;
  ping.ping = async (...args: Parameters<typeof real>) => {
    if (calls++ % 2 === 0) throw Object.assign(new Error('stream closed'), { name: 'StreamStateError' });
    return real(...args);
  };
  await new Promise((r) => setTimeout(r, 300));
  expect(a.getConnections(b.peerId).filter((c) => c.status === 'open')).toHaveLength(1);
  // Outright failures in a row: closed.
  ping.ping = async () => { throw Object.assign(new Error('User-Initiated Abort, reason=Close called'), { name: 'OperationError' }); };
  await waitFor(() => a.getConnections(b.peerId).length === 0, 'the dead connection to be closed');
  ping.ping = real;
  await pm.stop();
  await pmB.stop();
});

it('after a Disconnect, a connection either side opens (an upgrade that was under way) is closed by its dialler for a while; one the peer opens on purpose stays', async () => {
  const [a, b] = [await node(), await node()];
  const pmA = new PeerManager(a, { letGoMs: 4000 });
  const pmB = new PeerManager(b, { letGoMs: 4000 });
  await pmA.start();
  await pmB.start();
  await a.dial(tcpAddr(b));
  await waitFor(() => pmB.activePeers().length === 1, 'B to list A');
  const t0 = Date.now();
  await pmA.disconnect(b.peerId.toString());
  await waitFor(() => pmB.activePeers().length === 0 && pmA.activePeers().length === 0, 'both to let go');
  // Late connections, dialled by either side (B heard A's goodbye): each closed at once by its dialler.
  await b.dial(tcpAddr(a)).catch(() => undefined);
  await waitFor(() => a.getConnections(b.peerId).length === 0 && b.getConnections(a.peerId).length === 0, 'B\'s late connection closed');
  await a.dial(tcpAddr(b)).catch(() => undefined);
  await waitFor(() => a.getConnections(b.peerId).length === 0 && b.getConnections(a.peerId).length === 0, 'A\'s late connection closed');
  expect(Date.now() - t0).toBeLessThan(2000);
  expect(pmA.activePeers()).toEqual([]);
  expect(pmB.activePeers()).toEqual([]);
  // B reconnecting on purpose meanwhile: it ends B's wait, and A, which hung up, takes the connection.
  await pmB.connect(`${tcpAddr(a).toString()}`);
  await waitFor(() => pmA.activePeers().length === 1 && pmB.activePeers().length === 1, 'connected again on purpose');
  await new Promise((r) => setTimeout(r, 200));
  expect(pmA.activePeers()).toHaveLength(1);
  expect(Date.now() - t0).toBeLessThan(4000); // while A's wait still ran
  await pmA.stop();
  await pmB.stop();
});
