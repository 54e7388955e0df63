/**
 * The network in one picture: this node, the relay, its peers (direct or relayed, in sync or not) and the
 * peers' own peers as their hellos report them, so a line A–B–C shows C on A's map. Updates live.
 */
import { useMemo } from 'react';
import type { ActivePeer, Neighbour, RelayState, SyncStatus } from '../../api/index.js';

const W = 440;
const H = 250;
const CX = W / 2 - 30;
const CY = H / 2 + 10;

/** A short label for a peer: its name, else the end of its PeerID. */
function label(name: string | undefined, id: string): string {
  const text = name ?? `…${id.slice(-6)}`;
  return text.length > 16 ? `${text.slice(0, 15)}…` : text;
}

interface Spot { readonly x: number; readonly y: number }

type LinkState = 'in-sync' | 'syncing' | 'relayed' | 'unknown';

/** How this node stands with a peer, from its connection and sync statuses. */
function linkState(peer: ActivePeer, statuses: readonly SyncStatus[]): LinkState {
  if (peer.kind === 'relayed') return 'relayed';
  const mine = statuses.filter((s) => s.peer === peer.peerId && s.peerSubscribed !== false);
  if (!mine.length) return 'unknown';
  return mine.every((s) => s.state === 'in-sync') ? 'in-sync' : 'syncing';
}

const LINK_TEXT: Record<LinkState, string> = { 'in-sync': 'in sync', syncing: 'syncing', relayed: 'relayed, sync waits for a direct link', unknown: 'connected, nothing shared yet' };

/** The map of this node's neighbourhood. */
export function NetworkMap({ selfName, peers, neighbours, statuses, relay }: {
  selfName: string;
  peers: readonly ActivePeer[];
  neighbours: readonly Neighbour[];
  statuses: readonly SyncStatus[];
  relay: RelayState | null;
}) {
  const layout = useMemo(() => {
    const names = new Map(neighbours.map((n) => [n.peer as string, n.name]));
    const direct = new Map<string, Spot>();
    const n = Math.max(peers.length, 1);
    peers.forEach((p, i) => {
      const a = (i * 2 * Math.PI) / n; // the first peer to the right, the others around
      direct.set(p.peerId, { x: CX + 105 * Math.cos(a), y: CY + 75 * Math.sin(a) });
    });
    // Peers of peers this node is not connected to, placed outside their first reporter.
    const far = new Map<string, { spot: Spot; name?: string; via: string[] }>();
    for (const nb of neighbours) {
      const at = direct.get(nb.peer);
      if (!at) continue;
      for (const x of nb.peers) {
        if (direct.has(x.id)) continue;
        const known = far.get(x.id);
        if (known) {
          known.via.push(nb.peer);
          continue;
        }
        const k = [...far.values()].filter((f) => f.via[0] === nb.peer).length;
        const a = Math.atan2(at.y - CY, at.x - CX) + (k - 0.5) * 0.45;
        far.set(x.id, { spot: { x: CX + 190 * Math.cos(a), y: CY + 108 * Math.sin(a) }, ...(x.name !== undefined ? { name: x.name } : {}), via: [nb.peer] });
      }
    }
    return { names, direct, far };
  }, [peers, neighbours]);
  const relayUp = relay?.state === 'connected';
  const clamp = (s: Spot): Spot => ({ x: Math.min(W - 40, Math.max(40, s.x)), y: Math.min(H - 14, Math.max(20, s.y)) });
  const summary = [
    `This node ${selfName}${relayUp ? ', connected to the relay' : ''}`,
    ...peers.map((p) => `${layout.names.get(p.peerId) ?? p.peerId}: ${p.kind}, ${LINK_TEXT[linkState(p, statuses)]}`),
    ...[...layout.far].map(([id, f]) => `${f.name ?? id}: a peer of ${f.via.map((v) => layout.names.get(v) ?? v).join(' and ')}`),
  ];
  return (
    <figure aria-label="Network map" className="network-map">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary.join('; ')}>
        {relayUp && (
          <g className="relay">
            <line x1={CX} y1={CY} x2={46} y2={24} className="link link-relay" />
            <rect x={20} y={8} width={52} height={18} rx={4} />
            <text x={46} y={21} textAnchor="middle">relay</text>
          </g>
        )}
        {[...layout.far].map(([id, f]) => f.via.map((v) => {
          const from = layout.direct.get(v)!;
          const to = clamp(f.spot);
          return <line key={`${id}-${v}`} x1={from.x} y1={from.y} x2={to.x} y2={to.y} className="link link-far" />;
        }))}
        {peers.map((p) => {
          const at = layout.direct.get(p.peerId)!;
          return <line key={`l-${p.peerId}`} x1={CX} y1={CY} x2={at.x} y2={at.y} className={`link link-${linkState(p, statuses)}`} />;
        })}
        <g className="node node-self">
          <circle cx={CX} cy={CY} r={20} />
          <text x={CX} y={CY + 4} textAnchor="middle">you</text>
          <text x={CX} y={CY + 34} textAnchor="middle" className="node-label">{label(selfName, selfName)}</text>
        </g>
        {peers.map((p) => {
          const at = layout.direct.get(p.peerId)!;
          return (
            <g key={`n-${p.peerId}`} className={`node node-${linkState(p, statuses)}`}>
              <title>{`${p.peerId} (${p.kind}, ${LINK_TEXT[linkState(p, statuses)]})`}</title>
              <circle cx={at.x} cy={at.y} r={13} />
              <text x={at.x} y={at.y + 27} textAnchor="middle" className="node-label">{label(layout.names.get(p.peerId), p.peerId)}</text>
            </g>
          );
        })}
        {[...layout.far].map(([id, f]) => {
          const at = clamp(f.spot);
          return (
            <g key={`f-${id}`} className="node node-far">
              <title>{`${id}, a peer of ${f.via.map((v) => layout.names.get(v) ?? v).join(' and ')}`}</title>
              <circle cx={at.x} cy={at.y} r={9} />
              <text x={at.x} y={at.y + 21} textAnchor="middle" className="node-label">{label(f.name, id)}</text>
            </g>
          );
        })}
      </svg>
      <figcaption className="map-legend">
        <span className="key key-in-sync">in sync</span> <span className="key key-syncing">syncing</span>{' '}
        <span className="key key-relayed">relayed</span> <span className="key key-far">a peer's peer</span>
      </figcaption>
    </figure>
  );
}
