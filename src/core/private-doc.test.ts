import { describe, expect, it } from 'vitest';
import { createBlock, decodeBlock, type EncodedBlock } from './block.js';
import { didKeyOf } from './did.js';
import { isRandomDocId, randomDocId } from './doc-id.js';
import { generateSecretKey, identityFromSecretKey } from './identity.js';
import type { BlockCid, CollectionId } from './ids.js';
import { PrivateDocLog, type PrivateDocContext } from './private-doc.js';
import { privateCreation, relationChange, sealedChange } from './private-blocks.js';
import { ownerContentKey, unwrapKey } from './sealing.js';
import type { Fields } from './values.js';

const col = 'bafy-user' as CollectionId;

function person() {
  const sk = generateSecretKey();
  const id = identityFromSecretKey(sk);
  return { sk, id, did: didKeyOf(id.publicKey) };
}
type Person = ReturnType<typeof person>;

function ctxOf(p: Person, ignored: string[] = []): PrivateDocContext {
  return {
    me: p.did,
    unwrap: (_epoch, wrapped) => { try { return unwrapKey(wrapped, p.sk); } catch { return undefined; } },
    ownKey: (doc) => ownerContentKey(p.sk, doc),
    validate: (f: Fields) => {
      if ('bad' in f) throw new Error('field bad is not in the schema');
      return f;
    },
    ignored: (_cid, why) => ignored.push(why),
  };
}

/** A small world: an owner, a writer-to-be and an outsider, and the blocks of one private document. */
function world() {
  const owner = person();
  const bob = person();
  const eve = person();
  const doc = randomDocId();
  let t = 1000;
  const clock = (): [number, number] => [t++, 0];
  const created = privateCreation(col, doc, { name: 'secret plan' }, clock(), { derived: ownerContentKey(owner.sk, doc) });
  const keys = new Map<number, Uint8Array>([[0, created.key]]);
  const root = createBlock(created.body, owner.id);
  return { owner, bob, eve, doc, clock, keys, root };
}

/** The owner's log of a world's document, with `who` given `relation` on top of its creation. */
function ownerLogSharedWith(w: ReturnType<typeof world>, who: Person, relation: 'reader' | 'writer') {
  const log = new PrivateDocLog(w.doc, ctxOf(w.owner));
  log.add(w.root.cid, w.root.block);
  const share = sign(relationChange(col, w.doc, [w.root.cid], w.clock(), log.policyAt([w.root.cid]), [[who.did, relation]], (e) => w.keys.get(e)!).body, w.owner);
  log.add(share.cid, share.block);
  return { log, share };
}

const sign = (body: Parameters<typeof createBlock>[0], p: Person): EncodedBlock => decodeBlock(createBlock(body, p.id).bytes);

