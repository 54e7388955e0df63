/** Our node in Node: Database over the LevelStore of headless peers, a Node libp2p peer (TCP loopback), and the Sync engine. */
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Database } from '../../src/db/database.js';
import { createNodeLibp2p } from '../../src/net/node-libp2p.js';
import type { NetNode } from '../../src/net/services.js';
import { LevelStore } from '../../src/store/level-store.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

export interface OurPeer {
  db: Database;
  libp2p?: NetNode;
  // The Sync engine, when src/sync and src/net/sync-network.ts exist (typed loosely: they are being written).
  sync?: { start(): Promise<void>; stop(): Promise<void>; subscribe(n: string | string[]): Promise<unknown> };
  stop(): Promise<void>;
}

export class NoNodeSyncError extends Error {
  override name = 'NoNodeSyncError';
}

/** Loads `libp2pSyncNetwork` and `Sync`; throws NoNodeSyncError naming what is missing. */
async function loadSync(): Promise<{ libp2pSyncNetwork: (n: NetNode) => unknown | Promise<unknown>; Sync: new (c: { replica: Database; settings: unknown; network: unknown }) => NonNullable<OurPeer['sync']>; storeSettings: (s: LevelStore) => unknown }> {
  const netPath = join(ROOT, 'src', 'net', 'sync-network.ts');
  const syncPath = join(ROOT, 'src', 'sync', 'index.ts');
  if (!existsSync(netPath)) throw new NoNodeSyncError('src/net/sync-network.ts (libp2pSyncNetwork) does not exist yet: the libp2p side of sync is not written');
  if (!existsSync(syncPath)) throw new NoNodeSyncError('src/sync/index.ts does not exist yet');
  const net = (await import(pathToFileURL(netPath).href)) as Record<string, unknown>;
  const sync = (await import(pathToFileURL(syncPath).href)) as Record<string, unknown>;
  const ports = (await import(pathToFileURL(join(ROOT, 'src', 'sync', 'ports.ts')).href)) as Record<string, unknown>;
  if (typeof net.libp2pSyncNetwork !== 'function') throw new NoNodeSyncError('src/net/sync-network.ts does not export libp2pSyncNetwork');
  if (typeof sync.Sync !== 'function') throw new NoNodeSyncError('src/sync does not export Sync');
  return { libp2pSyncNetwork: net.libp2pSyncNetwork as never, Sync: sync.Sync as never, storeSettings: ports.storeSettings as never };
}

/** A local-only node (no network): for the awaited-create figure. */
export async function startLocalPeer(dir: string): Promise<OurPeer> {
  const store = await LevelStore.open(join(dir, 'store'));
  const db = await Database.open({ store });
  return { db, stop: async () => { await db.close(); } };
}

/** A networked node with sync started (throws NoNodeSyncError when sync is not there yet). */
export async function startSyncPeer(dir: string): Promise<OurPeer> {
  const { libp2pSyncNetwork, Sync, storeSettings } = await loadSync();
  const store = await LevelStore.open(join(dir, 'store'));
  const db = await Database.open({ store });
  const libp2p = await createNodeLibp2p({ transports: ['tcp'], listen: ['/ip4/127.0.0.1/tcp/0'] });
  const network = (await libp2pSyncNetwork(libp2p)) as { close?: () => unknown };
  const sync = new Sync({ replica: db, settings: storeSettings(store), network });
  await sync.start();
  return {
    db,
    libp2p,
    sync,
    async stop() {
      await sync.stop().catch(() => undefined);
      try { await network.close?.(); } catch { /* closing anyway */ }
      try { await libp2p.stop(); } catch { /* closing anyway */ }
      await Promise.resolve(db.close()).catch(() => undefined);
    },
  };
}
