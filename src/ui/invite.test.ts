import { describe, expect, it } from 'vitest';
import { inviteLink } from './invite.js';

const ME = '12D3KooWMe';
const relayed = (ip: string) => `/ip4/${ip}/tcp/9090/ws/p2p/12D3KooWRelay/p2p-circuit/webrtc/p2p/${ME}`;

describe('inviteLink', () => {
  it('is null until an address is dialable', () => {
    expect(inviteLink('http://localhost:5173/?node=node1', [`/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWRelay/p2p-circuit/p2p/${ME}`])).toBeNull();
  });

  it('on a loopback page, uses the LAN address the relay gave, so another device can open it', () => {
    const link = inviteLink('http://localhost:5173/?node=node1&relayHttpPort=9191', [relayed('127.0.0.1'), relayed('192.168.1.20')])!;
    const u = new URL(link);
    expect(u.host).toBe('192.168.1.20:5173');
    expect(u.searchParams.get('peers')).toBe(relayed('192.168.1.20'));
    expect(u.searchParams.get('relayHttpPort')).toBe('9191'); // the same relay settings
    expect(u.searchParams.get('node')).toBeNull(); // the other tab picks its own node
  });

  it('on a page opened on a LAN host, keeps that host and picks the address on it', () => {
    const link = inviteLink('http://192.168.1.20:5173/', [relayed('127.0.0.1'), relayed('192.168.1.20')])!;
    expect(new URL(link).host).toBe('192.168.1.20:5173');
    expect(new URL(link).searchParams.get('peers')).toBe(relayed('192.168.1.20'));
  });

  it('on a loopback page with only loopback addresses, stays on loopback', () => {
    const link = inviteLink('http://localhost:4173/?node=a', [relayed('127.0.0.1')])!;
    expect(new URL(link).host).toBe('localhost:4173');
    expect(new URL(link).searchParams.get('peers')).toBe(relayed('127.0.0.1'));
  });
});
