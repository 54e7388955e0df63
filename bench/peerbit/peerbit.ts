/**
 * Peerbit peers in Node for the side-by-side benchmark: `Peerbit.create` with its own libp2p 3 stack (its default
 * services: Peerbit's pubsub/fanout, direct blocks, keychain, identify; noise; its yamux profile), listening on TCP
 * loopback only, storing on disk under `dir` (Peerbit's defaults for a directory: LevelDB-backed block and cache
 * stores, SQLite (better-sqlite3) for the document index). One `Documents` program holds the User documents.
 */
import { field, variant } from '@dao-xyz/borsh';
import { Documents } from '@peerbit/document';
import { Program } from '@peerbit/program';
import { Peerbit } from 'peerbit';
import { join } from 'node:path';

/** The same four fields as our `type User { name: String age: Int verified: Boolean points: Float }`, plus the id Peerbit documents need. */
@variant(0)
export class User {
  @field({ type: 'string' }) id!: string;
  @field({ type: 'string' }) name!: string;
  @field({ type: 'u32' }) age!: number;
  @field({ type: 'bool' }) verified!: boolean;
  @field({ type: 'f64' }) points!: number;

  constructor(p?: { id: string; name: string; age: number; verified: boolean; points: number }) {
    if (p) Object.assign(this, p);
  }
}

/**
 * How a peer takes part in replication (the shared log's `replicate` option). The benchmark opens every peer with
 * `{ factor: 1 }`: a fixed replication range covering the whole hash space, i.e. the peer is a full replica that
 * stores every document. That is what our peers do once subscribed to a collection, and it is the only setting
 * under which "B holds all 1,000 documents" is guaranteed: with the default (`true`: an adaptive range that the
 * peers negotiate) or `false` (a non-replicator that queries others on demand), B may keep only part of the log,
 * or none of it, and read the rest remotely.
 */
export type Replicate = { factor: number } | boolean;

@variant('p2pdb-bench-users')
export class Users extends Program<{ replicate?: Replicate }> {
  @field({ type: Documents }) docs: Documents<User>;

  constructor() {
    super();
    this.docs = new Documents<User>();
  }

  async open(args?: { replicate?: Replicate }): Promise<void> {
    await this.docs.open({ type: User, replicate: args?.replicate ?? { factor: 1 } });
  }
}

export interface PeerbitPeer {
  client: Peerbit;
  stop(): Promise<void>;
}

/** One Peerbit peer with its data under `dir`, listening on TCP loopback only and not acting as a circuit relay. */
export async function startPeerbitPeer(dir: string): Promise<PeerbitPeer> {
  const client = await Peerbit.create({
    directory: join(dir, 'peerbit'),
    relay: false,
    libp2p: { addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] } },
  } as Parameters<typeof Peerbit.create>[0]);
  return {
    client,
    async stop() {
      await client.stop().catch(() => undefined);
    },
  };
}

/** Records when each document first shows up in a peer's store ('change' events of its Documents, `added`). */
export function peerbitArrivals(docs: Documents<User>): Map<string, number> {
  const m = new Map<string, number>();
  docs.events.addEventListener('change', (e) => {
    const t = performance.now();
    for (const d of e.detail.added) if (!m.has(d.id)) m.set(d.id, t);
  });
  return m;
}
