/** The circuit relay: a libp2p node that lets browser tabs reserve a slot and find each other. It stores no documents. */
import '../src/net/polyfill.js';
import { fileURLToPath } from 'node:url';
import { createLibp2p } from 'libp2p';
import { webSockets } from '@libp2p/websockets';
import { circuitRelayServer } from '@libp2p/circuit-relay-v2';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { loadOrCreateRelayKey } from './key-file.js';
import { addrForHostHeader, dialableRelayAddrs } from './addresses.js';
import { startRelayHttp, type RelayInfo } from './http.js';
import { RelayLimits, ipOfAddr, type Refusal, type RelayLimitsInit } from './limits.js';

/** Default WebSockets port (env RELAY_PORT overrides in main.ts). */
export const DEFAULT_RELAY_PORT = 9090;
/** Default HTTP port of the `/multiaddrs` endpoint (env RELAY_HTTP_PORT overrides in main.ts). */
export const DEFAULT_RELAY_HTTP_PORT = 9091;
/** Default folder of the persisted key (ignored by git). */
export const DEFAULT_RELAY_DATA_DIR = fileURLToPath(new URL('./data', import.meta.url));

/** Options of `startRelay`. */
export interface RelayInit {
  /** WebSockets port (default 9090; 0 picks a free one). */
  port?: number;
  /** Interface to listen on (default 0.0.0.0: all). */
  host?: string;
  /** Folder holding the persisted key (default relay/data). */
  dataDir?: string;
  /** HTTP port of the address endpoint (default 9091; 0 picks a free one; null disables it). */
  httpPort?: number | null;
  /** Most reservations held at once (default 1024). */
  maxReservations?: number;
  /** Lifetime of a reservation in ms (default 6 hours; clients refresh before it ends). */
  reservationTtlMs?: number;
  /** Limits per IP and per pair of peers (see limits.ts). */
  limits?: RelayLimitsInit;
  /**
   * Addresses to advertise besides the listening ones (e.g. `/dns4/relay.example/tcp/9090/ws`): the HTTP
   * endpoint puts first the one matching the host a client asked for, but only among these and the
   * relay's own interface addresses; it never builds an address from the request.
   */
  announce?: string[];
  /** Told about every refusal (default: one line on stderr). */
  onRefusal?: (r: Refusal) => void;
}

/** A running relay. */
export interface Relay {
  /** The relay's PeerID string. */
  peerId: string;
  /** Dialable addresses, loopback forms first, each ending in /p2p/<peerId>. */
  multiaddrs(): string[];
  /** The WebSockets port actually listened on. */
  wsPort: number;
  /** The HTTP endpoint's port, or undefined when disabled. */
  httpPort: number | undefined;
  /** Number of reservations currently held. */
  reservationCount(): number;
  /** Refusals so far, by kind. */
  refused(): Readonly<Record<Refusal['kind'], number>>;
  /** Stops the HTTP endpoint and the libp2p node. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts the relay: WebSockets listener, circuit-relay-v2 server, and the HTTP address endpoint. */
export async function startRelay(init: RelayInit = {}): Promise<Relay> {
  const host = init.host ?? '0.0.0.0';
  const privateKey = await loadOrCreateRelayKey(init.dataDir ?? DEFAULT_RELAY_DATA_DIR);
  const limits = new RelayLimits(init.limits);
  limits.onRefusal(init.onRefusal ?? ((r) => console.error(`relay: refused (${r.kind}): ${r.message}`)));
  const node = await createLibp2p({
    privateKey,
    addresses: { listen: [`/ip4/${host}/tcp/${init.port ?? DEFAULT_RELAY_PORT}/ws`] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: limits.gater(),
    connectionManager: {
      maxConnections: 4096,
      // Every tab on one machine shares an IP: the default of 5 new connections a second per host is too few.
      inboundConnectionThreshold: 200,
      maxIncomingPendingConnections: 200,
    },
    services: {
      identify: identify(),
      ping: ping({ maxOutboundStreams: 4, maxInboundStreams: 8 }), // as the app (src/net/services.ts PING_STREAMS)
      // Default limits on relayed connections stay (2 min, 128 KiB): tabs must upgrade to direct WebRTC.
      relay: circuitRelayServer({
        reservations: {
          maxReservations: init.maxReservations ?? 1024,
          reservationTtl: init.reservationTtlMs ?? 6 * 60 * 60 * 1000,
        },
      }),
    },
  });

  // A reservation is of no use once its peer is gone (the relay can only reach connected peers), but the
  // server keeps it until its TTL: free the slot at once, so connect-reserve-leave cannot fill the relay.
  node.addEventListener('peer:disconnect', (e) => { node.services.relay.reservations.delete(e.detail); });
  limits.attach({
    ipOf: (peer) => {
      const conn = node.getConnections(peer)[0];
      return conn ? ipOfAddr(conn.remoteAddr.toString()) : undefined;
    },
    reservedPeers: () => node.services.relay.reservations.keys(),
  });
  const peerId = node.peerId.toString();
  const announced = (init.announce ?? []).map((a) => (a.includes('/p2p/') ? a : `${a}/p2p/${peerId}`));
  const multiaddrs = (): string[] => [...new Set([...dialableRelayAddrs(node.getMultiaddrs(), peerId), ...announced])];
  const wsPort = Number(node.getMultiaddrs()[0]?.getComponents().find((c) => c.name === 'tcp')?.value ?? NaN);
  const info = (hostHeader: string | undefined): RelayInfo => {
    // The address matching the host the client asked for goes first, if it is one of ours: the Host
    // header chooses among the relay's own addresses, it never adds one.
    const fromHost = addrForHostHeader(hostHeader, wsPort, peerId);
    const all = multiaddrs();
    return { peerId, multiaddrs: fromHost != null && all.includes(fromHost) ? [fromHost, ...all.filter((a) => a !== fromHost)] : all };
  };

  let http;
  try {
    http = init.httpPort === null ? undefined : await startRelayHttp(init.httpPort ?? DEFAULT_RELAY_HTTP_PORT, host, info);
  } catch (err) {
    await node.stop();
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    peerId,
    multiaddrs,
    wsPort,
    httpPort: http?.port,
    reservationCount: () => node.services.relay.reservations.size,
    refused: () => ({ ...limits.refused }),
    stop: () => {
      stopping ??= (async () => {
        await http?.close();
        await node.stop();
      })();
      return stopping;
    },
  };
}
