/** The UI-only state (zustand) and the actions components call. Everything goes through the client API. */
import { create } from 'zustand';
import type { Client, DocId, SchemaMismatchEvent } from '../api/index.js';

/** Why the node is not ready, when it is not. */
export type NodeStatus = { kind: 'opening' } | { kind: 'ready' } | { kind: 'locked'; message: string } | { kind: 'failed'; message: string };

/** What the UI keeps for itself (documents, peers and collections come from the node through hooks). */
export interface UiState {
  nodeName: string;
  status: NodeStatus;
  /** Name of the open collection. */
  open: string | null;
  editing: DocId | null;
  /** The document whose history dialog is open. */
  history: DocId | null;
  /** The document a delete waits to be confirmed for. */
  confirmDelete: DocId | null;
  /** The private document whose Share dialog is open. */
  sharing: DocId | null;
  shareError: string | null;
  schemaError: string | null;
  createError: string | null;
  editError: string | null;
  rowError: string | null;
  connecting: string | null;
  connectError: string | null;
  subscribeError: string | null;
  /** A local edit that lost to a concurrent one (shown briefly). */
  overwritten: string | null;
  /** A problem the node reported on its own (e.g. its database was closed by another tab). */
  nodeError: string | null;
  /** Collections each connected peer syncs that this node has but does not sync, by peer. */
  offers: Readonly<Record<string, readonly string[]>>;
  /** Peers whose collection of the same name has other fields, by peer and collection name. */
  mismatches: Readonly<Record<string, SchemaMismatchEvent>>;
}

/** The state and its setters. */
export const useUi = create<UiState>(() => ({
  nodeName: '',
  status: { kind: 'opening' },
  open: null,
  editing: null,
  history: null,
  confirmDelete: null,
  sharing: null,
  shareError: null,
  schemaError: null,
  createError: null,
  editError: null,
  rowError: null,
  connecting: null,
  connectError: null,
  subscribeError: null,
  nodeError: null,
  overwritten: null,
  mismatches: {},
  offers: {},
}));

let client: Client | null = null;

/** Connects the actions to a running node (called once by the binding). */
export function setActionClient(c: Client | null): void {
  client = c;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function need(): Client {
  if (!client) throw new Error('the node is not open yet');
  return client;
}

/** Runs `fn`, putting its error (or null) under `key`; resolves whether it succeeded. */
async function attempt(key: 'schemaError' | 'createError' | 'editError' | 'rowError' | 'subscribeError' | 'shareError', fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    useUi.setState({ [key]: null } as Partial<UiState>);
    return true;
  } catch (err) {
    useUi.setState({ [key]: messageOf(err) } as Partial<UiState>);
    return false;
  }
}

/** The UI's actions. */
export const actions = {
  async addSchema(sdl: string): Promise<boolean> {
    let first: string | undefined;
    const ok = await attempt('schemaError', async () => { first = (await need().addSchema(sdl))[0]?.name; });
    if (ok && !useUi.getState().open && first) actions.openCollection(first);
    return ok;
  },

  openCollection(name: string): void {
    useUi.setState({ open: name, editing: null, createError: null, editError: null, rowError: null });
  },

  async createDoc(values: Record<string, unknown>, opts: { private?: boolean } = {}): Promise<boolean> {
    const open = useUi.getState().open;
    if (!open) return false;
    return attempt('createError', () => (opts.private ? need().createPrivate(open, values) : need().create(open, values)));
  },

  /** Opens (or, with null, closes) the Share dialog of a private document. */
  showShare(id: DocId | null): void {
    useUi.setState({ sharing: id, shareError: null });
  },

  /** Shares the open private document with an identity; resolves true when done. */
  async share(id: DocId, identity: string, relation: 'reader' | 'writer'): Promise<boolean> {
    const open = useUi.getState().open;
    if (!open) return false;
    return attempt('shareError', () => need().share(open, id, identity, relation));
  },

  /** Takes an identity's access to a private document away. */
  async unshare(id: DocId, identity: string): Promise<boolean> {
    const open = useUi.getState().open;
    if (!open) return false;
    return attempt('shareError', () => need().unshare(open, id, identity));
  },

  showHistory(id: DocId | null): void {
    useUi.setState({ history: id });
  },

  startEdit(id: DocId | null): void {
    useUi.setState({ editing: id, editError: null });
  },

  async saveDoc(id: DocId, patch: Record<string, unknown>): Promise<boolean> {
    const open = useUi.getState().open;
    if (!open) return false;
    const ok = await attempt('editError', () => need().update(open, id, patch));
    if (ok) useUi.setState({ editing: null });
    return ok;
  },

  /** Asks to confirm deleting a document (null: cancel). */
  askDelete(id: DocId | null): void {
    useUi.setState({ confirmDelete: id });
  },

  async deleteDoc(id: DocId): Promise<void> {
    useUi.setState({ confirmDelete: null });
    const open = useUi.getState().open;
    if (!open) return;
    if (await attempt('rowError', () => need().delete(open, id))) {
      useUi.setState((s) => ({ editing: s.editing === id ? null : s.editing }));
    }
  },

  /** Connects to a pasted multiaddress, showing progress; resolves true when connected. */
  async connect(text: string): Promise<boolean> {
    const c = need();
    if (!c.networked) {
      useUi.setState({ connectError: 'this node runs without a network' });
      return false;
    }
    useUi.setState({ connecting: 'Connecting…', connectError: null });
    try {
      await c.connect(text, { onProgress: (message) => useUi.setState({ connecting: message }) });
      useUi.setState({ connecting: null });
      return true;
    } catch (err) {
      useUi.setState({ connecting: null, connectError: messageOf(err) });
      return false;
    }
  },

  async disconnect(peerId: string): Promise<void> {
    try {
      await need().disconnect(peerId);
    } catch (err) {
      useUi.setState({ connectError: messageOf(err) });
    }
  },

  /** Turns syncing of one collection on or off. */
  async setSync(name: string, on: boolean): Promise<void> {
    const c = need();
    if (!c.networked) return;
    await attempt('subscribeError', () => (on ? c.subscribe(name) : c.unsubscribe(name)));
  },

  /** Subscribes to several collections at once ("User,Post"); nothing is subscribed if any name is unknown. */
  async subscribeMany(text: string): Promise<boolean> {
    const c = need();
    if (!c.networked) return false;
    const names = text.split(',').map((n) => n.trim()).filter(Boolean);
    if (!names.length) {
      useUi.setState({ subscribeError: 'write one or more collection names, separated by commas (e.g. User,Post)' });
      return false;
    }
    return attempt('subscribeError', () => c.subscribe(names));
  },

  dismiss(key: 'schemaError' | 'createError' | 'editError' | 'rowError' | 'connectError' | 'subscribeError' | 'nodeError' | 'shareError'): void {
    useUi.setState({ [key]: null } as Partial<UiState>);
  },
};
