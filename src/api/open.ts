/** Opening a node: the entry point of the client API. */
import { startNode, type NetworkOptions } from '../node/node.js';
import type { TabLock, TabLockInit } from '../node/tab-lock.js';
import type { Store } from '../store/types.js';
import { Client } from './client.js';

export type { NetworkOptions } from '../node/node.js';

/** What a node is opened with. */
export interface OpenNodeOptions {
  /** The node's name: it picks the database (like DefraDB's --rootdir) and the persisted keys. */
  readonly name: string;
  /** Storage; IndexedDB for `name` when absent. */
  readonly store?: Store;
  /** How the node joins the network (`browserNetwork()`, or `nodeNetwork()` from the Node entry); local-only when absent. */
  readonly network?: NetworkOptions;
  /** A lock already held for this name (the same node cannot be open twice at once). */
  readonly lock?: TabLock;
  readonly lockInit?: TabLockInit;
}

/**
 * Opens the node `name` and returns its client. Throws NodeLockedError when the node is open elsewhere
 * (another tab), StoreError when its storage cannot be opened.
 */
export async function openNode(options: OpenNodeOptions): Promise<Client> {
  const node = await startNode(options);
  return new Client(node);
}

/** @internal For the app's test hooks and benchmarks, which reach below the API on purpose. */
export async function openNodeWithInternals(options: OpenNodeOptions): Promise<{ client: Client; internals: Awaited<ReturnType<typeof startNode>> }> {
  const node = await startNode(options);
  return { client: new Client(node), internals: node };
}
