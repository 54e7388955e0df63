/** The one place node events flow into UI-only state (data itself reaches components through the hooks). */
import type { Client } from '../api/index.js';
import { setActionClient, useUi } from './state.js';

/** Binds a node's client to the UI state; returns an unbind function. */
export function bindClient(client: Client): () => void {
  setActionClient(client);
  useUi.setState({ nodeName: client.name, status: { kind: 'ready' } });
  const first = client.collections()[0];
  if (first && !useUi.getState().open) useUi.setState({ open: first.name });
  const offs = [
    client.on('schema-mismatch', (m) => useUi.setState((s) => ({ mismatches: { ...s.mismatches, [`${m.peer}/${m.collection}`]: m } }))),
    client.on('sync-offer', (o) => useUi.setState((s) => ({ offers: { ...s.offers, [o.peer]: o.collections } }))),
    client.on('sync-peer', (p) => {
      if (p.state === 'disconnected') {
        useUi.setState((s) => ({
          mismatches: Object.fromEntries(Object.entries(s.mismatches).filter(([, m]) => m.peer !== p.peer)),
          offers: Object.fromEntries(Object.entries(s.offers).filter(([peer]) => peer !== p.peer)),
        }));
      }
    }),
    client.on('error', (e) => useUi.setState({ nodeError: e.message })),
  ];
  return () => {
    for (const off of offs) off();
    setActionClient(null);
  };
}
