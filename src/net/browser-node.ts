/** Builds the libp2p node of a browser tab: WebSockets to the relay, WebRTC between tabs. */
import { createLibp2p } from 'libp2p';
import { webSockets } from '@libp2p/websockets';
import { webRTC } from '@libp2p/webrtc';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import type { PrivateKey } from '@libp2p/interface';
import { lanConnectionGater } from './gater.js';
import { CONNECTION_MONITOR, netServices, type NetNode, type NetServicesInit } from './services.js';

/** Options of a tab's node. */
export interface BrowserLibp2pInit extends NetServicesInit {
  /** The persisted peer key; a fresh one is generated when absent. */
  privateKey?: PrivateKey;
  /** ICE servers for WebRTC; default none (LAN and loopback need none). */
  iceServers?: RTCIceServer[];
}

/**
 * Creates and starts a tab's libp2p node listening on /p2p-circuit and /webrtc. The relay is found and kept
 * dialed by the node layer (`src/node/relay-discovery.ts`); await `waitForReservation(node)` to know when
 * other tabs can dial it.
 */
export async function createBrowserLibp2p(init: BrowserLibp2pInit = {}): Promise<NetNode> {
  return createLibp2p({
    ...(init.privateKey != null ? { privateKey: init.privateKey } : {}),
    addresses: {
      // '/p2p-circuit' takes a reservation on any relay we dial; '/webrtc' accepts direct upgrades.
      listen: ['/p2p-circuit', '/webrtc'],
    },
    transports: [
      webSockets(),
      webRTC({ rtcConfiguration: { iceServers: init.iceServers ?? [] } }),
      circuitRelayTransport(),
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: lanConnectionGater(),
    connectionMonitor: CONNECTION_MONITOR,
    services: netServices(init),
  });
}
