import { describe, expect, it } from 'vitest';
import { groupBy } from './group-by.js';

describe('groupBy', () => {
  it('groups by key, keys in first-seen order, each group in the items\' order', () => {
    const g = groupBy([{ k: 'b', n: 1 }, { k: 'a', n: 2 }, { k: 'b', n: 3 }], (x) => x.k);
    expect([...g.keys()]).toEqual(['b', 'a']);
    expect(g.get('b')!.map((x) => x.n)).toEqual([1, 3]);
    expect(g.get('a')!.map((x) => x.n)).toEqual([2]);
    expect(groupBy([], (x: number) => x).size).toBe(0);
  });
});
