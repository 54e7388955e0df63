/** The composition root: one object per node with its database (and, later, network and sync). */
import { NodeLockedError } from '../core/errors.js';
import { Database } from '../db/database.js';
import type { Store } from '../store/types.js';
import { openIdbStore } from '../store/idb-store.js';
import { tryLockNode, type TabLock, type TabLockInit } from './tab-lock.js';

/** What a node is opened with. */
export interface OpenNodeInit {
  readonly name: string;
  /** Storage; IndexedDB for `name` when absent. */
  readonly store?: Store;
  /** A lock already held for this name (e.g. from picking the first free name). */
  readonly lock?: TabLock;
  readonly lockInit?: TabLockInit;
}

/** A running node. */
export interface P2PNode {
  readonly name: string;
  readonly db: Database;
  close(): Promise<void>;
}

/** Opens the node `name`: takes its tab lock (NodeLockedError if held elsewhere) and opens its database. */
export async function openNode(init: OpenNodeInit): Promise<P2PNode> {
  const lock = init.lock ?? (await tryLockNode(init.name, init.lockInit));
  if (!lock) throw new NodeLockedError(`node "${init.name}" is already open in another tab; close it there, or open another node`);
  try {
    const store = init.store ?? (await openIdbStore(init.name));
    const db = await Database.open({ store });
    return {
      name: init.name,
      db,
      async close() {
        await db.close();
        lock.release();
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}
