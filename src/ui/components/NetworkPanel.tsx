/** Network: this node's Peer ID and addresses, the relay, connecting to a peer, and the active peers. */
import { useEffect, useState } from 'react';
import type { RelayState } from '../../api/index.js';
import { useNeighbourhood, useNodeInfo, usePeers, useReconnecting, useRelay, useSyncStatus } from '../../api/react.js';
import { NetworkMap } from './NetworkMap.js';
import type { SyncStatus } from '../../api/index.js';
import { actions, useUi } from '../state.js';
import { Alert } from './Alert.js';
import { QrCode } from './QrCode.js';
import { copyText } from '../copy.js';
import { inviteLink } from '../invite.js';
import { addressOfPeer, load, remember, save, type RecentPeer } from '../recent-peers.js';


/** " (it holds 1,200 changes, this tab 1,000)" when the peer is known to be ahead. */
function aheadBy(s: SyncStatus): string {
  return s.theirs !== undefined && s.ours !== undefined && s.theirs > s.ours ? ` (it holds ${s.theirs} changes, this tab ${s.ours})` : '';
}

/** "User: in sync", "Post: catching up 120 of 500 changes". */
function statusText(s: SyncStatus): string {
  switch (s.state) {
    case 'in-sync': return `${s.name}: in sync`;
    case 'caught-up': return `${s.name}: caught up (it is missing some of yours; it pulls them)`;
    case 'catching-up': return s.total ? `${s.name}: catching up ${s.received ?? 0} of ${s.total} changes` : `${s.name}: catching up…${aheadBy(s)}`;
    case 'behind': return `${s.name}: behind, it sends faster than this tab applies (${s.waiting ?? 0} changes queued); the rest follows by catch-up`;
    case 'failed': return `${s.name}: sync failed (${s.message ?? 'unknown reason'}); retrying later`;
  }
}

function relayText(r: RelayState | null): string {
  if (!r) return 'no relay configured';
  switch (r.state) {
    case 'searching':
      return 'looking for the relay…';
    case 'connecting':
      return r.attempt > 1 ? `connecting to the relay (attempt ${r.attempt})…` : 'connecting to the relay…';
    case 'connected':
      return 'connected to the relay';
    case 'unreachable':
      return r.retryInMs > 0 ? `${r.message}; retrying in ${Math.round(r.retryInMs / 1000)} s. This tab keeps working locally.` : r.message;
  }
}

