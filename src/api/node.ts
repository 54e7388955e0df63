/** The Node.js entry: the same API, with a network over TCP and WebSockets (headless peers, scripts, tests). */
import '../net/polyfill.js';
import { createNodeLibp2p, type NodeTransportName } from '../net/node-libp2p.js';
import type { NetworkOptions } from '../node/node.js';

export * from './index.js';

/** Options of a Node peer's network. */
export interface NodeNetworkOptions {
  /** Transports (default tcp and ws). */
  readonly transports?: NodeTransportName[];
  /** Listen addresses (default TCP on 127.0.0.1 with a free port). */
  readonly listen?: string[];
  /** Relay multiaddresses to reserve a slot on, so tabs can reach this peer through the relay. */
  readonly relay?: readonly string[];
}

/** Network options for `openNode` in Node.js. */
export function nodeNetwork(opts: NodeNetworkOptions = {}): NetworkOptions {
  return {
    create: (privateKey) => createNodeLibp2p({
      privateKey,
      ...(opts.transports ? { transports: opts.transports } : {}),
      ...(opts.listen ? { listen: opts.listen } : {}),
    }),
    ...(opts.relay?.length ? { relay: { addrs: opts.relay } } : {}),
  };
}
