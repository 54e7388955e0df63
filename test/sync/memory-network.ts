/**
 * An in-memory SyncNetwork for tests: linked peers, connect/disconnect between any two, topic fan-out
 * to subscribed neighbours with forwarding of accepted messages (gossip-like, deduplicated by message
 * id), requests answered by the peer's handler, deliveries on microtasks, optional seeded drop/reorder.
 */
import type { PeerIdString } from '../../src/core/ids.js';
import { PeerUnreachableError } from '../../src/sync/errors.js';
import type { MessageHandler, PeerHandler, RequestHandler, SyncNetwork } from '../../src/sync/network.js';

/** Options of a memory network. */
export interface MemoryNetworkInit {
  /** Seed of the random source used for drops and reordering (default 1). */
  readonly seed?: number;
  /** Probability that a pubsub delivery is lost (default 0). */
  readonly dropRate?: number;
  /** Deliver pending pubsub messages in a random order (default false). */
  readonly reorder?: boolean;
}

/** Counters for assertions. */
export interface MemoryStats {
  published: number;
  delivered: number;
  forwarded: number;
  dropped: number;
  requests: number;
}

interface Wire {
  readonly id: string;
  readonly topic: string;
  readonly origin: PeerIdString;
  readonly data: Uint8Array;
}

/** A small seeded PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One peer of a memory network. */
export class MemoryPeer implements SyncNetwork {
  readonly topics = new Set<string>();
  readonly seen = new Set<string>();
  readonly peerHandlers = new Set<PeerHandler>();
  messageHandler: MessageHandler | undefined;
  requestHandler: RequestHandler | undefined;
  private seq = 0;

  constructor(readonly selfId: PeerIdString, private readonly net: MemoryNetwork) {}

  subscribe(topic: string): void { this.topics.add(topic); }
  unsubscribe(topic: string): void { this.topics.delete(topic); }

  async publish(topic: string, data: Uint8Array): Promise<void> {
    const msg: Wire = { id: `${this.selfId}:${this.seq++}`, topic, origin: this.selfId, data: data.slice() };
    this.seen.add(msg.id);
    this.net.stats.published++;
    this.net.fanOut(this, msg);
  }

  onMessage(handler: MessageHandler): () => void {
    this.messageHandler = handler;
    return () => { if (this.messageHandler === handler) this.messageHandler = undefined; };
  }

  handle(handler: RequestHandler): () => void {
    this.requestHandler = handler;
    return () => { if (this.requestHandler === handler) this.requestHandler = undefined; };
  }

  onPeer(handler: PeerHandler): () => void {
    this.peerHandlers.add(handler);
    return () => this.peerHandlers.delete(handler);
  }

  peers(): PeerIdString[] {
    return this.net.neighbours(this).map((p) => p.selfId);
  }

  async *request(peer: PeerIdString, data: Uint8Array): AsyncIterable<Uint8Array> {
    const target = this.net.byId(peer);
    if (!target || !this.net.connected(this, target)) throw new PeerUnreachableError(`peer ${peer} is not connected`);
    const handler = target.requestHandler;
    if (!handler) throw new PeerUnreachableError(`peer ${peer} does not speak the sync protocol`);
    this.net.stats.requests++;
    this.net.requestLog.push({ from: this.selfId, to: peer });
    await Promise.resolve();
    for await (const frame of handler(this.selfId, data.slice())) {
      await Promise.resolve();
      if (!this.net.connected(this, target)) throw new PeerUnreachableError(`connection to ${peer} closed during the request`);
      yield frame.slice();
    }
  }
}

/** A set of memory peers and the links between them. */
export class MemoryNetwork {
  readonly stats: MemoryStats = { published: 0, delivered: 0, forwarded: 0, dropped: 0, requests: 0 };
  readonly requestLog: Array<{ from: PeerIdString; to: PeerIdString }> = [];
  private readonly peersById = new Map<string, MemoryPeer>();
  private readonly links = new Set<string>();
  private readonly random: () => number;
  private readonly pending: Array<() => void> = [];
  private flushing = false;

