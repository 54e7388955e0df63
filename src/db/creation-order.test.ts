import { describe, expect, it } from 'vitest';
import type { BlockCid, CollectionId, DocId } from '../core/ids.js';
import type { DocRecord } from '../store/types.js';
import { CreationOrder } from './creation-order.js';

const stamp = (wall: number) => ({ clock: [wall, 0] as const, cid: `bafy${wall}` as BlockCid });
function rec(id: string, wall: number, o: { readable?: boolean; deleted?: boolean } = {}): DocRecord {
  return {
    id: id as DocId,
    collection: 'c' as CollectionId,
    heads: [],
    state: {
      fields: {},
      created: stamp(wall),
      deleted: o.deleted ? stamp(wall + 1) : null,
      ...(o.readable === undefined ? {} : { access: { owner: 'did:key:z', members: [], epoch: 0, readable: o.readable } }),
    },
  };
}

describe('CreationOrder', () => {
  it('lists live readable documents in creation order and counts the private ones it cannot read', () => {
    const order = CreationOrder.of([rec('b', 2), rec('a', 1), rec('x', 3, { readable: false }), rec('d', 4, { deleted: true }), rec('y', 5, { readable: false, deleted: true })]);
    expect(order.slice(0, 10)).toEqual(['a', 'b']);
    expect(order.size).toBe(2);
    expect(order.unreadable).toBe(1);
  });

  it('keeps the unreadable count through commits: carried, then shared, then deleted', () => {
    const order = CreationOrder.of([]);
    order.note(rec('p', 1, { readable: false }));
    order.note(rec('q', 2, { readable: false }));
    expect(order.unreadable).toBe(2);
    expect(order.size).toBe(0);
    order.note(rec('p', 1, { readable: true })); // the owner shared it with this node
    expect(order.unreadable).toBe(1);
    expect(order.slice(0, 10)).toEqual(['p']);
    order.note(rec('q', 2, { readable: false, deleted: true }));
    expect(order.unreadable).toBe(0);
    order.note(rec('p', 1, { readable: false })); // access taken away (a new key epoch it cannot open)
    expect(order.unreadable).toBe(1);
    expect(order.size).toBe(0);
  });
});
