import { describe, expect, it } from 'vitest';
import type { BlockCid, DocId } from '../../src/core/ids.js';
import { collectionIdOf } from '../../src/core/collection-id.js';
import { parseSdl } from '../../src/core/schema.js';
import { encodeCbor } from '../../src/core/hash.js';
import { FrameDecoder, encodeFrame } from '../../src/sync/frames.js';
import { MAX_GOSSIP_BYTES, decodeGossip, encodeGossip, encodeGossipChunks } from '../../src/sync/gossip-codec.js';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, type Hello } from '../../src/sync/request-codec.js';
import { seededRandom } from './memory-network.js';

const PEER = '12D3KooWFusC6bP1QzWPDoxR78gBw3mQ2UNigyWHiNDmPHKMeyXe';

const def = parseSdl('type User { name: String age: Int tags: [String!]! }')[0]!;
const col = collectionIdOf(def);
const doc = 'bae-00000000-0000-5000-8000-000000000000' as DocId;
const cid = 'bafyreigk7nwtnurbwzv3uemdqo5czgafh33q5s3cylol4ozgvja75i5mca' as BlockCid;
const nameOf = (fn: () => unknown): string => {
  try { fn(); } catch (err) { return (err as Error).name; }
  return 'no error';
};

describe('gossip codec', () => {
  it('round-trips and splits by size', () => {
    const blocks = [new Uint8Array([1, 2, 3]), new Uint8Array(100).fill(9)];
    expect(decodeGossip(encodeGossip({ collection: col, blocks }))).toEqual({ collection: col, blocks });
    const big = Array.from({ length: 5 }, () => new Uint8Array(200 * 1024));
    const chunks = encodeGossipChunks(col, big);
    expect(chunks.length).toBe(3);
    expect(chunks.every((c) => c.byteLength <= MAX_GOSSIP_BYTES)).toBe(true);
    expect(chunks.flatMap((c) => decodeGossip(c).blocks)).toHaveLength(5);
  });

  it('rejects garbage with named errors', () => {
    const random = seededRandom(3);
    for (let i = 0; i < 50; i++) {
      const junk = Uint8Array.from({ length: 1 + Math.floor(random() * 300) }, () => Math.floor(random() * 256));
      expect(nameOf(() => decodeGossip(junk))).toBe('ProtocolDecodeError');
    }
    const good = encodeGossip({ collection: col, blocks: [new Uint8Array([1])] });
    for (let n = 0; n < good.byteLength; n++) expect(nameOf(() => decodeGossip(good.slice(0, n)))).toBe('ProtocolDecodeError');
    expect(nameOf(() => decodeGossip(new Uint8Array(MAX_GOSSIP_BYTES + 1)))).toBe('MessageTooLargeError');
    expect(nameOf(() => decodeGossip(encodeCbor({ v: 1, c: 'not a cid', b: [new Uint8Array(1)] })))).toBe('ProtocolDecodeError');
    expect(nameOf(() => decodeGossip(encodeCbor({ v: 1, c: col, b: [] })))).toBe('ProtocolDecodeError');
    expect(nameOf(() => decodeGossip(encodeCbor({ v: 1, c: col, b: ['text'] })))).toBe('ProtocolDecodeError');
    expect(nameOf(() => decodeGossip(encodeCbor({ v: 2, c: col, b: [new Uint8Array(1)] })))).toBe('ProtocolDecodeError');
    expect(nameOf(() => decodeGossip('bytes?' as never))).toBe('ProtocolDecodeError');
  });
});

