/** What the shared sync test cases need from a network under test (memory or libp2p). */
import type { Database } from '../../src/db/database.js';
import type { PeerIdString } from '../../src/core/ids.js';
import type { MemoryData } from '../../src/store/memory-store.js';
import { createMemoryData } from '../../src/store/memory-store.js';
import type { SyncNetwork } from '../../src/sync/network.js';
import { storeSettings } from '../../src/sync/ports.js';
import { Sync, type SyncInit } from '../../src/sync/sync.js';
import { decodeRequest, type SyncRequest } from '../../src/sync/request-codec.js';
import type { ActivityEntry } from '../../src/sync/events.js';
import { USER_SDL, memoryDb } from '../helpers/db.js';

/** A Post collection, shared by the cases. */
export const POST_SDL = 'type Post { title: String body: String }';

/** A peer under test: its database, engine and network. */
export interface TestPeer {
  readonly name: string;
  readonly id: PeerIdString;
  db: Database;
  sync: Sync;
  readonly network: SyncNetwork;
  readonly data: MemoryData;
  /** Kinds of the requests this peer sent. */
  readonly requests: Array<SyncRequest['kind']>;
  /** Bytes of the requests this peer sent and of the answers it received (so both peers' sum is all sync traffic). */
  readonly traffic: Traffic;
}

/** How a test peer is made. */
export interface PeerOptions {
  /** SDL to add (default User and Post). */
  readonly sdl?: string;
  readonly sync?: SyncInit;
  readonly now?: () => number;
}

/** A network under test. */
export interface SyncHarness {
  readonly kind: 'memory' | 'libp2p';
  peer(name: string, opts?: PeerOptions): Promise<TestPeer>;
  /** Connects two peers; resolves once each lists the other among its sync peers. */
  connect(a: TestPeer, b: TestPeer): Promise<void>;
  /** Disconnects two peers; resolves once neither lists the other. */
  disconnect(a: TestPeer, b: TestPeer): Promise<void>;
  /** Resolves when messages on `topic` flow between every connected pair of these peers (gossip mesh formed). */
  ready(peers: readonly TestPeer[], topic: string): Promise<void>;
  close(): Promise<void>;
}

/** Request-stream bytes one peer caused: what it sent and what it was answered. */
export interface Traffic {
  sent: number;
  received: number;
}

/** Counts the bytes of an answer as it is read. */
async function* counted(frames: AsyncIterable<Uint8Array>, traffic: Traffic): AsyncGenerator<Uint8Array> {
  for await (const f of frames) {
    traffic.received += f.byteLength;
    yield f;
  }
}

/** Wraps a network to record the kinds of requests sent (and, given `traffic`, their bytes both ways). */
export function recordRequests(inner: SyncNetwork, log: Array<SyncRequest['kind']>, traffic?: Traffic): SyncNetwork {
  return {
    get selfId() { return inner.selfId; },
    subscribe: (t) => inner.subscribe(t),
    unsubscribe: (t) => inner.unsubscribe(t),
    publish: (t, d) => inner.publish(t, d),
    onMessage: (h) => inner.onMessage(h),
    handle: (h) => inner.handle(h),
    onPeer: (h) => inner.onPeer(h),
    peers: () => inner.peers(),
    ...(inner.onProblem ? { onProblem: (h: Parameters<NonNullable<SyncNetwork['onProblem']>>[0]) => inner.onProblem!(h) } : {}),
    ...(inner.onPeerTopic ? { onPeerTopic: (h: (peer: PeerIdString, topic: string, subscribed: boolean) => void) => inner.onPeerTopic!(h) } : {}),
    request: (peer, data, opts) => {
      try { log.push(decodeRequest(data).kind); } catch { /* recorded only when well-formed */ }
      if (!traffic) return inner.request(peer, data, opts);
      traffic.sent += data.byteLength;
      return counted(inner.request(peer, data, opts), traffic);
    },
  };
}

/** Builds a started test peer over a network endpoint. */
export async function makeTestPeer(name: string, network: SyncNetwork, opts: PeerOptions = {}): Promise<TestPeer> {
  const data = createMemoryData();
  const db = await memoryDb({ data, user: false, ...(opts.now ? { now: opts.now } : {}) });
  await db.addSchema(opts.sdl ?? `${USER_SDL}\n${POST_SDL}`);
  const requests: Array<SyncRequest['kind']> = [];
  const traffic: Traffic = { sent: 0, received: 0 };
  const wrapped = recordRequests(network, requests, traffic);
  const sync = new Sync({ replica: db, settings: storeSettings(db.store), network: wrapped }, opts.sync);
  await sync.start();
  return { name, id: network.selfId, db, sync, network: wrapped, data, requests, traffic };
}

/** Resolves when `check` holds; re-checks every 20 ms (waiting on a condition, not a fixed sleep). */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Activity entries of a peer matching a filter. */
export function entries(p: TestPeer, filter: Partial<Pick<ActivityEntry, 'level' | 'peer' | 'topic'>> & { text?: string } = {}): ActivityEntry[] {
  return p.sync.recentActivity().filter((e) =>
    (filter.level === undefined || e.level === filter.level)
    && (filter.peer === undefined || e.peer === filter.peer)
    && (filter.topic === undefined || e.topic === filter.topic)
    && (filter.text === undefined || e.message.includes(filter.text)));
}

/** JSON with object keys sorted, so equal values compare equal as strings. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Uint8Array) return Array.from(v);
    if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)));
    return v;
  });
}

/** Everything a node holds in its collections (documents sorted by ID), for "nothing changed" and convergence checks. */
export async function snapshot(db: Database): Promise<string> {
  const out: Record<string, unknown> = {};
  for (const c of db.collections()) {
    const docs = (await db.list(c.name, { includeDeleted: true })).sort((x, y) => (x.id < y.id ? -1 : 1));
    out[c.name] = { docs, digest: await db.digest(c.id) };
  }
  return canonical(out);
}

/** Asserts two nodes hold the same state without printing thousands of documents on failure. */
export async function sameState(a: Database, b: Database): Promise<boolean> {
  return (await snapshot(a)) === (await snapshot(b));
}
