import { describe, expect, it } from 'vitest';
import { Server } from '../../src/sync/server.js';
import { decodeResponse, encodeRequest } from '../../src/sync/request-codec.js';
import type { PeerIdString } from '../../src/core/ids.js';
import { FIRST_SLICE_DOCS } from '../../src/db/database.js';
import { memoryDb } from '../helpers/db.js';

const P = 'peer-a' as PeerIdString;

describe('the server', () => {
  it('answers a range pull while reading it: the first frame leaves before the rest of the page is read', async () => {
    const db = await memoryDb();
    const docs = await db.createMany('User', Array.from({ length: 600 }, (_, i) => ({ name: `u${i}` })));
    const ids = docs.map((d) => d.id).sort();
    // Every read of blocks after the first waits until the test lets it go.
    const store = (db as unknown as { store: Record<string, (...x: unknown[]) => Promise<unknown[]>> }).store;
    let reads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    for (const m of ['blocksOfDocRange', 'blocksOfDocs']) {
      const f = store[m]!.bind(store);
      store[m] = async (...x: unknown[]) => {
        if (reads++ > 0) await gate;
        return f(...x);
      };
    }
    const server = new Server({ db, hello: async () => ({ collections: [], subscribed: [], digests: [] }), heard: () => undefined, fingerprints: async () => { throw new Error('not used'); }, log: () => undefined },
      { rangeDocs: 400 });
    const answer = server.answer(P, encodeRequest({ kind: 'pull', collection: db.collection('User').id, scope: 'range', heads: new Map() }));
    const first = decodeResponse((await answer.next()).value!);
    expect(first).toMatchObject({ kind: 'blocks', total: FIRST_SLICE_DOCS });
    expect(reads).toBe(1);
    release();
    const rest = [];
    for await (const f of answer) rest.push(decodeResponse(f));
    // The page ends at its 400th document: said before the last slice's blocks, which follow.
    expect(rest).toMatchObject([{ kind: 'more', after: ids[399] }, { kind: 'blocks', total: 400 - FIRST_SLICE_DOCS }]);
  });

  it('an answer with nothing to send is one empty frame; a failed read mid-answer ends it with an error frame', async () => {
    const db = await memoryDb();
    await db.createMany('User', Array.from({ length: 300 }, (_, i) => ({ name: `u${i}` })));
    const col = db.collection('User').id;
    const server = new Server({ db, hello: async () => ({ collections: [], subscribed: [], digests: [] }), heard: () => undefined, fingerprints: async () => { throw new Error('not used'); }, log: () => undefined });
    const all = async (heads: ReadonlyMap<never, never>) => {
      const out = [];
      for await (const f of server.answer(P, encodeRequest({ kind: 'pull', collection: col, scope: 'range', heads }))) out.push(decodeResponse(f));
      return out;
    };
    const everything = await db.collectionHeads(col);
    expect(await all(everything as never)).toEqual([{ kind: 'blocks', total: 0, blocks: [] }]);
    const store = (db as unknown as { store: Record<string, (...x: unknown[]) => Promise<unknown[]>> }).store;
    let reads = 0;
    for (const m of ['blocksOfDocRange', 'blocksOfDocs']) {
      const f = store[m]!.bind(store);
      store[m] = async (...x: unknown[]) => {
        if (reads++ > 0) throw new Error('the disk went away');
        return f(...x);
      };
    }
    const frames = await all(new Map<never, never>());
    expect(frames.map((f) => f.kind)).toEqual(['blocks', 'error']);
    expect(frames[1]).toMatchObject({ message: expect.stringMatching(/the disk went away/) });
  });
});