/** The Network area. */
export function NetworkPanel() {
  const { peerId, addresses, name: selfName } = useNodeInfo();
  const neighbours = useNeighbourhood();
  const peers = usePeers();
  const nameOf = (id: string): string | undefined => neighbours.find((n) => n.peer === id)?.name;
  // Peers are cleared on reload (the seed's rule); the last few stay offered for one-press reconnecting.
  const [recent, setRecent] = useState<RecentPeer[]>(() => load(selfName));
  useEffect(() => {
    if (!peerId) return;
    let list = load(selfName);
    for (const p of peers) {
      if (p.kind !== 'direct') continue;
      const address = addressOfPeer(addresses, peerId, p.peerId);
      const name = neighbours.find((n) => n.peer === p.peerId)?.name;
      const known = list.find((r) => r.peerId === p.peerId);
      if (address && (!known || known.name !== name || known.address !== address || list[0] !== known)) {
        list = remember(list, { peerId: p.peerId, address, at: Date.now(), ...(name ? { name } : {}) });
      }
    }
    save(selfName, list);
    setRecent(list);
  }, [peers, neighbours, addresses, peerId, selfName]);
  const offline = recent.filter((r) => !peers.some((p) => p.peerId === r.peerId));
  const relay = useRelay();
  const statuses = useSyncStatus();
  const reconnecting = useReconnecting().filter((id) => !peers.some((p) => p.peerId === id));
  const connecting = useUi((s) => s.connecting);
  const connectError = useUi((s) => s.connectError);
  const [addr, setAddr] = useState('');
  const [copied, setCopied] = useState<string | null>(null);
  if (!peerId) return null;
  const invite = inviteLink(location.href, addresses);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (await actions.connect(addr)) setAddr('');
  }

  return (
    <section className="panel network" aria-labelledby="network-heading">
      <h2 id="network-heading">Network</h2>
      <div className="network-grid">
        <div className="stack">
          <div>
            <span className="label" id="peer-id-label">Peer ID</span>{' '}
            <code aria-labelledby="peer-id-label" className="peer-id">{peerId}</code>
          </div>
          <p role="status" className={`relay relay-${relay?.state ?? 'none'}`}>
            Relay: {relayText(relay)}
          </p>
          {invite ? (
            <div className="invite stack">
              <div className="row">
                <button
                  type="button"
                  onClick={async () => {
                    if (await copyText(invite)) setCopied(invite);
                  }}
                >
                  Copy invite link
                </button>
                {copied === invite && <span className="copied" role="status">copied</span>}
              </div>
              <p className="hint">
                Open it in another tab, or on a phone or laptop on this network: it connects to this tab at start.
              </p>
              <details>
                <summary>QR code of the invite link</summary>
                <QrCode text={invite} label="QR code of the invite link" />
              </details>
            </div>
          ) : (
            <p className="empty">No invite link yet: it appears once the relay gives this node a slot.</p>
          )}
          <details className="all-addresses">
            <summary>All addresses</summary>
            {addresses.length === 0 ? (
              <p className="empty">No dialable address yet.</p>
            ) : (
              <ul aria-label="Listen addresses" className="addresses">
                {addresses.map((a) => (
                  <li key={a}>
                    <code>{a}</code>
                    <button
                      type="button"
                      className="secondary small"
                      onClick={async () => {
                        if (await copyText(a)) setCopied(a);
                      }}
                    >
                      Copy address
                    </button>
                    {copied === a && <span className="copied">copied</span>}
                  </li>
                ))}
              </ul>
            )}
          </details>
        </div>
        <div className="stack">
          <form onSubmit={submit} className="stack" aria-label="Connect to a peer">
            <label htmlFor="peer-addr">Peer multiaddress</label>
            <div className="row">
              <input id="peer-addr" type="text" value={addr} onChange={(e) => setAddr(e.target.value)} placeholder="/ip4/…/p2p-circuit/webrtc/p2p/12D3Koo…" />
              <button type="submit" disabled={connecting !== null}>
                Connect
              </button>
            </div>
            {connecting && <p role="status">{connecting}</p>}
            <Alert message={connectError} onDismiss={() => actions.dismiss('connectError')} />
          </form>
          <h3 id="peers-heading">Active peers</h3>
          {peers.length === 0 ? (
            <p className="empty">No peers connected. Paste another tab's address above.</p>
          ) : (
            <ul aria-label="Active peers" className="peers">
              {peers.map((p) => (
                <li key={p.peerId}>
                  {nameOf(p.peerId) && <strong className="peer-name">{nameOf(p.peerId)}</strong>}
                  <code title={p.address} className={nameOf(p.peerId) ? 'peer-id-secondary' : undefined}>{p.peerId}</code>
                  <span className={`kind kind-${p.kind}`}>{p.kind}</span>
                  {p.kind === 'relayed' && <span className="hint">sync waits for a direct connection…</span>}
                  <span className="rtt">{p.rttMs !== undefined ? `${p.rttMs} ms` : '…'}</span>
                  <button type="button" className="danger small" aria-label={`Disconnect ${nameOf(p.peerId) ?? `${p.peerId.slice(0, 8)}…${p.peerId.slice(-4)}`}`} onClick={() => actions.disconnect(p.peerId)}>
                    Disconnect
                  </button>
                  {statuses.some((s) => s.peer === p.peerId) && (
                    <span className="sync-status" aria-label={`Sync with ${p.peerId}`}>
                      {statuses.filter((s) => s.peer === p.peerId).map(statusText).join(' · ')}
                    </span>
                  )}
                </li>
              ))}
            </ul>
          )}
          {offline.length > 0 && (
            <>
              <h3 id="recent-heading">Recent peers</h3>
              <ul aria-label="Recent peers" className="peers recent">
                {offline.map((r) => (
                  <li key={r.peerId}>
                    {r.name && <strong className="peer-name">{r.name}</strong>}
                    <code className={r.name ? 'peer-id-secondary' : undefined} title={r.address}>{r.peerId}</code>
                    <button type="button" className="secondary small" aria-label={`Reconnect ${r.name ?? `${r.peerId.slice(0, 8)}…${r.peerId.slice(-4)}`}`} onClick={() => void actions.connect(r.address)}>
                      Reconnect
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
          <h3 id="map-heading">Network map</h3>
          <NetworkMap selfName={selfName} peers={peers} neighbours={neighbours} statuses={statuses} relay={relay} />
          {reconnecting.length > 0 && (
            <ul aria-label="Reconnecting peers" className="peers">
              {reconnecting.map((id) => (
                <li key={id}>
                  <code>{id}</code> <span role="status">connection lost; reconnecting…</span>
                  <button type="button" className="secondary small" onClick={() => actions.disconnect(id)}>
                    Stop
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}
