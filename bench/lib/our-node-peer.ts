/**
 * Our node in Node for the side-by-side benches (OrbitDB, Peerbit), composed as src/node/node.ts composes a node: Database over the
 * LevelStore of headless peers, a Node libp2p peer on TCP loopback only, the libp2p sync network (which makes and
 * starts its own peer manager) and the Sync engine, with its subscriptions kept in the store's meta records.
 */
import { join } from 'node:path';
import { Database } from '../../src/db/database.js';
import { createNodeLibp2p } from '../../src/net/node-libp2p.js';
import type { NetNode } from '../../src/net/services.js';
import { libp2pSyncNetwork } from '../../src/net/sync-network.js';
import { LevelStore } from '../../src/store/level-store.js';
import { storeSettings } from '../../src/sync/ports.js';
import { Sync } from '../../src/sync/sync.js';

export interface OurPeer {
  db: Database;
  libp2p: NetNode;
  sync: Sync;
  stop(): Promise<void>;
}

/** A networked node with sync started, its data under `dir`. */
export async function startOurPeer(dir: string, name?: string): Promise<OurPeer> {
  const store = await LevelStore.open(join(dir, 'store'));
  const db = await Database.open({ store });
  const libp2p = await createNodeLibp2p({ transports: ['tcp'], listen: ['/ip4/127.0.0.1/tcp/0'] });
  const network = await libp2pSyncNetwork(libp2p);
  const sync = new Sync({ replica: db, settings: storeSettings(store), network }, name !== undefined ? { name } : {});
  await sync.start();
  return {
    db,
    libp2p,
    sync,
    async stop() {
      await sync.stop().catch(() => undefined);
      await network.close().catch(() => undefined);
      try { await libp2p.stop(); } catch { /* closing anyway */ }
      await Promise.resolve(db.close()).catch(() => undefined);
    },
  };
}
