/** Turning the relay's listen addresses into addresses a browser can dial. */
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { isIP } from 'node:net';

/**
 * The relay's dialable WebSockets addresses: loopback forms first (127.0.0.1 and
 * /dns4/localhost), then the other interfaces, each ending in /p2p/<relay id>.
 */
export function dialableRelayAddrs(listening: Multiaddr[], peerId: string): string[] {
  const out = new Set<string>();
  const rest: string[] = [];
  for (const ma of listening) {
    const parts = ma.getComponents();
    if (!parts.some((c) => c.name === 'ws' || c.name === 'wss')) continue;
    if (parts.some((c) => c.name === 'p2p-circuit')) continue;
    const host = parts[0];
    const port = parts.find((c) => c.name === 'tcp')?.value;
    if (host == null || port == null) continue;
    const wsPart = parts.some((c) => c.name === 'wss') ? 'wss' : 'ws';
    if (host.value === '0.0.0.0' || host.value === '127.0.0.1') {
      out.add(`/ip4/127.0.0.1/tcp/${port}/${wsPart}/p2p/${peerId}`);
      out.add(`/dns4/localhost/tcp/${port}/${wsPart}/p2p/${peerId}`);
      continue;
    }
    rest.push(withPeer(ma, peerId).toString());
  }
  for (const addr of rest) out.add(addr);
  return [...out];
}

/**
 * Address built from the HTTP Host header a client used to reach the relay, so a
 * device on the LAN gets the address that is reachable from where it stands.
 */
export function addrForHostHeader(hostHeader: string | undefined, wsPort: number, peerId: string): string | undefined {
  if (hostHeader == null || hostHeader === '') return undefined;
  let hostname: string;
  try {
    hostname = new URL(`http://${hostHeader}`).hostname;
  } catch {
    return undefined;
  }
  const bare = hostname.replace(/^\[|\]$/g, '');
  const kind = isIP(bare);
  const proto = kind === 4 ? 'ip4' : kind === 6 ? 'ip6' : /^[a-z0-9.-]+$/i.test(bare) ? 'dns4' : undefined;
  if (proto == null) return undefined;
  return `/${proto}/${bare}/tcp/${wsPort}/ws/p2p/${peerId}`;
}

function withPeer(ma: Multiaddr, peerId: string): Multiaddr {
  const last = ma.getComponents().at(-1);
  return last?.name === 'p2p' ? ma : ma.encapsulate(multiaddr(`/p2p/${peerId}`));
}
