/** Collections: the SDL input, and the list of collections to open. */
import { useState } from 'react';
import { useCollections, useSubscriptions, useSyncStatus } from '../../api/react.js';
import type { SyncStatus } from '../../api/index.js';
import { actions, useUi } from '../state.js';
import { Alert } from './Alert.js';

const EXAMPLE = `type User {
  name: String
  age: Int
  verified: Boolean
  points: Float
}`;

/** Rewords a schema difference (ours is "existing", the peer's "new") for the user. */
function peerWording(d: string): string {
  return d.replace('the existing schema', 'your schema').replace('the new schema', "the peer's schema").replace('the new one', "the peer's");
}

/** "sync off", "no peers", "catching up 40%", "in sync with 2 peers": where a collection stands with its peers. */
export function syncSummary(subscribed: boolean, all: readonly SyncStatus[]): string {
  if (!subscribed) return 'sync off';
  // Peers that hold the collection without subscribing to it do not count (they get no updates).
  const statuses = all.filter((s) => s.peerSubscribed !== false);
  if (!statuses.length) return 'no peers';
  const plural = (n: number) => `${n} peer${n === 1 ? '' : 's'}`;
  if (statuses.every((s) => s.state === 'in-sync')) return `in sync with ${plural(statuses.length)}`;
  const pulling = statuses.filter((s) => s.state === 'catching-up' || s.state === 'behind');
  if (pulling.length) {
    const total = pulling.reduce((n, s) => n + (s.total ?? 0), 0);
    const received = pulling.reduce((n, s) => n + (s.received ?? 0), 0);
    return total > 0 ? `catching up ${Math.min(99, Math.floor((100 * received) / total))}%` : 'catching up';
  }
  const failed = statuses.filter((s) => s.state === 'failed').length;
  if (failed) return `sync failed with ${plural(failed)}, retrying`;
  return `${plural(statuses.filter((s) => s.state === 'caught-up').length)} catching up with this node`;
}

/** The Collections area. */
export function CollectionsPanel({ syncing }: { syncing: boolean }) {
  const collections = useCollections();
  const subscriptions = useSubscriptions();
  const subscribed = new Set(subscriptions.map((c) => c.id));
  const statuses = useSyncStatus();
  const open = useUi((s) => s.open);
  const error = useUi((s) => s.schemaError);
  const subscribeError = useUi((s) => s.subscribeError);
  const mismatches = useUi((s) => s.mismatches);
  const offers = useUi((s) => s.offers);
  // Collections a connected peer syncs and this node has, but does not sync: nothing moves until it does.
  const offered = [...new Set(Object.values(offers).flat())].filter((n) => collections.some((c) => c.name === n && !subscribed.has(c.id)));
  const [sdl, setSdl] = useState('');
  const [names, setNames] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    if (await actions.addSchema(sdl)) {
      setSdl('');
      // Focus moves to the collection now open, from where its documents are a Tab away.
      setTimeout(() => document.querySelector<HTMLButtonElement>('.collections button[aria-current="true"]')?.focus(), 0);
    }
    setBusy(false);
  }

  return (
    <section className="panel" aria-labelledby="collections-heading">
      <h2 id="collections-heading">Collections</h2>
      <form onSubmit={submit} className="stack">
        <label htmlFor="sdl">Collection schema</label>
        <textarea
          id="sdl"
          rows={7}
          spellCheck={false}
          placeholder={EXAMPLE}
          value={sdl}
          onChange={(e) => setSdl(e.target.value)}
          aria-describedby="sdl-help"
        />
        <p id="sdl-help" className="hint">
          GraphQL SDL; one or more <code>type</code> definitions. Scalars: String, Int, Float, Boolean, DateTime, JSON, ID; <code>!</code> for
          required, <code>[T]</code> for lists.
        </p>
        <Alert message={error} onDismiss={() => actions.dismiss('schemaError')} />
        <div className="row">
          <button type="submit" disabled={busy}>
            Add collection
          </button>
          {collections.length === 0 && (
            <button type="button" className="secondary" onClick={() => setSdl(EXAMPLE)}>
              Use example
            </button>
          )}
        </div>
      </form>
      {collections.length === 0 ? (
        <p className="empty">No collections yet. Add a schema above.</p>
      ) : (
        <ul aria-label="Collections" className="collections">
          {collections.map((c) => (
            <li key={c.id} className={c.name === open ? 'current' : ''}>
              <button type="button" className="collection" aria-current={c.name === open ? 'true' : undefined} onClick={() => actions.openCollection(c.name)}>
                {c.name}
              </button>
              <span className="meta" title={`collection ID (and pubsub topic) ${c.id}`}>
                <code>{c.id.slice(0, 12)}…</code>
              </span>
              {syncing && (
                <label className="switch">
                  <button
                    type="button"
                    role="switch"
                    aria-checked={subscribed.has(c.id)}
                    aria-label={`Sync ${c.name}`}
                    onClick={() => actions.setSync(c.name, !subscribed.has(c.id))}
                  >
                    <span className="knob" />
                  </button>
                  <span aria-hidden="true">sync</span>
                </label>
              )}
              {syncing && (
                <span className="sync-summary" aria-label={`Sync state of ${c.name}`}>
                  {syncSummary(subscribed.has(c.id), statuses.filter((st) => st.collection === c.id))}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {syncing && offered.map((n) => (
        <div role="status" className="notice offer" key={`offer-${n}`}>
          A connected peer syncs {n}; this tab does not, so nothing of {n} moves between you yet.{' '}
          <button type="button" onClick={() => void actions.setSync(n, true)}>
            Sync {n}
          </button>
        </div>
      ))}
      {Object.values(mismatches).map((m) => (
        <div role="alert" className="alert notice" key={`${m.peer}/${m.collection}`}>
          Peer {m.peer.slice(0, 8)}…{m.peer.slice(-4)} has a different {m.collection} collection, so it does not sync with yours:{' '}
          {m.differences.map(peerWording).join('; ')}.
        </div>
      ))}
      {syncing && (
        <form
          className="stack subscribe"
          onSubmit={async (e) => {
            e.preventDefault();
            if (await actions.subscribeMany(names)) setNames('');
          }}
        >
          <label htmlFor="subscribe-names">Subscribe to collections</label>
          <div className="row">
            <input id="subscribe-names" type="text" value={names} placeholder="User,Post" onChange={(e) => setNames(e.target.value)} />
            <button type="submit">Subscribe</button>
          </div>
          <Alert message={subscribeError} onDismiss={() => actions.dismiss('subscribeError')} />
        </form>
      )}
    </section>
  );
}
