import { removeDir, startTestRelay, tempDir } from './setup.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { multiaddr } from '@multiformats/multiaddr';
import type { Relay } from '../../relay/relay.js';
import { addrForHostHeader, dialableRelayAddrs } from '../../relay/addresses.js';
import { parsePeerMultiaddr } from '../../src/net/multiaddr.js';
import { fetchRelayAddrs } from '../../src/net/relay-client.js';

const ID = '12D3KooWFu5qcTM7eBUCErNQDngMRPnWgPbMJytRFh5uQXPhfkwJ';

describe('relay addresses', () => {
  it('turns 0.0.0.0 into 127.0.0.1 and localhost forms and keeps LAN addresses', () => {
    const addrs = dialableRelayAddrs(
      [multiaddr('/ip4/0.0.0.0/tcp/9090/ws'), multiaddr('/ip4/192.168.1.7/tcp/9090/ws'), multiaddr('/ip4/10.0.0.1/tcp/4001')],
      ID,
    );
    expect(addrs).toEqual([
      `/ip4/127.0.0.1/tcp/9090/ws/p2p/${ID}`,
      `/dns4/localhost/tcp/9090/ws/p2p/${ID}`,
      `/ip4/192.168.1.7/tcp/9090/ws/p2p/${ID}`,
    ]);
  });

  it('builds an address from the Host header a client used', () => {
    expect(addrForHostHeader('192.168.1.7:9091', 9090, ID)).toBe(`/ip4/192.168.1.7/tcp/9090/ws/p2p/${ID}`);
    expect(addrForHostHeader('laptop.local:9091', 9090, ID)).toBe(`/dns4/laptop.local/tcp/9090/ws/p2p/${ID}`);
    expect(addrForHostHeader('[::1]:9091', 9090, ID)).toBe(`/ip6/::1/tcp/9090/ws/p2p/${ID}`);
    expect(addrForHostHeader(undefined, 9090, ID)).toBeUndefined();
    expect(addrForHostHeader('bad host name!', 9090, ID)).toBeUndefined();
  });
});

describe('relay', () => {
  let dir: string;
  const started: Relay[] = [];
  const start = async (port = 0): Promise<Relay> => {
    const relay = await startTestRelay(dir, port);
    started.push(relay);
    return relay;
  };

  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((r) => r.stop()));
    await removeDir(dir);
  });

  it('lists dialable loopback WebSockets addresses ending in its PeerID', async () => {
    const relay = await start();
    const addrs = relay.multiaddrs();
    expect(addrs).toContain(`/ip4/127.0.0.1/tcp/${relay.wsPort}/ws/p2p/${relay.peerId}`);
    for (const addr of addrs) expect(parsePeerMultiaddr(addr).peerId).toBe(relay.peerId);
  });

  it('serves its multiaddrs over HTTP as JSON with CORS open', async () => {
    const relay = await start();
    const url = `http://127.0.0.1:${relay.httpPort}/multiaddrs`;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await res.json()) as { peerId: string; multiaddrs: string[] };
    expect(body.peerId).toBe(relay.peerId);
    // The first address is the one built from the Host header the client used.
    expect(body.multiaddrs[0]).toBe(`/ip4/127.0.0.1/tcp/${relay.wsPort}/ws/p2p/${relay.peerId}`);
    expect(await fetchRelayAddrs(url)).toEqual(body.multiaddrs);
    expect((await fetch(`http://127.0.0.1:${relay.httpPort}/nope`)).status).toBe(404);
  });

  it('keeps its PeerID across restarts (key persisted in dataDir)', async () => {
    const first = await start();
    const firstId = first.peerId;
    await first.stop();
    expect(await readdir(dir)).toEqual(['peer-key.pb']);
    const second = await start();
    expect(second.peerId).toBe(firstId);

    const otherDir = await tempDir();
    try {
      const other = await startTestRelay(otherDir);
      started.push(other);
      expect(other.peerId).not.toBe(firstId);
    } finally {
      await removeDir(otherDir);
    }
  });

  it('refuses to start when its port is taken', async () => {
    const first = await start();
    await expect(startTestRelay(dir, first.wsPort)).rejects.toThrow();
  });
});
