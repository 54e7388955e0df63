/** Parsing peer multiaddresses typed by users, and telling direct from relayed connections. */
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { peerIdFromString } from '@libp2p/peer-id';

/** Thrown when text is not a dialable peer multiaddress; the message says what to fix. */
export class InvalidMultiaddrError extends Error {
  static override name = 'InvalidMultiaddrError';
  override name = 'InvalidMultiaddrError';
}

/** A peer multiaddress split into the address to dial and the PeerID it ends with. */
export interface PeerMultiaddr {
  multiaddr: Multiaddr;
  peerId: string;
}

/** How a connection reaches its peer: straight ('direct') or through a relay ('relayed'). */
export type ConnectionKind = 'direct' | 'relayed';

/** The parts of a libp2p connection that `classifyConnection` looks at. */
export interface ConnectionLike {
  remoteAddr: Multiaddr;
  limits?: unknown;
}

/** Parses `/…/p2p/<PeerID>`; throws InvalidMultiaddrError for garbage or a missing or bad PeerID. */
export function parsePeerMultiaddr(text: string): PeerMultiaddr {
  const trimmed = text.trim();
  if (trimmed === '') throw new InvalidMultiaddrError('multiaddress is empty');
  if (!trimmed.startsWith('/')) {
    throw new InvalidMultiaddrError(`"${shorten(trimmed)}" is not a multiaddress: it must start with "/", like /ip4/127.0.0.1/tcp/9090/ws/p2p/<PeerID>`);
  }
  let ma: Multiaddr;
  try {
    ma = multiaddr(trimmed);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new InvalidMultiaddrError(`"${shorten(trimmed)}" is not a valid multiaddress (${reason})`);
  }
  const last = ma.getComponents().at(-1);
  if (last?.name !== 'p2p' || last.value == null) {
    throw new InvalidMultiaddrError('multiaddress has no /p2p/<PeerID> at its end: copy the full address of the peer');
  }
  try {
    return { multiaddr: ma, peerId: peerIdFromString(last.value).toString() };
  } catch {
    throw new InvalidMultiaddrError(`"${shorten(last.value)}" is not a valid PeerID`);
  }
}

/** True when a multiaddress goes through a relay without ending in a direct WebRTC hop. */
export function isRelayedAddr(ma: Multiaddr): boolean {
  const names = ma.getComponents().map((c) => c.name);
  return names.includes('p2p-circuit') && !names.includes('webrtc');
}

/** 'relayed' for a limited connection or a circuit address without /webrtc, else 'direct'. */
export function classifyConnection(conn: ConnectionLike): ConnectionKind {
  if (conn.limits != null) return 'relayed';
  return isRelayedAddr(conn.remoteAddr) ? 'relayed' : 'direct';
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
