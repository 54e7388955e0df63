/** Two nodes never hold different values for one accepted write: what validation accepts survives the block encoding unchanged. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as dagCbor from '@ipld/dag-cbor';
import {
  collectionIdOf, createBlock, decodeBlock, deriveDocId, generateSecretKey, identityFromSecretKey, nobleVerifier, parseSdl,
  validateFields, verifyBlock, type CollectionDef, type CollectionId,
} from './index.js';

const def = parseSdl('type T { s: String id: ID f: Float i: Int meta: JSON tags: [String] }')[0]!;
const col = collectionIdOf(def);
const me = identityFromSecretKey(generateSecretKey());
const ctx = { collection: (id: CollectionId): CollectionDef | undefined => (id === col ? def : undefined), verifier: nobleVerifier };

/** Strings of any UTF-16 code units, lone surrogates included. */
const anyText = fc.string({ unit: 'binary' });
const anyUnits = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 12 }).map((units) => String.fromCharCode(...units));
const text = fc.oneof(anyText, anyUnits);
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, text, fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(text, tie('v'), { maxKeys: 3 })),
})).v;

describe('accepted values are stored identically on every node', () => {
  it('refuses lone surrogates with a clear error, in every place a string can hide', () => {
    for (const input of [{ s: 'a\uD800b' }, { id: '\uDC00' }, { tags: ['ok', 'x\uD83D'] }, { meta: { k: 'v\uDFFF' } }, { meta: { ['k\uD800']: 1 } }]) {
      expect(() => validateFields(def, input, 'create')).toThrow(/ValidationError|expected/);
    }
    expect(() => validateFields(def, { s: 'a\uD800b' }, 'create')).toThrow('s: expected String of valid Unicode text, got text with an unpaired surrogate \\uD800 at position 1');
    expect(validateFields(def, { s: 'pair \uD83D\uDE00 ok' }, 'create')).toEqual({ s: 'pair \uD83D\uDE00 ok' });
  });

  it('refuses text beginning with a byte order mark, which decoding drops (found by the property below)', () => {
    for (const input of [{ s: '\uFEFF' }, { tags: ['\uFEFFx'] }, { meta: { k: '\uFEFFv' } }, { meta: { ['\uFEFFk']: 1 } }]) {
      expect(() => validateFields(def, input, 'create')).toThrow(/ValidationError|expected/);
    }
    expect(() => validateFields(def, { s: '\uFEFFabc' }, 'create')).toThrow('s: expected String that does not begin with a byte order mark (U+FEFF), got text beginning with U+FEFF, which decoding drops');
    // Elsewhere in the text it is kept, and survives the block.
    expect(validateFields(def, { s: 'a\uFEFFb' }, 'create')).toEqual({ s: 'a\uFEFFb' });
    const accepted = validateFields(def, { s: 'a\uFEFFb', tags: ['x\uFEFF'] }, 'create');
    const block = createBlock({ collection: col, doc: deriveDocId(col, accepted), parents: [], clock: [1, 0], set: accepted }, me);
    expect(decodeBlock(block.bytes).block.set).toStrictEqual(accepted);
  });

  it('whatever validation accepts decodes from the block exactly as the writer holds it (property)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.record({ s: text, id: text, f: fc.double(), i: fc.integer(), meta: json, tags: fc.array(text, { maxLength: 3 }) }, { requiredKeys: [] }),
      async (input) => {
        let accepted;
        try {
          accepted = validateFields(def, input, 'create');
        } catch {
          return; // refused at the edge: nothing stored anywhere
        }
        const block = createBlock({ collection: col, doc: deriveDocId(col, accepted), parents: [], clock: [1, 0], set: accepted }, me);
        const received = decodeBlock(block.bytes).block.set;
        // What another node decodes is what the writer keeps (Object.is equality, so -0 and 0 differ too).
        expect(received).toStrictEqual(accepted);
        expect(dagCbor.encode(received)).toEqual(dagCbor.encode(accepted));
        await verifyBlock(block.bytes, ctx, block.cid);
      },
    ), { numRuns: 300 });
  });
});
