/** The one place node events flow into UI-only state (data itself reaches components through the hooks). */
import type { Client } from '../api/index.js';
import { setActionClient, useUi } from './state.js';

let overwrittenTimer: ReturnType<typeof setTimeout> | undefined;

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
    client.on('overwritten', (e) => {
      const name = client.collections().find((c) => c.id === e.collection)?.name ?? 'document';
      const from = client.peerName(e.origin) ?? 'another peer';
      const text = JSON.stringify(e.theirs).slice(0, 60);
      const message = `Your change to ${e.field} of a ${name} was replaced by ${text} from ${from}: both were made while apart, and theirs is later.`;
      useUi.setState({ overwritten: message });
      clearTimeout(overwrittenTimer);
      overwrittenTimer = setTimeout(() => { if (useUi.getState().overwritten === message) useUi.setState({ overwritten: null }); }, 10_000);
    }),
  ];
  return () => {
    for (const off of offs) off();
    setActionClient(null);
  };
}
