/** The libp2p services every node of the app runs: identify, ping and gossipsub. */
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { gossipsub, type GossipSub, type GossipsubOpts } from '@libp2p/gossipsub';
import type { Identify } from '@libp2p/identify';
import type { Ping } from '@libp2p/ping';
import type { Libp2p } from '@libp2p/interface';
import { sha256 } from '@noble/hashes/sha2.js';

/** The services of an app node, as typed on `node.services`. */
export interface NetServices extends Record<string, unknown> {
  identify: Identify;
  ping: Ping;
  pubsub: GossipSub;
}

/** A libp2p node of the app (browser tab or Node peer). */
export type NetNode = Libp2p<NetServices>;

/** Options of the shared services. */
export interface NetServicesInit {
  /** Extra gossipsub options; `allowPublishToZeroTopicPeers` is on unless set here. */
  gossipsub?: Partial<GossipsubOpts>;
}

/**
 * How libp2p's connection monitor judges a connection dead. Its default aborts a connection when one ping
 * takes over 5 s (loopback round trips teach its adaptive timeout nothing higher). A node busy applying a
 * large catch-up, or a tab whose main thread is held by IndexedDB work or a long garbage collection, can miss
 * that, and the connection (with the catch-up on it) was dropped mid-way: 1 run in 3 of the 100,000-document
 * catch-up lost its connection at 45,000. So a ping may take 10 s; pinging every 5 s keeps a dead link (a tab
 * closed without a goodbye) found within about 15 s. The peer manager re-dials peers it connected to.
 */
export const CONNECTION_MONITOR = { pingInterval: 5_000, pingTimeout: { minTimeout: 10_000 } } as const;

/**
 * Service factories for `createLibp2p({ services })`.
 * Gossip messages are not signed by libp2p: every block inside is signed by its author and verified by every
 * receiver, so a second signature per message would only cost (about 1.3 ms to sign and 1.4 ms to verify in
 * pure JS, on every hop). Message IDs are then the hash of the content, computed in pure JS so they work where
 * `crypto.subtle` is missing (plain http on a LAN).
 */
export function netServices(init: NetServicesInit = {}) {
  return {
    identify: identify(),
    ping: ping(),
    pubsub: gossipsub({
      allowPublishToZeroTopicPeers: true,
      // Message IDs are content hashes: the same bytes published again are already out there.
      ignoreDuplicatePublishError: true,
      globalSignaturePolicy: 'StrictNoSign',
      msgIdFn: (msg) => sha256(msg.data),
      ...init.gossipsub,
    }),
  };
}
