/**
 * Property: a private document's verdicts and state depend on its set of blocks only. Random histories of
 * shares, removals and edits (removed writers included, on old and new parents) are fed to fresh logs in
 * random causal orders, with duplicates; every log accepts the same blocks and reaches the same state.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createBlock, type EncodedBlock } from './block.js';
import { didKeyOf } from './did.js';
import { randomDocId } from './doc-id.js';
import { generateSecretKey, identityFromSecretKey } from './identity.js';
import type { BlockCid, CollectionId } from './ids.js';
import { PrivateDocLog } from './private-doc.js';
import { privateCreation, relationChange, sealedChange } from './private-blocks.js';
import { ownerContentKey, unwrapKey } from './sealing.js';

const col = 'bafy-user' as CollectionId;
const people = Array.from({ length: 4 }, () => {
  const sk = generateSecretKey();
  const id = identityFromSecretKey(sk);
  return { sk, id, did: didKeyOf(id.publicKey) };
});
const owner = people[0]!;

const logFor = (p: (typeof people)[number], doc: string) => new PrivateDocLog(doc, {
  me: p.did,
  unwrap: (_e, w) => { try { return unwrapKey(w, p.sk); } catch { return undefined; } },
  ownKey: (d: string) => ownerContentKey(p.sk, d),
  validate: (f) => f,
});

type Op = { actor: number; kind: 'edit' | 'delete' | 'share' | 'unshare'; target: number; writer: boolean; pick: number; merge: boolean; value: number };
const opArb: fc.Arbitrary<Op> = fc.record({
  actor: fc.integer({ min: 0, max: 3 }),
  kind: fc.constantFrom('edit', 'edit', 'edit', 'share', 'unshare', 'delete'),
  target: fc.integer({ min: 1, max: 3 }),
  writer: fc.boolean(),
  pick: fc.nat(),
  merge: fc.boolean(),
  value: fc.integer({ min: 0, max: 99 }),
});

function heads(blocks: readonly EncodedBlock[]): BlockCid[] {
  const parents = new Set(blocks.flatMap((b) => b.block.parents));
  return blocks.map((b) => b.cid).filter((c) => !parents.has(c)).sort();
}

describe('private documents: order independence', () => {
  it('the same blocks give the same verdicts and state in any causal order', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 3, maxLength: 25 }), fc.array(fc.nat(), { minLength: 60, maxLength: 60 }), (ops, choices) => {
        const doc = randomDocId();
        let t = 1;
        const created = privateCreation(col, doc, { n: 0 }, [t++, 0], { derived: ownerContentKey(owner.sk, doc) });
        const root = createBlock(created.body, owner.id);
        const ref = logFor(owner, doc);
        ref.rememberKey(root.cid, 0, created.key);
        ref.add(root.cid, root.block);
        const accepted: EncodedBlock[] = [root];
        const refused: EncodedBlock[] = [];
        for (const op of ops) {
          // Parents: one earlier block, or it and another (a merge of two branches).
          const a = accepted[op.pick % accepted.length]!;
          const b = accepted[(op.pick >> 3) % accepted.length]!;
          const parents = [...new Set(op.merge ? [a.cid, b.cid] : [a.cid])].sort();
          const policy = ref.policyAt(parents);
          const actor = people[op.actor]!;
          const clock: [number, number] = [t++, 0];
          let body;
          let rotated: { epoch: number; key: Uint8Array } | undefined;
          if (op.kind === 'edit') body = sealedChange(col, doc, parents, clock, { n: op.value }, ref.keyAt(parents, policy.epoch)!, policy.epoch);
          else if (op.kind === 'delete') body = { collection: col, doc, parents: parents as BlockCid[], clock, delete: true as const };
          else {
            const rel = op.kind === 'share' ? (op.writer ? 'writer' : 'reader') : 'none';
            const r = relationChange(col, doc, parents, clock, policy, [[people[op.target]!.did, rel]], (e) => ref.keyAt(parents, e)!);
            body = r.body;
            rotated = r.rotated;
          }
          const enc = createBlock(body, actor.id);
          if (rotated) ref.rememberKey(enc.cid, rotated.epoch, rotated.key);
          try {
            ref.add(enc.cid, enc.block);
            accepted.push(enc);
          } catch {
            refused.push(enc);
          }
        }
        const want = ref.state(heads(accepted));
        // Another order: any block whose parents are in may come next.
        let k = 0;
        const other = logFor(owner, doc);
        const left = [...accepted];
        while (left.length) {
          const ready = left.filter((x) => x.block.parents.every((p) => other.has(p)));
          const next = ready[choices[k++ % choices.length]! % ready.length]!;
          other.add(next.cid, next.block);
          left.splice(left.indexOf(next), 1);
          // Duplicates: now and then a block already in comes again (a no-op).
          const again = accepted[choices[k++ % choices.length]! % accepted.length]!;
          if (other.has(again.cid)) other.add(again.cid, again.block);
        }
        for (const r of refused) {
          if (r.block.parents.every((p) => other.has(p))) expect(() => other.add(r.cid, r.block)).toThrow();
        }
        const got = other.state(heads(accepted));
        expect(got.fields).toEqual(want.fields);
        expect(got.deleted).toEqual(want.deleted);
        expect(got.access).toEqual(want.access);
      }),
      { numRuns: Number(process.env.RUNS ?? 60) },
    );
  });
});
