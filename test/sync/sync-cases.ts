/** Behavioural cases of the sync engine, written once and run over the memory network and over real libp2p. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBlock, decodeBlock, encodeBlock, type EncodedBlock } from '../../src/core/block.js';
import { collectionIdOf } from '../../src/core/collection-id.js';
import { deriveDocId } from '../../src/core/doc-id.js';
import { generateSecretKey, identityFromSecretKey } from '../../src/core/identity.js';
import { parseSdl } from '../../src/core/schema.js';
import type { BlockCid, CollectionId } from '../../src/core/ids.js';
import { didKeyOf } from '../../src/core/did.js';
import { sealedChange } from '../../src/core/private-blocks.js';
import { FIRST_SLICE_DOCS, type Database } from '../../src/db/database.js';
import { encodeGossip } from '../../src/sync/gossip-codec.js';
import type { CatchUpProgress, SchemaMismatchEvent } from '../../src/sync/events.js';
import type { SyncStatus } from '../../src/sync/sync-status.js';
import { seededRandom } from './memory-network.js';
import { canonical, entries, sameState, snapshot, waitFor, type SyncHarness, type TestPeer } from './harness.js';
import { memoryDb } from '../helpers/db.js';

/** Options of the shared cases. */
export interface CaseOptions {
  /** Documents written while disconnected in the catch-up case. */
  readonly bulk: number;
}

const userId = (p: TestPeer): CollectionId => p.db.collection('User').id;
const count = async (db: Database, name = 'User'): Promise<number> => (await db.list(name)).length;

/** Captures the blocks of the next local changes of a database. */
function captureBlocks(db: Database): EncodedBlock[] {
  const out: EncodedBlock[] = [];
  db.on('change', (e) => { if (e.origin === 'local') for (const b of e.blocks) out.push(decodeBlock(b.bytes)); });
  return out;
}

/** A line X–V–W: X (the hostile peer) is subscribed to nothing, V and W to User; the mesh is ready. */
async function hostileLine(h: SyncHarness): Promise<{ x: TestPeer; v: TestPeer; w: TestPeer; topic: CollectionId }> {
  const [x, v, w] = [await h.peer('x'), await h.peer('v'), await h.peer('w')];
  await v.sync.subscribe('User');
  await w.sync.subscribe('User');
  await h.connect(x, v);
  await h.connect(v, w);
  const topic = userId(v);
  await h.ready([x, v, w], topic);
  return { x, v, w, topic };
}

