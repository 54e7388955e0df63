/** The GraphQL engine over a local node (memory store): schema, every operator, order, paging, count, mutations, commits, live queries, errors. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore, createMemoryData, openNode, type Client, type QueryResult } from 'p2p-docdb/node';

let c: Client;
beforeEach(async () => {
  c = await openNode({ name: `gql-${Math.random()}`, store: new MemoryStore(createMemoryData()), lockInit: { fallback: true, probeMs: 5 } });
  await c.addSchema('type User { name: String age: Int verified: Boolean points: Float born: DateTime tags: [String] }\ntype Post { title: String! stars: Int }');
});
afterEach(async () => { await c.close(); });

const SEED = 'mutation { create_User(input: {name: "Alice", age: 30, verified: true, points: 1.5}) { _docID } }';

async function ok(source: string, variables?: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await c.query(source, variables);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}

async function people(): Promise<void> {
  await ok(`mutation { create_User(input: [
    {name: "Alice", age: 30, verified: true, points: 1.5, born: "1994-05-01T00:00:00Z", tags: ["a"]},
    {name: "alfred", age: 41, verified: false, points: -2},
    {name: "Bob", age: 25, points: 10},
    {name: "Cy", age: 30}
  ]) { _docID } }`);
}

const names = (data: Record<string, unknown>, key = 'User') => (data[key] as Array<{ name: string }>).map((u) => u.name);

describe('queries', () => {
  it('runs the seed mutation and reads it back with _docID', async () => {
    const created = await ok(SEED);
    const id = (created.create_User as Array<{ _docID: string }>)[0]!._docID;
    expect(id).toMatch(/^bae-/);
    const data = await ok('{ User { _docID name age verified points } }');
    expect(data.User).toEqual([{ _docID: id, name: 'Alice', age: 30, verified: true, points: 1.5 }]);
    expect((await c.get('User', id))?.fields).toEqual({ name: 'Alice', age: 30, verified: true, points: 1.5 });
  });

  it('filters with every operator on the types they apply to', async () => {
    await people();
    const q = async (filter: string) => names(await ok(`{ User(filter: ${filter}) { name } }`));
    expect(await q('{age: {_eq: 30}}')).toEqual(['Alice', 'Cy']);
    expect(await q('{age: {_ne: 30}}')).toEqual(['alfred', 'Bob']);
    expect(await q('{age: {_gt: 30}}')).toEqual(['alfred']);
    expect(await q('{age: {_ge: 30}}')).toEqual(['Alice', 'alfred', 'Cy']);
    expect(await q('{age: {_lt: 30}}')).toEqual(['Bob']);
    expect(await q('{age: {_le: 30}}')).toEqual(['Alice', 'Bob', 'Cy']);
    expect(await q('{age: {_in: [25, 41]}}')).toEqual(['alfred', 'Bob']);
    expect(await q('{age: {_nin: [25, 41]}}')).toEqual(['Alice', 'Cy']);
    expect(await q('{name: {_like: "A%"}}')).toEqual(['Alice']);
    expect(await q('{name: {_nlike: "A%"}}')).toEqual(['alfred', 'Bob', 'Cy']);
    expect(await q('{name: {_ilike: "a%"}}')).toEqual(['Alice', 'alfred']);
    expect(await q('{name: {_nilike: "a%"}}')).toEqual(['Bob', 'Cy']);
    expect(await q('{points: {_lt: 0}}')).toEqual(['alfred']);
    expect(await q('{verified: {_eq: null}}')).toEqual(['Bob', 'Cy']);
    expect(await q('{born: {_lt: "2000-01-01T00:00:00Z"}}')).toEqual(['Alice']);
    expect(await q('{tags: {_eq: ["a"]}}')).toEqual(['Alice']);
    expect(await q('{_and: [{age: {_ge: 25}}, {age: {_lt: 31}}], _not: {name: {_eq: "Cy"}}}')).toEqual(['Alice', 'Bob']);
    expect(await q('{_or: [{age: {_gt: 40}}, {verified: {_eq: true}}]}')).toEqual(['Alice', 'alfred']);
  });

  it('compares String by UTF-16 code units, with _in, _nin and the like family (% any run, _ one character)', async () => {
    await people(); // creation order: Alice, alfred, Bob, Cy; code-unit order: Alice Bob Cy alfred
    const q = async (filter: string) => names(await ok(`{ User(filter: {name: ${filter}}) { name } }`));
    expect(await q('{_gt: "Bob"}')).toEqual(['alfred', 'Cy']);
    expect(await q('{_ge: "Bob"}')).toEqual(['alfred', 'Bob', 'Cy']);
    expect(await q('{_lt: "Bob"}')).toEqual(['Alice']);
    expect(await q('{_le: "Bob"}')).toEqual(['Alice', 'Bob']);
    expect(await q('{_gt: "B", _lt: "a"}')).toEqual(['Bob', 'Cy']);
    expect(await q('{_in: ["Bob", "Cy", "Zed"]}')).toEqual(['Bob', 'Cy']);
    expect(await q('{_nin: ["Bob", "Cy"]}')).toEqual(['Alice', 'alfred']);
    expect(await q('{_in: []}')).toEqual([]);
    expect(await q('{_like: "_y"}')).toEqual(['Cy']);
    expect(await q('{_like: "%l%"}')).toEqual(['Alice', 'alfred']);
    expect(await q('{_like: "A.i%"}')).toEqual([]); // "." is literal
    expect(await q('{_like: "alice"}')).toEqual([]); // _like is case-sensitive
    expect(await q('{_nlike: "%l%"}')).toEqual(['Bob', 'Cy']);
    expect(await q('{_ilike: "%B%"}')).toEqual(['Bob']);
    expect(await q('{_ilike: "ALICE"}')).toEqual(['Alice']);
    expect(await q('{_nilike: "%O%"}')).toEqual(['Alice', 'alfred', 'Cy']);
  });

  it('compares Float with _ge, _le and _ne (unset values are not equal to a number)', async () => {
    await people(); // points: Alice 1.5, alfred -2, Bob 10, Cy unset
    const q = async (filter: string) => names(await ok(`{ User(filter: {points: ${filter}}) { name } }`));
    expect(await q('{_ge: 1.5}')).toEqual(['Alice', 'Bob']);
    expect(await q('{_le: 1.5}')).toEqual(['Alice', 'alfred']);
    expect(await q('{_ge: -2, _le: 1.5}')).toEqual(['Alice', 'alfred']);
    expect(await q('{_le: 10}')).toEqual(['Alice', 'alfred', 'Bob']); // never an unset field
    expect(await q('{_ne: 1.5}')).toEqual(['alfred', 'Bob', 'Cy']);
    expect(await q('{_ne: null}')).toEqual(['Alice', 'alfred', 'Bob']);
    expect(await q('{_eq: 10}')).toEqual(['Bob']); // an Int literal for a Float
    expect(await q('{_in: [1.5, -2]}')).toEqual(['Alice', 'alfred']);
  });

  it('compares Boolean with _eq, _ne and _in (null stands for unset)', async () => {
    await people(); // verified: Alice true, alfred false, Bob and Cy unset
    const q = async (filter: string) => names(await ok(`{ User(filter: {verified: ${filter}}) { name } }`));
    expect(await q('{_eq: true}')).toEqual(['Alice']);
    expect(await q('{_eq: false}')).toEqual(['alfred']);
    expect(await q('{_ne: true}')).toEqual(['alfred', 'Bob', 'Cy']);
    expect(await q('{_ne: false}')).toEqual(['Alice', 'Bob', 'Cy']);
    expect(await q('{_in: [false, null]}')).toEqual(['alfred', 'Bob', 'Cy']);
    const r = await c.query('{ User(filter: {verified: {_gt: false}}) { name } }');
    expect(r.errors?.[0]!.message).toMatch(/Field "_gt" is not defined by type "BooleanOperatorBlock"/);
  });

  it('compares DateTime by instant, whatever offset the operand is written with', async () => {
    await ok(`mutation { create_User(input: [
      {name: "old", born: "1994-05-01T00:00:00Z"},
      {name: "mid", born: "2001-02-03T06:05:06+02:00"},
      {name: "new", born: "2020-01-01T00:00:00.500Z"},
      {name: "none"}
    ]) { _docID } }`);
    const q = async (filter: string) => names(await ok(`{ User(filter: {born: ${filter}}) { name } }`));
    expect(await q('{_eq: "2001-02-03T04:05:06Z"}')).toEqual(['mid']); // stored as 04:05:06Z
    expect(await q('{_ne: "2001-02-03T04:05:06.000Z"}')).toEqual(['old', 'new', 'none']);
    expect(await q('{_gt: "2001-02-03T05:05:06+01:00"}')).toEqual(['new']);
    expect(await q('{_ge: "2001-02-03T04:05:06Z"}')).toEqual(['mid', 'new']);
    expect(await q('{_lt: "2001-02-03T04:05:06Z"}')).toEqual(['old']);
    expect(await q('{_le: "2020-01-01T00:00:00.500Z"}')).toEqual(['old', 'mid', 'new']);
    expect(await q('{_in: ["1994-05-01T02:00:00+02:00", "1999-01-01T00:00:00Z"]}')).toEqual(['old']);
    expect(names(await ok('{ User(order: {born: DESC}) { name } }'))).toEqual(['new', 'mid', 'old', 'none']);
    expect((await ok('{ User(filter: {name: {_eq: "mid"}}) { born } }')).User).toEqual([{ born: '2001-02-03T04:05:06.000Z' }]);
    const bad = await c.query('{ User(filter: {born: {_gt: "last week"}}) { name } }');
    expect(bad.errors?.[0]!.message).toMatch(/DateTime cannot represent "last week"/);
    expect(bad.errors?.[0]!.locations?.[0]).toEqual({ line: 1, column: 29 });
  });

  it('filters on _docID', async () => {
    await people();
    const all = (await ok('{ User { _docID name } }')).User as Array<{ _docID: string; name: string }>;
    const [a, b] = [all[0]!._docID, all[2]!._docID];
    const q = async (filter: string) => names(await ok(`{ User(filter: {_docID: ${filter}}) { name } }`));
    expect(await q(`{_eq: "${a}"}`)).toEqual(['Alice']);
    expect(await q(`{_ne: "${a}"}`)).toEqual(['alfred', 'Bob', 'Cy']);
    expect(await q(`{_in: ["${a}", "${b}"]}`)).toEqual(['Alice', 'Bob']);
    expect(await q(`{_nin: ["${a}", "${b}"]}`)).toEqual(['alfred', 'Cy']);
    expect(await q('{_like: "bae-%"}')).toEqual(['Alice', 'alfred', 'Bob', 'Cy']);
    expect(await q('{_eq: "bae-00000000-0000-5000-8000-000000000000"}')).toEqual([]);
    expect(names(await ok(`{ User(filter: {_or: [{_docID: {_eq: "${a}"}}, {name: {_eq: "Cy"}}]}) { name } }`))).toEqual(['Alice', 'Cy']);
  });

  it('orders by _createdAt and by _docID, both ways, with paging', async () => {
    await people();
    const all = (await ok('{ User { _docID name } }')).User as Array<{ _docID: string; name: string }>;
    expect(names(await ok('{ User(order: {_createdAt: ASC}) { name } }'))).toEqual(['Alice', 'alfred', 'Bob', 'Cy']);
    expect(names(await ok('{ User(order: {_createdAt: DESC}) { name } }'))).toEqual(['Cy', 'Bob', 'alfred', 'Alice']);
    expect(names(await ok('{ User(order: {_createdAt: DESC}, limit: 2, offset: 1) { name } }'))).toEqual(['Bob', 'alfred']);
    expect(names(await ok('{ User(filter: {age: {_eq: 30}}, order: {_createdAt: DESC}) { name } }'))).toEqual(['Cy', 'Alice']);
    const byId = [...all].sort((x, y) => (x._docID < y._docID ? -1 : 1));
    expect((await ok('{ User(order: {_docID: ASC}) { _docID } }')).User).toEqual(byId.map(({ _docID }) => ({ _docID })));
    expect((await ok('{ User(order: {_docID: DESC}) { _docID } }')).User).toEqual([...byId].reverse().map(({ _docID }) => ({ _docID })));
    expect((await ok('{ User(order: {_docID: ASC}, limit: 1, offset: 3) { _docID } }')).User).toEqual([{ _docID: byId[3]!._docID }]);
    expect(names(await ok('{ User(order: [{age: ASC}, {_createdAt: DESC}]) { name } }'))).toEqual(['Bob', 'Cy', 'Alice', 'alfred']);
  });

  it('orders by several fields, pages with limit and offset, selects by docID and docIDs', async () => {
    await people();
    expect(names(await ok('{ User(order: {age: DESC, name: ASC}) { name } }'))).toEqual(['alfred', 'Alice', 'Cy', 'Bob']);
    expect(names(await ok('{ User(order: [{age: ASC}, {name: DESC}]) { name } }'))).toEqual(['Bob', 'Cy', 'Alice', 'alfred']);
    expect(names(await ok('{ User(order: {name: ASC}, limit: 2, offset: 1) { name } }'))).toEqual(['Bob', 'Cy']); // Alice Bob Cy alfred
    expect(names(await ok('query ($o: [UserOrderArg]) { User(order: $o) { name } }', { o: { age: 'DESC', name: 'ASC' } }))).toEqual(['alfred', 'Alice', 'Cy', 'Bob']);
    expect(names(await ok('{ User(limit: 2) { name } }'))).toEqual(['Alice', 'alfred']); // creation order
    const all = (await ok('{ User { _docID name } }')).User as Array<{ _docID: string; name: string }>;
    expect(names(await ok(`{ User(docID: "${all[2]!._docID}") { name } }`))).toEqual(['Bob']);
    expect(names(await ok('query ($ids: [ID!]) { User(docIDs: $ids) { name } }', { ids: [all[0]!._docID, all[3]!._docID] }))).toEqual(['Alice', 'Cy']);
  });

  it('counts with _count, with and without a filter', async () => {
    await people();
    expect(await ok('{ _count(User: {}) }')).toEqual({ _count: 4 });
    expect(await ok('{ n: _count(User: {filter: {age: {_eq: 30}}}) }')).toEqual({ n: 2 });
    expect(await ok('{ _count(Post: {}) }')).toEqual({ _count: 0 });
  });

  it('counts the documents named by docID or docIDs, with a filter too', async () => {
    await people();
    const all = (await ok('{ User { _docID } }')).User as Array<{ _docID: string }>;
    const [a, b, d] = [all[0]!._docID, all[1]!._docID, all[3]!._docID];
    expect(await ok(`{ _count(User: {docID: "${a}"}) }`)).toEqual({ _count: 1 });
    expect(await ok(`{ _count(User: {docIDs: ["${a}", "${b}", "${a}"]}) }`)).toEqual({ _count: 2 });
    expect(await ok(`{ _count(User: {docIDs: ["${a}", "${b}", "${d}"], filter: {age: {_eq: 30}}}) }`)).toEqual({ _count: 2 });
    expect(await ok(`{ _count(User: {docID: "${a}", docIDs: ["${b}"]}) }`)).toEqual({ _count: 2 });
    expect(await ok('{ _count(User: {docIDs: []}) }')).toEqual({ _count: 0 });
    expect(await ok('{ _count(User: {docID: "bae-00000000-0000-5000-8000-000000000000"}) }')).toEqual({ _count: 0 });
    expect(await ok(`{ _count(Post: {docID: "${a}"}) }`)).toEqual({ _count: 0 }); // a User's DocID is no Post
    await c.delete('User', a);
    expect(await ok(`{ _count(User: {docID: "${a}"}) }`)).toEqual({ _count: 0 });
  });

  it('an unknown collection, or none or two, in _count is an error with its location', async () => {
    const ghost = await c.query('{\n  _count(Ghost: {}) }');
    expect(ghost.errors?.[0]!.message).toMatch(/^Unknown argument "Ghost" on field "Query._count"\./);
    expect(ghost.errors?.[0]!.locations?.[0]).toEqual({ line: 2, column: 10 });
    const none = await c.query('{ _count }');
    expect(none.errors?.[0]!.message).toMatch(/_count takes exactly one collection/);
    expect(none.errors?.[0]!.locations?.[0]).toEqual({ line: 1, column: 3 });
    const two = await c.query('{ _count(User: {}, Post: {}) }');
    expect(two.errors?.[0]!.message).toMatch(/_count takes exactly one collection/);
    expect(two.errors?.[0]!.locations?.[0]).toEqual({ line: 1, column: 3 });
    expect(two.errors?.[0]!.path).toEqual(['_count']);
  });
});

describe('mutations', () => {
  it('updates by docID, docIDs or filter and deletes, returning the documents', async () => {
    await people();
    const up = await ok('mutation { update_User(filter: {age: {_eq: 30}}, input: {verified: false}) { name verified } }');
    expect(up.update_User).toEqual([{ name: 'Alice', verified: false }, { name: 'Cy', verified: false }]);
    const bob = ((await ok('{ User(filter: {name: {_eq: "Bob"}}) { _docID } }')).User as Array<{ _docID: string }>)[0]!._docID;
    expect((await ok(`mutation { update_User(docID: "${bob}", input: {age: 26}) { age } }`)).update_User).toEqual([{ age: 26 }]);
    const del = await ok(`mutation { delete_User(docIDs: ["${bob}"]) { _docID name _deleted } }`);
    expect(del.delete_User).toEqual([{ _docID: bob, name: 'Bob', _deleted: true }]);
    expect(await ok('{ _count(User: {}) }')).toEqual({ _count: 3 });
    expect(await c.get('User', bob)).toBeUndefined();
  });

  it('updates by docIDs, deletes by docID and by filter', async () => {
    await people();
    const all = (await ok('{ User { _docID name } }')).User as Array<{ _docID: string; name: string }>;
    const [alice, alfred, bob, cy] = all.map((u) => u._docID) as [string, string, string, string];
    const up = await ok(`mutation { update_User(docIDs: ["${alfred}", "${bob}"], input: {points: 7, tags: ["x", "y"]}) { _docID name points tags } }`);
    expect(up.update_User).toEqual([
      { _docID: alfred, name: 'alfred', points: 7, tags: ['x', 'y'] },
      { _docID: bob, name: 'Bob', points: 7, tags: ['x', 'y'] },
    ]);
    expect((await c.get('User', alice))?.fields.points).toBe(1.5); // not named: unchanged
    expect((await c.get('User', bob))?.fields).toMatchObject({ points: 7, tags: ['x', 'y'] });
    const one = await ok(`mutation { delete_User(docID: "${cy}") { _docID name age _deleted } }`);
    expect(one.delete_User).toEqual([{ _docID: cy, name: 'Cy', age: 30, _deleted: true }]);
    expect(await c.get('User', cy)).toBeUndefined();
    const byFilter = await ok('mutation { delete_User(filter: {points: {_eq: 7}}) { name _deleted } }');
    expect(byFilter.delete_User).toEqual([{ name: 'alfred', _deleted: true }, { name: 'Bob', _deleted: true }]);
    expect(names(await ok('{ User { name } }'))).toEqual(['Alice']);
    expect((await ok('mutation { delete_User(filter: {name: {_eq: "nobody"}}) { name } }')).delete_User).toEqual([]);
    // A deleted document is not chosen again.
    expect((await ok(`mutation { delete_User(docID: "${cy}") { name } }`)).delete_User).toEqual([]);
  });

  it('a mutation that fails validation stores nothing, and says why with its location', async () => {
    await people();
    const before = await c.list('User', { limit: 100 });
    const bad = await c.query('mutation { create_User(input: [{name: "Ok"}, {name: "Bad", born: "yesterday"}]) { _docID } }');
    expect(bad.errors?.[0]!.message).toMatch(/DateTime cannot represent "yesterday"/);
    expect(bad.errors?.[0]!.locations?.[0]).toEqual({ line: 1, column: 66 }); // the "yesterday" literal
    const missing = await c.query('mutation { create_Post(input: {stars: 3}) { _docID } }');
    expect(missing.errors?.[0]!.message).toBe("title: expected String! (required), got nothing");
    expect(missing.errors?.[0]!.extensions).toEqual({ code: 'ValidationError' });
    const upd = await c.query('mutation { update_User(filter: {}, input: {age: 1.5}) { name } }');
    expect(upd.errors?.[0]!.message).toMatch(/Int cannot represent/);
    const noTarget = await c.query('mutation { delete_User { name } }');
    expect(noTarget.errors?.[0]!.message).toBe('delete_User needs docID, docIDs or filter');
    const after = await c.list('User', { limit: 100 });
    expect(after.docs).toEqual(before.docs);
    expect(await c.list('Post')).toMatchObject({ total: 0 });
  });
});

describe('errors', () => {
  it('reports a bad field, a wrong argument type, an unknown collection, bad syntax and a bad filter with locations', async () => {
    const cases: Array<[string, RegExp, { line: number; column: number }]> = [
      ['{ User { nam } }', /Cannot query field "nam" on type "User"/, { line: 1, column: 10 }],
      ['{ User(limit: "ten") { name } }', /Int cannot represent a non-integer value/, { line: 1, column: 15 }],
      ['{ Ghost { name } }', /Cannot query field "Ghost" on type "Query"/, { line: 1, column: 3 }],
      ['{ User { name }', /Syntax Error: Expected Name, found <EOF>/, { line: 1, column: 16 }],
      ['{\n  User(filter: {age: {_like: "3%"}}) { name }\n}', /Field "_like" is not defined by type "IntOperatorBlock"/, { line: 2, column: 23 }],
      ['{ User(docID: "nope") { name } }', /not a DocID/, { line: 1, column: 3 }],
    ];
    for (const [source, message, at] of cases) {
      const r: QueryResult = await c.query(source);
      expect(r.errors?.[0]!.message, source).toMatch(message);
      expect(r.errors?.[0]!.locations?.[0], source).toEqual(at);
    }
  });

  it('checks literal values on every request, also of a shape that validated before', async () => {
    await ok('{ User(limit: 1) { name } }');
    const bad = await c.query('{ User(limit: "x") { name } }');
    expect(bad.errors?.[0]!.message).toMatch(/Int cannot represent a non-integer value: "x"/);
    await ok('{ User(limit: 1) { name } User(limit: 1) { name } }');
    const clash = await c.query('{ User(limit: 1) { name } User(limit: 2) { name } }');
    expect(clash.errors?.[0]!.message).toMatch(/Fields "User" conflict because they have differing arguments/);
    await ok('mutation { create_User(input: {name: "a", born: "2020-01-01T00:00:00Z"}) { _docID } }');
    const date = await c.query('mutation { create_User(input: {name: "b", born: "soon"}) { _docID } }');
    expect(date.errors?.[0]!.locations?.[0]).toEqual({ line: 1, column: 49 }); // "soon", located in this request
    expect(await c.list('User')).toMatchObject({ total: 1 });
  });

  it('a subscription asked of query() is an error that says to use liveQuery', async () => {
    const r = await c.query('subscription { User { name } }');
    expect(r.errors?.[0]!.message).toMatch(/liveQuery/);
  });
});

describe('schema', () => {
  it('is generated from the SDL and regenerated when a collection is added', async () => {
    const before = await c.query('{ Tag { label } }');
    expect(before.errors?.[0]!.message).toMatch(/Cannot query field "Tag"/);
    await c.addSchema('type Tag { label: String }');
    await ok('mutation { create_Tag(input: {label: "x"}) { _docID } }');
    expect(await ok('{ Tag { label } }')).toEqual({ Tag: [{ label: 'x' }] });
    const types = (await ok('{ __schema { types { name } } }')).__schema as { types: Array<{ name: string }> };
    const list = types.types.map((t) => t.name);
    for (const n of ['User', 'UserFilterArg', 'UserOrderArg', 'UserMutationInputArg', 'IntOperatorBlock', 'StringOperatorBlock', 'Ordering', 'Commit', 'Tag']) expect(list).toContain(n);
  });

  it('holds integers beyond 2^31, as stored', async () => {
    const big = 2 ** 40 + 3;
    await ok(`mutation { create_User(input: {name: "Big", age: ${big}}) { _docID } }`);
    expect(await ok('{ User { age } }')).toEqual({ User: [{ age: big }] });
  });
});

describe('_commits', () => {
  it('lists each block of a document with height, links, fields set, delete, author and clock', async () => {
    const id = ((await ok(SEED)).create_User as Array<{ _docID: string }>)[0]!._docID;
    await c.update('User', id, { age: 31 });
    await c.update('User', id, { points: 2 });
    const data = await ok(`{ _commits(docID: "${id}") { cid docID height links { cid } set delete author clock { wall counter } wins head } }`);
    const commits = data._commits as Array<{ cid: string; docID: string; height: number; links: Array<{ cid: string }>; set: Record<string, unknown>; delete: boolean; author: string; clock: { wall: number }; wins: string[]; head: boolean }>;
    expect(commits.map((x) => x.height)).toEqual([1, 2, 3]);
    expect(commits[0]!.links).toEqual([]);
    expect(commits[1]!.links).toEqual([{ cid: commits[0]!.cid }]);
    expect(commits[2]!.links).toEqual([{ cid: commits[1]!.cid }]);
    expect(commits[0]!.set).toEqual({ name: 'Alice', age: 30, verified: true, points: 1.5 });
    expect(commits[1]!.set).toEqual({ age: 31 });
    expect(commits.every((x) => x.docID === id && !x.delete && x.author === c.info().did)).toBe(true);
    expect(c.info().did).toMatch(/^did:key:z6Mk/);
    expect(commits[0]!.wins.sort()).toEqual(['name', 'verified']);
    expect(commits[1]!.wins).toEqual(['age']);
    expect(commits[2]!.wins).toEqual(['points']);
    expect(commits.map((x) => x.head)).toEqual([false, false, true]);
    expect(commits[2]!.clock.wall).toBeGreaterThan(0);
    await c.delete('User', id);
    const after = (await ok(`{ _commits(docID: "${id}") { height delete set } }`))._commits as Array<{ height: number; delete: boolean; set: unknown }>;
    expect(after.at(-1)).toEqual({ height: 4, delete: true, set: null });
  });
});

describe('live queries', () => {
  it('sends the result at once, then again whenever a matching document changes; stop ends it', async () => {
    await people();
    const results: QueryResult[] = [];
    const live = await c.liveQuery('subscription { User(filter: {age: {_ge: 30}}, order: {name: ASC}) { name age } }', {}, (r) => results.push(r));
    await expect.poll(() => results.length).toBe(1);
    expect(names(results[0]!.data!)).toEqual(['Alice', 'Cy', 'alfred']); // code-unit order
    await c.create('User', { name: 'Dee', age: 50 });
    await expect.poll(() => results.length).toBe(2);
    expect(names(results[1]!.data!)).toEqual(['Alice', 'Cy', 'Dee', 'alfred']);
    // A change that leaves the result as it was sends nothing.
    await c.create('User', { name: 'Young', age: 3 });
    await c.create('Post', { title: 'unrelated' });
    await new Promise((r) => setTimeout(r, 100));
    expect(results).toHaveLength(2);
    live.stop();
    await c.create('User', { name: 'Eve', age: 60 });
    await new Promise((r) => setTimeout(r, 100));
    expect(results).toHaveLength(2);
  });

  it('reports errors of a live query at once', async () => {
    const results: QueryResult[] = [];
    await c.liveQuery('subscription { User { nope } }', {}, (r) => results.push(r));
    expect(results[0]!.errors?.[0]!.message).toMatch(/Cannot query field "nope"/);
  });
});
