/** The pure parts of the CLI: listen addresses, the control API's browser refusal, DefraDB-style log lines. */
import { describe, expect, it } from 'vitest';
import { browserRefusal } from '../../src/cli/control-server.js';
import { listenAddrs } from '../../src/cli/headless.js';
import { formatActivity } from '../../src/cli/log-format.js';

describe('listenAddrs', () => {
  it('derives the WebSocket port from the TCP port (9171 → 10171), so a pasted /ws address survives a restart', () => {
    expect(listenAddrs([])).toEqual(['/ip4/127.0.0.1/tcp/9171', '/ip4/127.0.0.1/tcp/10171/ws']);
    // The seed's two nodes (9171 and 9172) do not take each other's ports.
    expect(listenAddrs(['/ip4/127.0.0.1/tcp/9172'])).toEqual(['/ip4/127.0.0.1/tcp/9172', '/ip4/127.0.0.1/tcp/10172/ws']);
    expect(listenAddrs(['/ip4/0.0.0.0/tcp/4001'])).toEqual(['/ip4/0.0.0.0/tcp/4001', '/ip4/0.0.0.0/tcp/5001/ws']);
    expect(listenAddrs(['/ip6/::1/tcp/9000'])).toEqual(['/ip6/::1/tcp/9000', '/ip6/::1/tcp/10000/ws']);
  });
  it('uses a free port for /ws when the TCP port is free (0), past 65535, or when asked to; adds nothing when a /ws address is given', () => {
    expect(listenAddrs(['/ip4/127.0.0.1/tcp/0'])).toEqual(['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws']);
    expect(listenAddrs(['/ip4/127.0.0.1/tcp/65000'])).toEqual(['/ip4/127.0.0.1/tcp/65000', '/ip4/127.0.0.1/tcp/0/ws']);
    expect(listenAddrs(['/ip4/127.0.0.1/tcp/9171'], false, true)).toEqual(['/ip4/127.0.0.1/tcp/9171', '/ip4/127.0.0.1/tcp/0/ws']);
    expect(listenAddrs(['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/5/ws'])).toEqual(['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/5/ws']);
  });
  it('adds the relay reservation and WebRTC with a relay', () => {
    expect(listenAddrs(['/ip4/127.0.0.1/tcp/0'], true).slice(-2)).toEqual(['/p2p-circuit', '/webrtc']);
  });
});

describe('browserRefusal', () => {
  const json = { 'content-type': 'application/json' };
  it('lets the CLI and curl through: no Origin, no Sec-Fetch-Site, JSON bodies', () => {
    expect(browserRefusal('GET', {})).toBeUndefined();
    expect(browserRefusal('POST', json)).toBeUndefined();
    expect(browserRefusal('DELETE', { 'content-type': 'application/json; charset=utf-8' })).toBeUndefined();
    expect(browserRefusal('GET', { 'sec-fetch-site': 'none' })).toBeUndefined(); // typed into the address bar
  });
  it('refuses what a web page can send without asking: any Origin, a cross-site fetch, a body not declared JSON', () => {
    expect(browserRefusal('POST', { ...json, origin: 'http://evil.example' })).toMatch(/web page \(Origin "http:\/\/evil.example"\)/);
    expect(browserRefusal('POST', { ...json, origin: 'null' })).toMatch(/Origin "null"/);
    expect(browserRefusal('GET', { 'sec-fetch-site': 'cross-site' })).toMatch(/Sec-Fetch-Site "cross-site"/);
    expect(browserRefusal('GET', { 'sec-fetch-site': 'same-site' })).toMatch(/Sec-Fetch-Site "same-site"/);
    expect(browserRefusal('POST', { 'content-type': 'text/plain' })).toMatch(/not declared application\/json \(Content-Type "text\/plain"\)/);
    expect(browserRefusal('POST', { 'content-type': 'application/x-www-form-urlencoded' })).toMatch(/not declared application\/json/);
    expect(browserRefusal('POST', {})).toMatch(/Content-Type ""/);
  });
});

describe('formatActivity', () => {
  const at = new Date(2026, 3, 30, 11, 42, 1, 717).getTime();
  it("writes DefraDB's topic lines with the PeerID and the topic once", () => {
    expect(formatActivity({ at, level: 'info', message: 'Adding pubsub topic bafyT (User)', topic: 'bafyT' }, 'P1')).toBe('Apr 30 11:42:01.717 INF p2p Adding pubsub topic PeerID=P1 Topic=bafyT');
    expect(formatActivity({ at, level: 'info', message: 'Removing pubsub topic bafyT (User)', topic: 'bafyT' }, 'P1')).toBe('Apr 30 11:42:01.717 INF p2p Removing pubsub topic PeerID=P1 Topic=bafyT');
    expect(formatActivity({ at, level: 'info', message: 'Received new pubsub message from P2 on User', peer: 'P2', topic: 'bafyT' } as never, 'P1')).toBe('Apr 30 11:42:01.717 INF p2p Received new pubsub message PeerID=P1 SenderId=P2 Topic=bafyT');
  });
  it('names the remote peer of other lines, and warnings as WRN', () => {
    expect(formatActivity({ at, level: 'warn', message: 'Rejected a block', peer: 'P2' } as never, 'P1')).toBe('Apr 30 11:42:01.717 WRN p2p Rejected a block PeerID=P1 RemotePeer=P2');
  });
});
