/**
 * Recent peers: the last few peers this tab was connected to, kept per node so that after a reload (which
 * clears peers, as the seed says) each can be reconnected with one press. Pure, but for `load`/`save`.
 */

/** A peer remembered: its PeerID, name when it told one, and an address to dial it again. */
export interface RecentPeer {
  readonly peerId: string;
  readonly name?: string;
  readonly address: string;
  readonly at: number;
}

/** How many peers are remembered. */
export const MAX_RECENT = 5;

/**
 * An address to dial `peerId` again: the same relay circuit as this node's own WebRTC-dialable address (tabs
 * of this app reserve on the same relay), with the peer's ID at the end; null while this node has none.
 */
export function addressOfPeer(ownAddresses: readonly string[], selfId: string, peerId: string): string | null {
  const own = ownAddresses.find((a) => a.includes('/p2p-circuit/webrtc/') && a.endsWith(`/p2p/${selfId}`));
  return own ? `${own.slice(0, -selfId.length)}${peerId}` : null;
}

/** The list with `peer` first (replacing an older entry of the same peer), at most MAX_RECENT long. */
export function remember(list: readonly RecentPeer[], peer: RecentPeer): RecentPeer[] {
  return [peer, ...list.filter((p) => p.peerId !== peer.peerId)].slice(0, MAX_RECENT);
}

const key = (node: string): string => `p2pdb-recent-peers:${node}`;

/** The remembered peers of a node (an empty list when none, or when storage is unavailable or garbled). */
export function load(node: string): RecentPeer[] {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(key(node)) ?? '[]');
    if (!Array.isArray(raw)) return [];
    return raw.filter((p): p is RecentPeer => typeof p?.peerId === 'string' && typeof p?.address === 'string' && typeof p?.at === 'number').slice(0, MAX_RECENT);
  } catch {
    return [];
  }
}

/** Keeps the list for a node (best effort: private browsing may refuse). */
export function save(node: string, list: readonly RecentPeer[]): void {
  try {
    localStorage.setItem(key(node), JSON.stringify(list));
  } catch {
    /* not kept: the list is a convenience */
  }
}
