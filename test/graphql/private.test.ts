/** GraphQL over private documents: `_commits` as readers and carriers see it, all-or-none mutations, `create_X(private: true)`. */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore, createMemoryData, type Client, type QueryResult } from 'p2p-docdb/node';
import { openNodeWithInternals } from '../../src/api/open.js';
import type { Database } from '../../src/db/database.js';

const SDL = 'type User { name: String age: Int }';
const open: Client[] = [];
afterEach(async () => { await Promise.all(open.splice(0).map((c) => c.close())); });

/** A local node with the User collection, and its engine (to copy blocks as sync would). */
async function node(): Promise<{ c: Client; db: Database; did: string }> {
  const { client, internals } = await openNodeWithInternals({ name: `gqlp-${Math.random()}`, store: new MemoryStore(createMemoryData()), lockInit: { fallback: true, probeMs: 5 } });
  open.push(client);
  await client.addSchema(SDL);
  return { c: client, db: internals.db, did: client.info().did };
}

/** Copies every block of a document from one node to others. */
async function copy(from: { db: Database }, doc: string, ...to: Array<{ db: Database }>): Promise<void> {
  const blocks = await from.db.missingBlocks(doc as never, []);
  for (const n of to) await n.db.applyBlocks(blocks.map((b) => ({ bytes: b.bytes, cid: b.cid })), 'remote:test' as never);
}

async function ok(c: Client, source: string): Promise<Record<string, unknown>> {
  const r = await c.query(source);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}

interface CommitRow { height: number; set: Record<string, unknown> | null; readable: boolean; author: string; links: Array<{ cid: string }>; wins: string[] }
const commits = async (c: Client, id: string): Promise<CommitRow[]> =>
  (await ok(c, `{ _commits(docID: "${id}") { height set readable author links { cid } wins } }`))._commits as CommitRow[];

describe('_commits of a private document', () => {
  it('shows a reader the fields each block set, and a node that may not read it the structure only', async () => {
    const owner = await node();
    const reader = await node();
    const carrier = await node();
    const doc = await owner.c.createPrivate('User', { name: 'Hidden Name', age: 7 });
    await owner.c.update('User', doc.id, { age: 8 });
    await owner.c.share('User', doc.id, reader.did, 'reader');
    await copy(owner, doc.id, reader, carrier);
    for (const n of [owner, reader]) {
      const rows = await commits(n.c, doc.id);
      expect(rows.map((r) => [r.height, r.set, r.readable])).toEqual([[1, { name: 'Hidden Name', age: 7 }, true], [2, { age: 8 }, true], [3, {}, true]]);
      expect(rows.map((r) => r.wins)).toEqual([['name'], ['age'], []]);
    }
    const seen = await commits(carrier.c, doc.id);
    const full = await commits(owner.c, doc.id);
    expect(seen.map(({ height, author, links }) => ({ height, author, links }))).toEqual(full.map(({ height, author, links }) => ({ height, author, links })));
    expect(seen.map((r) => [r.set, r.readable, r.wins])).toEqual([[null, false, []], [null, false, []], [{}, true, []]]);
    expect(JSON.stringify(seen)).not.toContain('Hidden');
    // As elsewhere, the carrier lists nothing and reads no field.
    expect(await ok(carrier.c, '{ User { name } }')).toEqual({ User: [] });
    expect(await ok(carrier.c, `{ User(docID: "${doc.id}") { name } }`)).toEqual({ User: [] });
  });
});

