import { describe, expect, it } from 'vitest';
import * as dagCbor from '@ipld/dag-cbor';
import {
  MAX_BLOCK_BYTES, MAX_CLOCK_DRIFT_MS, collectionIdOf, createBlock, decodeBlock, deriveDocId, encodeBlock, generateSecretKey,
  identityFromSecretKey, nobleVerifier, parseSdl, verifyBlock, type BlockCid, type CollectionDef, type CollectionId, type VerifyContext,
} from './index.js';

const def = parseSdl('type User { name: String age: Int }')[0]!;
const col = collectionIdOf(def);
const me = identityFromSecretKey(generateSecretKey());
const ctx: VerifyContext = { collection: (id: CollectionId): CollectionDef | undefined => (id === col ? def : undefined), verifier: nobleVerifier };
const root = () => {
  const set = { name: 'Ann', age: 3 };
  return createBlock({ collection: col, doc: deriveDocId(col, set), parents: [], clock: [10, 0], set }, me);
};

async function rejectsWith(p: Promise<unknown>, name: string): Promise<Error> {
  const err = await p.then(() => undefined, (e: Error) => e);
  expect(err, `expected ${name}`).toBeInstanceOf(Error);
  expect(err!.name).toBe(name);
  return err!;
}

describe('blocks', () => {
  it('round-trip through bytes with the same CID', async () => {
    const b = root();
    const d = decodeBlock(b.bytes);
    expect(d.cid).toBe(b.cid);
    expect(d.block.set).toEqual({ name: 'Ann', age: 3 });
    expect(encodeBlock(d.block).bytes).toEqual(b.bytes);
    expect((await verifyBlock(b.bytes, ctx, b.cid)).cid).toBe(b.cid);
  });

  it('refuse a block stamped further ahead than the allowed drift, before checking its signature', async () => {
    const now = 5_000_000;
    const at = (wall: number) => {
      const set = { name: `t${wall}` };
      return createBlock({ collection: col, doc: deriveDocId(col, set), parents: [], clock: [wall, 0], set }, me);
    };
    const ok = at(now + MAX_CLOCK_DRIFT_MS);
    expect((await verifyBlock(ok.bytes, { ...ctx, now: () => now })).cid).toBe(ok.cid);
    const ahead = at(now + MAX_CLOCK_DRIFT_MS + 1);
    const err = await rejectsWith(verifyBlock(ahead.bytes, { ...ctx, now: () => now }), 'ClockDriftError');
    expect(err.message).toMatch(/ahead of this node's clock/);
    // The same block is accepted once real time has caught up with it.
    expect((await verifyBlock(ahead.bytes, { ...ctx, now: () => now + 10 })).cid).toBe(ahead.cid);
    const forged = encodeBlock({ ...ahead.block, signature: new Uint8Array(64) });
    await rejectsWith(verifyBlock(forged.bytes, { ...ctx, now: () => now }), 'ClockDriftError');
  });

  it('refuse bytes that are not the canonical encoding, such as invalid UTF-8 a peer signed in its decoded form', async () => {
    const set = { name: 'a\uFFFD\uFFFD\uFFFDb' };
    const honest = createBlock({ collection: col, doc: deriveDocId(col, set), parents: [], clock: [10, 0], set }, me);
    const wire = dagCbor.decode(honest.bytes) as Record<string, unknown>;
    const bytes = dagCbor.encode({ ...wire, s: { name: 'aXYZb' } });
    const at = Buffer.from(bytes).indexOf(Buffer.from('XYZ'));
    bytes.set([0xed, 0xa0, 0x80], at); // a UTF-8-encoded lone surrogate: decodes as three U+FFFD
    expect(decodeBlock(bytes).block.set).toEqual(set);
    const err = await rejectsWith(verifyBlock(bytes, ctx), 'BlockDecodeError');
    expect(err.message).toMatch(/canonical/);
    expect((await verifyBlock(honest.bytes, ctx)).cid).toBe(honest.cid);
  });

  it('sort and normalise parents', () => {
    const r = root();
    const child = createBlock({ collection: col, doc: r.block.doc, parents: [r.cid], clock: [11, 0], set: { age: 4 } }, me);
    expect(decodeBlock(child.bytes).block.parents).toEqual([r.cid]);
  });

  it('reject tampered bytes: CID mismatch or broken decoding', async () => {
    const b = root();
    const tampered = b.bytes.slice();
    tampered[tampered.length - 70]! ^= 1; // inside the signed body or signature
    const e = await verifyBlock(tampered, ctx, b.cid).then(() => undefined, (x: Error) => x);
    expect(['BlockCidMismatchError', 'BlockDecodeError']).toContain(e?.name);
    await rejectsWith(verifyBlock(b.bytes, ctx, 'bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'), 'BlockCidMismatchError');
    await rejectsWith(verifyBlock(new Uint8Array([1, 2, 3]), ctx), 'BlockDecodeError');
    await rejectsWith(verifyBlock(b.bytes.slice(0, 20), ctx), 'BlockDecodeError');
    await rejectsWith(verifyBlock(dagCbor.encode({ hello: 'world' }), ctx), 'BlockDecodeError');
  });

  it('reject a wrong signature', async () => {
    const b = root();
    const other = identityFromSecretKey(generateSecretKey());
    const forged = encodeBlock({ ...b.block, author: other.publicKey });
    await rejectsWith(verifyBlock(forged.bytes, ctx), 'InvalidSignatureError');
    const zeroSig = encodeBlock({ ...b.block, signature: new Uint8Array(64) });
    await rejectsWith(verifyBlock(zeroSig.bytes, ctx), 'InvalidSignatureError');
  });

  it('reject a block for an unknown collection', async () => {
    const other = collectionIdOf(parseSdl('type Post { title: String }')[0]!);
    const b = createBlock({ collection: other, doc: deriveDocId(other, { title: 'x' }), parents: [], clock: [1, 0], set: { title: 'x' } }, me);
    await rejectsWith(verifyBlock(b.bytes, ctx), 'UnknownCollectionError');
  });

  it('reject values that break the schema, and forged DocIDs', async () => {
    const set = { name: 5 } as never;
    const b = createBlock({ collection: col, doc: deriveDocId(col, set), parents: [], clock: [1, 0], set }, me);
    const err = await rejectsWith(verifyBlock(b.bytes, ctx), 'ValidationError');
    expect(err.message).toBe('User.name: expected String, got 5');
    const unknownField = createBlock({ collection: col, doc: root().block.doc, parents: [root().cid], clock: [20, 0], set: { email: 'x' } as never }, me);
    await rejectsWith(verifyBlock(unknownField.bytes, ctx), 'ValidationError');
    const forgedId = createBlock({ collection: col, doc: deriveDocId(col, { name: 'Bob' }), parents: [], clock: [1, 0], set: { name: 'Ann' } }, me);
    await rejectsWith(verifyBlock(forgedId.bytes, ctx), 'InvalidBlockError');
  });

  it('reject oversized and malformed structures', async () => {
    await rejectsWith(verifyBlock(new Uint8Array(MAX_BLOCK_BYTES + 1), ctx), 'BlockTooLargeError');
    const b = root();
    const wire = dagCbor.decode(b.bytes) as Record<string, unknown>;
    for (const patch of [{ v: 2 }, { t: [1] }, { a: new Uint8Array(3) }, { x: true }, { p: ['nope'] }, { extra: 1 }]) {
      await rejectsWith(verifyBlock(dagCbor.encode({ ...wire, ...patch }), ctx), 'BlockDecodeError');
    }
    const del = createBlock({ collection: col, doc: b.block.doc, parents: [b.cid as BlockCid], clock: [11, 0], delete: true }, me);
    expect((await verifyBlock(del.bytes, ctx)).block.delete).toBe(true);
  });
});
