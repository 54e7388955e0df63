/**
 * `precheckBlocks` runs the checks that need nothing stored ahead of applying (catch-up checks the next frame
 * while the current one commits). Applying must still refuse what fails them, and must still judge private
 * documents' policies against what is stored when the block is applied, not when it was prechecked.
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

async function node(verifier?: SignatureVerifier): Promise<Database> {
  const db = await Database.open({ store: new MemoryStore(createMemoryData()), ...(verifier ? { verifier } : {}) });
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
    const decoded = blocks.map((b) => decodeBlock(b.bytes));
    await reader.precheckBlocks(decoded);
    expect(verifier.calls).toBe(20);
    const r = await reader.applyBlocks(decoded, REMOTE);
    expect(r.applied).toHaveLength(20);
    expect(verifier.calls).toBe(20);
    expect(await reader.list('User')).toHaveLength(20);
  });

  it('leaves a block that fails for applying to refuse, with the reason', async () => {
    const writer = await node();
    const other = await node();
    const doc = await writer.create('User', { name: 'Ada' });
    const [good] = await writer.missingBlocks(doc.id as never, []);
    const enc = decodeBlock(good!.bytes);
    // The writer's block claimed by another author: decodes, but the signature does not match.
    const claimed = { ...enc, block: { ...enc.block, author: other.identity.publicKey } };
    const reader = await node();
    await expect(reader.precheckBlocks([claimed])).resolves.toBeUndefined();
    const r = await reader.applyBlocks([claimed], REMOTE);
    expect(r.applied).toEqual([]);
    expect(r.rejected[0]?.error.message).toMatch(/not in canonical|signature/);
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
      await n.precheckBlocks([forged]); // signature and form are fine: it passes these checks
      const r = await n.applyBlocks([forged], REMOTE);
      expect(r.applied).toEqual([]);
      expect(r.rejected[0]?.error.name).toBe('AccessDeniedError');
    }
    expect((await owner.get('User', doc.id))?.fields.name).toBe('Ledger');
  });
});
