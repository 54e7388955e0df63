import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { BlockCid, DocId } from '../core/index.js';
import type { Database, BlockBytes } from './database.js';
import { memoryDb } from '../../test/helpers/db.js';

type Op =
  | { kind: 'create'; r: number; name: string; age: number }
  | { kind: 'update'; r: number; pick: number; field: 'name' | 'age' | 'verified'; value: string | number | boolean | null }
  | { kind: 'delete'; r: number; pick: number }
  | { kind: 'deliver'; r: number; picks: number[]; tick: number };

const opArb = (replicas: number): fc.Arbitrary<Op> => {
  const r = fc.integer({ min: 0, max: replicas - 1 });
  return fc.oneof(
    fc.record({ kind: fc.constant('create' as const), r, name: fc.constantFrom('a', 'b', 'c'), age: fc.integer({ min: 0, max: 2 }) }),
    fc.oneof(
      fc.record({ kind: fc.constant('update' as const), r, pick: fc.nat(), field: fc.constant('name' as const), value: fc.constantFrom('x', 'y', null) }),
      fc.record({ kind: fc.constant('update' as const), r, pick: fc.nat(), field: fc.constant('age' as const), value: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constant(null)) }),
      fc.record({ kind: fc.constant('update' as const), r, pick: fc.nat(), field: fc.constant('verified' as const), value: fc.boolean() }),
    ),
    fc.record({ kind: fc.constant('delete' as const), r, pick: fc.nat() }),
    // A partial delivery: random blocks from the pool, repeats allowed, random order; the rest are "lost".
    fc.record({ kind: fc.constant('deliver' as const), r, picks: fc.array(fc.nat(), { maxLength: 12 }), tick: fc.nat() }),
  );
};

const scenario = fc.integer({ min: 3, max: 5 }).chain((n) =>
  fc.record({ n: fc.constant(n), skews: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }), ops: fc.array(opArb(n), { minLength: 5, maxLength: 40 }), seed: fc.nat() }),
);

function shuffle<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let s = seed || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function stateOf(db: Database) {
  const docs = await db.list('User', { includeDeleted: true });
  return docs
    .map((d) => ({ id: d.id, fields: d.fields, deleted: d.deleted, heads: [...d.heads].sort() }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

describe('convergence', () => {
  it('replicas converge after random edits, lossy reordered duplicated delivery and a full exchange', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ n, skews, ops, seed }) => {
        let time = 1_000;
        const dbs: Database[] = [];
        for (let i = 0; i < n; i++) dbs.push(await memoryDb({ now: () => time + skews[i]! }));
        const pool: BlockBytes[] = [];
        dbs.forEach((db) => db.on('change', (e) => e.origin === 'local' && pool.push(...e.blocks)));
        for (const op of ops) {
          // Wall time moves only on deliveries, so replicas often write with equal clocks (ties by CID).
          if (op.kind === 'deliver') time += 1;
          const db = dbs[op.r]!;
          const live = async () => (await db.list('User')).map((d) => d.id);
          try {
            if (op.kind === 'create') await db.create('User', { name: op.name, age: op.age });
            else if (op.kind === 'update') {
              const ids = await live();
              if (ids.length) await db.update('User', ids[op.pick % ids.length]!, { [op.field]: op.value });
            } else if (op.kind === 'delete') {
              const ids = await live();
              if (ids.length) await db.delete('User', ids[op.pick % ids.length]!);
            } else if (pool.length) {
              const batch = op.picks.map((p) => pool[p % pool.length]!);
              await db.applyBlocks(batch, `peer-${op.tick}` as never);
            }
          } catch (err) {
            // Creating content that already exists locally is the only expected refusal.
            if ((err as Error).name !== 'DocumentExistsError') throw err;
          }
        }
        // Full exchange, each replica in its own random order, with duplicates.
        for (let i = 0; i < n; i++) {
          const r = await dbs[i]!.applyBlocks(shuffle([...pool, ...pool.slice(0, 3)], seed + i), 'all' as never);
          expect(r.rejected).toEqual([]);
          expect(r.missing).toEqual([]);
        }
        const first = await stateOf(dbs[0]!);
        for (const db of dbs.slice(1)) expect(await stateOf(db)).toEqual(first);
        const col = dbs[0]!.collection('User').id;
        const d0 = await dbs[0]!.digest(col);
        for (const db of dbs.slice(1)) expect(await db.digest(col)).toEqual(d0);
        expect(d0.count).toBe(new Set(pool.map((b) => b.cid)).size);
      }),
      { numRuns: 60 },
    );
  });

  it('concurrent writes with equal clocks resolve the same way everywhere (by CID)', async () => {
    const a = await memoryDb({ now: () => 5_000 });
    const b = await memoryDb({ now: () => 5_000 });
    const fromA: BlockBytes[] = [];
    const fromB: BlockBytes[] = [];
    a.on('change', (e) => e.origin === 'local' && fromA.push(...e.blocks));
    b.on('change', (e) => e.origin === 'local' && fromB.push(...e.blocks));
    const doc = await a.create('User', { name: 'start' });
    await b.applyBlocks(fromA, 'a' as never);
    await a.update('User', doc.id, { name: 'A' });
    await b.update('User', doc.id, { name: 'B' });
    await a.applyBlocks(fromB, 'b' as never);
    await b.applyBlocks(fromA, 'a' as never);
    const va = (await a.get('User', doc.id))!.fields.name;
    expect((await b.get('User', doc.id))!.fields.name).toBe(va);
    const winner = [fromA[1]!, fromB[0]!].sort((x, y) => (x.cid < y.cid ? 1 : -1))[0]!;
    expect(va).toBe(winner === fromA[1] ? 'A' : 'B');
  });

  it('heads are the blocks no other block points to', async () => {
    const a = await memoryDb();
    const b = await memoryDb();
    const pool: BlockBytes[] = [];
    for (const db of [a, b]) db.on('change', (e) => e.origin === 'local' && pool.push(...e.blocks));
    const doc = await a.create('User', { name: 'n' });
    await b.applyBlocks(pool, 'a' as never);
    await a.update('User', doc.id, { age: 1 });
    await b.update('User', doc.id, { age: 2 });
    await a.applyBlocks(pool, 'b' as never);
    const heads = await a.heads(doc.id as DocId);
    expect(heads).toHaveLength(2);
    const merged = await a.update('User', doc.id, { age: 3 });
    expect(merged.heads).toHaveLength(1);
    await b.applyBlocks(pool, 'a' as never);
    expect(await b.heads(doc.id)).toEqual(await a.heads(doc.id));
    expect((await b.get('User', doc.id))!.fields.age).toBe(3);
    expect(heads.every((h: BlockCid) => typeof h === 'string')).toBe(true);
  });
});