/** Registers the shared cases under `describe(title)`. */
export function syncCases(title: string, makeHarness: () => Promise<SyncHarness>, opts: CaseOptions): void {
  describe(title, () => {
    let h: SyncHarness;
    beforeEach(async () => { h = await makeHarness(); });
    afterEach(async () => { await h.close(); });

    it('publishes creates, updates and deletes to a subscriber, which logs what it received', async () => {
      const a = await h.peer('a');
      const b = await h.peer('b');
      await a.sync.subscribe('User');
      await b.sync.subscribe('User');
      await h.connect(a, b);
      await h.ready([a, b], userId(a));
      const doc = await a.db.create('User', { name: 'Ann', age: 30, verified: true, points: 1.5 });
      await waitFor(async () => (await b.db.get('User', doc.id)) !== undefined, 'B to receive the create');
      expect((await b.db.get('User', doc.id))!.fields).toEqual({ name: 'Ann', age: 30, verified: true, points: 1.5 });
      await a.db.update('User', doc.id, { age: 31 });
      await waitFor(async () => (await b.db.get('User', doc.id))?.fields.age === 31, 'B to receive the update');
      await a.db.delete('User', doc.id);
      await waitFor(async () => (await b.db.get('User', doc.id)) === undefined, 'B to receive the delete');
      expect(entries(b, { text: 'Adding pubsub topic', topic: userId(b) })).toHaveLength(1);
      const got = entries(b, { text: 'Received new pubsub message', peer: a.id, topic: userId(a) });
      expect(got.length).toBeGreaterThanOrEqual(3);
      expect(entries(b, { level: 'warn' })).toEqual([]);
      // Updates from any peer: B writes, A applies.
      const bob = await b.db.create('User', { name: 'Bob' });
      await waitFor(async () => (await a.db.get('User', bob.id)) !== undefined, 'A to receive B\'s create');
    });

    it('gossips onward: in a line A–B–C, C gets A\'s update through B', async () => {
      const [a, b, c] = [await h.peer('a'), await h.peer('b'), await h.peer('c')];
      for (const p of [a, b, c]) await p.sync.subscribe('User');
      await h.connect(a, b);
      await h.connect(b, c);
      await h.ready([a, b, c], userId(a));
      expect(c.sync.peers()).not.toContain(a.id);
      const doc = await a.db.create('User', { name: 'Line' });
      await waitFor(async () => (await c.db.get('User', doc.id)) !== undefined, 'C to receive A\'s create');
      await a.db.update('User', doc.id, { age: 7 });
      await waitFor(async () => (await c.db.get('User', doc.id))?.fields.age === 7, 'C to receive A\'s update');
      expect(entries(c, { text: 'Received new pubsub message', peer: a.id }).length).toBeGreaterThanOrEqual(1);
    });

    it('delivers nothing to a node that is not subscribed', async () => {
      const [a, b, n] = [await h.peer('a'), await h.peer('b'), await h.peer('n')];
      await a.sync.subscribe('User');
      await b.sync.subscribe('User');
      await h.connect(a, b);
      await h.connect(a, n);
      await h.ready([a, b, n], userId(a));
      await a.db.create('User', { name: 'One' });
      await a.db.create('User', { name: 'Two' });
      await waitFor(async () => (await count(b.db)) === 2, 'B to receive both');
      expect(await count(n.db)).toBe(0);
      expect(entries(n, { text: 'Received new pubsub message' })).toEqual([]);
    });

    it(`catches up ${opts.bulk} documents written while disconnected, with no new write`, async () => {
      const a = await h.peer('a');
      const b = await h.peer('b');
      await a.sync.subscribe('User');
      await b.sync.subscribe('User');
      await h.connect(a, b);
      await h.ready([a, b], userId(a));
      const first = await a.db.create('User', { name: 'before' });
      await waitFor(async () => (await b.db.get('User', first.id)) !== undefined, 'B to receive the first doc');
      await h.disconnect(a, b);
      const docs = await a.db.createMany('User', Array.from({ length: opts.bulk }, (_, i) => ({ name: `user ${i}`, age: i })));
      await a.db.update('User', docs[0]!.id, { age: -1 });
      await a.db.delete('User', docs[1]!.id);
      const progress: CatchUpProgress[] = [];
      let doneAt = 0;
      b.sync.on('catch-up', (p) => { progress.push(p); if (p.done) doneAt = performance.now(); });
      const t0 = performance.now();
      await h.connect(a, b);
      await waitFor(() => doneAt > 0, 'the catch-up to finish', 25_000);
      console.log(`[${h.kind}] catch-up of ${opts.bulk} documents (${opts.bulk + 2} blocks pulled) from reconnect to applied: ${(doneAt - t0).toFixed(0)} ms`);
      expect(await count(b.db)).toBe(opts.bulk);
      expect((await b.db.get('User', docs[0]!.id))!.fields.age).toBe(-1);
      expect(await b.db.get('User', docs[1]!.id)).toBeUndefined();
      const last = progress.find((p) => p.done)!;
      expect(last.received).toBe(opts.bulk + 2);
      expect(last.total).toBe(opts.bulk + 2);
      // One report per frame: the answer is read in two slices (FIRST_SLICE_DOCS documents, then the rest),
      // each sent in frames of at most 500 blocks; the edited and deleted documents bring a block more.
      const sorted = docs.map((d) => d.id).sort();
      const twoBlocks = new Set([docs[0]!.id, docs[1]!.id]);
      const frames = [sorted.slice(0, FIRST_SLICE_DOCS), sorted.slice(FIRST_SLICE_DOCS)]
        .reduce((n, slice) => n + Math.ceil((slice.length + slice.filter((d) => twoBlocks.has(d)).length) / 500), 0);
      expect(progress.filter((p) => !p.done).length).toBe(frames);
      expect(await sameState(a.db, b.db)).toBe(true);
      expect(entries(b, { text: 'Catch-up with', peer: a.id }).some((e) => e.message.includes('finished'))).toBe(true);
    });

    it('syncs documents made before the peers ever met, both ways, and on a later subscribe', async () => {
      const [a, b, c] = [await h.peer('a'), await h.peer('b'), await h.peer('c')];
      await a.sync.subscribe('User');
      await b.sync.subscribe('User');
      await a.db.createMany('User', [{ name: 'a1' }, { name: 'a2' }, { name: 'a3' }]);
      await b.db.createMany('User', [{ name: 'b1' }, { name: 'b2' }]);
      await h.connect(a, b);
      await waitFor(async () => (await count(a.db)) === 5 && (await count(b.db)) === 5, 'A and B to hold all five');
      await h.connect(a, c);
      expect(await count(c.db)).toBe(0);
      await c.sync.subscribe('User');
      await waitFor(async () => (await count(c.db)) === 5, 'C to catch up after subscribing');
      expect(await sameState(a.db, c.db)).toBe(true);
    });

    it('converges after concurrent edits of the same field: later clock wins, other fields kept', async () => {
      const a = await h.peer('a', { now: () => Date.now() });
      const b = await h.peer('b', { now: () => Date.now() + 60_000 });
      await a.sync.subscribe('User');
      await b.sync.subscribe('User');
      await h.connect(a, b);
      await h.ready([a, b], userId(a));
      const doc = await a.db.create('User', { name: 'orig', age: 1 });
      await waitFor(async () => (await b.db.get('User', doc.id)) !== undefined, 'B to receive the doc');
      await h.disconnect(a, b);
      await a.db.update('User', doc.id, { name: 'from A', age: 2 });
      await b.db.update('User', doc.id, { name: 'from B', points: 2.5 });
      await h.connect(a, b);
      const want = { name: 'from B', age: 2, points: 2.5 };
      await waitFor(async () => canonical((await a.db.get('User', doc.id))?.fields) === canonical(want)
        && canonical((await b.db.get('User', doc.id))?.fields) === canonical(want), 'A and B to converge');
      expect((await a.db.get('User', doc.id))!.fields).toEqual(want);
      expect((await b.db.get('User', doc.id))!.fields).toEqual(want);
    });

    it('reports a peer whose User has other fields, naming them; nothing of it syncs, the rest does', async () => {
      const a = await h.peer('a');
      const b = await h.peer('b', { sdl: 'type User { name: String email: String }\ntype Post { title: String body: String }' });
      await a.sync.subscribe('User,Post');
      await b.sync.subscribe(['User', 'Post']);
      const seenA: SchemaMismatchEvent[] = [];
      const seenB: SchemaMismatchEvent[] = [];
      a.sync.on('schema-mismatch', (e) => seenA.push(e));
      b.sync.on('schema-mismatch', (e) => seenB.push(e));
      await h.connect(a, b);
      await waitFor(() => seenA.length > 0 && seenB.length > 0, 'both to report the mismatch');
      expect(seenA[0]).toMatchObject({ peer: b.id, collection: 'User', localId: userId(a), remoteId: userId(b), fields: ['age', 'email', 'points', 'verified'] });
      expect(seenA[0]!.differences).toContain('email is only in the new schema');
      expect(seenB[0]).toMatchObject({ peer: a.id, collection: 'User', fields: ['age', 'email', 'points', 'verified'] });
      expect(entries(a, { level: 'warn', peer: b.id, text: 'User' }).length).toBe(1);
      await h.ready([a, b], a.db.collection('Post').id);
      await a.db.create('User', { name: 'only here' });
      const post = await a.db.create('Post', { title: 'shared' });
      await waitFor(async () => (await b.db.get('Post', post.id)) !== undefined, 'B to receive the post');
      expect(await count(b.db)).toBe(0);
      expect(entries(b, { level: 'warn' }).filter((e) => !e.message.includes('other fields'))).toEqual([]);
    });

    it('drops and logs every bad message with its sender; state unchanged; nothing bad forwarded; still works', async () => {
      const { x, v, w, topic } = await hostileLine(h);
      const before = await snapshot(v.db);
      const forge = await memoryDb({ user: false });
      await forge.addSchema('type User { name: String age: Int verified: Boolean points: Float }\ntype Post { title: String body: String }');
      const forged = captureBlocks(forge);
      const good = await forge.create('User', { name: 'Forged but valid' });
      await forge.create('Post', { title: 'wrong topic' });
      const [userBlock, postBlock] = forged;
      const me = identityFromSecretKey(generateSecretKey());
      const badSig = encodeBlock({ ...userBlock!.block, set: { name: 'Mallory' }, signature: userBlock!.block.signature });
      const ghostDef = parseSdl('type Ghost { x: Int }')[0]!;
      const ghostId = collectionIdOf(ghostDef);
      const ghost = createBlock({ collection: ghostId, doc: deriveDocId(ghostId, { x: 1 }), parents: [], clock: [Date.now(), 0], set: { x: 1 } }, me);
      const badValues = createBlock({ collection: topic, doc: deriveDocId(topic, { age: 'abc' } as never), parents: [], clock: [Date.now(), 0], set: { age: 'abc' } as never }, me);
      // A lone surrogate, as a peer would put it on the wire: raw UTF-8 bytes ED A0 80 inside a signed string
      // (every reader would decode U+FFFD, so its bytes are not the canonical encoding of what it decodes to).
      const surrogateSet = { name: 'a\uFFFD\uFFFD\uFFFDb' };
      const honest = createBlock({ collection: topic, doc: deriveDocId(topic, surrogateSet), parents: [], clock: [Date.now(), 0], set: surrogateSet }, me);
      const lone = honest.bytes.slice();
      const fffd = [0xef, 0xbf, 0xbd, 0xef, 0xbf, 0xbd, 0xef, 0xbf, 0xbd];
      const at = lone.findIndex((_, i) => fffd.every((b, k) => lone[i + k] === b));
      const surrogate = new Uint8Array([...lone.slice(0, at), 0xed, 0xa0, 0x80, ...lone.slice(at + 9)]);
      surrogate[at - 2] = 0x60 + 5; // the string's CBOR header (before 'a'): text of 5 bytes ('a', 3 bytes, 'b')
      const random = seededRandom(7);
      const valid = encodeGossip({ collection: topic, blocks: [userBlock!.bytes] });
      const bad: Array<[string, Uint8Array]> = [
        ['ProtocolDecodeError', Uint8Array.from({ length: 200 }, () => Math.floor(random() * 256))],
        ['ProtocolDecodeError', valid.slice(0, valid.byteLength - 9)],
        ['BlockDecodeError', encodeGossip({ collection: topic, blocks: [userBlock!.bytes.slice(0, -7)] })],
        ['InvalidSignatureError', encodeGossip({ collection: topic, blocks: [badSig.bytes] })],
        ['UnknownCollectionError', encodeGossip({ collection: topic, blocks: [ghost.bytes] })],
        ['ValidationError', encodeGossip({ collection: topic, blocks: [badValues.bytes] })],
        ['InvalidBlockError', encodeGossip({ collection: topic, blocks: [postBlock!.bytes] })],
        ['MessageTooLargeError', new Uint8Array(600 * 1024).fill(0xa1)],
        ['BlockDecodeError', encodeGossip({ collection: topic, blocks: [surrogate] })],
      ];
      for (const [, bytes] of bad) await x.network.publish(topic, bytes);
      await waitFor(() => entries(v, { level: 'warn', peer: x.id }).length >= bad.length, `V to log ${bad.length} dropped messages`);
      const warns = entries(v, { level: 'warn', peer: x.id });
      expect(warns).toHaveLength(bad.length);
      expect(warns.some((e) => /canonical/.test(e.message)), 'the lone surrogate refused as non-canonical bytes').toBe(true);
      for (const [name] of bad) expect(warns.some((e) => e.message.includes(`${name}:`)), `a warning naming ${name}`).toBe(true);
      expect(warns.every((e) => e.topic === topic && e.message.startsWith(`Dropped pubsub message from ${x.id}`))).toBe(true);
      expect(await snapshot(v.db)).toBe(before);
      // Still working: a valid message from the same peer is applied and forwarded; W never saw a bad one.
      await x.network.publish(topic, valid);
      await waitFor(async () => (await w.db.get('User', good.id)) !== undefined, 'W to receive the valid message through V');
      expect(await v.db.get('User', good.id)).toBeDefined();
      expect(entries(w, { level: 'warn' })).toEqual([]);
    });

    it('a message of many blocks with one bad block is dropped whole, logged, not forwarded; a good one is applied and forwarded', async () => {
      const { x, v, w, topic } = await hostileLine(h);
      const me = identityFromSecretKey(generateSecretKey());
      const make = (tag: string) => Array.from({ length: 40 }, (_, i) => {
        const set = { name: `${tag}-${i}`, age: i };
        return createBlock({ collection: topic, doc: deriveDocId(topic, set), parents: [], clock: [Date.now(), i], set }, me);
      });
      const before = await snapshot(v.db);
      const poisoned = make('bad');
      const forged = encodeBlock({ ...poisoned[7]!.block, set: { name: 'Mallory', age: 7 }, signature: poisoned[7]!.block.signature });
      const wrongSig = [...poisoned.slice(0, 7).map((b) => b.bytes), forged.bytes, ...poisoned.slice(8).map((b) => b.bytes)];
      const truncated = [...poisoned.slice(0, 20).map((b) => b.bytes), poisoned[20]!.bytes.slice(0, -5), ...poisoned.slice(21).map((b) => b.bytes)];
      for (const blocks of [wrongSig, truncated]) await x.network.publish(topic, encodeGossip({ collection: topic, blocks }));
      await waitFor(() => entries(v, { level: 'warn', peer: x.id }).length >= 2, 'V to log both dropped messages');
      const warns = entries(v, { level: 'warn', peer: x.id }).map((e) => e.message);
      expect(warns.some((m) => m.includes('InvalidSignatureError:'))).toBe(true);
      expect(warns.some((m) => m.includes('BlockDecodeError:'))).toBe(true);
      expect(await snapshot(v.db)).toBe(before);
      const good = make('good');
      await x.network.publish(topic, encodeGossip({ collection: topic, blocks: good.map((b) => b.bytes) }));
      await waitFor(async () => (await count(w.db)) === good.length, 'W to receive the good message through V');
      expect(await count(v.db)).toBe(good.length);
      expect(entries(w, { level: 'warn' })).toEqual([]); // neither bad message was forwarded
    });

    it('a private document crosses a peer that cannot read it; a change by someone without the right is dropped, logged with its sender, never forwarded', async () => {
      const { x, v, w, topic } = await hostileLine(h);
      const doc = await w.db.createPrivate('User', { name: 'Sealed minutes' });
      await waitFor(async () => (await v.db.unreadableCount('User')) === 1, 'V to carry the private document');
      expect(await v.db.list('User')).toEqual([]);
      // W shares it with X (a reader): X still may not change it.
      const shared = await w.db.setRelation('User', doc.id, didKeyOf(x.db.identity.publicKey), 'reader');
      await waitFor(async () => (await v.db.get('User', doc.id, { includeDeleted: true }))?.heads.join() === shared.heads.join(), 'V to get the relation change');
      const before = [await snapshot(v.db), await snapshot(w.db)];
      const stranger = identityFromSecretKey(generateSecretKey());
      // 1. An update signed by an identity that is not a writer.
      const update = createBlock(sealedChange(topic, doc.id, shared.heads as BlockCid[], [Date.now(), 0], { name: 'Rewritten' }, new Uint8Array(32), 0), stranger);
      // 2. A relation change not signed by the owner (making itself a writer).
      const grab = createBlock({ collection: topic, doc: doc.id, parents: [...shared.heads] as BlockCid[], clock: [Date.now(), 1], relations: [[didKeyOf(stranger.publicKey), 'writer']] }, stranger);
      // 3. The owner's own latest block with its ciphertext altered (the signature no longer matches).
      const edit = captureBlocks(w.db);
      await w.db.update('User', doc.id, { age: 3 });
      await waitFor(async () => (await v.db.get('User', doc.id, { includeDeleted: true }))?.heads.join() === edit[0]!.cid, 'V to get the owner\'s edit');
      const sealed = edit[0]!.block.sealed!;
      const altered = encodeBlock({ ...edit[0]!.block, sealed: { ...sealed, ciphertext: sealed.ciphertext.map((b, i) => (i === 3 ? b ^ 1 : b)) } });
      const bad: Array<[string, Uint8Array]> = [['AccessDeniedError', update.bytes], ['AccessDeniedError', grab.bytes], ['InvalidSignatureError', altered.bytes]];
      const mid = [await snapshot(v.db), await snapshot(w.db)];
      expect(mid).not.toEqual(before);
      for (const [, bytes] of bad) await x.network.publish(topic, encodeGossip({ collection: topic, blocks: [bytes] }));
      await waitFor(() => entries(v, { level: 'warn', peer: x.id }).length >= bad.length, 'V to log every refusal');
      const warns = entries(v, { level: 'warn', peer: x.id }).map((e) => e.message);
      expect(warns).toHaveLength(3);
      for (const re of [/AccessDeniedError.*may not change/, /AccessDeniedError.*only the owner/, /InvalidSignatureError/]) expect(warns.filter((m) => re.test(m))).toHaveLength(1);
      expect([await snapshot(v.db), await snapshot(w.db)]).toEqual(mid);
      expect((await w.db.get('User', doc.id))?.fields).toEqual({ name: 'Sealed minutes', age: 3 });
      expect(entries(w, { level: 'warn' })).toEqual([]); // none was forwarded
    });

    it('refuses poisoned clocks from a hostile peer: not applied, not forwarded, logged; replication keeps flowing both ways', async () => {
      const { x, v, w, topic } = await hostileLine(h);
      const shared = await w.db.create('User', { name: 'shared', age: 1 });
      await waitFor(async () => (await v.db.get('User', shared.id)) !== undefined, 'V to receive W\'s create');
      const [sharedRoot] = await v.db.heads(shared.id);
      const mallory = identityFromSecretKey(generateSecretKey());
      const root = (set: Record<string, unknown>, clock: readonly [number, number]) =>
        createBlock({ collection: topic, doc: deriveDocId(topic, set as never), parents: [], clock, set: set as never }, mallory);
      const max = Number.MAX_SAFE_INTEGER;
      const year3000 = Date.parse('3000-01-01T00:00:00Z');
      const poisoned = root({ name: 'poison' }, [max, max]);
      const future = root({ name: 'from the future' }, [year3000, 0]);
      const futureEdit = createBlock({ collection: topic, doc: shared.id, parents: [sharedRoot!], clock: [year3000, 0], set: { name: 'hijacked' } }, mallory);
      const bad: Array<[string, Uint8Array]> = [
        ['BlockDecodeError', encodeGossip({ collection: topic, blocks: [poisoned.bytes] })],
        ['ClockDriftError', encodeGossip({ collection: topic, blocks: [future.bytes] })],
        ['ClockDriftError', encodeGossip({ collection: topic, blocks: [futureEdit.bytes] })],
      ];
      for (const [, bytes] of bad) await x.network.publish(topic, bytes);
      await waitFor(() => entries(v, { level: 'warn', peer: x.id }).length >= bad.length, 'V to log the poisoned messages');
      for (const [name] of bad) expect(entries(v, { level: 'warn', peer: x.id }).some((e) => e.message.includes(`${name}:`)), name).toBe(true);
      // Nothing was observed into V's clock, and nothing reached W.
      expect(v.db.clockReading()[0]).toBeLessThan(Date.now() + 60_000);
      expect(await v.db.get('User', future.block.doc)).toBeUndefined();
      expect((await v.db.get('User', shared.id))!.fields.name).toBe('shared');
      // A block at the counter's limit is well-formed: it is applied, and the next edit of its document
      // moves to the next millisecond instead of producing a clock peers reject.
      const edge = root({ name: 'edge' }, [Date.now(), 2 ** 32 - 1]);
      await x.network.publish(topic, encodeGossip({ collection: topic, blocks: [edge.bytes] }));
      await waitFor(async () => (await w.db.get('User', edge.block.doc)) !== undefined, 'W to receive the edge block through V');
      await v.db.update('User', edge.block.doc, { age: 7 });
      await waitFor(async () => (await w.db.get('User', edge.block.doc))?.fields.age === 7, 'W to receive V\'s edit of the edge document');
      // Replication flows both ways, and the shared document can still be edited.
      await v.db.update('User', shared.id, { age: 2 });
      await waitFor(async () => (await w.db.get('User', shared.id))?.fields.age === 2, 'W to receive V\'s edit');
      await w.db.update('User', shared.id, { name: 'still editable' });
      await waitFor(async () => (await v.db.get('User', shared.id))?.fields.name === 'still editable', 'V to receive W\'s edit');
      expect(entries(w, { level: 'warn' })).toEqual([]);
    });

    it('tells the user when this device\'s clock is far from a peer\'s, once per peer', async () => {
      const a = await h.peer('a');
      const b = await h.peer('b', { sync: { now: () => Date.now() + 10 * 60_000 } });
      await a.sync.subscribe('User');
      await b.sync.subscribe('User');
      await h.connect(a, b);
      await h.ready([a, b], userId(a));
      await a.sync.catchUp();
      await b.sync.catchUp();
      await waitFor(() => entries(b, { text: 'clock is', peer: a.id }).length > 0, 'B to warn about its clock');
      expect(entries(b, { text: 'clock is 10 min 0 s ahead of peer', peer: a.id })).toHaveLength(1);
      expect(entries(a, { text: 'clock is 10 min 0 s behind peer', peer: b.id })).toHaveLength(1);
    });

    it('reports sync status per collection and peer: catching up with progress, then in sync', async () => {
      const a = await h.peer('a');
      const b = await h.peer('b');
      await a.sync.subscribe('User');
      await b.sync.subscribe('User');
      await a.db.createMany('User', Array.from({ length: 40 }, (_, i) => ({ name: `u${i}` })));
      const seen: SyncStatus[] = [];
      b.sync.on('status', (s) => seen.push(s));
      await h.connect(a, b);
      const col = userId(b);
      await waitFor(() => b.sync.syncStatus(col).some((s) => s.peer === a.id && s.state === 'in-sync'), 'B to be in sync with A');
      expect(await count(b.db)).toBe(40);
      const states = seen.filter((s) => s.peer === a.id && s.collection === col).map((s) => s.state);
      expect(states).toContain('catching-up');
      expect(states.indexOf('catching-up')).toBeLessThan(states.lastIndexOf('in-sync'));
      const progress = seen.filter((s) => s.state === 'catching-up' && (s.total ?? 0) > 0);
      expect(progress.at(-1)!.received).toBe(40);
      // A holds everything B has (B had nothing): caught up, or in sync once B's blocks equal its own.
      await waitFor(() => a.sync.syncStatus(col).some((s) => s.peer === b.id && (s.state === 'caught-up' || s.state === 'in-sync')), 'A to report B');
      await h.disconnect(a, b);
      expect(b.sync.syncStatus(col)).toEqual([]);
    });

    it('catches up in bounded requests: heads sent a page at a time, answers cut short and resumed', async () => {
      const paging = { pageDocs: 30, rangeDocs: 25, rangeBlocks: 20 };
      const a = await h.peer('a', { sync: { paging, resyncIntervalMs: 0, reconcile: false } });
      const b = await h.peer('b', { sync: { paging, resyncIntervalMs: 0, reconcile: false } });
      await a.sync.subscribe('User');
      await b.sync.subscribe('User');
      const shared = Array.from({ length: 60 }, (_, i) => ({ name: `shared ${i}` }));
      await a.db.createMany('User', [...shared, ...Array.from({ length: 90 }, (_, i) => ({ name: `only a ${i}` }))]);
      const sharedDocs = await b.db.createMany('User', [...shared, ...Array.from({ length: 40 }, (_, i) => ({ name: `only b ${i}` }))]);
      // Edits to shared documents on both sides make their heads differ too.
      for (const d of sharedDocs.slice(0, 10)) await b.db.update('User', d.id, { age: 1 });
      const pullsBefore = b.requests.filter((k) => k === 'pull').length;
      await h.connect(a, b);
      await waitFor(async () => (await count(a.db)) === 190 && (await count(b.db)) === 190, 'both to hold all 190 documents', 20_000);
      await waitFor(async () => sameState(a.db, b.db), 'the same state on both');
      // B holds 100 documents: at least 4 pages of 30, and A's answers (at most 25 documents or about 20 blocks each) resumed.
      expect(b.requests.filter((k) => k === 'pull').length - pullsBefore).toBeGreaterThanOrEqual(8);
      expect(entries(b, { level: 'warn' })).toEqual([]);
    });

    it('the side holding fewer blocks pulls first; the other pulls only when told it lacks something', async () => {
      const a = await h.peer('a', { sync: { resyncIntervalMs: 0 } });
      const b = await h.peer('b', { sync: { resyncIntervalMs: 0 } });
      await a.sync.subscribe('User');
      await b.sync.subscribe('User');
      await a.db.createMany('User', Array.from({ length: 100 }, (_, i) => ({ name: `first ${i}` })));
      await h.connect(a, b);
      await waitFor(async () => sameState(a.db, b.db), 'B to hold the first 100');
      // B is behind A only: A sends no pull at all.
      await h.disconnect(a, b);
      await a.db.createMany('User', Array.from({ length: 200 }, (_, i) => ({ name: `second ${i}` })));
      for (const p of [a, b]) p.requests.length = 0;
      const since = Date.now();
      await h.connect(a, b);
      await waitFor(async () => (await count(b.db)) === 300, 'B to catch up', 20_000);
      await waitFor(async () => sameState(a.db, b.db), 'the same state on both');
      expect(a.requests.filter((k) => k === 'pull')).toEqual([]);
      expect(b.requests).toContain('pull');
      expect(entries(a, { peer: b.id, text: 'left to them' }).filter((e) => e.at >= since)).toHaveLength(1);
      // B told A once it had pulled, so A too knows they are in sync.
      await waitFor(() => a.sync.syncStatus(userId(a)).some((s) => s.peer === b.id && s.state === 'in-sync'), 'A to see B in sync');
      // B is behind but also wrote apart: after its pull it tells A, which then pulls B's documents.
      await h.disconnect(a, b);
      await a.db.createMany('User', Array.from({ length: 200 }, (_, i) => ({ name: `third ${i}` })));
      const mine = await b.db.createMany('User', [{ name: 'only on B 1' }, { name: 'only on B 2' }]);
      for (const p of [a, b]) p.requests.length = 0;
      await h.connect(a, b);
      await waitFor(async () => (await count(a.db)) === 502 && (await count(b.db)) === 502, 'both to hold all 502', 20_000);
      await waitFor(async () => sameState(a.db, b.db), 'the same state on both');
      for (const d of mine) expect((await a.db.get('User', d.id))?.fields.name).toMatch(/only on B/);
      expect(a.requests.filter((k) => k === 'pull').length).toBeGreaterThanOrEqual(1);
    });

    it('reconciles by range fingerprints: a reconnect costs the difference, not the collection', async () => {
      const a = await h.peer('a', { sync: { resyncIntervalMs: 0 } });
      const b = await h.peer('b', { sync: { resyncIntervalMs: 0 } });
      await a.sync.subscribe('User');
      await b.sync.subscribe('User');
      const docs = await a.db.createMany('User', Array.from({ length: 2000 }, (_, i) => ({ name: `u${i}`, age: i % 90 })));
      await h.connect(a, b);
      await waitFor(async () => (await count(b.db)) === 2000, 'B to hold the 2,000 documents', 30_000);
      await waitFor(async () => sameState(a.db, b.db), 'the same state on both');
      await h.disconnect(a, b);
      // Apart: A creates one document and edits another; B edits a third.
      const fresh = await a.db.create('User', { name: 'new on A' });
      await a.db.update('User', docs[10]!.id, { age: 100 });
      await b.db.update('User', docs[1500]!.id, { name: 'edited on B' });
      for (const p of [a, b]) { p.traffic.sent = 0; p.traffic.received = 0; p.requests.length = 0; }
      const since = Date.now(); // work cut short by the disconnect above may have logged warnings
      await h.connect(a, b);
      await waitFor(async () => sameState(a.db, b.db), 'A and B to converge');
      expect((await b.db.get('User', fresh.id))?.fields.name).toBe('new on A');
      expect((await a.db.get('User', docs[1500]!.id))?.fields.name).toBe('edited on B');
      expect(a.requests).toContain('recon');
      expect(b.requests).toContain('recon');
      // Sending its heads would cost each side about 170 kB (2,000 × 85 bytes); the difference costs a few kB.
      const total = a.traffic.sent + a.traffic.received + b.traffic.sent + b.traffic.received;
      expect(total).toBeLessThan(20_000);
      expect(entries(a, { level: 'warn' }).filter((e) => e.at >= since)).toEqual([]);
      expect(entries(b, { level: 'warn' }).filter((e) => e.at >= since)).toEqual([]);
    });

    it('says nothing of a differing collection the peer neither subscribes to nor holds, until it does', async () => {
      const a = await h.peer('a');
      const b = await h.peer('b', { sdl: 'type User { name: String email: String }\ntype Post { title: String body: String }' });
      await a.sync.subscribe('User,Post');
      await b.sync.subscribe('Post');
      const seenA: SchemaMismatchEvent[] = [];
      a.sync.on('schema-mismatch', (e) => seenA.push(e));
      await h.connect(a, b);
      await h.ready([a, b], a.db.collection('Post').id);
      await a.sync.catchUp(b.id);
      expect(seenA).toEqual([]);
      await b.sync.subscribe('User');
      await a.sync.catchUp(b.id);
      await waitFor(() => seenA.length === 1, 'A to report the mismatch once B uses its User');
      expect(seenA[0]).toMatchObject({ peer: b.id, collection: 'User' });
    });

    it('a writer faster than the receiver can apply loses nothing: messages past the backlog limit are left to catch-up', async () => {
      const a = await h.peer('a', { sync: { resyncIntervalMs: 0 } });
      const b = await h.peer('b', { sync: { resyncIntervalMs: 0, maxQueuedBlocks: 1 } });
      await a.sync.subscribe('User');
      await b.sync.subscribe('User');
      await h.connect(a, b);
      await h.ready([a, b], userId(a));
      const seen: SyncStatus[] = [];
      b.sync.on('status', (st) => seen.push(st));
      // B applies slower than A writes (each of its transactions takes 20 ms more), whatever the machine.
      const apply = b.db.applyVerifiedBlocks.bind(b.db);
      b.db.applyVerifiedBlocks = async (...args) => { await new Promise((r) => setTimeout(r, 20)); return apply(...args); };
      // Ten messages of 30 documents, as fast as A can write them.
      const writes = Array.from({ length: 10 }, (_, k) => a.db.createMany('User', Array.from({ length: 30 }, (_, i) => ({ name: `flood ${k}-${i}` }))));
      await Promise.all(writes);
      await waitFor(async () => (await count(b.db)) === 300, 'B to hold all 300 documents', 20_000);
      expect(entries(b, { text: 'Falling behind on User' }).length).toBeGreaterThanOrEqual(1);
      expect(entries(b, { text: 'Caught up with the backlog' }).length).toBeGreaterThanOrEqual(1);
      expect(await sameState(a.db, b.db)).toBe(true);
      // B said it was behind A (with what was queued), then caught up and ended in sync.
      const mine = seen.filter((st) => st.peer === a.id);
      const behind = mine.findIndex((st) => st.state === 'behind');
      expect(behind).toBeGreaterThanOrEqual(0);
      expect(mine[behind]!.waiting).toBeGreaterThanOrEqual(1);
      await waitFor(async () => b.sync.syncStatus().find((st) => st.peer === a.id)?.state === 'in-sync', 'B to be in sync with A again');
    });

    it('fetches missing parents from the sender in one request when only the latest block arrives', async () => {
      const a = await h.peer('a');
      const b = await h.peer('b', { sync: { autoCatchUp: false } });
      await a.sync.subscribe('User');
      await b.sync.subscribe('User');
      const blocks = captureBlocks(a.db);
      const doc = await a.db.create('User', { name: 'chain', age: 0 });
      for (let i = 1; i <= 4; i++) await a.db.update('User', doc.id, { age: i });
      expect(blocks).toHaveLength(5);
      await h.connect(a, b);
      await h.ready([a, b], userId(a));
      const before = b.requests.length;
      await a.network.publish(userId(a), encodeGossip({ collection: userId(a), blocks: [blocks[4]!.bytes] }));
      await waitFor(async () => (await b.db.get('User', doc.id))?.fields.age === 4, 'B to hold the whole chain');
      expect(b.requests.slice(before)).toEqual(['pull']);
      expect(await b.db.heads(doc.id)).toEqual([blocks[4]!.cid]);
      expect(entries(b, { text: 'Fetching missing blocks of 1 User document(s)', peer: a.id })).toHaveLength(1);
    });
  });
}
