/** Finding the relay (from `?relay=` or the relay's HTTP endpoint) and keeping it dialed, with backoff. */
import { fetchRelayAddrs, keepRelayConnected } from '../net/relay-client.js';
import { parsePeerMultiaddr } from '../net/multiaddr.js';
import type { PeerManager } from '../net/peer-manager.js';

/** Where the relay is. */
export interface RelaySource {
  /** Addresses given explicitly (e.g. `?relay=`); skip the HTTP lookup. */
  readonly addrs?: readonly string[];
  /** The relay's address endpoint, e.g. http://<host>:9091/multiaddrs. */
  readonly url?: string;
}

/**
 * Looks the relay up and keeps it connected, retrying with backoff (1 s doubling to 15 s) while it is
 * unreachable; reports every state on the network object. Returns a stop function.
 */
export function startRelayDiscovery(net: PeerManager, source: RelaySource): () => void {
  let stopped = false;
  let stopKeep: (() => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;

  const fail = (message: string): void => {
    attempt++;
    const retryInMs = Math.min(15_000, 1000 * 2 ** Math.min(attempt - 1, 4));
    net.setRelayState({ state: 'unreachable', message, retryInMs });
    timer = setTimeout(() => void find(), retryInMs);
  };

  const find = async (): Promise<void> => {
    if (stopped) return;
    net.setRelayState({ state: 'connecting', attempt: attempt + 1 });
    let addrs: string[];
    try {
      if (source.addrs?.length) addrs = source.addrs.map((a) => parsePeerMultiaddr(a).multiaddr.toString());
      else if (source.url) addrs = await fetchRelayAddrs(source.url, { signal: AbortSignal.timeout(4000) });
      else throw new Error('no relay configured');
    } catch (err) {
      if (err instanceof Error && err.name === 'InvalidMultiaddrError') {
        net.setRelayState({ state: 'unreachable', message: `the relay address is invalid: ${err.message}`, retryInMs: 0 });
        return;
      }
      fail(`the relay is unreachable (${(err as Error).message})`);
      return;
    }
    if (stopped) return;
    net.setRelays(addrs.map((a) => parsePeerMultiaddr(a).peerId));
    stopKeep = keepRelayConnected(net.libp2p, addrs, {
      onStatus: (s) => {
        if (s.state === 'connected') {
          attempt = 0;
          net.setRelayState({ state: 'connected', relay: s.relay });
        } else if (s.state === 'dialing') net.setRelayState({ state: 'connecting', attempt: s.attempt });
        else if (s.state === 'failed') net.setRelayState({ state: 'unreachable', message: `the relay is unreachable (${s.error.message})`, retryInMs: s.retryInMs });
        else net.setRelayState({ state: 'unreachable', message: 'lost the relay; reconnecting', retryInMs: 1000 });
      },
    });
  };

  void find();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    stopKeep?.();
  };
}
