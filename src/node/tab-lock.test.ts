import { describe, expect, it } from 'vitest';
import { lockFirstFreeName, tryLockNode } from './tab-lock.js';
import { parseNodeName } from './node-name.js';

describe('tab lock (BroadcastChannel fallback, as on plain-http LAN pages)', () => {
  it('refuses a name another holder has, and frees it on release', async () => {
    const a = await tryLockNode('n-lock', { fallback: true, probeMs: 30 });
    expect(a).not.toBeNull();
    expect(await tryLockNode('n-lock', { fallback: true, probeMs: 30 })).toBeNull();
    a!.release();
    const again = await tryLockNode('n-lock', { fallback: true, probeMs: 30 });
    expect(again).not.toBeNull();
    again!.release();
  });

  it('two tabs probing at once: exactly one wins, whichever probed first', async () => {
    for (let i = 0; i < 20; i++) {
      const [x, y] = await Promise.all([
        tryLockNode(`n-race-${i}`, { fallback: true, probeMs: 30 }),
        tryLockNode(`n-race-${i}`, { fallback: true, probeMs: 30 }),
      ]);
      expect([x, y].filter(Boolean)).toHaveLength(1);
      (x ?? y)!.release();
    }
  });

  it('picks the first free name', async () => {
    const first = await lockFirstFreeName({ fallback: true, probeMs: 20, prefix: 'pick' });
    const second = await lockFirstFreeName({ fallback: true, probeMs: 20, prefix: 'pick' });
    expect([first.name, second.name]).toEqual(['pick1', 'pick2']);
    first.release();
    const third = await lockFirstFreeName({ fallback: true, probeMs: 20, prefix: 'pick' });
    expect(third.name).toBe('pick1');
    second.release();
    third.release();
  });
});

describe('node names', () => {
  it('accepts simple names and rejects others', () => {
    expect(parseNodeName('node-2')).toBe('node-2');
    expect(() => parseNodeName('../x')).toThrow(/not a valid node name/);
    expect(() => parseNodeName('')).toThrow(/not a valid node name/);
  });
});
