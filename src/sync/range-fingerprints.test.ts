import { describe, expect, it } from 'vitest';
import type { BlockCid, DocId } from '../core/ids.js';
import { cidOfBytes } from '../core/hash.js';
import { FP_BYTES, FingerprintIndex, docFingerprint, inRange, sameFingerprint, separator } from './range-fingerprints.js';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from './request-codec.js';

const cidOf = async (i: number): Promise<BlockCid> => cidOfBytes(new TextEncoder().encode(`block ${i}`)).toString() as BlockCid;
const docId = (i: number): DocId => `bae-${(i * 2654435761 % 2 ** 32).toString(16).padStart(8, '0')}-0000-5000-8000-${String(i).padStart(12, '0')}` as DocId;

async function heads(n: number, edit = new Map<number, number>()): Promise<Map<DocId, BlockCid[]>> {
  const out = new Map<DocId, BlockCid[]>();
  for (let i = 0; i < n; i++) out.set(docId(i), [await cidOf(edit.get(i) ?? i)]);
  return out;
}

describe('range fingerprints', () => {
  it('a document fingerprint depends on its set of heads, not their order', async () => {
    const [x, y] = [await cidOf(1), await cidOf(2)];
    expect(docFingerprint([x, y])).toEqual(docFingerprint([y, x]));
    expect(sameFingerprint(docFingerprint([x]), docFingerprint([y]))).toBe(false);
    expect(docFingerprint([x]).byteLength).toBe(FP_BYTES);
  });

  it('separator is the shortest prefix of the upper DocID above the lower one', () => {
    expect(separator('bae-12aa', 'bae-13bb')).toBe('bae-13');
    expect(separator('bae-1', 'bae-10')).toBe('bae-10');
    for (const [lo, hi] of [['a', 'b'], ['abc', 'abd'], ['ab', 'abc'], ['bae-0f', 'bae-10']]) {
      const s = separator(lo!, hi!);
      expect(s > lo! && s <= hi!, `${lo} < ${s} <= ${hi}`).toBe(true);
    }
  });

  it('splits cover a range exactly, in order, with counts and fingerprints that add up', async () => {
    const index = FingerprintIndex.fromHeads(await heads(1000));
    const whole = index.summary(null, null);
    expect(whole.count).toBe(1000);
    const parts = index.split(null, null, 16);
    expect(parts).toHaveLength(16);
    expect(parts[0]!.lo).toBeNull();
    expect(parts.at(-1)!.hi).toBeNull();
    for (let i = 1; i < parts.length; i++) expect(parts[i]!.lo).toBe(parts[i - 1]!.hi);
    expect(parts.reduce((n, p) => n + p.count, 0)).toBe(1000);
    const xor = new Uint8Array(FP_BYTES);
    for (const p of parts) p.fp.forEach((b, i) => { xor[i]! ^= b; });
    expect(xor).toEqual(whole.fp);
    for (const p of parts) expect(index.summary(p.lo, p.hi)).toEqual(p);
    // Bounds are short: a prefix of a DocID, not a whole one.
    expect(Math.max(...parts.slice(0, -1).map((p) => p.hi!.length))).toBeLessThan(12);
    // A sub-range splits again within itself; one with fewer documents than parts gives one part per document.
    const inner = index.split(parts[3]!.lo, parts[3]!.hi, 16);
    expect(inner.reduce((n, p) => n + p.count, 0)).toBe(parts[3]!.count);
    expect(inner[0]!.lo).toBe(parts[3]!.lo);
    expect(inner.at(-1)!.hi).toBe(parts[3]!.hi);
    const few = index.split(inner[0]!.lo, inner[0]!.hi, 16);
    expect(few.every((p) => p.count === 1)).toBe(true);
  });

  it('equal sets summarise equally; one changed document changes exactly the ranges that hold it', async () => {
    const a = FingerprintIndex.fromHeads(await heads(500));
    const b = FingerprintIndex.fromHeads(await heads(500, new Map([[123, 9999]])));
    expect(sameFingerprint(a.summary(null, null).fp, b.summary(null, null).fp)).toBe(false);
    const differing = a.split(null, null, 16).filter((r) => !sameFingerprint(r.fp, b.summary(r.lo, r.hi).fp));
    expect(differing).toHaveLength(1);
    expect(inRange(docId(123), differing[0]!)).toBe(true);
    expect(a.entries(differing[0]!.lo, differing[0]!.hi).map(([d]) => d)).toContain(docId(123));
    expect(sameFingerprint(a.fingerprintOf(docId(123))!, b.fingerprintOf(docId(123))!)).toBe(false);
    expect(a.fingerprintOf('bae-none' as DocId)).toBeUndefined();
  });

  it('reconciliation requests and answers round-trip, and malformed ones are refused', async () => {
    const index = FingerprintIndex.fromHeads(await heads(100));
    const collection = 'bafyreigk7nwtnurbwzv3uemdqo5czgafh33q5s3cylol4ozgvja75i5mca';
    const req = { kind: 'recon' as const, collection: collection as never, ranges: index.split(null, null, 4) };
    expect(decodeRequest(encodeRequest(req))).toEqual(req);
    const res = { kind: 'recon' as const, splits: [{ range: 1, parts: index.split(null, null, 3).map(({ hi, count, fp }) => ({ hi, count, fp })) }], leaves: [{ range: 0, docs: index.entries(null, null, 5) }] };
    expect(decodeResponse(encodeResponse(res))).toEqual(res);
    const bad = (r: unknown) => () => decodeRequest(encodeRequest(r as never));
    expect(bad({ ...req, ranges: [] })).toThrow(/recon ranges/);
    expect(bad({ ...req, ranges: Array.from({ length: 65 }, () => req.ranges[0]) })).toThrow(/recon ranges/);
    expect(bad({ ...req, ranges: [{ lo: 'b', hi: 'a', count: 1, fp: new Uint8Array(FP_BYTES) }] })).toThrow(/empty or reversed/);
    expect(bad({ ...req, ranges: [{ lo: null, hi: null, count: -1, fp: new Uint8Array(FP_BYTES) }] })).toThrow(/count/);
    expect(bad({ ...req, ranges: [{ lo: null, hi: null, count: 1, fp: new Uint8Array(3) }] })).toThrow(/fingerprint/);
    expect(bad({ ...req, ranges: [{ lo: 'x'.repeat(65), hi: null, count: 1, fp: new Uint8Array(FP_BYTES) }] })).toThrow(/start is malformed/);
    const badRes = (r: unknown) => () => decodeResponse(encodeResponse(r as never));
    expect(badRes({ ...res, splits: [{ range: 1, parts: [] }] })).toThrow(/split is malformed/);
    expect(badRes({ ...res, splits: [{ range: 99, parts: res.splits[0]!.parts }] })).toThrow(/range index/);
    expect(badRes({ ...res, leaves: [{ range: 0, docs: index.entries(null, null, 17) }] })).toThrow(/leaf is malformed/);
    expect(badRes({ ...res, leaves: [{ range: 0, docs: [['not a doc', new Uint8Array(FP_BYTES)]] }] })).toThrow(/DocID/);
  });
});
