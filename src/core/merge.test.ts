import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EMPTY_STATE, applyBlock, mergeStates, type BlockCid, type DocState } from './index.js';

/** Arbitrary block-like writes: clock, CID, a few fields or a delete, maybe a root. */
const write = fc.record({
  clock: fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 3 })),
  cid: fc.stringMatching(/^[a-e]{1,3}$/).map((s) => `baf${s}` as BlockCid),
  set: fc.option(fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.constant(null))), { nil: undefined }),
  del: fc.boolean(),
  root: fc.boolean(),
});
type Write = typeof write extends fc.Arbitrary<infer T> ? T : never;

/** Writes with the same CID must be the same write (a CID names content). */
const uniqueWrites = fc.array(write, { maxLength: 8 }).map((ws) => {
  const seen = new Map<string, Write>();
  for (const w of ws) if (!seen.has(w.cid)) seen.set(w.cid, w);
  return [...seen.values()];
});

/** Two or three sets of writes drawn from one pool, so a CID never names two different writes across them. */
const subsets = (n: number): fc.Arbitrary<Write[][]> => uniqueWrites.chain((pool) => fc.array(fc.subarray(pool), { minLength: n, maxLength: n }));

const stateOf = (ws: Write[]): DocState =>
  ws.reduce<DocState>((s, w) => applyBlock(s, w.cid, { clock: w.clock, parents: w.root ? [] : ['x' as BlockCid], ...(w.del ? { delete: true } : { set: w.set ?? {} }) }), EMPTY_STATE);

const canon = (s: DocState) => JSON.parse(JSON.stringify({ ...s, fields: Object.fromEntries(Object.entries(s.fields).sort()) }));

describe('merge algebra', () => {
  it('is commutative', () => {
    fc.assert(fc.property(subsets(2), ([x = [], y = []]) => {
      const [a, b] = [stateOf(x), stateOf(y)];
      expect(canon(mergeStates(a, b))).toEqual(canon(mergeStates(b, a)));
    }));
  });

  it('is associative', () => {
    fc.assert(fc.property(subsets(3), ([x = [], y = [], z = []]) => {
      const [a, b, c] = [stateOf(x), stateOf(y), stateOf(z)];
      expect(canon(mergeStates(a, mergeStates(b, c)))).toEqual(canon(mergeStates(mergeStates(a, b), c)));
    }));
  });

  it('is idempotent', () => {
    fc.assert(fc.property(uniqueWrites, (x) => {
      const a = stateOf(x);
      expect(canon(mergeStates(a, a))).toEqual(canon(a));
    }));
  });

  it('applying writes in any order, with repeats, gives the merge of their states', () => {
    fc.assert(fc.property(uniqueWrites, fc.array(fc.nat()), (ws, order) => {
      const shuffled = [...ws];
      for (let i = 0; i < order.length && shuffled.length; i++) {
        const j = order[i]! % shuffled.length;
        shuffled.push(shuffled[j]!); // duplicate
        [shuffled[0], shuffled[j]] = [shuffled[j]!, shuffled[0]!];
      }
      expect(canon(stateOf(shuffled))).toEqual(canon(stateOf(ws)));
      const half = Math.floor(ws.length / 2);
      expect(canon(mergeStates(stateOf(ws.slice(0, half)), stateOf(ws.slice(half))))).toEqual(canon(stateOf(ws)));
    }));
  });

  it('last writer wins per field by clock, then CID; delete is sticky', () => {
    let s = applyBlock(EMPTY_STATE, 'bafa' as BlockCid, { clock: [1, 0], parents: [], set: { a: 1, b: 1 } });
    s = applyBlock(s, 'bafb' as BlockCid, { clock: [3, 0], parents: ['x' as BlockCid], set: { a: 3 } });
    s = applyBlock(s, 'bafc' as BlockCid, { clock: [2, 0], parents: ['x' as BlockCid], set: { a: 2, b: 2 } });
    expect(s.fields.a!.value).toBe(3);
    expect(s.fields.b!.value).toBe(2);
    s = applyBlock(s, 'bafd' as BlockCid, { clock: [3, 0], parents: ['x' as BlockCid], set: { a: 4 } });
    expect(s.fields.a!.value).toBe(4); // same clock: higher CID wins
    s = applyBlock(s, 'bafe' as BlockCid, { clock: [2, 0], parents: ['x' as BlockCid], delete: true });
    s = applyBlock(s, 'baff' as BlockCid, { clock: [9, 0], parents: ['x' as BlockCid], set: { a: 9 } });
    expect(s.deleted).not.toBeNull();
  });
});
