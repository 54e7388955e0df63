import { describe, expect, it } from 'vitest';
import { multiaddr } from '@multiformats/multiaddr';
import {
  classifyConnection,
  InvalidMultiaddrError,
  isRelayedAddr,
  parsePeerMultiaddr,
} from '../../src/net/multiaddr.js';
import { relayAddrsFromJson } from '../../src/net/relay-client.js';

const RELAY = '12D3KooWFu5qcTM7eBUCErNQDngMRPnWgPbMJytRFh5uQXPhfkwJ';
const TAB = '12D3KooWGbeLyVphJjjf8CEmZ8ZqSaFMLXAyg2FB4Frsa3ZMzHWj';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('parsePeerMultiaddr', () => {
  it('returns the multiaddress and the PeerID it ends with', () => {
    const parsed = parsePeerMultiaddr(`  /ip4/127.0.0.1/tcp/9090/ws/p2p/${RELAY}/p2p-circuit/webrtc/p2p/${TAB} `);
    expect(parsed.peerId).toBe(TAB);
    expect(parsed.multiaddr.toString()).toBe(`/ip4/127.0.0.1/tcp/9090/ws/p2p/${RELAY}/p2p-circuit/webrtc/p2p/${TAB}`);
  });

  it.each([
    ['empty text', '', /empty/],
    ['plain words', 'hello world', /must start with "\/"/],
    ['an unknown protocol', '/foo/bar/p2p/x', /not a valid multiaddress/],
    ['a bad port', '/ip4/127.0.0.1/tcp/notaport/ws', /not a valid multiaddress/],
  ])('rejects %s as InvalidMultiaddrError', (_label, text, message) => {
    const err = errorOf(() => parsePeerMultiaddr(text));
    expect(err.name).toBe('InvalidMultiaddrError');
    expect(err).toBeInstanceOf(InvalidMultiaddrError);
    expect(err.message).toMatch(message);
  });

  it('says so when the address has no /p2p/<PeerID>', () => {
    const err = errorOf(() => parsePeerMultiaddr('/ip4/127.0.0.1/tcp/9090/ws'));
    expect(err.name).toBe('InvalidMultiaddrError');
    expect(err.message).toMatch('multiaddress has no /p2p/<PeerID>');
  });

  it('rejects a relay address that stops at /p2p-circuit (no target PeerID)', () => {
    const err = errorOf(() => parsePeerMultiaddr(`/ip4/127.0.0.1/tcp/9090/ws/p2p/${RELAY}/p2p-circuit`));
    expect(err.name).toBe('InvalidMultiaddrError');
    expect(err.message).toMatch('no /p2p/<PeerID>');
  });

  it('rejects a malformed PeerID', () => {
    const err = errorOf(() => parsePeerMultiaddr('/ip4/127.0.0.1/tcp/9090/ws/p2p/notapeerid'));
    expect(err.name).toBe('InvalidMultiaddrError');
  });
});

describe('classifyConnection', () => {
  const circuit = multiaddr(`/ip4/127.0.0.1/tcp/9090/ws/p2p/${RELAY}/p2p-circuit/p2p/${TAB}`);
  const webrtc = multiaddr(`/ip4/127.0.0.1/tcp/9090/ws/p2p/${RELAY}/p2p-circuit/webrtc/p2p/${TAB}`);
  const tcp = multiaddr(`/ip4/127.0.0.1/tcp/4001/p2p/${TAB}`);

  it('calls a circuit address relayed and a circuit+webrtc address direct', () => {
    expect(isRelayedAddr(circuit)).toBe(true);
    expect(isRelayedAddr(webrtc)).toBe(false);
    expect(classifyConnection({ remoteAddr: circuit })).toBe('relayed');
    expect(classifyConnection({ remoteAddr: webrtc })).toBe('direct');
    expect(classifyConnection({ remoteAddr: tcp })).toBe('direct');
  });

  it('calls any limited connection relayed', () => {
    expect(classifyConnection({ remoteAddr: tcp, limits: { seconds: 120 } })).toBe('relayed');
  });
});

describe('relayAddrsFromJson', () => {
  it('keeps valid multiaddress strings and drops the rest', () => {
    const good = `/ip4/127.0.0.1/tcp/9090/ws/p2p/${RELAY}`;
    expect(relayAddrsFromJson({ multiaddrs: [good, 42, 'garbage', '/nope/1'] })).toEqual([good]);
    expect(relayAddrsFromJson({ peerId: RELAY })).toEqual([]);
    expect(relayAddrsFromJson(null)).toEqual([]);
  });
});
