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
 * How libp2p's connection monitor judges a connection dead: it pings every connection every 5 s and aborts it
 * when a ping fails or takes over 10 s, so a tab closed without a goodbye is found gone within about 15 s.
 *
 * A ping also *fails* when it cannot open a stream: the ping service allowed one outbound and two inbound ping
 * streams per connection, and the monitor's pings, the peer manager's (for the ping times shown) and the
 * other side's all use it. Under load a ping stream lingers, the next one was refused, and the monitor aborted a
 * healthy connection: 1 run in 3 of the 100,000-document catch-up lost its only connection mid-way
 * (`TooManyOutboundProtocolStreamsError` in libp2p's log). Hence PING_STREAMS.
 */
export const CONNECTION_MONITOR = { pingInterval: 5_000, pingTimeout: { minTimeout: 10_000 } } as const;

/** Ping streams allowed at once per connection: the monitor's (up to two overlap), the peer manager's, the other side's. */
export const PING_STREAMS = { maxOutboundStreams: 4, maxInboundStreams: 8 } as const;

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
    ping: ping(PING_STREAMS),
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
