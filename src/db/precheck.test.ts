/**
 * `precheckBytes` decodes blocks and runs the checks that need nothing stored ahead of applying (catch-up checks
 * the next frame while the current one commits), in this thread or on a `BlockChecker` (a worker in tabs; here
 * the in-thread checker, which gives a worker's answers). Applying must still refuse what fails them, and must
 * still judge private documents' policies against what is stored when the block is applied.
 */
import { describe, expect, it } from 'vitest';
import { createBlock, decodeBlock } from '../core/block.js';
import { didKeyOf } from '../core/did.js';
import { generateSecretKey, identityFromSecretKey, nobleVerifier, type SignatureVerifier } from '../core/identity.js';
import type { BlockCid, Origin } from '../core/ids.js';
import { sealedChange } from '../core/private-blocks.js';
import { PrivateDocLog } from '../core/private-doc.js';
import { unwrapKey } from '../core/sealing.js';
import { Database } from './database.js';
import { MemoryStore, createMemoryData } from '../store/memory-store.js';
import { USER_SDL } from '../../test/helpers/db.js';
import { answerCheck, inThreadChecker, warmUpRequest, type BlockChecker } from './block-checker.js';

async function node(verifier?: SignatureVerifier, checker?: BlockChecker): Promise<Database> {
  const db = await Database.open({ store: new MemoryStore(createMemoryData()), ...(verifier ? { verifier } : {}), ...(checker ? { checker } : {}) });
  await db.addSchema(USER_SDL);
  return db;
}

const REMOTE = 'remote:test' as Origin;

function countingVerifier(): SignatureVerifier & { calls: number } {
  const v = { calls: 0, verify: (s: Uint8Array, m: Uint8Array, k: Uint8Array) => { v.calls++; return nobleVerifier.verify(s, m, k); } };
  return v;
}

