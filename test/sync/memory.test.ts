import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { storeSettings } from '../../src/sync/ports.js';
import { Sync } from '../../src/sync/sync.js';
import { encodeGossip } from '../../src/sync/gossip-codec.js';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, type Hello } from '../../src/sync/request-codec.js';
import type { MemoryPeer } from './memory-network.js';
import { encodeCbor } from '../../src/core/hash.js';
import { syncCases } from './sync-cases.js';
import { memoryHarness, type MemoryHarness } from './memory-harness.js';
import { entries, sameState, snapshot, waitFor } from './harness.js';
import { seededRandom } from './memory-network.js';

for (const seed of [1, 2, 3]) {
  syncCases(`sync over the memory network (seed ${seed}, reordered)`, () => memoryHarness({ seed, reorder: true }), { bulk: seed === 1 ? 3000 : 300 });
}
syncCases('sync over the memory network (in order)', () => memoryHarness(), { bulk: 300 });

describe('subscriptions and memory-only behaviour', () => {
  let h: MemoryHarness;
  beforeEach(async () => { h = await memoryHarness(); });
  afterEach(async () => { await h.close(); });

  it('reads a subscribed collection\'s heads into memory shortly after joining it, before any peer asks', async () => {
    const a = await h.peer('a');
    const asked: string[] = [];
    const heads = a.db.collectionHeads.bind(a.db);
    a.db.collectionHeads = (c) => { asked.push(c); return heads(c); };
    await a.sync.subscribe('User');
    await waitFor(() => asked.length > 0, 'the heads to be read', 3000);
    expect(asked).toEqual([a.db.collection('User').id]);
  });

  it('refuses unknown names with UnknownCollectionError and subscribes nothing', async () => {
    const a = await h.peer('a');
    const err = await a.sync.subscribe('User,Nope,Other').catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'UnknownCollectionError' });
    expect((err as Error).message).toContain('"Nope", "Other"');
    expect(a.sync.subscriptions()).toEqual([]);
    expect(h.endpoint(a).topics.size).toBe(0);
    expect(await a.sync.subscribe(' , ').catch((e: Error) => e)).toMatchObject({ name: 'UnknownCollectionError' });
  });

  it('subscribes comma-separated and array names, unsubscribes, and keeps subscriptions across a restart', async () => {
    const a = await h.peer('a');
    const added = await a.sync.subscribe('User, Post');
    expect(added.map((c) => c.name)).toEqual(['User', 'Post']);
    expect(await a.sync.subscribe(['User', 'Post'])).toEqual([]);
    expect(a.sync.isSubscribed('User') && a.sync.isSubscribed('Post')).toBe(true);
    expect([...h.endpoint(a).topics].sort()).toEqual([a.db.collection('User').id, a.db.collection('Post').id].sort());
    expect(entries(a, { text: 'Adding pubsub topic' }).map((e) => e.collection)).toEqual(['User', 'Post']);
    expect((await a.sync.unsubscribe('Post')).map((c) => c.name)).toEqual(['Post']);
    expect(a.sync.isSubscribed('Post')).toBe(false);
    expect([...h.endpoint(a).topics]).toEqual([a.db.collection('User').id]);

    await a.sync.stop();
    await a.db.close();
    expect(h.endpoint(a).topics.size).toBe(0);
    const db = await Database.open({ store: new MemoryStore(a.data) });
    const sync = new Sync({ replica: db, settings: storeSettings(db.store), network: a.network });
    expect(sync.subscriptions()).toEqual([]);
    await sync.start();
    expect(sync.subscriptions().map((c) => c.name)).toEqual(['User']);
    expect([...h.endpoint(a).topics]).toEqual([db.collection('User').id]);
    await sync.stop();
    await db.close();
    a.db = await Database.open({ store: new MemoryStore(a.data) });
    a.sync = new Sync({ replica: a.db, settings: storeSettings(a.db.store), network: a.network });
  });

  /** B's first `n` requests to A fail (as when the connection they ran on was closed underneath); B then gets A's document. */
  async function catchUpAfterFailures(n: number, retryBaseMs?: number): Promise<void> {
    const a = await h.peer('a', { sync: { resyncIntervalMs: 0, autoCatchUp: false } });
    const b = await h.peer('b', { sync: { resyncIntervalMs: 0, ...(retryBaseMs !== undefined ? { retryBaseMs } : {}) } });
    await a.sync.subscribe('User');
    await b.sync.subscribe('User');
    const doc = await a.db.create('User', { name: 'written before the link' });
    const ep = h.endpoint(b);
    const real = ep.request.bind(ep);
    let failures = 0;
    ep.request = (peer, data) => {
      if (failures < n) {
        failures++;
        return (async function* () { throw new Error('stream reset: the connection was replaced'); })();
      }
      return real(peer, data);
    };
    await h.connect(a, b);
    await waitFor(async () => (await b.db.get('User', doc.id)) !== undefined, `B to get the document after ${n} failed exchanges`, 10_000);
    expect(failures).toBe(n);
    expect(entries(b, { text: `Catch-up with ${a.id} failed` })).toHaveLength(n);
  }

  it('retries a failed exchange soon (streams fail while a connection is replaced), without waiting for the periodic resync', async () => {
    await catchUpAfterFailures(2);
  });

  it('keeps retrying a failed exchange while the peer stays connected (no periodic resync to fall back on)', async () => {
    await catchUpAfterFailures(6, 5);
  });

  it('hellos carry node names and each peer\'s own peers: a line A–B–C shows C to A, and a change is told soon', async () => {
    const a = await h.peer('a', { sync: { name: 'node-a' } });
    const b = await h.peer('b', { sync: { name: 'node-b' } });
    const c = await h.peer('c', { sync: { name: 'node-c' } });
    await h.connect(a, b);
    await waitFor(() => a.sync.peerName(b.id) === 'node-b', 'A to learn B\'s name');
    const told: string[] = [];
    a.sync.on('neighbourhood', (e) => told.push(e.peer));
    await h.connect(b, c); // B tells A about C without anything else happening
    await waitFor(() => a.sync.neighbourhood().some((n) => n.peers.some((p) => p.id === c.id)), 'A to hear of C through B', 5_000);
    expect(a.sync.neighbourhood()).toEqual([{ peer: b.id, name: 'node-b', peers: [{ id: c.id, name: 'node-c' }] }]);
    expect(told).toContain(b.id);
  });

  it('offers the collections a connected peer syncs that this node has but does not sync', async () => {
    const a = await h.peer('a');
    const b = await h.peer('b');
    const offers: Array<{ peer: string; collections: readonly string[] }> = [];
    a.sync.on('offer', (o) => offers.push(o));
    await b.sync.subscribe('User,Post');
    await a.sync.subscribe('Post');
    await h.connect(a, b);
    await waitFor(() => offers.some((o) => o.peer === b.id), 'an offer from B');
    expect(offers.filter((o) => o.peer === b.id).at(-1)!.collections).toEqual(['User']); // Post is synced already
  });

  it('ignores messages that reach a node not subscribed to their topic', async () => {
    const [a, n] = [await h.peer('a'), await h.peer('n')];
    await h.connect(a, n);
    const src = await h.peer('src');
    const blocks: Uint8Array[] = [];
    src.db.on('change', (e) => blocks.push(...e.blocks.map((b) => b.bytes)));
    await src.db.create('User', { name: 'stray' });
    const topic = n.db.collection('User').id;
    h.net.inject(h.endpoint(a), h.endpoint(n), topic, encodeGossip({ collection: topic, blocks }));
    await waitFor(() => h.net.stats.delivered >= 1, 'the delivery');
    await n.sync.subscribe('Post');
    expect(await n.db.list('User')).toEqual([]);
    expect(entries(n, { text: 'Received' })).toEqual([]);
  });

  /** Makes `p` answer reconciliation requests with `answer` instead of its own engine (other requests as before). */
  function reconAnswers(p: MemoryPeer, answer: (req: Uint8Array) => Uint8Array): void {
    const own = (p as unknown as { requestHandler: (from: string, bytes: Uint8Array) => AsyncIterable<Uint8Array> }).requestHandler;
    p.handle(async function* (from, bytes) {
      if (decodeRequest(bytes).kind === 'recon') yield answer(bytes);
      else yield* own(from, bytes);
    });
  }

  /** A and B share 200 documents; apart, A edits one; resolves once they are connected again. */
  async function sharedThenApart(): Promise<{ a: Awaited<ReturnType<MemoryHarness['peer']>>; b: Awaited<ReturnType<MemoryHarness['peer']>>; edited: string }> {
    const a = await h.peer('a', { sync: { resyncIntervalMs: 0 } });
    const b = await h.peer('b', { sync: { resyncIntervalMs: 0 } });
    await a.sync.subscribe('User');
    await b.sync.subscribe('User');
    const docs = await a.db.createMany('User', Array.from({ length: 200 }, (_, i) => ({ name: `u${i}` })));
    await h.connect(a, b);
    await waitFor(async () => sameState(a.db, b.db), 'the same state');
    await h.disconnect(a, b);
    await a.db.update('User', docs[7]!.id, { name: 'edited apart' });
    return { a, b, edited: docs[7]!.id };
  }

  it('swapping one subscription for another catches up the new collection (the hello is not left out)', async () => {
    const a = await h.peer('a', { sync: { resyncIntervalMs: 0 } });
    const b = await h.peer('b', { sync: { resyncIntervalMs: 0 } });
    await a.sync.subscribe('User,Post');
    await b.sync.subscribe('User');
    await a.db.createMany('Post', Array.from({ length: 20 }, (_, i) => ({ title: `p${i}` })));
    await h.connect(a, b);
    await waitFor(() => b.sync.syncStatus().some((s) => s.peer === a.id && s.state === 'in-sync'), 'B in sync on User');
    await b.sync.unsubscribe('User');
    await b.sync.subscribe('Post');
    await waitFor(async () => (await b.db.list('Post')).length === 20, 'B to catch up the Posts');
  });

  it('publishes a local write while it commits: a peer may hold it first; if the commit fails, catch-up brings it back', async () => {
    const a = await h.peer('a', { sync: { resyncIntervalMs: 0 } });
    const b = await h.peer('b', { sync: { resyncIntervalMs: 0 } });
    await a.sync.subscribe('User');
    await b.sync.subscribe('User');
    await h.connect(a, b);
    // A's commits wait at a gate: B holds the document before A's create resolves.
    let open!: () => void;
    const gate = new Promise<void>((r) => { open = r; });
    const store = a.db.store as { commit: (batch: never) => Promise<void> };
    const commit = store.commit.bind(store);
    store.commit = async (batch) => { await gate; return commit(batch); };
    let settled = false;
    const creating = a.db.create('User', { name: 'before the commit' }).then((d) => { settled = true; return d; });
    await waitFor(async () => (await b.db.list('User')).length === 1, 'B to hold the document');
    expect(settled).toBe(false);
    open();
    const doc = await creating;
    expect((await a.db.get('User', doc.id))?.fields.name).toBe('before the commit');
    // A commit that fails after the block went out: the write is refused here, B holds it, and A's next
    // catch-up with B brings it back (as after a crash between the two).
    store.commit = async () => { throw new Error('disk full'); };
    await expect(a.db.create('User', { name: 'lost here' })).rejects.toThrow(/disk full/);
    await waitFor(async () => (await b.db.list('User')).length === 2, 'B to hold the second document');
    store.commit = commit;
    await a.sync.catchUp(b.id);
    expect((await a.db.list('User')).map((d) => d.fields.name).sort()).toEqual(['before the commit', 'lost here']);
  });

  it('a hello leaves out the definitions the peer holds, and the peer itself, on this connection and the next', async () => {
    const a = await h.peer('a', { sync: { resyncIntervalMs: 0 } });
    const b = await h.peer('b', { sync: { resyncIntervalMs: 0 } });
    await a.sync.subscribe('User');
    await b.sync.subscribe('User');
    // What B's hellos to A carry, as A decodes them.
    const heard: Hello[] = [];
    const inner = h.endpoint(a);
    const handle = inner.handle.bind(inner);
    inner.handle = (fn) => handle(async function* (from, bytes) {
      const req = decodeRequest(bytes);
      if (req.kind === 'hello') heard.push(req.hello);
      yield* fn(from, bytes);
    });
    await a.sync.stop();
    await a.sync.start();
    await h.connect(a, b);
    await waitFor(() => b.sync.syncStatus().some((s) => s.peer === a.id && s.state === 'in-sync'), 'B in sync with A');
    await h.disconnect(a, b);
    await h.connect(a, b);
    await waitFor(() => heard.length >= 2, 'a hello from B on each connection');
    // The first hello defines both collections; later ones define none A holds (both are A's too).
    expect(heard[0]!.collections.map((d) => d.name).sort()).toEqual(['Post', 'User']);
    expect(heard.at(-1)!.collections).toEqual([]);
    expect(heard.at(-1)!.partial).toBe(true);
    expect(heard.at(-1)!.digests).toHaveLength(2);
    expect(heard.at(-1)!.subscribed).toEqual([b.db.collection('User').id]); // sent as a flag on its digest
    for (const x of heard) expect((x.peers ?? []).map((p) => p.id)).not.toContain(a.id);
    // A still knows B has both collections, and what B subscribes to.
    expect(a.sync.syncStatus().some((s) => s.peer === b.id && s.state === 'in-sync')).toBe(true);
  });

  it('pulls after all from a peer holding fewer blocks that did not pull within 10 s', async () => {
    let clock = Date.now();
    const a = await h.peer('a', { sync: { resyncIntervalMs: 0, now: () => clock } });
    const b = await h.peer('b', { sync: { resyncIntervalMs: 0, autoCatchUp: false } }); // never pulls on its own
    await a.sync.subscribe('User');
    await b.sync.subscribe('User');
    await a.db.createMany('User', Array.from({ length: 5 }, (_, i) => ({ name: `a${i}` })));
    const mine = await b.db.create('User', { name: 'only on B' });
    await h.connect(a, b);
    await a.sync.catchUp(b.id);
    expect(entries(a, { peer: b.id, text: 'left to them' })).toHaveLength(1);
    expect(await a.db.get('User', mine.id)).toBeUndefined();
    clock += 11_000;
    await a.sync.catchUp(b.id);
    expect((await a.db.get('User', mine.id))?.fields.name).toBe('only on B');
  });

  it('falls back to pages of heads with a peer that does not reconcile (an older version)', async () => {
    const { a, b, edited } = await sharedThenApart();
    reconAnswers(h.endpoint(a), () => encodeResponse({ kind: 'error', message: 'unknown request kind "recon"' }));
    const pullsBefore = b.requests.filter((k) => k === 'pull').length;
    await h.connect(a, b);
    await waitFor(async () => (await b.db.get('User', edited as never))?.fields.name === 'edited apart', 'B to get the edit');
    expect(b.requests.filter((k) => k === 'pull').length).toBeGreaterThan(pullsBefore);
    expect(entries(b, { level: 'warn' })).toEqual([]);
  });

  it('refuses a reconciliation answer about ranges it did not ask about, and logs it with the peer', async () => {
    const { a, b } = await sharedThenApart();
    const before = snapshot(b.db);
    reconAnswers(h.endpoint(a), () => encodeResponse({ kind: 'recon', splits: [{ range: 0, parts: [{ hi: 'zzz', count: 1, fp: new Uint8Array(12) }, { hi: 'aaa', count: 1, fp: new Uint8Array(12) }] }], leaves: [] }));
    await h.connect(a, b);
    await waitFor(() => entries(b, { level: 'warn', text: 'ranges it was not asked about' }).length > 0, 'B to refuse the answer');
    expect(entries(b, { level: 'warn', text: 'ranges it was not asked about' })[0]!.message).toContain(a.id);
    expect(await snapshot(b.db)).toEqual(await before);
  });

  it('does not forward rejected messages, and answers malformed requests with an error frame', async () => {
    const [x, v, w] = [await h.peer('x'), await h.peer('v'), await h.peer('w')];
    await v.sync.subscribe('User');
    await w.sync.subscribe('User');
    await h.connect(x, v);
    await h.connect(v, w);
    const topic = v.db.collection('User').id;
    await x.network.publish(topic, new Uint8Array([1, 2, 3]));
    await waitFor(() => entries(v, { level: 'warn' }).length === 1, 'V to drop it');
    expect(h.net.stats.forwarded).toBe(0);
    for (const bad of [new Uint8Array([0xff]), encodeCbor({ v: 1, k: 'pull', c: topic, s: 'all', h: 5 }), encodeRequest({ kind: 'pull', collection: 'bafyreigk7nwtnurbwzv3uemdqo5czgafh33q5s3cylol4ozgvja75i5mca' as never, scope: 'range', heads: new Map() })]) {
      const frames: Uint8Array[] = [];
      for await (const f of x.network.request(v.id, bad)) frames.push(f);
      expect(frames).toHaveLength(1);
      expect(decodeResponse(frames[0]!).kind).toBe('error');
    }
    expect(entries(v, { text: 'Refused a request', peer: x.id })).toHaveLength(3);
  });

  it.each([42, 7, 1234])('converges under random drops and reordering once peers reconnect (seeded fuzz, seed %i)', async (seed) => {
    const lossy = await memoryHarness({ seed, reorder: true, dropRate: 0.3 });
    try {
      const peers = [await lossy.peer('p0'), await lossy.peer('p1'), await lossy.peer('p2'), await lossy.peer('p3')];
      for (const p of peers) await p.sync.subscribe('User');
      await lossy.connect(peers[0]!, peers[1]!);
      await lossy.connect(peers[1]!, peers[2]!);
      await lossy.connect(peers[2]!, peers[3]!);
      const random = seededRandom(seed + 1);
      const ids: string[] = [];
      for (let i = 0; i < 60; i++) {
        const p = peers[Math.floor(random() * peers.length)]!;
        const known = (await p.db.list('User')).map((d) => d.id);
        if (known.length && random() < 0.6) await p.db.update('User', known[Math.floor(random() * known.length)]!, { age: i });
        else ids.push((await p.db.create('User', { name: `n${i}` })).id);
      }
      // Reconnect every link: each side compares digests and pulls what it lacks.
      for (const [a, b] of [[0, 1], [1, 2], [2, 3]] as const) {
        await lossy.disconnect(peers[a]!, peers[b]!);
        await lossy.connect(peers[a]!, peers[b]!);
      }
      await waitFor(async () => {
        const s = await Promise.all(peers.map((p) => snapshot(p.db)));
        return s.every((x) => x === s[0]);
      }, 'all four peers to converge');
      expect(await sameState(peers[0]!.db, peers[3]!.db)).toBe(true);
      expect(lossy.net.stats.dropped).toBeGreaterThan(0);
    } finally {
      await lossy.close();
    }
  });
});
