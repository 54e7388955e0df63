/** The composition root: one object per node with its database, and its network when it has one. */
import type { PrivateKey } from '@libp2p/interface';
import { NodeLockedError } from '../core/errors.js';
import type { PeerIdString } from '../core/ids.js';
import { Database } from '../db/database.js';
import type { Store } from '../store/types.js';
import { openIdbStore } from '../store/idb-store.js';
import type { NetNode } from '../net/services.js';
import { createPeerKey, deserializePeerKey, serializePeerKey } from '../net/peer-key.js';
import { tryLockNode, type TabLock, type TabLockInit } from './tab-lock.js';
import { PeerManager, type PeerManagerInit } from '../net/peer-manager.js';
import { startRelayDiscovery, type RelaySource } from './relay-discovery.js';
import { Sync, type SyncInit } from '../sync/sync.js';
import { storeSettings } from '../sync/ports.js';
import { libp2pSyncNetwork } from '../net/sync-network.js';
import { workerBlockChecker } from './worker-checker.js';

const META_PEER_KEY = 'peer-key';

/** How the node joins the network. */
export interface NetworkOptions extends PeerManagerInit {
  /** Builds and starts the libp2p node (browser or Node) for the persisted key. */
  readonly create: (privateKey: PrivateKey) => Promise<NetNode>;
  /** Where the relay is; none means no relay. */
  readonly relay?: RelaySource;
  /** Options of the replication engine. */
  readonly sync?: SyncInit;
}

/** What a node is opened with. */
export interface StartNodeInit {
  readonly name: string;
  /** Storage; IndexedDB for `name` when absent. */
  readonly store?: Store;
  /** A lock already held for this name (e.g. from picking the first free name). */
  readonly lock?: TabLock;
  readonly lockInit?: TabLockInit;
  /** Join the network; a local-only node when absent. */
  readonly network?: NetworkOptions;
}

/** A running node. */
export interface P2PNode {
  readonly name: string;
  readonly db: Database;
  /** Absent for a local-only node. */
  readonly network?: PeerManager;
  /** Replication (subscriptions, gossip, catch-up); absent for a local-only node. */
  readonly sync?: Sync;
  close(): Promise<void>;
}

/** The node's libp2p key, created and persisted on first use so the PeerID survives reloads. */
async function loadPeerKey(store: Store): Promise<PrivateKey> {
  const saved = await store.getMeta<Uint8Array>(META_PEER_KEY);
  if (saved instanceof Uint8Array) {
    try {
      return deserializePeerKey(saved);
    } catch {
      /* unreadable: make a new one below */
    }
  }
  const key = await createPeerKey();
  await store.putMeta(META_PEER_KEY, serializePeerKey(key));
  return key;
}

/** Opens the node `name`: takes its tab lock (NodeLockedError if held elsewhere), its database and network. */
export async function startNode(init: StartNodeInit): Promise<P2PNode> {
  const lock = init.lock ?? (await tryLockNode(init.name, init.lockInit));
  if (!lock) throw new NodeLockedError(`node "${init.name}" is already open in another tab; close it there, or open another node`);
  let db: Database | undefined;
  try {
    const store = init.store ?? (await openIdbStore(init.name));
    const checker = workerBlockChecker();
    db = await Database.open({ store, ...(checker ? { checker } : {}) }).catch((err: unknown) => {
      checker?.close();
      throw err;
    });
    let network: PeerManager | undefined;
    let sync: Sync | undefined;
    let closeSyncNet = async (): Promise<void> => {};
    let stopRelay = (): void => {};
    if (init.network) {
      const libp2p = await init.network.create(await loadPeerKey(store));
      network = new PeerManager(libp2p, init.network);
      await network.start();
      const syncNet = await libp2pSyncNetwork(libp2p, { peers: network });
      // The block checker's worker loads while the first peer's hello is exchanged, not after its first answer.
      const unwarm = syncNet.onPeer((_peer, state) => { if (state === 'connected') checker?.warm?.(); });
      closeSyncNet = () => { unwarm(); return syncNet.close(); };
      sync = new Sync({
        replica: db,
        settings: storeSettings(store),
        network: syncNet,
      }, { name: init.name, ...init.network.sync });
      await sync.start(); // re-joins the persisted subscriptions
      const syncLog = sync;
      network.on('redial', (e) => {
        const peer = e.peerId as PeerIdString;
        if (e.state === 'retrying') syncLog.note({ level: 'warn', message: `Lost the direct connection to ${peer} (${e.reason}); re-dialling in ${Math.round(e.inMs / 1000)} s (attempt ${e.attempt})`, peer });
        else if (e.state === 'reconnected') syncLog.note({ level: 'info', message: `Reconnected to ${peer} directly after ${e.attempt} attempt(s); catching up`, peer });
        else syncLog.note({ level: 'warn', message: `Gave up re-dialling ${peer} after ${e.attempt} attempts: ${e.reason}`, peer });
      });
      if (init.network.relay) stopRelay = startRelayDiscovery(network, init.network.relay);
    }
    const opened = db;
    return {
      name: init.name,
      db: opened,
      ...(network ? { network } : {}),
      ...(sync ? { sync } : {}),
      async close() {
        // Hung up at once, before anything awaits: on pagehide the page may be gone before the first await
        // returns, and a peer then takes 10-15 s to notice (its pings time out) instead of at once.
        for (const c of network?.libp2p.getConnections() ?? []) {
          try { c.abort(new Error('this node is closing')); } catch { /* closing anyway */ }
        }
        stopRelay();
        await sync?.stop().catch(() => undefined);
        await closeSyncNet().catch(() => undefined);
        await network?.stop().catch(() => undefined);
        try {
          await network?.libp2p.stop();
        } catch {
          /* closing anyway */
        }
        await opened.close();
        lock.release();
      },
    };
  } catch (err) {
    await db?.close().catch(() => undefined);
    lock.release();
    throw err;
  }
}
