import { describe, expect, it } from 'vitest';
import { createBlock, decodeBlock } from '../core/block.js';
import { didKeyOf } from '../core/did.js';
import { generateSecretKey, identityFromSecretKey } from '../core/identity.js';
import type { BlockCid } from '../core/ids.js';
import { sealedChange } from '../core/private-blocks.js';
import { PrivateDocLog } from '../core/private-doc.js';
import { unwrapKey } from '../core/sealing.js';
import { Database } from './database.js';
import { MemoryStore, createMemoryData, type MemoryData } from '../store/memory-store.js';
import { USER_SDL } from '../../test/helpers/db.js';

async function node(): Promise<{ db: Database; did: string; data: MemoryData }> {
  const data = createMemoryData();
  const db = await Database.open({ store: new MemoryStore(data) });
  await db.addSchema(USER_SDL);
  return { db, did: didKeyOf(db.identity.publicKey), data };
}

/** Copies every block of a document from one node to others (as sync would). */
async function copy(from: Database, doc: string, ...to: Database[]) {
  const blocks = await from.missingBlocks(doc as never, []);
  return Promise.all(to.map((d) => d.applyBlocks(blocks.map((b) => ({ bytes: b.bytes, cid: b.cid })), 'remote:test' as never)));
}

/** Every byte the store of a node holds, as text, to look for plaintext. */
function storeText(data: MemoryData): string {
  return JSON.stringify(data, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v instanceof Map ? [...v.entries()] : v));
}

