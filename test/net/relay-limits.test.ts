/** The relay's own limits: reservations per IP, new connections per IP per minute, relayed connections per pair. */
import { removeDir, tempDir } from './setup.js';
import { afterEach, expect, it } from 'vitest';
import { request } from 'node:http';
import { startRelay, type Relay, type RelayInit } from '../../relay/relay.js';
import type { Refusal } from '../../relay/limits.js';
import { createNodeLibp2p } from '../../src/net/node-libp2p.js';
import { circuitAddrs, dialRelay, waitForReservation } from '../../src/net/relay-client.js';
import type { NetNode } from '../../src/net/services.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined); });

async function relayWith(init: RelayInit): Promise<{ relay: Relay; refusals: Refusal[] }> {
  const dir = await tempDir();
  const refusals: Refusal[] = [];
  const relay = await startRelay({ port: 0, host: '127.0.0.1', httpPort: 0, dataDir: dir, onRefusal: (r) => refusals.push(r), ...init });
  cleanup.push(async () => { await relay.stop(); await removeDir(dir); });
  return { relay, refusals };
}

async function peer(): Promise<NetNode> {
  const node = await createNodeLibp2p({ transports: ['tcp', 'ws'] });
  cleanup.push(async () => { await node.stop(); });
  return node;
}

it('holds at most the set number of reservations from one IP, and says so', async () => {
  const { relay, refusals } = await relayWith({ limits: { reservationsPerIp: 2 } });
  const nodes = [await peer(), await peer(), await peer()];
  for (const n of nodes.slice(0, 2)) {
    await dialRelay(n, relay.multiaddrs());
    await waitForReservation(n, { relay: relay.peerId, timeoutMs: 5000 });
  }
  await dialRelay(nodes[2]!, relay.multiaddrs());
  await expect(waitForReservation(nodes[2]!, { relay: relay.peerId, timeoutMs: 1500 })).rejects.toThrow(/no reservation/);
  expect(relay.reservationCount()).toBe(2);
  expect(refusals.map((r) => r.kind)).toContain('reservations-per-ip');
  expect(refusals.find((r) => r.kind === 'reservations-per-ip')!.message).toMatch(/2 reservations are already held from 127\.0\.0\.1/);
});

it('frees a reservation as soon as its peer leaves, so connect-reserve-leave cannot fill the relay', async () => {
  const { relay } = await relayWith({});
  for (let i = 0; i < 3; i++) {
    const n = await peer();
    await dialRelay(n, relay.multiaddrs());
    await waitForReservation(n, { relay: relay.peerId, timeoutMs: 5000 });
    expect(relay.reservationCount()).toBe(1);
    await n.stop();
    const t0 = Date.now();
    while (relay.reservationCount() !== 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(relay.reservationCount()).toBe(0);
  }
});

it('refuses new connections from one IP past the rate limit', async () => {
  const { relay, refusals } = await relayWith({ limits: { connectionsPerIpPerMinute: 3 } });
  const results: boolean[] = [];
  for (let i = 0; i < 5; i++) {
    const n = await peer();
    results.push(await dialRelay(n, relay.multiaddrs(), { signal: AbortSignal.timeout(3000) }).then(() => true, () => false));
  }
  expect(results.slice(0, 3)).toEqual([true, true, true]);
  expect(results.slice(3)).toEqual([false, false]);
  expect(relay.refused()['connection-rate']).toBeGreaterThanOrEqual(2);
  expect(refusals[0]!.message).toMatch(/too many new connections from 127\.0\.0\.1/);
});

it('limits how often one pair of peers may connect through it', async () => {
  const { relay, refusals } = await relayWith({ limits: { relayedPerPairPerMinute: 2 } });
  const [a, b] = [await peer(), await peer()];
  await dialRelay(a, relay.multiaddrs());
  await waitForReservation(a, { relay: relay.peerId, timeoutMs: 5000 });
  const [circuit] = circuitAddrs(a, relay.peerId).filter((m) => !m.toString().includes('/webrtc'));
  const outcomes: boolean[] = [];
  for (let i = 0; i < 3; i++) {
    const ok = await b.dial(circuit!, { signal: AbortSignal.timeout(3000) }).then(() => true, () => false);
    outcomes.push(ok);
    await b.hangUp(a.peerId).catch(() => undefined);
  }
  expect(outcomes).toEqual([true, true, false]);
  expect(refusals.map((r) => r.kind)).toContain('relayed-pair-rate');
});

it('never advertises an address built from the Host header of a request', async () => {
  const { relay } = await relayWith({ announce: ['/dns4/relay.example/tcp/443/wss'] });
  // node:http, because fetch does not let a caller set the Host header.
  const ask = (host: string) => new Promise<string[]>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: relay.httpPort, path: '/multiaddrs', headers: { Host: host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve((JSON.parse(body) as { multiaddrs: string[] }).multiaddrs));
    });
    req.on('error', reject);
    req.end();
  });
  const evil = await ask('evil.example:9091');
  expect(evil.join(' ')).not.toContain('evil.example');
  expect(evil[0]).toBe(`/ip4/127.0.0.1/tcp/${relay.wsPort}/ws/p2p/${relay.peerId}`);
  // The Host header still picks among the relay's own addresses.
  expect((await ask(`localhost:${relay.httpPort}`))[0]).toBe(`/dns4/localhost/tcp/${relay.wsPort}/ws/p2p/${relay.peerId}`);
  expect(evil).toContain(`/dns4/relay.example/tcp/443/wss/p2p/${relay.peerId}`);
});
