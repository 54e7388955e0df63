import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../api/index.js';
import { syncSummary } from './CollectionsPanel.js';

const st = (state: SyncStatus['state'], extra: Partial<SyncStatus> = {}): SyncStatus =>
  ({ peer: `p${Math.random()}`, collection: 'c', name: 'User', state, at: 0, ...extra }) as SyncStatus;

describe('syncSummary', () => {
  it('says sync off, no peers, in sync, catching up with a percentage, failed, and peers catching up', () => {
    expect(syncSummary(false, [st('in-sync')])).toBe('sync off');
    expect(syncSummary(true, [])).toBe('no peers');
    expect(syncSummary(true, [st('in-sync')])).toBe('in sync with 1 peer');
    expect(syncSummary(true, [st('in-sync'), st('in-sync')])).toBe('in sync with 2 peers');
    expect(syncSummary(true, [st('in-sync'), st('catching-up', { received: 40, total: 100 })])).toBe('catching up 40%');
    expect(syncSummary(true, [st('catching-up', { received: 100, total: 100 })])).toBe('catching up 99%'); // 100% only once done
    expect(syncSummary(true, [st('behind', { waiting: 10 })])).toBe('catching up');
    expect(syncSummary(true, [st('in-sync'), st('failed', { message: 'x' })])).toBe('sync failed with 1 peer, retrying');
    expect(syncSummary(true, [st('caught-up'), st('in-sync')])).toBe('1 peer catching up with this node');
    expect(syncSummary(true, [st('in-sync', { peerSubscribed: false })])).toBe('no peers'); // it holds User but does not sync it
  });
});
