/** Reaching the relay from a node: dial it, keep it dialed, and wait for the reservation. */
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { Libp2p, PeerId } from '@libp2p/interface';
import { parsePeerMultiaddr } from './multiaddr.js';

/** Thrown when none of the relay addresses could be dialed. */
export class RelayUnreachableError extends Error {
  static override name = 'RelayUnreachableError';
  override name = 'RelayUnreachableError';
}

/** Thrown when the relay was dialed but no reservation (dialable circuit address) appeared in time. */
export class ReservationTimeoutError extends Error {
  static override name = 'ReservationTimeoutError';
  override name = 'ReservationTimeoutError';
}

/** Where a node stands with its relay, reported by `keepRelayConnected`. */
export type RelayStatus =
  | { state: 'dialing'; attempt: number }
  | { state: 'connected'; relay: string }
  | { state: 'disconnected'; relay: string }
  | { state: 'failed'; error: Error; retryInMs: number };

/** Options of `keepRelayConnected`. */
export interface KeepRelayInit {
  /** Called on every change of relay status (for the UI's network panel). */
  onStatus?: (status: RelayStatus) => void;
  /** First delay before redialing after a failure or a disconnect (ms, default 1000). */
  retryMs?: number;
  /** Longest delay between redials (ms, default 15000). */
  maxRetryMs?: number;
}

/** Dials the first reachable relay of `addrs`; throws RelayUnreachableError when none answers. */
export async function dialRelay(node: Libp2p, addrs: string[], options: { signal?: AbortSignal } = {}): Promise<PeerId> {
  const failures: string[] = [];
  for (const addr of addrs) {
    try {
      const { multiaddr: ma } = parsePeerMultiaddr(addr);
      const conn = await node.dial(ma, options.signal != null ? { signal: options.signal } : {});
      return conn.remotePeer;
    } catch (err) {
      failures.push(`${addr}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const detail = failures.length > 0 ? failures.join('; ') : 'no relay address configured';
  throw new RelayUnreachableError(`could not reach the relay (${detail}); is it running?`);
}

/** The node's own relayed addresses (those containing /p2p-circuit), optionally through one relay. */
export function circuitAddrs(node: Libp2p, relay?: PeerId | string): Multiaddr[] {
  const relayId = relay?.toString();
  return node.getMultiaddrs().filter((ma) => {
    const parts = ma.getComponents();
    const circuitAt = parts.findIndex((c) => c.name === 'p2p-circuit');
    if (circuitAt < 0) return false;
    return relayId == null || parts.slice(0, circuitAt).some((c) => c.name === 'p2p' && c.value === relayId);
  });
}

/** The address other tabs dial: `…/p2p-circuit/webrtc/p2p/<self>`, or undefined before a reservation. */
export function webrtcCircuitAddr(node: Libp2p): Multiaddr | undefined {
  return circuitAddrs(node).find((ma) => ma.getComponents().some((c) => c.name === 'webrtc'));
}

/** Resolves with the node's circuit addresses once a reservation exists; rejects after `timeoutMs`. */
export async function waitForReservation(
  node: Libp2p,
  options: { relay?: PeerId | string; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<Multiaddr[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const present = circuitAddrs(node, options.relay);
  if (present.length > 0) return present;
  return new Promise<Multiaddr[]>((resolve, reject) => {
    const check = (): void => {
      const addrs = circuitAddrs(node, options.relay);
      if (addrs.length > 0) {
        cleanup();
        resolve(addrs);
      }
    };
    const onAbort = (): void => {
      cleanup();
      reject(options.signal?.reason ?? new ReservationTimeoutError('waiting for the relay reservation was aborted'));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new ReservationTimeoutError(`the relay gave no reservation within ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      node.removeEventListener('self:peer:update', check);
      node.removeEventListener('transport:listening', check);
      options.signal?.removeEventListener('abort', onAbort);
    };
    node.addEventListener('self:peer:update', check);
    node.addEventListener('transport:listening', check);
    options.signal?.addEventListener('abort', onAbort);
  });
}

/**
 * Dials a relay now and again whenever the connection to it drops, with backoff.
 * Returns a function that stops it; it also stops when the node stops.
 */
export function keepRelayConnected(node: Libp2p, addrs: string[], init: KeepRelayInit = {}): () => void {
  const retryMs = init.retryMs ?? 1000;
  const maxRetryMs = init.maxRetryMs ?? 15_000;
  const report = init.onStatus ?? (() => {});
  const controller = new AbortController();
  let relay: PeerId | undefined;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = async (): Promise<void> => {
    timer = undefined;
    if (controller.signal.aborted) return;
    attempt += 1;
    report({ state: 'dialing', attempt });
    try {
      relay = await dialRelay(node, addrs, { signal: controller.signal });
      attempt = 0;
      report({ state: 'connected', relay: relay.toString() });
    } catch (err) {
      if (controller.signal.aborted) return;
      const wait = Math.min(maxRetryMs, retryMs * 2 ** Math.min(attempt - 1, 10));
      report({ state: 'failed', error: err instanceof Error ? err : new Error(String(err)), retryInMs: wait });
      timer = setTimeout(() => void connect(), wait);
    }
  };
  const onDisconnect = (evt: CustomEvent<PeerId>): void => {
    if (relay == null || !evt.detail.equals(relay) || controller.signal.aborted || timer != null) return;
    report({ state: 'disconnected', relay: relay.toString() });
    timer = setTimeout(() => void connect(), retryMs);
  };
  const stop = (): void => {
    controller.abort();
    if (timer != null) clearTimeout(timer);
    node.removeEventListener('peer:disconnect', onDisconnect);
    node.removeEventListener('stop', stop);
  };

  node.addEventListener('peer:disconnect', onDisconnect);
  node.addEventListener('stop', stop);
  void connect();
  return stop;
}

/** Parses relay addresses served by the relay's HTTP endpoint (`{ multiaddrs: string[] }`). */
export function relayAddrsFromJson(json: unknown): string[] {
  const list = (json as { multiaddrs?: unknown } | null)?.multiaddrs;
  if (!Array.isArray(list)) return [];
  return list.filter((a): a is string => typeof a === 'string').filter((a) => {
    try {
      multiaddr(a);
      return true;
    } catch {
      return false;
    }
  });
}

/** Fetches the relay's addresses from its HTTP endpoint (e.g. `http://<host>:9091/multiaddrs`). */
export async function fetchRelayAddrs(url: string, options: { signal?: AbortSignal } = {}): Promise<string[]> {
  let response: Response;
  try {
    response = await fetch(url, options.signal != null ? { signal: options.signal } : {});
  } catch (err) {
    throw new RelayUnreachableError(`could not fetch relay addresses from ${url} (${err instanceof Error ? err.message : String(err)}); is the relay running?`);
  }
  if (!response.ok) throw new RelayUnreachableError(`relay address endpoint ${url} answered HTTP ${response.status}`);
  const addrs = relayAddrsFromJson(await response.json());
  if (addrs.length === 0) throw new RelayUnreachableError(`relay address endpoint ${url} listed no multiaddress`);
  return addrs;
}