  constructor(private readonly init: MemoryNetworkInit = {}) {
    this.random = seededRandom(init.seed ?? 1);
  }

  /** Adds a peer. */
  peer(name = `p${this.peersById.size}`): MemoryPeer {
    const p = new MemoryPeer(`mem-${name}` as PeerIdString, this);
    this.peersById.set(p.selfId, p);
    return p;
  }

  /** The peer with this ID. */
  byId(id: string): MemoryPeer | undefined {
    return this.peersById.get(id);
  }

  private key(a: MemoryPeer, b: MemoryPeer): string {
    return a.selfId < b.selfId ? `${a.selfId}|${b.selfId}` : `${b.selfId}|${a.selfId}`;
  }

  /** True when a and b are linked. */
  connected(a: MemoryPeer, b: MemoryPeer): boolean {
    return this.links.has(this.key(a, b));
  }

  /** Links two peers; both hear 'connected' on a microtask. */
  connect(a: MemoryPeer, b: MemoryPeer): void {
    if (a === b || this.connected(a, b)) return;
    this.links.add(this.key(a, b));
    queueMicrotask(() => {
      for (const h of [...a.peerHandlers]) h(b.selfId, 'connected');
      for (const h of [...b.peerHandlers]) h(a.selfId, 'connected');
    });
  }

  /** Unlinks two peers; both hear 'disconnected' on a microtask. */
  disconnect(a: MemoryPeer, b: MemoryPeer): void {
    if (!this.links.delete(this.key(a, b))) return;
    queueMicrotask(() => {
      for (const h of [...a.peerHandlers]) h(b.selfId, 'disconnected');
      for (const h of [...b.peerHandlers]) h(a.selfId, 'disconnected');
    });
  }

  /** The peers linked to p. */
  neighbours(p: MemoryPeer): MemoryPeer[] {
    return [...this.peersById.values()].filter((q) => q !== p && this.connected(p, q));
  }

  /** Sends a message to every neighbour subscribed to its topic (except `except`). */
  fanOut(from: MemoryPeer, msg: Wire, except?: MemoryPeer): void {
    for (const n of this.neighbours(from)) {
      if (n === except || !n.topics.has(msg.topic)) continue;
      this.schedule(() => this.deliver(from, n, msg, false));
    }
  }

  /** Test hook: delivers raw bytes from one peer to another even when the receiver is not subscribed. */
  inject(from: MemoryPeer, to: MemoryPeer, topic: string, data: Uint8Array): void {
    const msg: Wire = { id: `${from.selfId}:inject:${Math.random()}`, topic, origin: from.selfId, data: data.slice() };
    this.schedule(() => this.deliver(from, to, msg, true));
  }

  private deliver(from: MemoryPeer, to: MemoryPeer, msg: Wire, forced: boolean): void {
    if (!this.connected(from, to) || to.seen.has(msg.id)) return;
    if (!forced && !to.topics.has(msg.topic)) return;
    if (!forced && this.random() < (this.init.dropRate ?? 0)) {
      this.stats.dropped++;
      return;
    }
    to.seen.add(msg.id);
    this.stats.delivered++;
    const handler = to.messageHandler;
    if (!handler) return;
    void Promise.resolve(handler({ topic: msg.topic, from: from.selfId, origin: msg.origin, data: msg.data.slice() })).then((verdict) => {
      if (verdict !== 'accept' || !to.topics.has(msg.topic)) return;
      this.stats.forwarded++;
      this.fanOut(to, msg, from);
    });
  }

  private schedule(fn: () => void): void {
    if (!this.init.reorder) {
      queueMicrotask(fn);
      return;
    }
    this.pending.push(fn);
    if (this.flushing) return;
    this.flushing = true;
    queueMicrotask(() => {
      this.flushing = false;
      const batch = this.pending.splice(0);
      for (let i = batch.length - 1; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1));
        [batch[i], batch[j]] = [batch[j]!, batch[i]!];
      }
      for (const f of batch) f();
    });
  }
}

/** A new memory network. */
export function createMemoryNetwork(init: MemoryNetworkInit = {}): MemoryNetwork {
  return new MemoryNetwork(init);
}
