/** The UI's state (zustand) and the actions components call. Components never touch the node's internals. */
import { create } from 'zustand';
import type { CollectionInfo } from '../db/database.js';
import { compareCreated, type Document } from '../db/document.js';
import type { DocId } from '../core/ids.js';
import type { P2PNode } from '../node/node.js';
import type { ActivePeer, RelayState } from '../node/network.js';
import type { ActivityEntry, CatchUpProgress, SchemaMismatchEvent } from '../sync/events.js';
import type { CollectionId } from '../core/ids.js';

/** Why the node is not ready, when it is not. */
export type NodeStatus = { kind: 'opening' } | { kind: 'ready' } | { kind: 'locked'; message: string } | { kind: 'failed'; message: string };

/** Everything the UI renders. */
export interface UiState {
  nodeName: string;
  status: NodeStatus;
  publicKey: string;
  collections: CollectionInfo[];
  /** Name of the open collection. */
  open: string | null;
  docs: Document[];
  editing: DocId | null;
  schemaError: string | null;
  createError: string | null;
  editError: string | null;
  rowError: string | null;
  /** Bumped when a form should clear after success. */
  createdCount: number;
  /** Network: absent fields mean a local-only node. */
  peerId: string;
  addresses: readonly string[];
  relay: RelayState | null;
  peers: readonly ActivePeer[];
  connecting: string | null;
  connectError: string | null;
  /** Replication. */
  syncing: boolean;
  subscribed: ReadonlySet<CollectionId>;
  subscribeError: string | null;
  activity: readonly ActivityEntry[];
  /** Catch-ups under way, by peer and collection. */
  catchUps: Readonly<Record<string, CatchUpProgress>>;
  /** Peers whose collection of the same name has other fields, by peer and collection name. */
  mismatches: Readonly<Record<string, SchemaMismatchEvent>>;
}

/** The state and its setters. */
export const useUi = create<UiState>(() => ({
  nodeName: '',
  status: { kind: 'opening' },
  publicKey: '',
  collections: [],
  open: null,
  docs: [],
  editing: null,
  schemaError: null,
  createError: null,
  editError: null,
  rowError: null,
  createdCount: 0,
  peerId: '',
  addresses: [],
  relay: null,
  peers: [],
  connecting: null,
  connectError: null,
  syncing: false,
  subscribed: new Set(),
  subscribeError: null,
  activity: [],
  catchUps: {},
  mismatches: {},
}));

let node: P2PNode | null = null;

/** Connects the actions to a running node (called once by the binding). */
export function setActionNode(n: P2PNode | null): void {
  node = n;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function need(): P2PNode {
  if (!node) throw new Error('the node is not open yet');
  return node;
}

/** Reloads the documents of the open collection. */
export async function refreshDocs(): Promise<void> {
  const open = useUi.getState().open;
  if (!open || !node) return;
  const docs = await node.db.list(open);
  if (useUi.getState().open === open) useUi.setState({ docs });
}

/** Folds changed documents into the open collection's list instead of re-reading all of it. */
export async function refreshChangedDocs(ids: readonly DocId[]): Promise<void> {
  const open = useUi.getState().open;
  if (!open || !node) return;
  const db = node.db;
  const changed = await Promise.all(ids.map((id) => db.get(open, id, { includeDeleted: true })));
  if (useUi.getState().open !== open) return;
  const byId = new Map(useUi.getState().docs.map((d) => [d.id, d]));
  changed.forEach((d, i) => {
    if (!d || d.deleted) byId.delete(ids[i]!);
    else byId.set(d.id, d);
  });
  const docs = [...byId.values()].sort(compareCreated);
  useUi.setState({ docs });
}

/** The UI's actions. */
export const actions = {
  async addSchema(sdl: string): Promise<boolean> {
    try {
      const added = await need().db.addSchema(sdl);
      useUi.setState({ schemaError: null, collections: need().db.collections() });
      if (!useUi.getState().open && added[0]) await actions.openCollection(added[0].name);
      return true;
    } catch (err) {
      useUi.setState({ schemaError: messageOf(err) });
      return false;
    }
  },

  async openCollection(name: string): Promise<void> {
    useUi.setState({ open: name, docs: [], editing: null, createError: null, editError: null, rowError: null });
    await refreshDocs();
  },

  async createDoc(values: Record<string, unknown>): Promise<boolean> {
    const open = useUi.getState().open;
    if (!open) return false;
    try {
      await need().db.create(open, values);
      useUi.setState((s) => ({ createError: null, createdCount: s.createdCount + 1 }));
      return true;
    } catch (err) {
      useUi.setState({ createError: messageOf(err) });
      return false;
    }
  },

  startEdit(id: DocId | null): void {
    useUi.setState({ editing: id, editError: null });
  },

  async saveDoc(id: DocId, patch: Record<string, unknown>): Promise<boolean> {
    const open = useUi.getState().open;
    if (!open) return false;
    try {
      await need().db.update(open, id, patch);
      useUi.setState({ editing: null, editError: null });
      return true;
    } catch (err) {
      useUi.setState({ editError: messageOf(err) });
      return false;
    }
  },

  async deleteDoc(id: DocId): Promise<void> {
    const open = useUi.getState().open;
    if (!open) return;
    try {
      await need().db.delete(open, id);
      useUi.setState((s) => ({ rowError: null, editing: s.editing === id ? null : s.editing }));
    } catch (err) {
      useUi.setState({ rowError: messageOf(err) });
    }
  },

  /** Connects to a pasted multiaddress, showing progress; resolves true when connected. */
  async connect(text: string): Promise<boolean> {
    const net = need().network;
    if (!net) {
      useUi.setState({ connectError: 'this node runs without a network' });
      return false;
    }
    useUi.setState({ connecting: 'Connecting…', connectError: null });
    try {
      await net.connect(text, (message) => useUi.setState({ connecting: message }));
      useUi.setState({ connecting: null });
      return true;
    } catch (err) {
      useUi.setState({ connecting: null, connectError: messageOf(err) });
      return false;
    }
  },

  async disconnect(peerId: string): Promise<void> {
    try {
      await need().network?.disconnect(peerId);
    } catch (err) {
      useUi.setState({ connectError: messageOf(err) });
    }
  },

  /** Turns syncing of one collection on or off. */
  async setSync(name: string, on: boolean): Promise<void> {
    const sync = need().sync;
    if (!sync) return;
    try {
      if (on) await sync.subscribe(name);
      else await sync.unsubscribe(name);
      useUi.setState({ subscribeError: null });
    } catch (err) {
      useUi.setState({ subscribeError: messageOf(err) });
    }
  },

  /** Subscribes to several collections at once ("User,Post"); nothing is subscribed if any name is unknown. */
  async subscribeMany(text: string): Promise<boolean> {
    const sync = need().sync;
    if (!sync) return false;
    const names = text.split(',').map((n) => n.trim()).filter(Boolean);
    if (!names.length) {
      useUi.setState({ subscribeError: 'write one or more collection names, separated by commas (e.g. User,Post)' });
      return false;
    }
    try {
      await sync.subscribe(names);
      useUi.setState({ subscribeError: null });
      return true;
    } catch (err) {
      useUi.setState({ subscribeError: messageOf(err) });
      return false;
    }
  },

  dismiss(key: 'schemaError' | 'createError' | 'editError' | 'rowError' | 'connectError' | 'subscribeError'): void {
    useUi.setState({ [key]: null } as Partial<UiState>);
  },
};