describe('request codec', () => {
  const hello: Hello = { collections: [def], subscribed: [col], digests: [{ collection: col, digest: { count: 3, xor: new Uint8Array(32).fill(7) } }] };

  it('round-trips a hello with the node name and its peers', () => {
    const named: Hello = { ...hello, name: 'node-2', peers: [{ id: PEER, name: 'node-3' }, { id: PEER }] };
    expect(decodeRequest(encodeRequest({ kind: 'hello', hello: named }))).toEqual({ kind: 'hello', hello: named });
  });

  it('round-trips a partial hello (definitions left out; its digests name its collections)', () => {
    const partial: Hello = { ...hello, collections: [], partial: true };
    expect(decodeRequest(encodeRequest({ kind: 'hello', hello: partial }))).toEqual({ kind: 'hello', hello: partial });
    expect(encodeRequest({ kind: 'hello', hello: partial }).byteLength).toBeLessThan(encodeRequest({ kind: 'hello', hello }).byteLength);
    // Compact: subscriptions as flags on their digests; decoded back to the same hello.
    const compact = encodeRequest({ kind: 'hello', hello: { ...partial, compact: true } });
    expect(compact.byteLength).toBeLessThan(encodeRequest({ kind: 'hello', hello: partial }).byteLength - 50);
    expect(decodeRequest(compact)).toEqual({ kind: 'hello', hello: partial });
  });

  it('round-trips hello and pull requests, and every response frame', () => {
    expect(decodeRequest(encodeRequest({ kind: 'hello', hello }))).toEqual({ kind: 'hello', hello });
    const pull = { kind: 'pull' as const, collection: col, scope: 'docs' as const, heads: new Map([[doc, [cid]]]) };
    expect(decodeRequest(encodeRequest(pull))).toEqual(pull);
    expect(decodeResponse(encodeResponse({ kind: 'hello', hello }))).toEqual({ kind: 'hello', hello });
    expect(decodeResponse(encodeResponse({ kind: 'blocks', total: 2, blocks: [new Uint8Array([1]), new Uint8Array([2])] })))
      .toEqual({ kind: 'blocks', total: 2, blocks: [new Uint8Array([1]), new Uint8Array([2])] });
    expect(decodeResponse(encodeResponse({ kind: 'blocks', blocks: [] }))).toEqual({ kind: 'blocks', blocks: [] });
    expect(decodeResponse(encodeResponse({ kind: 'error', message: 'no' }))).toEqual({ kind: 'error', message: 'no' });
  });

  it('rejects malformed requests and responses with ProtocolDecodeError', () => {
    const cases: unknown[] = [
      { v: 1, k: 'nope' },
      { v: 1, k: 'pull', c: col, s: 'some', h: [] },
      { v: 1, k: 'pull', c: col, s: 'all', h: [['bae-bad', [cid]]] },
      { v: 1, k: 'pull', c: col, s: 'all', h: [[doc, ['not-a-cid']]] },
      { v: 1, k: 'hello', h: { c: [{ n: 'User', f: [['age', 'Integer', false, false, false]] }], s: [], d: [] } },
      { v: 1, k: 'hello', h: { c: [], s: [], d: [[col, -1, new Uint8Array(32)]] } },
      { v: 1, k: 'hello', h: { c: [], s: [], d: [[col, 1, new Uint8Array(3)]] } },
      // Names and peers from hostile peers are bounded.
      { v: 1, k: 'hello', h: { c: [], s: [], d: [], n: 'x'.repeat(65) } },
      { v: 1, k: 'hello', h: { c: [], s: [], d: [], n: 'bell\u0007' } },
      { v: 1, k: 'hello', h: { c: [], s: [], d: [], n: '' } },
      { v: 1, k: 'hello', h: { c: [], s: [], d: [], p: Array.from({ length: 65 }, () => [PEER]) } },
      { v: 1, k: 'hello', h: { c: [], s: [], d: [], p: [['not a peer id']] } },
      { v: 1, k: 'hello', h: { c: [], s: [], d: [], p: [[PEER, 'x'.repeat(65)]] } },
      [1, 2, 3],
    ];
    for (const c of cases) expect(nameOf(() => decodeRequest(encodeCbor(c)))).toBe('ProtocolDecodeError');
    expect(nameOf(() => decodeRequest(new Uint8Array([0xff, 0x00])))).toBe('ProtocolDecodeError');
    expect(nameOf(() => decodeResponse(encodeCbor({ k: 'blocks', b: [1] })))).toBe('ProtocolDecodeError');
    expect(nameOf(() => decodeResponse(encodeCbor({ k: 'blocks', n: -3, b: [] })))).toBe('ProtocolDecodeError');
    expect(nameOf(() => decodeResponse(encodeCbor({ k: 'error' })))).toBe('ProtocolDecodeError');
  });
});

describe('frames', () => {
  it('reassembles frames split at any boundary', () => {
    const payloads = [new Uint8Array(0), new Uint8Array([1]), new Uint8Array(300).fill(5), new Uint8Array(20_000).fill(6)];
    const wire = new Uint8Array(payloads.reduce((n, p) => n + encodeFrame(p).byteLength, 0));
    let at = 0;
    for (const p of payloads) { const f = encodeFrame(p); wire.set(f, at); at += f.byteLength; }
    const random = seededRandom(11);
    for (let round = 0; round < 20; round++) {
      const dec = new FrameDecoder();
      const out: Uint8Array[] = [];
      for (let i = 0; i < wire.byteLength;) {
        const n = 1 + Math.floor(random() * 700);
        out.push(...dec.push(wire.slice(i, i + n)));
        i += n;
      }
      expect(out).toEqual(payloads);
      expect(dec.empty).toBe(true);
    }
  });

  it('refuses frames over the limit and overlong length prefixes', () => {
    expect(nameOf(() => new FrameDecoder(10).push(encodeFrame(new Uint8Array(11))))).toBe('MessageTooLargeError');
    expect(nameOf(() => new FrameDecoder().push(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])))).toBe('ProtocolDecodeError');
  });
});

