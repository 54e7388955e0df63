/** Dialing another peer with a bounded retry, ending on a direct connection when one is possible. */
import type { Connection, Libp2p } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import { classifyConnection, isRelayedAddr, type ConnectionKind } from './multiaddr.js';

/** Thrown when every dial attempt failed; `attempts` says how many were made. */
export class DialFailedError extends Error {
  static override name = 'DialFailedError';
  override name = 'DialFailedError';
  /** How many dials were tried. */
  readonly attempts: number;
  constructor(message: string, attempts: number, options?: { cause?: unknown }) {
    super(message, options);
    this.attempts = attempts;
  }
}

/** Options of `dialWithRetry`. */
export interface DialRetryInit {
  /** Dials to try in all (default 3). WebRTC through a relay sometimes times out once, then succeeds. */
  attempts?: number;
  /** Time allowed for each attempt (ms, default 8000). */
  attemptTimeoutMs?: number;
  /** Called before each retry so the UI can say what is happening. */
  onRetry?: (attempt: number, error: Error) => void;
  /** Aborts all attempts. */
  signal?: AbortSignal;
}

/** Dials `ma`, retrying a few times; resolves with the connection and whether it is direct or relayed. */
export async function dialWithRetry(
  node: Libp2p,
  ma: Multiaddr,
  init: DialRetryInit = {},
): Promise<{ connection: Connection; kind: ConnectionKind }> {
  const attempts = Math.max(1, init.attempts ?? 3);
  const attemptTimeoutMs = init.attemptTimeoutMs ?? 8000;
  let last: Error = new Error('not dialed');
  for (let attempt = 1; attempt <= attempts; attempt++) {
    init.signal?.throwIfAborted();
    const signals = [AbortSignal.timeout(attemptTimeoutMs), ...(init.signal != null ? [init.signal] : [])];
    try {
      const connection = await node.dial(ma, { signal: AbortSignal.any(signals) });
      return { connection, kind: classifyConnection(connection) };
    } catch (err) {
      last = err instanceof Error ? err : new Error(String(err));
      if (init.signal?.aborted === true) throw last;
      if (attempt < attempts) init.onRetry?.(attempt, last);
    }
  }
  const via = isRelayedAddr(ma) ? ' through the relay' : '';
  throw new DialFailedError(`could not connect to ${ma.toString()}${via} after ${attempts} attempts: ${last.message}`, attempts, { cause: last });
}
