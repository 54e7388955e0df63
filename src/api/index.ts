/**
 * The public API (browser and Node alike, no React): `openNode` gives a `Client` with collections,
 * documents, subscriptions, peers, sync status and typed events. React hooks: `p2p-docdb/react`;
 * Node peers: `p2p-docdb/node`.
 */
export { openNode, type OpenNodeOptions, type NetworkOptions } from './open.js';
export { Client, NoNetworkError } from './client.js';
export { browserNetwork, type BrowserNetworkOptions } from './browser.js';
export type * from './types.js';
export { MemoryStore, createMemoryData } from '../store/memory-store.js';
export type { Store } from '../store/types.js';
/** Picking a node name in a browser: one tab per node (Web Locks, or a BroadcastChannel probe). */
export { lockFirstFreeName, tryLockNode, type TabLock, type TabLockInit } from '../node/tab-lock.js';
export { parseNodeName } from '../node/node-name.js';
export {
  DbError, DocumentExistsError, DocumentNotFoundError, InvalidIdError, NodeLockedError, SchemaConflictError, SchemaParseError,
  StoreError, UnknownCollectionError, ValidationError, FilterError, AccessDeniedError, InvalidIdentityError,
} from '../core/errors.js';
export { InvalidMultiaddrError } from '../net/multiaddr.js';
export { DialFailedError } from '../net/dial.js';
export { NotAnAppPeerError, SelfDialError } from '../net/peer-manager.js';
/** Form helpers: field types as SDL writes them, and form text to and from field values. */
export { formatFieldType } from '../core/schema.js';
export { coerceFormText, formatFormText } from '../core/values.js';
