/** The one place node events flow into UI state. */
import { toHex } from '../core/identity.js';
import type { P2PNode } from '../node/node.js';
import type { DocId } from '../core/ids.js';
import type { ActivityEntry } from '../sync/events.js';
import { refreshChangedDocs, refreshDocs, setActionNode, useUi } from './state.js';

/** Runs `fn` at the next animation frame (or soon, where there are no frames). */
function nextFrame(fn: () => void): void {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => fn());
  else setTimeout(fn, 0);
}

/** Binds a node to the UI state; returns an unbind function. */
export function bindNode(node: P2PNode): () => void {
  setActionNode(node);
  const { db } = node;
  useUi.setState({
    nodeName: node.name,
    status: { kind: 'ready' },
    publicKey: toHex(db.identity.publicKey),
    collections: db.collections(),
  });
  const first = db.collections()[0];
  if (first && !useUi.getState().open) useUi.setState({ open: first.name });
  void refreshDocs();

  // Coalesce bursts of changes into one update per animation frame: re-read only the changed
  // documents, or the whole collection when a burst touched many.
  const pending = new Set<DocId>();
  let scheduled = false;
  const FULL_REFRESH_OVER = 200;
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    const run = (): void => {
      scheduled = false;
      const ids = [...pending];
      pending.clear();
      void (ids.length > FULL_REFRESH_OVER ? refreshDocs() : refreshChangedDocs(ids));
    };
    nextFrame(run);
  };
  const offChange = db.on('change', (e) => {
    const open = useUi.getState().open;
    if (!open || db.collection(open).id !== e.collection) return;
    for (const id of e.docs) pending.add(id);
    schedule();
  });
  const offCollections = db.on('collections', () => useUi.setState({ collections: db.collections() }));
  const net = node.network;
  const offNet: Array<() => void> = [];
  if (net) {
    useUi.setState({ peerId: net.peerId, addresses: net.addresses(), relay: net.relay(), peers: net.activePeers() });
    offNet.push(
      net.on('addresses', (addresses) => useUi.setState({ addresses })),
      net.on('peers', (peers) => useUi.setState({ peers })),
      net.on('relay', (relay) => useUi.setState({ relay })),
    );
  }
  const sync = node.sync;
  if (sync) {
    const MAX_ACTIVITY = 300;
    const incoming: ActivityEntry[] = [];
    const flushActivity = (): void => {
      const add = incoming.splice(0);
      useUi.setState((s) => ({ activity: [...s.activity, ...add].slice(-MAX_ACTIVITY) }));
    };
    const subscribedIds = () => new Set(sync.subscriptions().map((c) => c.id));
    useUi.setState({ syncing: true, subscribed: subscribedIds(), activity: sync.recentActivity().slice(-MAX_ACTIVITY) });
    offNet.push(
      sync.on('subscriptions', () => useUi.setState({ subscribed: subscribedIds() })),
      sync.on('activity', (entry) => {
        // Entries arrive in bursts (one per gossip message): add them to the state once per frame.
        incoming.push(entry);
        if (incoming.length === 1) nextFrame(flushActivity);
      }),
      sync.on('catch-up', (p) =>
        useUi.setState((s) => {
          const key = `${p.peer}/${p.collection}`;
          const catchUps = { ...s.catchUps };
          if (p.done) delete catchUps[key];
          else catchUps[key] = p;
          return { catchUps };
        }),
      ),
      sync.on('schema-mismatch', (m) => useUi.setState((s) => ({ mismatches: { ...s.mismatches, [`${m.peer}/${m.collection}`]: m } }))),
      sync.on('peer', (p) => {
        if (p.state === 'disconnected') {
          useUi.setState((s) => ({ mismatches: Object.fromEntries(Object.entries(s.mismatches).filter(([, m]) => m.peer !== p.peer)) }));
        }
      }),
    );
  }
  return () => {
    offChange();
    offCollections();
    for (const off of offNet) off();
    setActionNode(null);
  };
}
