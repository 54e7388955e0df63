import { describe, expect, it } from 'vitest';
import { ServeLimiter } from '../../src/sync/serve-limits.js';
import { Server } from '../../src/sync/server.js';
import { decodeResponse, encodeRequest } from '../../src/sync/request-codec.js';
import type { PeerIdString } from '../../src/core/ids.js';
import type { ActivityEntry } from '../../src/sync/events.js';
import { memoryDb } from '../helpers/db.js';

const P = 'peer-a' as PeerIdString;
const Q = 'peer-b' as PeerIdString;

describe('serve limits', () => {
  it('admits a few answers per peer at once, and refills the byte budget over time', () => {
    let now = 0;
    const l = new ServeLimiter({ maxConcurrentPerPeer: 2, bytesPerWindow: 1000, windowMs: 1000, now: () => now });
    const a = l.begin(P);
    const b = l.begin(P);
    const c = l.begin(P);
    expect([a.ok, b.ok, c.ok]).toEqual([true, true, false]);
    expect(!c.ok && c.reason).toMatch(/too many requests at once/);
    expect(l.begin(Q).ok).toBe(true); // another peer has its own limits
    if (!a.ok || !b.ok) throw new Error('unreachable');
    a.slot.release();
    a.slot.release(); // idempotent
    const d = l.begin(P);
    expect(d.ok).toBe(true);
    if (!d.ok) throw new Error('unreachable');
    expect(d.slot.charge(600)).toBe(true);
    expect(d.slot.charge(600)).toBe(false);
    b.slot.release();
    d.slot.release();
    const spent = l.begin(P);
    expect(!spent.ok && spent.reason).toMatch(/served too much lately .* retry in \d+ s/);
    now += 500; // half a window refills half the budget
    expect(l.begin(P).ok).toBe(true);
  });

  it("the server releases a peer's slot when its answer ends early, and logs every refusal", async () => {
    const db = await memoryDb();
    await db.createMany('User', Array.from({ length: 50 }, (_, i) => ({ name: `u${i}` })));
    const log: Array<Omit<ActivityEntry, 'at'>> = [];
    const server = new Server({ db, hello: async () => ({ collections: [], subscribed: [], digests: [] }), heard: () => undefined, fingerprints: async () => { throw new Error('not used'); }, log: (e) => log.push(e) },
      { chunkBlocks: 10, limits: { maxConcurrentPerPeer: 1 } });
    const req = encodeRequest({ kind: 'pull', collection: db.collection('User').id, scope: 'range', heads: new Map() });
    const first = server.answer(P, req);
    expect(decodeResponse((await first.next()).value!)).toMatchObject({ kind: 'blocks', total: 50 });
    // A second answer at once is refused (and logged)…
    const refused = [];
    for await (const f of server.answer(P, req)) refused.push(decodeResponse(f));
    expect(refused).toEqual([{ kind: 'error', message: expect.stringMatching(/too many requests at once/) }]);
    expect(log.filter((e) => e.peer === P && e.message.startsWith(`Refused a request from ${P}`))).toHaveLength(1);
    // …until the first ends early (the network stopped reading it): its slot is free again.
    await first.return(undefined);
    const again = [];
    for await (const f of server.answer(P, req)) again.push(decodeResponse(f));
    expect(again).toHaveLength(5);
  });
});
