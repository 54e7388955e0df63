/** Builds a libp2p node in Node.js, for integration tests and headless peers. */
import './polyfill.js';
import { createLibp2p, type Libp2pOptions } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import { webRTC } from '@libp2p/webrtc';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import type { PrivateKey } from '@libp2p/interface';
import { lanConnectionGater } from './gater.js';
import { installNodeWebSocket } from './node-websocket.js';
import { keepRelayConnected, type RelayStatus } from './relay-client.js';
import { CONNECTION_MONITOR, netServices, type NetNode, type NetServicesInit } from './services.js';

/** A transport a Node peer can use. */
export type NodeTransportName = 'tcp' | 'ws' | 'webrtc';

/** Options of a Node peer. */
export interface NodeLibp2pInit extends NetServicesInit {
  /** The persisted peer key; a fresh one is generated when absent. */
  privateKey?: PrivateKey;
  /** Transports besides the circuit relay one (default tcp and ws). */
  transports?: NodeTransportName[];
  /** Listen addresses (default: TCP on 127.0.0.1 with a free port, /p2p-circuit, and /webrtc with webrtc). */
  listen?: string[];
  /** Relay multiaddresses; dialed at start and redialed whenever the relay drops. */
  relayAddrs?: string[];
  /** Relay status changes (dialing, connected, failed…). */
  onRelayStatus?: (status: RelayStatus) => void;
  /** ICE servers for WebRTC (default none). */
  iceServers?: RTCIceServer[];
}

/** Creates and starts a Node libp2p node with the same services as a browser tab. */
export async function createNodeLibp2p(init: NodeLibp2pInit = {}): Promise<NetNode> {
  const names = init.transports ?? ['tcp', 'ws'];
  if (names.includes('ws')) installNodeWebSocket();
  const transports: NonNullable<Libp2pOptions['transports']> = [];
  if (names.includes('tcp')) transports.push(tcp());
  if (names.includes('ws')) transports.push(webSockets());
  if (names.includes('webrtc')) transports.push(webRTC({ rtcConfiguration: { iceServers: init.iceServers ?? [] } }));
  transports.push(circuitRelayTransport());

  const listen = init.listen ?? [
    ...(names.includes('tcp') ? ['/ip4/127.0.0.1/tcp/0'] : []),
    '/p2p-circuit',
    ...(names.includes('webrtc') ? ['/webrtc'] : []),
  ];
  const node = await createLibp2p({
    ...(init.privateKey != null ? { privateKey: init.privateKey } : {}),
    addresses: { listen },
    transports,
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: lanConnectionGater(),
    connectionMonitor: CONNECTION_MONITOR,
    services: netServices(init),
  });
  const relayAddrs = init.relayAddrs ?? [];
  if (relayAddrs.length > 0) {
    keepRelayConnected(node, relayAddrs, init.onRelayStatus != null ? { onStatus: init.onRelayStatus } : {});
  }
  return node;
}
