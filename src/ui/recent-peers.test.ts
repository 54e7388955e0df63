import { describe, expect, it } from 'vitest';
import { MAX_RECENT, addressOfPeer, remember } from './recent-peers.js';

const relay = '/dns4/localhost/tcp/9090/ws/p2p/12D3KooWRelay';
describe('recent peers', () => {
  it('derives a peer\'s address from this node\'s own relay circuit', () => {
    const own = [`${relay}/p2p-circuit/p2p/12D3KooWSelf`, `${relay}/p2p-circuit/webrtc/p2p/12D3KooWSelf`];
    expect(addressOfPeer(own, '12D3KooWSelf', '12D3KooWOther')).toBe(`${relay}/p2p-circuit/webrtc/p2p/12D3KooWOther`);
    expect(addressOfPeer([`${relay}/p2p-circuit/p2p/12D3KooWSelf`], '12D3KooWSelf', 'x')).toBeNull();
  });

  it('keeps the newest first, one entry per peer, at most a few', () => {
    let list = remember([], { peerId: 'a', address: 'A', at: 1 });
    list = remember(list, { peerId: 'b', address: 'B', at: 2 });
    list = remember(list, { peerId: 'a', address: 'A2', at: 3 });
    expect(list.map((p) => [p.peerId, p.address])).toEqual([['a', 'A2'], ['b', 'B']]);
    for (let i = 0; i < 10; i++) list = remember(list, { peerId: `p${i}`, address: 'x', at: 10 + i });
    expect(list).toHaveLength(MAX_RECENT);
    expect(list[0]!.peerId).toBe('p9');
  });
});