describe('precheckBlocks', () => {
  it('checks each signature once: applying prechecked blocks does not verify them again', async () => {
    const writer = await node();
    await writer.createMany('User', Array.from({ length: 20 }, (_, i) => ({ name: `u${i}`, age: i })));
    const col = writer.collection('User').id;
    const { blocks } = await writer.missingInRange(col, null, null, new Map());
    const verifier = countingVerifier();
    const reader = await node(verifier);
    const decoded = await reader.precheckBytes(blocks.map((b) => b.bytes));
    expect(decoded.every((d) => d !== undefined)).toBe(true);
    expect(verifier.calls).toBe(20);
    const r = await reader.applyBlocks(decoded.map((d) => d!), REMOTE);
    expect(r.applied).toHaveLength(20);
    expect(verifier.calls).toBe(20);
    expect(await reader.list('User')).toHaveLength(20);
  });

  it('with a checker (a worker in tabs), checks there: the engine\'s verifier is not called at all', async () => {
    const writer = await node();
    await writer.createMany('User', Array.from({ length: 20 }, (_, i) => ({ name: `u${i}`, age: i })));
    const { blocks } = await writer.missingInRange(writer.collection('User').id, null, null, new Map());
    const mine = countingVerifier();
    const elsewhere = countingVerifier();
    // What the checker passes crosses a structured clone, as a worker's answer does.
    const inner = inThreadChecker(elsewhere);
    const reader = await node(mine, { check: async (b, c) => structuredClone(await inner.check(b, c)), close: () => inner.close() });
    const bytes = blocks.map((b) => b.bytes);
    // One block altered in transit: the checker does not pass it, and applying refuses it with the reason.
    const bad = Uint8Array.from(bytes[3]!);
    bad[bad.length - 5]! ^= 1;
    bytes[3] = bad;
    const decoded = await reader.precheckBytes(bytes);
    expect(elsewhere.calls).toBe(20);
    expect(decoded.filter((d) => d === undefined)).toHaveLength(1);
    expect(decoded[3]).toBeUndefined();
    expect(reader.blocksCheckedElsewhere).toBe(19);
    const r = await reader.applyBlocks(decoded.map((d, i) => d ?? decodeBlock(bytes[i]!)), REMOTE);
    expect(r.applied).toHaveLength(19);
    expect(r.rejected).toHaveLength(1);
    expect(mine.calls).toBe(1); // only the block the checker did not pass
    const theirs = new Map((await writer.list('User')).map((d) => [d.id, d.fields]));
    const got = await reader.list('User');
    expect(got).toHaveLength(19);
    for (const d of got) expect(d.fields).toEqual(theirs.get(d.id));
  });

  it('a checker\'s answer names a CID per block that passed, null for the others', async () => {
    const writer = await node();
    const doc = await writer.create('User', { name: 'Ada' });
    const [good] = await writer.missingBlocks(doc.id as never, []);
    const col = writer.collection('User');
    const res = await answerCheck({ id: 7, blocks: [good!.bytes, new Uint8Array([1, 2, 3])], collections: [[col.id, col.def]] }, nobleVerifier);
    expect(res).toEqual({ id: 7, passed: [{ cid: good!.cid, block: decodeBlock(good!.bytes).block }, null] });
    // Without the collection's definition the block does not pass either.
    expect((await answerCheck({ id: 8, blocks: [good!.bytes], collections: [] }, nobleVerifier)).passed).toEqual([null]);
  });

  it('leaves a block that fails for applying to refuse, with the reason', async () => {
    const writer = await node();
    const doc = await writer.create('User', { name: 'Ada' });
    const [good] = await writer.missingBlocks(doc.id as never, []);
    // The signature's last byte altered in transit: it decodes, but does not pass.
    const bad = Uint8Array.from(good!.bytes);
    bad[bad.length - 1]! ^= 1;
    const reader = await node();
    expect(await reader.precheckBytes([bad, new Uint8Array([0xff])])).toEqual([undefined, undefined]);
    const r = await reader.applyBlocks([{ bytes: bad }], REMOTE);
    expect(r.applied).toEqual([]);
    expect(r.rejected[0]?.error.name).toMatch(/InvalidSignatureError|BlockDecodeError/);
    expect(await reader.get('User', doc.id)).toBeUndefined();
  });

  it('still judges a private document\'s policy when applying: a prechecked change signed by a reader is refused', async () => {
    const owner = await node();
    const carrier = await node();
    const rsk = generateSecretKey();
    const rid = identityFromSecretKey(rsk);
    const doc = await owner.createPrivate('User', { name: 'Ledger' });
    const shared = await owner.setRelation('User', doc.id, didKeyOf(rid.publicKey), 'reader');
    const blocks = (await owner.missingBlocks(doc.id as never, [])).map((b) => decodeBlock(b.bytes));
    await carrier.applyBlocks(blocks, REMOTE);
    const log = new PrivateDocLog(doc.id, { me: didKeyOf(rid.publicKey), unwrap: (_e, w) => unwrapKey(w, rsk), validate: (f) => f });
    for (const d of blocks) log.add(d.cid, d.block);
    const key = log.keyAt(shared.heads, 0)!;
    const forged = decodeBlock(createBlock(sealedChange(doc.collection, doc.id, shared.heads as BlockCid[], [Date.now(), 0], { name: 'Stolen' }, key, 0), rid).bytes);
    for (const n of [owner, carrier]) {
      const [checked] = await n.precheckBytes([forged.bytes]);
      expect(checked).toBeDefined(); // signature and form are fine: it passes these checks
      const r = await n.applyBlocks([checked!], REMOTE);
      expect(r.applied).toEqual([]);
      expect(r.rejected[0]?.error.name).toBe('AccessDeniedError');
    }
    expect((await owner.get('User', doc.id))?.fields.name).toBe('Ledger');
  });

  it('the worker\'s warm-up blocks pass every check (so warming runs the whole check path)', async () => {
    const req = await warmUpRequest(5);
    const res = await answerCheck(req, nobleVerifier);
    expect(res.passed).toHaveLength(5);
    expect(res.passed.every((c) => typeof c?.cid === 'string')).toBe(true);
  });
});