describe('private documents: blocks and policy', () => {
  it('a private DocID is random (v4 layout), never derived', () => {
    const a = randomDocId();
    expect(isRandomDocId(a)).toBe(true);
    expect(a).not.toBe(randomDocId());
    expect(isRandomDocId('bae-12345678-1234-5234-8234-123456789012')).toBe(false);
  });

  it('round-trips private blocks through the wire format, and the bytes hold no field name or value', () => {
    const w = world();
    const back = decodeBlock(w.root.bytes);
    expect(back.block.private).toBe(true);
    expect(back.block.sealed?.epoch).toBe(0);
    expect(back.block.keys).toBeUndefined(); // the owner derives epoch 0's key: no wrapped copy needed
    const text = Buffer.from(w.root.bytes).toString('latin1');
    expect(text).not.toContain('secret');
    expect(text).not.toContain('name');
  });

  it('the owner reads; a stranger carries the document but reads nothing', () => {
    const w = world();
    const mine = new PrivateDocLog(w.doc, ctxOf(w.owner));
    mine.add(w.root.cid, w.root.block);
    expect(mine.state([w.root.cid]).fields.name?.value).toBe('secret plan');
    const theirs = new PrivateDocLog(w.doc, ctxOf(w.eve));
    theirs.add(w.root.cid, w.root.block);
    const s = theirs.state([w.root.cid]);
    expect(s.fields).toEqual({});
    expect(s.access).toMatchObject({ owner: w.owner.did, readable: false, members: [] });
  });

  it('without its secret key at hand, the owner wraps a random key to itself and reads through that', () => {
    const w = world();
    const created = privateCreation(col, w.doc, { name: 'wrapped' }, w.clock(), { owner: w.owner.id.publicKey });
    const root = sign(created.body, w.owner);
    expect(root.block.keys?.[0]?.[0]).toBe(w.owner.did);
    const log = new PrivateDocLog(w.doc, { ...ctxOf(w.owner), ownKey: undefined });
    log.add(root.cid, root.block);
    expect(log.state([root.cid]).fields.name?.value).toBe('wrapped');
    // Someone else's derivation opens nothing.
    const eves = new PrivateDocLog(w.doc, ctxOf(w.eve));
    eves.add(w.root.cid, w.root.block);
    expect(eves.state([w.root.cid]).access.readable).toBe(false);
  });

  it('a reader added later reads the history; only writers and the owner may change content', () => {
    const w = world();
    const log = new PrivateDocLog(w.doc, ctxOf(w.bob));
    log.add(w.root.cid, w.root.block);
    const share = relationChange(col, w.doc, [w.root.cid], w.clock(), log.policyAt([w.root.cid]), [[w.bob.did, 'reader']], (e) => w.keys.get(e)!);
    const rel = sign(share.body, w.owner);
    log.add(rel.cid, rel.block);
    expect(log.state([rel.cid]).fields.name?.value).toBe('secret plan');
    expect(log.state([rel.cid]).access.members).toEqual([[w.bob.did, 'reader']]);
    // A reader's change is refused by everyone.
    const byReader = sign(sealedChange(col, w.doc, [rel.cid], w.clock(), { name: 'mine now' }, w.keys.get(0)!, 0), w.bob);
    expect(() => log.add(byReader.cid, byReader.block)).toThrow(/may not change/);
    // A stranger cannot change relations.
    const grab = sign(relationChange(col, w.doc, [rel.cid], w.clock(), log.policyAt([rel.cid]), [[w.eve.did, 'writer']], (e) => w.keys.get(e)!).body, w.eve);
    expect(() => log.add(grab.cid, grab.block)).toThrow(/only the owner/);
    // Promoted to writer, Bob's change counts.
    const promote = sign(relationChange(col, w.doc, [rel.cid], w.clock(), log.policyAt([rel.cid]), [[w.bob.did, 'writer']], (e) => w.keys.get(e)!).body, w.owner);
    log.add(promote.cid, promote.block);
    const edit = sign(sealedChange(col, w.doc, [promote.cid], w.clock(), { name: 'revised plan' }, w.keys.get(0)!, 0), w.bob);
    log.add(edit.cid, edit.block);
    expect(log.state([edit.cid]).fields.name?.value).toBe('revised plan');
  });

  it('removing a member rotates the key: the removed one cannot read later changes, the others can', () => {
    const w = world();
    const owners = new PrivateDocLog(w.doc, ctxOf(w.owner));
    const bobs = new PrivateDocLog(w.doc, ctxOf(w.bob));
    const add = (b: EncodedBlock): void => { owners.add(b.cid, b.block); bobs.add(b.cid, b.block); };
    add(w.root);
    const share = sign(relationChange(col, w.doc, [w.root.cid], w.clock(), owners.policyAt([w.root.cid]), [[w.bob.did, 'reader']], (e) => w.keys.get(e)!).body, w.owner);
    add(share);
    const unshare = relationChange(col, w.doc, [share.cid], w.clock(), owners.policyAt([share.cid]), [[w.bob.did, 'none']], (e) => w.keys.get(e)!);
    expect(unshare.rotated?.epoch).toBe(1);
    const rel = sign(unshare.body, w.owner);
    add(rel);
    // Content at the old epoch is now refused; at the new one it is accepted.
    const stale = sign(sealedChange(col, w.doc, [rel.cid], w.clock(), { name: 'x' }, w.keys.get(0)!, 0), w.owner);
    expect(() => owners.add(stale.cid, stale.block)).toThrow(/epoch/);
    const later = sign(sealedChange(col, w.doc, [rel.cid], w.clock(), { name: 'after removal' }, unshare.rotated!.key, 1), w.owner);
    add(later);
    expect(owners.state([later.cid]).fields.name?.value).toBe('after removal');
    const seenByBob = bobs.state([later.cid]);
    expect(seenByBob.fields).toEqual({});
    expect(seenByBob.access.readable).toBe(false);
    // A relation block that takes a right away without rotating is refused.
    const w2 = world();
    const log = new PrivateDocLog(w2.doc, ctxOf(w2.owner));
    log.add(w2.root.cid, w2.root.block);
    const s2 = sign(relationChange(col, w2.doc, [w2.root.cid], w2.clock(), log.policyAt([w2.root.cid]), [[w2.bob.did, 'writer']], (e) => w2.keys.get(e)!).body, w2.owner);
    log.add(s2.cid, s2.block);
    const sneaky = sign({ collection: col, doc: w2.doc, parents: [s2.cid], clock: w2.clock(), relations: [[w2.bob.did, 'none']] }, w2.owner);
    expect(() => log.add(sneaky.cid, sneaky.block)).toThrow(/key epoch 1/);
  });

  it('a writer removed cannot keep writing on old parents: changes concurrent with the removal are ineffective, in any order', () => {
    const w = world();
    const { log: base, share } = ownerLogSharedWith(w, w.bob, 'writer');
    const early = sign(sealedChange(col, w.doc, [share.cid], w.clock(), { name: 'before removal' }, w.keys.get(0)!, 0), w.bob);
    base.add(early.cid, early.block);
    const removal = relationChange(col, w.doc, [early.cid], w.clock(), base.policyAt([early.cid]), [[w.bob.did, 'none']], (e) => w.keys.get(e)!);
    const rel = sign(removal.body, w.owner);
    // Bob, removed, writes on the parents he had before the removal, with a later clock.
    const sneaky = sign(sealedChange(col, w.doc, [early.cid], w.clock(), { name: 'sneaked in' }, w.keys.get(0)!, 0), w.bob);
    for (const order of [[rel, sneaky], [sneaky, rel]]) {
      const log = new PrivateDocLog(w.doc, ctxOf(w.owner));
      for (const b of [w.root, share, early, ...order]) log.add(b.cid, b.block);
      const heads = [rel.cid, sneaky.cid].sort() as BlockCid[];
      expect(log.state(heads).fields.name?.value).toBe('before removal');
    }
  });

  it('two concurrent rotations start the same epoch with different keys; content under each opens with its own', () => {
    const w = world();
    const { log, share } = ownerLogSharedWith(w, w.bob, 'reader');
    // Both remove Bob from the same parent (an owner on two devices, say): two epoch-1 keys.
    const r1 = relationChange(col, w.doc, [share.cid], w.clock(), log.policyAt([share.cid]), [[w.bob.did, 'none']], (e) => w.keys.get(e)!);
    const r2 = relationChange(col, w.doc, [share.cid], w.clock(), log.policyAt([share.cid]), [[w.bob.did, 'none']], (e) => w.keys.get(e)!);
    const [b1, b2] = [sign(r1.body, w.owner), sign(r2.body, w.owner)];
    log.add(b1.cid, b1.block);
    log.add(b2.cid, b2.block);
    const e1 = sign(sealedChange(col, w.doc, [b1.cid], w.clock(), { age: 1 }, r1.rotated!.key, 1), w.owner);
    const e2 = sign(sealedChange(col, w.doc, [b2.cid], w.clock(), { name: 'second fork' }, r2.rotated!.key, 1), w.owner);
    log.add(e1.cid, e1.block);
    log.add(e2.cid, e2.block);
    expect(log.keyAt([b1.cid], 1)).toEqual(r1.rotated!.key);
    expect(log.keyAt([b2.cid], 1)).toEqual(r2.rotated!.key);
    const s = log.state([e1.cid, e2.cid].sort() as BlockCid[]);
    expect(s.fields.age?.value).toBe(1);
    expect(s.fields.name?.value).toBe('second fork');
  });

  it('content that does not open or breaks the schema is kept but ignored, and said so', () => {
    const w = world();
    const ignored: string[] = [];
    const log = new PrivateDocLog(w.doc, ctxOf(w.owner, ignored));
    log.add(w.root.cid, w.root.block);
    const bad = sign(sealedChange(col, w.doc, [w.root.cid], w.clock(), { bad: 1 }, w.keys.get(0)!, 0), w.owner);
    log.add(bad.cid, bad.block);
    expect(log.state([bad.cid]).fields.name?.value).toBe('secret plan');
    expect(ignored.join()).toMatch(/schema/);
  });

  it('refuses fields in clear and a second creating block', () => {
    const w = world();
    const log = new PrivateDocLog(w.doc, ctxOf(w.owner));
    log.add(w.root.cid, w.root.block);
    const clear = sign({ collection: col, doc: w.doc, parents: [w.root.cid], clock: w.clock(), set: { name: 'leak' } }, w.owner);
    expect(() => log.add(clear.cid, clear.block)).toThrow(/in clear/);
    const again = sign(privateCreation(col, w.doc, { name: 'other' }, w.clock(), { owner: w.eve.id.publicKey }).body, w.eve);
    expect(() => log.add(again.cid, again.block)).toThrow(/one creating block/);
  });

  it('decoding refuses misplaced private parts', () => {
    const w = world();
    const bad = [
      { collection: col, doc: w.doc, parents: [w.root.cid], clock: w.clock(), private: true as const, sealed: { epoch: 0, nonce: new Uint8Array(24), ciphertext: new Uint8Array(20) } },
      { collection: col, doc: w.doc, parents: [], clock: w.clock(), sealed: { epoch: 0, nonce: new Uint8Array(24), ciphertext: new Uint8Array(20) } },
      { collection: col, doc: w.doc, parents: [w.root.cid], clock: w.clock(), relations: [[w.bob.did, 'admin']] as never },
      { collection: col, doc: w.doc, parents: [w.root.cid], clock: w.clock(), set: { name: 'x' }, keys: [[w.bob.did, 0, new Uint8Array(104)]] as never },
      { collection: col, doc: w.doc, parents: [w.root.cid], clock: w.clock(), sealed: { epoch: 0, nonce: new Uint8Array(3), ciphertext: new Uint8Array(20) } },
    ];
    for (const body of bad) expect(() => decodeBlock(createBlock(body, w.owner.id).bytes), JSON.stringify(Object.keys(body))).toThrow();
  });
});
