/** Our node in Node for the OrbitDB comparison: a local-only one (awaited creates) and networked ones (bench/lib/our-node-peer.ts). */
import { join } from 'node:path';
import { Database } from '../../src/db/database.js';
import { LevelStore } from '../../src/store/level-store.js';
import { startOurPeer, type OurPeer as NetworkedPeer } from '../lib/our-node-peer.js';

/** A local-only peer has no network; a networked one has libp2p and sync. */
export type OurPeer = Pick<NetworkedPeer, 'db' | 'stop'> & Partial<Pick<NetworkedPeer, 'libp2p' | 'sync'>>;

/** A local-only node (no network): for the awaited-create figure. */
export async function startLocalPeer(dir: string): Promise<OurPeer> {
  const store = await LevelStore.open(join(dir, 'store'));
  const db = await Database.open({ store });
  return { db, stop: async () => { await db.close(); } };
}

/** A networked node with sync started. */
export const startSyncPeer = (dir: string): Promise<OurPeer> => startOurPeer(dir);
