import { removeDir, startTestRelay, tempDir, until } from './setup.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Relay } from '../../relay/relay.js';
import { createNodeLibp2p } from '../../src/net/node-libp2p.js';
import { waitForReservation, webrtcCircuitAddr } from '../../src/net/relay-client.js';
import { dialWithRetry } from '../../src/net/dial.js';
import type { NetNode } from '../../src/net/services.js';

// The browser's path, run in Node (node-datachannel): reserve on the relay, dial
// the other peer's /p2p-circuit/webrtc address, end on a direct WebRTC connection.
describe('WebRTC upgrade through the relay', () => {
  let dir: string;
  let relay: Relay;
  const nodes: NetNode[] = [];

  beforeAll(async () => {
    dir = await tempDir();
    relay = await startTestRelay(dir);
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await relay.stop();
    await removeDir(dir);
  });

  it('ends with a direct WebRTC connection that carries gossip', async () => {
    for (let i = 0; i < 2; i++) {
      nodes.push(await createNodeLibp2p({ transports: ['ws', 'webrtc'], relayAddrs: relay.multiaddrs() }));
    }
    const [a, b] = nodes as [NetNode, NetNode];
    await Promise.all([waitForReservation(a), waitForReservation(b)]);
    const target = webrtcCircuitAddr(a);
    expect(target?.toString()).toMatch(/\/p2p-circuit\/webrtc\/p2p\/12D3KooW/);
    if (target == null) throw new Error('A has no /webrtc address');

    const retries: number[] = [];
    const started = performance.now();
    const { connection, kind } = await dialWithRetry(b, target, { attempts: 3, attemptTimeoutMs: 8000, onRetry: (n) => retries.push(n) });
    const dialMs = performance.now() - started;
    expect(kind).toBe('direct');
    expect(connection.limits).toBeUndefined();
    expect(connection.remoteAddr.toString()).toContain('/webrtc');
    console.info(`webrtc dial ${dialMs.toFixed(0)} ms, retries ${retries.length}`);

    const topic = 'webrtc-topic';
    a.services.pubsub.subscribe(topic);
    b.services.pubsub.subscribe(topic);
    await until(a.services.pubsub, ['subscription-change'], () => a.services.pubsub.getSubscribers(topic).some((p) => p.equals(b.peerId)), 5000, 'A to see B subscribed');
    // B learns of A's subscription over A's outbound gossip stream, so once B sees it, A can send to B.
    await until(b.services.pubsub, ['subscription-change'], () => b.services.pubsub.getSubscribers(topic).some((p) => p.equals(a.peerId)), 5000, 'B to see A subscribed');
    const received = new Promise<string>((resolve) => {
      b.services.pubsub.addEventListener('message', (evt) => resolve(new TextDecoder().decode(evt.detail.data)));
    });
    const result = await a.services.pubsub.publish(topic, new TextEncoder().encode('over webrtc'));
    expect(result.recipients.map((p) => p.toString())).toEqual([b.peerId.toString()]);
    expect(await received).toBe('over webrtc');
    // Gossip cannot use the circuit left over from signalling: it is limited, and only the WebRTC one is not.
    const unlimited = b.getConnections(a.peerId).filter((c) => c.limits == null);
    expect(unlimited.map((c) => c.remoteAddr.toString().includes('/webrtc'))).toEqual([true]);
  });
});
