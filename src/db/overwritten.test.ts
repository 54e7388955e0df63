import { describe, expect, it } from 'vitest';
import { memoryDb } from '../../test/helpers/db.js';
import type { Database, OverwrittenEvent } from './database.js';

async function copyDoc(from: Database, to: Database, doc: string) {
  const blocks = await from.missingBlocks(doc as never, []);
  return to.applyBlocks(blocks.map((b) => ({ bytes: b.bytes, cid: b.cid })), 'peer-from' as never);
}

describe('a local edit that loses to a concurrent one', () => {
  it('is reported on the losing side only: which field, both values, the winning block', async () => {
    let t = 1000;
    const a = await memoryDb({ now: () => t });
    const b = await memoryDb({ now: () => t });
    const doc = await a.create('User', { name: 'Shared', age: 1 });
    await copyDoc(a, b, doc.id);
    const seen = { a: [] as OverwrittenEvent[], b: [] as OverwrittenEvent[] };
    a.on('overwritten', (e) => seen.a.push(e));
    b.on('overwritten', (e) => seen.b.push(e));
    await a.update('User', doc.id, { name: 'by A', age: 10 }); // apart…
    t += 5;
    await b.update('User', doc.id, { name: 'by B' }); // …and later
    await copyDoc(b, a, doc.id);
    await copyDoc(a, b, doc.id);
    expect(seen.a.map((e) => [e.field, e.mine, e.theirs])).toEqual([['name', 'by A', 'by B']]);
    expect(seen.b).toEqual([]); // B's value won; A's age was not contested
    expect((await a.get('User', doc.id))?.fields).toMatchObject({ name: 'by B', age: 10 });
  });

  it('is not reported when the peer\'s change builds on this one (it saw it and changed it)', async () => {
    let t = 1000;
    const a = await memoryDb({ now: () => t });
    const b = await memoryDb({ now: () => t });
    const doc = await a.create('User', { name: 'Shared' });
    await a.update('User', doc.id, { name: 'by A' });
    await copyDoc(a, b, doc.id);
    t += 5;
    await b.update('User', doc.id, { name: 'by B after seeing A' });
    const seen: OverwrittenEvent[] = [];
    a.on('overwritten', (e) => seen.push(e));
    await copyDoc(b, a, doc.id);
    expect((await a.get('User', doc.id))?.fields.name).toBe('by B after seeing A');
    expect(seen).toEqual([]);
  });
});
