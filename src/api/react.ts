/**
 * React hooks over the client API. Wrap the app in `<NodeProvider node={client}>`, then read with hooks;
 * each re-renders when the node says its data changed (coalesced to one update per animation frame).
 */
import { createContext, createElement, useCallback, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { Client } from './client.js';
import type { ActivePeer, ActivityEntry, CollectionInfo, Document, ListOptions, Neighbour, NodeEvents, NodeInfo, Page, RelayState, SyncStatus } from './types.js';

const NodeContext = createContext<Client | null>(null);

/** Makes a node available to the hooks below it. */
export function NodeProvider(props: { readonly node: Client; readonly children?: ReactNode }) {
  return createElement(NodeContext.Provider, { value: props.node }, props.children);
}

/** The node of the nearest NodeProvider. */
export function useNode(): Client {
  const node = useContext(NodeContext);
  if (!node) throw new Error('useNode: no <NodeProvider node={…}> above this component');
  return node;
}

/** Runs `fn` at the next animation frame (or soon, where there are no frames). */
function nextFrame(fn: () => void): void {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => fn());
  else setTimeout(fn, 0);
}

/** A value read from the node, re-read whenever one of `events` fires. */
function useNodeValue<T>(read: (node: Client) => T, events: ReadonlyArray<keyof NodeEvents>): T {
  const node = useNode();
  const cache = useRef<{ value: T; fresh: boolean } | null>(null);
  const subscribe = useCallback((onChange: () => void) => {
    const offs = events.map((e) => node.on(e, () => {
      if (cache.current) cache.current.fresh = false;
      onChange();
    }));
    return () => offs.forEach((off) => off());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [node, events.join('|')]);
  const get = useCallback(() => {
    if (!cache.current || !cache.current.fresh) cache.current = { value: read(node), fresh: true };
    return cache.current.value;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [node]);
  return useSyncExternalStore(subscribe, get, get);
}

/** The node's collections, in the order they were added. */
export function useCollections(): CollectionInfo[] {
  return useNodeValue((n) => n.collections(), ['collections']);
}

/** The subscribed collections. */
export function useSubscriptions(): CollectionInfo[] {
  return useNodeValue((n) => n.subscriptions(), ['subscriptions', 'collections']);
}

/** Connected peers, direct or relayed, with ping times. */
export function usePeers(): ActivePeer[] {
  return useNodeValue((n) => n.activePeers(), ['peers']);
}

/** Peers being re-dialled after losing their direct connection. */
export function useReconnecting(): string[] {
  return useNodeValue((n) => n.reconnecting(), ['peers', 'redial']);
}

/** This node's name, PeerID, addresses and key. */
export function useNodeInfo(): NodeInfo {
  return useNodeValue((n) => n.info(), ['addresses']);
}

/** Where the node stands with the relay (null for a local-only node). */
export function useRelay(): RelayState | null {
  return useNodeValue((n) => n.relay(), ['relay']);
}

/** Where this node stands with each peer on a collection (or every subscribed collection). */
export function useSyncStatus(collection?: string): SyncStatus[] {
  const read = useCallback((n: Client) => {
    try {
      return n.syncStatus(collection);
    } catch {
      return []; // an unknown collection has no status
    }
  }, [collection]);
  const node = useNode();
  const [value, setValue] = useState(() => read(node));
  useEffect(() => {
    setValue(read(node));
    const refresh = () => setValue(read(node));
    const offs = [node.on('sync-status', refresh), node.on('sync-peer', refresh), node.on('subscriptions', refresh)];
    return () => offs.forEach((off) => off());
  }, [node, read]);
  return value;
}

/** Each connected sync peer with its name and its own peers (from hellos), kept current. */
export function useNeighbourhood(): Neighbour[] {
  const node = useNode();
  const [value, setValue] = useState<Neighbour[]>(() => node.neighbourhood());
  useEffect(() => {
    setValue(node.neighbourhood());
    const refresh = () => setValue(node.neighbourhood());
    const offs = [node.on('neighbourhood', refresh), node.on('sync-peer', refresh), node.on('peers', refresh)];
    return () => offs.forEach((off) => off());
  }, [node]);
  return value;
}

/**
 * The latest `max` entries of the node's p2p log, added to at most once per animation frame, or once per
 * `everyMs` when given (a log read by people need not redraw at the rate messages arrive).
 */
export function useActivity(max = 300, everyMs = 0): ActivityEntry[] {
  const node = useNode();
  const [entries, setEntries] = useState<ActivityEntry[]>(() => node.activity().slice(-max));
  useEffect(() => {
    const incoming: ActivityEntry[] = [];
    let live = true;
    const flush = () => {
      if (!live) return;
      const add = incoming.splice(0);
      setEntries((prev) => [...prev, ...add].slice(-max));
    };
    const off = node.on('activity', (e) => {
      incoming.push(e);
      if (incoming.length !== 1) return;
      if (everyMs > 0) setTimeout(() => nextFrame(flush), everyMs);
      else nextFrame(flush);
    });
    return () => {
      live = false;
      off();
    };
  }, [node, max, everyMs]);
  return entries;
}

/** What `useDocuments` gives. */
export interface DocumentsState extends Page {
  /** True until the first page arrived. */
  readonly loading: boolean;
  /** Why the last read failed (e.g. an unknown field in `where`). */
  readonly error: Error | null;
}

const EMPTY: DocumentsState = { docs: [], total: 0, hasMore: false, loading: true, error: null };

/** A page of a collection's documents, re-read (once per frame) whenever documents of it change. */
export function useDocuments(collection: string | null, query: ListOptions = {}): DocumentsState {
  const node = useNode();
  const key = JSON.stringify(query);
  const q = useMemo(() => query, [key]); // eslint-disable-line react-hooks/exhaustive-deps
  const [state, setState] = useState<DocumentsState>(EMPTY);
  useEffect(() => {
    if (!collection) {
      setState({ ...EMPTY, loading: false });
      return;
    }
    let live = true;
    let scheduled = false;
    // One read at a time: changes during a read ask for one more afterwards (a flood of changes must not
    // pile up reads of the same page).
    let reading = false;
    let again = false;
    let id: string | undefined;
    const load = () => {
      scheduled = false;
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      node.list(collection, q).then(
        (page) => { if (live) setState({ ...page, loading: false, error: null }); },
        (error: Error) => { if (live) setState((s) => ({ ...s, loading: false, error })); },
      ).finally(() => {
        reading = false;
        if (again && live) {
          again = false;
          load();
        }
      });
    };
    setState(EMPTY);
    load();
    try {
      id = node.collection(collection).id;
    } catch {
      /* unknown collection: the read above reports it */
    }
    const off = node.on('change', (e) => {
      if (e.collectionId !== id || scheduled) return;
      scheduled = true;
      nextFrame(() => { if (live) load(); });
    });
    return () => {
      live = false;
      off();
    };
  }, [node, collection, q]);
  return state;
}

/** One document, re-read whenever it changes; undefined while loading and when it does not exist. */
export function useDocument(collection: string, docId: string): { readonly doc: Document | undefined; readonly loading: boolean } {
  const node = useNode();
  const [state, setState] = useState<{ doc: Document | undefined; loading: boolean }>({ doc: undefined, loading: true });
  useEffect(() => {
    let live = true;
    const load = () => node.get(collection, docId).then((doc) => { if (live) setState({ doc, loading: false }); }, () => { if (live) setState({ doc: undefined, loading: false }); });
    void load();
    const off = node.on('change', (e) => { if (e.docs.includes(docId as never)) void load(); });
    return () => {
      live = false;
      off();
    };
  }, [node, collection, docId]);
  return state;
}

/** Calls `listener` for every `event` of the node while the component is mounted. */
export function useNodeEvent<K extends keyof NodeEvents>(event: K, listener: (detail: NodeEvents[K]) => void): void {
  const node = useNode();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => node.on(event, (d) => ref.current(d)), [node, event]);
}