describe('update and delete by filter or docIDs are all or none', () => {
  /**
   * `me` writes `Mine` (its own private document) and `Open` (public); `Theirs`, created last (so a one-by-one
   * write in creation order would have changed the other two before reaching it), it may only read.
   */
  async function setup() {
    const owner = await node();
    const me = await node();
    const mine = await me.c.createPrivate('User', { name: 'Mine', age: 30 });
    const pub = await me.c.create('User', { name: 'Open', age: 30 });
    await new Promise((r) => setTimeout(r, 5));
    const theirs = await owner.c.createPrivate('User', { name: 'Theirs', age: 30 });
    await owner.c.share('User', theirs.id, me.did, 'reader');
    await copy(owner, theirs.id, me);
    expect((await ok(me.c, '{ User { name } }')).User).toEqual([{ name: 'Mine' }, { name: 'Open' }, { name: 'Theirs' }]);
    return { me, ids: { theirs: theirs.id, mine: mine.id, pub: pub.id } };
  }

  const state = async (c: Client) => ({ docs: await ok(c, '{ User { _docID name age } }'), n: await ok(c, '{ _count(User: {}) }') });

  it('a filter matching a document this node may write and one it may not changes neither, and the error names the document', async () => {
    const { me, ids } = await setup();
    const before = await state(me.c);
    const heads = await Promise.all(Object.values(ids).map((id) => commits(me.c, id)));
    const r: QueryResult = await me.c.query('mutation {\n  update_User(filter: {age: {_eq: 30}}, input: {age: 31}) { name age }\n}');
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0]!.message).toContain(ids.theirs);
    expect(r.errors![0]!.message).toMatch(/may not change/);
    expect(r.errors![0]!.extensions).toEqual({ code: 'AccessDeniedError' });
    expect(r.errors![0]!.locations?.[0]).toEqual({ line: 2, column: 3 });
    expect(r.data).toBeNull();
    expect(await state(me.c)).toEqual(before);
    expect(await Promise.all(Object.values(ids).map((id) => commits(me.c, id)))).toEqual(heads);
    const del = await me.c.query('mutation { delete_User(filter: {name: {_in: ["Mine", "Open", "Theirs"]}}) { name } }');
    expect(del.errors?.[0]!.message).toContain(ids.theirs);
    expect(await state(me.c)).toEqual(before);
  });

  it('docIDs naming a document this node may not write change none of them; without it, all change', async () => {
    const { me, ids } = await setup();
    const before = await state(me.c);
    const up = await me.c.query(`mutation { update_User(docIDs: ["${ids.pub}", "${ids.mine}", "${ids.theirs}"], input: {name: "x"}) { name } }`);
    expect(up.errors?.[0]!.message).toContain(ids.theirs);
    const del = await me.c.query(`mutation { delete_User(docIDs: ["${ids.mine}", "${ids.theirs}"]) { name } }`);
    expect(del.errors?.[0]!.message).toContain(ids.theirs);
    expect(await state(me.c)).toEqual(before);
    const good = await ok(me.c, `mutation { update_User(docIDs: ["${ids.pub}", "${ids.mine}"], input: {name: "x"}) { _docID name } }`);
    expect(good.update_User).toEqual([{ _docID: ids.mine, name: 'x' }, { _docID: ids.pub, name: 'x' }]); // in creation order, as listed
    expect((await commits(me.c, ids.mine)).at(-1)!.set).toEqual({ name: 'x' }); // sealed, and readable to its owner
    const gone = await ok(me.c, `mutation { delete_User(docIDs: ["${ids.pub}", "${ids.mine}"]) { name _deleted } }`);
    expect(gone.delete_User).toEqual([{ name: 'x', _deleted: true }, { name: 'x', _deleted: true }]);
    expect(await ok(me.c, '{ User { name } }')).toEqual({ User: [{ name: 'Theirs' }] });
  });
});

describe('create_X(private: true)', () => {
  it('creates private documents owned by this node, which other nodes carry but do not read', async () => {
    const a = await node();
    const b = await node();
    const one = await ok(a.c, 'mutation { create_User(input: {name: "Solo", age: 1}, private: true) { _docID name age } }');
    const [solo] = one.create_User as Array<{ _docID: string; name: string }>;
    expect(solo).toMatchObject({ name: 'Solo', age: 1 });
    expect(solo!._docID).toMatch(/^bae-[0-9a-f]{8}-[0-9a-f]{4}-4/); // random (v4 layout), not derived from the content
    const many = await ok(a.c, 'mutation { create_User(input: [{name: "P1"}, {name: "P2"}], private: true) { _docID name } }');
    const made = [solo!, ...(many.create_User as Array<{ _docID: string; name: string }>)];
    for (const d of made) {
      const doc = await a.c.get('User', d._docID);
      expect(doc?.access).toMatchObject({ owner: a.did, members: [], readable: true });
      await copy(a, d._docID, b);
      expect((await b.c.get('User', d._docID))?.access?.readable).toBe(false);
    }
    expect((await commits(a.c, solo!._docID))[0]!.set).toEqual({ name: 'Solo', age: 1 });
    expect(await ok(b.c, '{ User { name } }')).toEqual({ User: [] });
    expect(await b.c.unreadableCount('User')).toBe(3);
    // private: false (or absent) is a public document, as before.
    const pub = await ok(a.c, 'mutation { create_User(input: {name: "Pub"}, private: false) { _docID } }');
    expect((await a.c.get('User', (pub.create_User as Array<{ _docID: string }>)[0]!._docID))?.access).toBeUndefined();
  });

  it('a list with one invalid document creates none of them', async () => {
    const a = await node();
    const bad = await a.c.query('mutation ($in: [UserMutationInputArg!]!) { create_User(input: $in, private: true) { _docID } }', { in: [{ name: 'Fine' }, { name: 'lone \uD800' }] });
    expect(bad.errors?.[0]!.message).toMatch(/^name: expected String of valid Unicode text/);
    expect(bad.errors?.[0]!.extensions).toEqual({ code: 'ValidationError' });
    expect(await ok(a.c, '{ _count(User: {}) }')).toEqual({ _count: 0 });
    expect(await a.c.unreadableCount('User')).toBe(0);
  });
});
