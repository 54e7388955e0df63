import { removeDir, startTestRelay, tcpAddr, tempDir, until } from './setup.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Relay } from '../../relay/relay.js';
import { createNodeLibp2p } from '../../src/net/node-libp2p.js';
import { classifyConnection } from '../../src/net/multiaddr.js';
import { circuitAddrs, dialRelay, waitForReservation, type RelayStatus } from '../../src/net/relay-client.js';
import { dialWithRetry } from '../../src/net/dial.js';
import { createPeerKey, peerIdOfKey } from '../../src/net/peer-key.js';
import type { NetNode } from '../../src/net/services.js';


describe('Node peers through the relay', () => {
  let dir: string;
  let relay: Relay;
  const nodes: NetNode[] = [];
  const statuses: RelayStatus[] = [];

  const peer = async (): Promise<NetNode> => {
    const node = await createNodeLibp2p({ relayAddrs: relay.multiaddrs(), onRelayStatus: (s) => statuses.push(s) });
    nodes.push(node);
    return node;
  };

  beforeAll(async () => {
    dir = await tempDir();
    relay = await startTestRelay(dir);
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await relay.stop();
    await removeDir(dir);
  });

  it('reserves a slot on the relay and gets a circuit address through it', async () => {
    const a = await peer();
    const addrs = await waitForReservation(a, { relay: relay.peerId, timeoutMs: 5000 });
    expect(addrs.length).toBeGreaterThan(0);
    expect(addrs[0]?.toString()).toContain(`/p2p/${relay.peerId}/p2p-circuit/p2p/${a.peerId.toString()}`);
    expect(relay.reservationCount()).toBeGreaterThanOrEqual(1);
    expect(statuses).toContainEqual({ state: 'connected', relay: relay.peerId });
  });

  it('connects two peers through the relay (limited) and directly, and disconnects', async () => {
    const [a, b] = [nodes[0] ?? (await peer()), await peer()];
    await waitForReservation(b, { relay: relay.peerId });
    const [aCircuit] = circuitAddrs(a, relay.peerId);
    if (aCircuit == null) throw new Error('A has no circuit address');

    const relayed = await dialWithRetry(b, aCircuit, { attempts: 2 });
    expect(relayed.kind).toBe('relayed');
    expect(relayed.connection.limits).toBeDefined();
    expect(relayed.connection.remotePeer.equals(a.peerId)).toBe(true);
    // ping runs on limited connections, so the circuit really carries bytes.
    expect(await b.services.ping.ping(aCircuit)).toBeGreaterThanOrEqual(0);

    await b.hangUp(a.peerId);
    expect(b.getConnections(a.peerId)).toHaveLength(0);

    const direct = await dialWithRetry(b, tcpAddr(a));
    expect(direct.kind).toBe('direct');
    expect(classifyConnection(direct.connection)).toBe('direct');

    await b.hangUp(a.peerId);
    await until(a, ['peer:disconnect'], () => a.getConnections(b.peerId).length === 0, 5000, 'A to see B leave');
    expect(b.getConnections(a.peerId)).toHaveLength(0);
  });

  it('delivers gossip over a direct connection', async () => {
    const [a, b] = [nodes[0], nodes[1]];
    if (a == null || b == null) throw new Error('needs the peers of the previous tests');
    const topic = 'test-topic';
    a.services.pubsub.subscribe(topic);
    b.services.pubsub.subscribe(topic);
    await b.dial(tcpAddr(a));
    await until(b.services.pubsub, ['subscription-change'], () => b.services.pubsub.getSubscribers(topic).some((p) => p.equals(a.peerId)), 5000, 'B to see A subscribed (so A\'s outbound gossip stream to B is open)');

    const received = new Promise<string>((resolve) => {
      b.services.pubsub.addEventListener('message', (evt) => {
        if (evt.detail.topic === topic) resolve(new TextDecoder().decode(evt.detail.data));
      });
    });
    await until(a.services.pubsub, ['subscription-change'], () => a.services.pubsub.getSubscribers(topic).some((p) => p.equals(b.peerId)), 5000, 'A to see B subscribed');
    const result = await a.services.pubsub.publish(topic, new TextEncoder().encode('hello from A'));
    expect(result.recipients.length).toBe(1);
    expect(await received).toBe('hello from A');
  });

  it('reserves again, with the same relay PeerID, after the relay restarts', async () => {
    const a = nodes[0];
    if (a == null) throw new Error('needs the peers of the previous tests');
    const port = relay.wsPort;
    const oldId = relay.peerId;
    await relay.stop();
    await until(a, ['self:peer:update', 'peer:disconnect'], () => circuitAddrs(a, oldId).length === 0, 5000, 'A to lose its reservation');

    relay = await startTestRelay(dir, port);
    expect(relay.peerId).toBe(oldId);
    // keepRelayConnected redials on its own; no manual dial here.
    const addrs = await waitForReservation(a, { relay: relay.peerId, timeoutMs: 15_000 });
    expect(addrs.length).toBeGreaterThan(0);
    expect(relay.reservationCount()).toBeGreaterThanOrEqual(1);
    expect(statuses.some((s) => s.state === 'disconnected')).toBe(true);
  });

  it('reports an unreachable relay with RelayUnreachableError', async () => {
    const a = nodes[0];
    if (a == null) throw new Error('needs the peers of the previous tests');
    // A PeerID nobody is connected to, so libp2p cannot reuse an open connection.
    const dead = `/ip4/127.0.0.1/tcp/1/ws/p2p/${peerIdOfKey(await createPeerKey())}`;
    const err = await dialRelay(a, [dead, 'not an address'], { signal: AbortSignal.timeout(5000) }).catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ name: 'RelayUnreachableError' });
    expect((err as Error).message).toContain('is it running?');
    expect((err as Error).message).toContain('not an address');
  });
});