describe('private documents in the engine', () => {
  it('a peer without a relation carries the blocks but never holds the plaintext; a reader reads', async () => {
    const owner = await node();
    const carrier = await node();
    const reader = await node();
    const doc = await owner.db.createPrivate('User', { name: 'Top Secret Name', age: 41 });
    expect(doc.id).toMatch(/^bae-[0-9a-f]{8}-[0-9a-f]{4}-4/);
    expect(doc.fields).toEqual({ name: 'Top Secret Name', age: 41 });
    expect(doc.access).toMatchObject({ owner: owner.did, readable: true, members: [] });
    await copy(owner.db, doc.id, carrier.db, reader.db);
    expect(storeText(owner.data)).toContain('Top Secret'); // the scan does see plaintext where it is
    for (const n of [carrier, reader]) {
      expect(await n.db.list('User')).toEqual([]);
      expect(await n.db.unreadableCount('User')).toBe(1);
      expect((await n.db.page('User')).total).toBe(0);
      expect((await n.db.page('User', { ids: [doc.id] })).docs).toEqual([]); // not even asked for by DocID (GraphQL docID:)
      expect(storeText(n.data)).not.toContain('Top Secret');
    }
    await owner.db.setRelation('User', doc.id, reader.did, 'reader');
    await copy(owner.db, doc.id, carrier.db, reader.db);
    const seen = await reader.db.get('User', doc.id);
    expect(seen?.fields).toEqual({ name: 'Top Secret Name', age: 41 });
    expect(seen?.access?.members).toEqual([[reader.did, 'reader']]);
    expect(await reader.db.unreadableCount('User')).toBe(0);
    expect(await carrier.db.unreadableCount('User')).toBe(1);
    expect(storeText(carrier.data)).not.toContain('Top Secret');
    // The reader may not edit, nor share.
    await expect(reader.db.update('User', doc.id, { name: 'mine' })).rejects.toThrow(/may not change/);
    await expect(reader.db.setRelation('User', doc.id, carrier.did, 'reader')).rejects.toThrow(/only the owner/);
    await expect(owner.db.setRelation('User', doc.id, 'did:key:nonsense', 'reader')).rejects.toThrow(/not an identity/);
  });

  it('a change signed by a reader is refused by every peer, reader or not, and not applied', async () => {
    const owner = await node();
    const carrier = await node();
    const rsk = generateSecretKey();
    const rid = identityFromSecretKey(rsk);
    const doc = await owner.db.createPrivate('User', { name: 'Ledger' });
    const shared = await owner.db.setRelation('User', doc.id, didKeyOf(rid.publicKey), 'reader');
    await copy(owner.db, doc.id, carrier.db);
    // The reader holds the key, so it can seal; it just has no right to write.
    const log = new PrivateDocLog(doc.id, { me: didKeyOf(rid.publicKey), unwrap: (_e, w) => unwrapKey(w, rsk), validate: (f) => f });
    for (const b of await owner.db.missingBlocks(doc.id, [])) { const d = decodeBlock(b.bytes); log.add(d.cid, d.block); }
    const key = log.keyAt(shared.heads, 0)!;
    const forged = createBlock(sealedChange(doc.collection, doc.id, shared.heads as BlockCid[], [Date.now(), 0], { name: 'Stolen' }, key, 0), rid);
    for (const n of [owner, carrier]) {
      const r = await n.db.applyBlocks([{ bytes: forged.bytes, cid: forged.cid }], 'remote:evil' as never);
      expect(r.applied).toEqual([]);
      expect(r.rejected[0]?.error.name).toBe('AccessDeniedError');
    }
    expect((await owner.db.get('User', doc.id))?.fields.name).toBe('Ledger');
  });

  it('a writer edits; removing it rotates the key, and its later writes are refused', async () => {
    const owner = await node();
    const writer = await node();
    const doc = await owner.db.createPrivate('User', { name: 'Plan A' });
    await owner.db.setRelation('User', doc.id, writer.did, 'writer');
    await copy(owner.db, doc.id, writer.db);
    const edited = await writer.db.update('User', doc.id, { name: 'Plan B' });
    expect(edited.fields.name).toBe('Plan B');
    await copy(writer.db, doc.id, owner.db);
    expect((await owner.db.get('User', doc.id))?.fields.name).toBe('Plan B');
    const removed = await owner.db.setRelation('User', doc.id, writer.did, 'none');
    expect(removed.access?.epoch).toBe(1);
    await copy(owner.db, doc.id, writer.db);
    await expect(writer.db.update('User', doc.id, { name: 'Plan C' })).rejects.toThrow(/may not change/);
    const after = await owner.db.update('User', doc.id, { name: 'Plan D' });
    await copy(owner.db, doc.id, writer.db);
    expect(after.fields.name).toBe('Plan D');
    // The removed writer still carries the document but cannot read what came after its removal.
    expect(await writer.db.list('User')).toEqual([]);
    expect(await writer.db.unreadableCount('User')).toBe(1);
  });

  it('content a writer sealed that breaks the schema is kept (every peer stores the same blocks) but ignored, and reported', async () => {
    const owner = await node();
    const wsk = generateSecretKey();
    const wid = identityFromSecretKey(wsk);
    const doc = await owner.db.createPrivate('User', { name: 'Kept' });
    const shared = await owner.db.setRelation('User', doc.id, didKeyOf(wid.publicKey), 'writer');
    const log = new PrivateDocLog(doc.id, { me: didKeyOf(wid.publicKey), unwrap: (_e, w) => unwrapKey(w, wsk), validate: (f) => f });
    for (const b of await owner.db.missingBlocks(doc.id, [])) { const d = decodeBlock(b.bytes); log.add(d.cid, d.block); }
    const bad = createBlock(sealedChange(doc.collection, doc.id, shared.heads as BlockCid[], [Date.now(), 0], { age: 'not a number' }, log.keyAt(shared.heads, 0)!, 0), wid);
    const ignored: string[] = [];
    owner.db.on('ignored', (e) => ignored.push(`${e.cid} ${e.reason}`));
    const r = await owner.db.applyBlocks([{ bytes: bad.bytes, cid: bad.cid }], 'remote:writer' as never);
    expect(r.applied).toEqual([bad.cid]);
    expect((await owner.db.get('User', doc.id))?.fields).toEqual({ name: 'Kept' });
    expect(ignored.join()).toContain(bad.cid);
    expect(ignored.join()).toMatch(/schema/);
    // Its history shows the block, without fields: they are not usable here.
    expect((await owner.db.commits(doc.id)).at(-1)).toMatchObject({ cid: bad.cid, set: null, readable: false, wins: [] });
  });

  it('refuses sealed blocks on a public document and fields in clear on a private one', async () => {
    const a = await node();
    const b = await node();
    const pub = await a.db.create('User', { name: 'open' });
    await copy(a.db, pub.id, b.db);
    const priv = await a.db.createPrivate('User', { name: 'closed' });
    await copy(a.db, priv.id, b.db);
    const id = identityFromSecretKey(generateSecretKey());
    const sealedOnPublic = createBlock(sealedChange(pub.collection, pub.id, pub.heads as BlockCid[], [Date.now(), 1], { name: 'x' }, new Uint8Array(32), 0), id);
    const clearOnPrivate = createBlock({ collection: priv.collection, doc: priv.id, parents: [...priv.heads], clock: [Date.now(), 1], set: { name: 'leak' } }, id);
    const r = await b.db.applyBlocks([sealedOnPublic, clearOnPrivate].map((e) => ({ bytes: e.bytes, cid: e.cid })), 'remote:evil' as never);
    expect(r.applied).toEqual([]);
    expect(r.rejected.map((x) => x.error.message).join('\n')).toMatch(/public document[\s\S]*in clear|in clear[\s\S]*public document/);
  });

  it('commits: the owner and a reader see the fields each sealed block set; a carrier sees the structure only', async () => {
    const owner = await node();
    const reader = await node();
    const carrier = await node();
    const doc = await owner.db.createPrivate('User', { name: 'Secret Plan', age: 41 });
    await owner.db.update('User', doc.id, { age: 42 });
    await owner.db.setRelation('User', doc.id, reader.did, 'reader');
    await owner.db.update('User', doc.id, { name: 'Secret Plan B' });
    await copy(owner.db, doc.id, reader.db, carrier.db);
    const expected = [
      { height: 1, set: { name: 'Secret Plan', age: 41 }, readable: true },
      { height: 2, set: { age: 42 }, readable: true },
      { height: 3, set: {}, readable: true }, // the relation block sets no field
      { height: 4, set: { name: 'Secret Plan B' }, readable: true },
    ];
    for (const n of [owner, reader]) {
      const commits = await n.db.commits(doc.id);
      expect(commits.map(({ height, set, readable }) => ({ height, set, readable }))).toEqual(expected);
      expect(commits.map((c) => c.wins)).toEqual([[], ['age'], [], ['name']]);
    }
    const seen = await carrier.db.commits(doc.id);
    const mine = await owner.db.commits(doc.id);
    // The same blocks, links, authors and clocks (every carrier holds them), but no field and no winner.
    expect(seen.map(({ cid, height, parents, author, clock, deleted, head }) => ({ cid, height, parents, author, clock, deleted, head })))
      .toEqual(mine.map(({ cid, height, parents, author, clock, deleted, head }) => ({ cid, height, parents, author, clock, deleted, head })));
    expect(seen.map((c) => [c.set, c.readable])).toEqual([[null, false], [null, false], [{}, true], [null, false]]);
    expect(seen.every((c) => c.wins.length === 0)).toBe(true);
    expect(JSON.stringify(seen)).not.toContain('Secret');
    await owner.db.delete('User', doc.id);
    await copy(owner.db, doc.id, carrier.db);
    expect((await carrier.db.commits(doc.id)).at(-1)).toMatchObject({ height: 5, set: null, deleted: true, readable: true });
  });

  it('commits: a removed member no longer sees any field of the document, as it no longer reads it', async () => {
    const owner = await node();
    const member = await node();
    const doc = await owner.db.createPrivate('User', { name: 'Before' });
    await owner.db.setRelation('User', doc.id, member.did, 'reader');
    await copy(owner.db, doc.id, member.db);
    expect((await member.db.commits(doc.id))[0]!.set).toEqual({ name: 'Before' });
    await owner.db.setRelation('User', doc.id, member.did, 'none');
    await owner.db.update('User', doc.id, { name: 'After' });
    await copy(owner.db, doc.id, member.db);
    expect((await member.db.get('User', doc.id))?.access?.readable).toBe(false);
    const commits = await member.db.commits(doc.id);
    expect(commits.map((c) => c.set)).toEqual([null, {}, {}, null]);
    expect(JSON.stringify(commits)).not.toMatch(/Before|After/);
  });

  it('updateMany and deleteMany change all the documents or none: a private one this node may only read stops them all', async () => {
    const owner = await node();
    const me = await node();
    const theirs = await owner.db.createPrivate('User', { name: 'Theirs', age: 1 });
    await owner.db.setRelation('User', theirs.id, me.did, 'reader');
    await copy(owner.db, theirs.id, me.db);
    const mine = await me.db.createPrivate('User', { name: 'Mine', age: 1 });
    const open = await me.db.create('User', { name: 'Open', age: 1 });
    const before = await Promise.all([mine, open, theirs].map((d) => me.db.commits(d.id)));
    const changes: string[] = [];
    me.db.on('change', (e) => changes.push(...e.docs));
    await expect(me.db.updateMany('User', [mine.id, open.id, theirs.id], { age: 2 })).rejects.toMatchObject({ name: 'AccessDeniedError', message: expect.stringContaining(theirs.id) });
    await expect(me.db.deleteMany('User', [open.id, mine.id, theirs.id])).rejects.toMatchObject({ name: 'AccessDeniedError' });
    expect(await Promise.all([mine, open, theirs].map((d) => me.db.commits(d.id)))).toEqual(before);
    expect((await me.db.list('User')).map((d) => [d.fields.name, d.fields.age])).toEqual([['Theirs', 1], ['Mine', 1], ['Open', 1]]);
    expect(changes).toEqual([]);
    // A document gone since it was chosen stops them too.
    await me.db.delete('User', open.id);
    await expect(me.db.updateMany('User', [mine.id, open.id], { age: 3 })).rejects.toMatchObject({ name: 'DocumentNotFoundError', message: expect.stringContaining(open.id) });
    expect((await me.db.get('User', mine.id))?.fields.age).toBe(1);
    // Without the refused ones, all change in one commit (one change event).
    const done = await me.db.updateMany('User', [mine.id, mine.id], { age: 4 });
    expect(done.map((d) => d.fields)).toEqual([{ name: 'Mine', age: 4 }]);
    const other = await me.db.create('User', { name: 'Other' });
    changes.length = 0;
    await me.db.deleteMany('User', [mine.id, other.id]);
    expect(changes.sort()).toEqual([mine.id, other.id].sort());
    expect(await me.db.list('User')).toHaveLength(1); // Theirs
  });
});
