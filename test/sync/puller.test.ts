/** The puller against a scripted peer: when it sends its next request, and what it refuses. */
import { describe, expect, it } from 'vitest';
import type { DocId, PeerIdString } from '../../src/core/ids.js';
import type { Database } from '../../src/db/database.js';
import { Puller } from '../../src/sync/puller.js';
import { decodeRequest, encodeResponse, type SyncResponse } from '../../src/sync/request-codec.js';
import type { SyncNetwork } from '../../src/sync/network.js';
import type { ReplicaPort } from '../../src/sync/ports.js';
import { ProtocolDecodeError } from '../../src/sync/errors.js';
import { memoryDb } from '../helpers/db.js';

const PEER = 'peer-a' as PeerIdString;

/** Six documents' blocks from a real engine, in DocID order. */
async function sixBlocks(): Promise<{ source: Database; blocks: Array<{ doc: DocId; bytes: Uint8Array }> }> {
  const source = await memoryDb();
  const docs = await source.createMany('User', Array.from({ length: 6 }, (_, i) => ({ name: `u${i}` })));
  const blocks = [];
  for (const d of [...docs].sort((x, y) => (x.id < y.id ? -1 : 1))) {
    const [b] = await source.missingBlocks(d.id as DocId, []);
    blocks.push({ doc: d.id as DocId, bytes: b!.bytes });
  }
  return { source, blocks };
}

/** A network whose peer answers each pull with the scripted frames; logs when each request was sent. */
function scripted(answers: Array<(after: DocId | null) => SyncResponse[]>, log: string[]): SyncNetwork {
  let n = 0;
  const closed: number[] = [];
  const net = {
    closed,
    async *request(_peer: PeerIdString, data: Uint8Array) {
      const req = decodeRequest(data);
      const k = n++;
      log.push(`request ${k}`);
      if (req.kind !== 'pull' || req.scope !== 'range') throw new Error('a range pull was expected');
      try {
        for (const res of answers[k]!(req.after ?? null)) {
          await Promise.resolve();
          yield encodeResponse(res);
        }
      } finally {
        closed.push(k);
      }
    },
  };
  return net as unknown as SyncNetwork;
}

/** The puller's view of a fresh node whose applies wait for `gate`. */
function receiver(db: Database, gate: Promise<void>, log: string[]): ReplicaPort {
  let k = 0;
  return {
    collectionHeads: async () => new Map(),
    applyBlocks: async (items: Parameters<Database['applyBlocks']>[0], origin: string, opts?: Parameters<Database['applyBlocks']>[2]) => {
      const i = k++;
      log.push(`apply ${i} start`);
      if (opts?.pack === 'neighbours') log.push(`apply ${i} ranged`);
      await gate;
      const r = await db.applyBlocks(items, origin as never, opts);
      log.push(`apply ${i} end`);
      return r;
    },
  } as unknown as ReplicaPort;
}

describe('Puller', () => {
  it('sends the next request as soon as the peer says where to resume, while this answer is still applied', async () => {
    const { source, blocks } = await sixBlocks();
    const log: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((r) => { open = r; });
    const net = scripted([
      () => [{ kind: 'more', after: blocks[3]!.doc }, { kind: 'blocks', total: 4, blocks: blocks.slice(0, 2).map((b) => b.bytes) }, { kind: 'blocks', blocks: blocks.slice(2, 4).map((b) => b.bytes) }],
      (after) => {
        expect(after).toBe(blocks[3]!.doc);
        return [{ kind: 'blocks', total: 2, blocks: blocks.slice(4).map((b) => b.bytes) }];
      },
    ], log);
    const target = await memoryDb();
    const col = target.collection('User');
    const puller = new Puller({ db: receiver(target, gate, log), network: net, log: () => undefined, progress: () => undefined, fingerprints: async () => { throw new Error('unused'); } });
    const done = puller.pull(PEER, col, { all: true });
    await expect.poll(() => log.includes('apply 0 start')).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    // The first frame is still being applied, and the second request is out already.
    expect(log).toContain('request 1');
    expect(log.indexOf('request 1')).toBeLessThan(log.indexOf('apply 0 end') === -1 ? Infinity : log.indexOf('apply 0 end'));
    open();
    const result = await done;
    expect(result.applied).toBe(6);
    expect((await target.list('User')).length).toBe(6);
    await source.close();
    await target.close();
  });

  it('still follows a peer that says where to resume after its blocks', async () => {
    const { source, blocks } = await sixBlocks();
    const log: string[] = [];
    const net = scripted([
      () => [{ kind: 'blocks', total: 3, blocks: blocks.slice(0, 3).map((b) => b.bytes) }, { kind: 'more', after: blocks[2]!.doc }],
      () => [{ kind: 'blocks', total: 3, blocks: blocks.slice(3).map((b) => b.bytes) }],
    ], log);
    const target = await memoryDb();
    const puller = new Puller({ db: receiver(target, Promise.resolve(), log), network: net, log: () => undefined, progress: () => undefined, fingerprints: async () => { throw new Error('unused'); } });
    expect((await puller.pull(PEER, target.collection('User'), { all: true })).applied).toBe(6);
    expect(log.filter((l) => l.startsWith('request'))).toEqual(['request 0', 'request 1']);
    // The pages of a range pull are applied as such (the store may keep their new documents together).
    expect(log.filter((l) => l.endsWith('ranged')).length).toBe(log.filter((l) => l.endsWith(' start')).length);
    await source.close();
    await target.close();
  });

  it('refuses a second resume point in one answer, and abandons the request it sent early', async () => {
    const { source, blocks } = await sixBlocks();
    const log: string[] = [];
    const net = scripted([
      () => [{ kind: 'more', after: blocks[1]!.doc }, { kind: 'blocks', total: 2, blocks: blocks.slice(0, 2).map((b) => b.bytes) }, { kind: 'more', after: blocks[4]!.doc }],
      () => [{ kind: 'blocks', total: 1, blocks: [blocks[2]!.bytes] }, { kind: 'blocks', blocks: [blocks[3]!.bytes] }],
    ], log);
    const target = await memoryDb();
    const puller = new Puller({ db: receiver(target, Promise.resolve(), log), network: net, log: () => undefined, progress: () => undefined, fingerprints: async () => { throw new Error('unused'); } });
    await expect(puller.pull(PEER, target.collection('User'), { all: true })).rejects.toThrow(ProtocolDecodeError);
    expect(log).toContain('request 1');
    // Both answers were closed: the one refused, and the one asked for early.
    expect([...(net as unknown as { closed: number[] }).closed].sort()).toEqual([0, 1]);
    await source.close();
    await target.close();
  });

  it('refuses a resume point outside the range asked for, before asking again', async () => {
    const { source, blocks } = await sixBlocks();
    const log: string[] = [];
    const net = scripted([
      (after) => [{ kind: 'more', after: after ?? blocks[0]!.doc }, { kind: 'blocks', total: 1, blocks: [blocks[0]!.bytes] }],
      (after) => [{ kind: 'more', after: after! }],
    ], log);
    const target = await memoryDb();
    const puller = new Puller({ db: receiver(target, Promise.resolve(), log), network: net, log: () => undefined, progress: () => undefined, fingerprints: async () => { throw new Error('unused'); } });
    await expect(puller.pull(PEER, target.collection('User'), { all: true })).rejects.toThrow(/outside the range/);
    expect(log.filter((l) => l.startsWith('request'))).toEqual(['request 0', 'request 1']);
    await source.close();
    await target.close();
  });
});
