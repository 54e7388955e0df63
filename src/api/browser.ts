/** Joining the network from a browser tab: WebSockets to the relay, WebRTC between tabs. */
import { createBrowserLibp2p } from '../net/browser-node.js';
import type { NetworkOptions } from '../node/node.js';

/** Options of a tab's network. */
export interface BrowserNetworkOptions {
  /**
   * Where the relay is: its multiaddresses, or the URL of its address endpoint
   * (default: `http(s)://<this page's host>:9091/multiaddrs`). `false` for no relay.
   */
  readonly relay?: readonly string[] | { readonly url: string } | false;
  /** ICE servers for WebRTC (default none: enough on a LAN and on one machine). */
  readonly iceServers?: RTCIceServer[];
}

/** Network options for `openNode` in a browser tab. */
export function browserNetwork(opts: BrowserNetworkOptions = {}): NetworkOptions {
  const relay = opts.relay === false ? undefined
    : Array.isArray(opts.relay) ? { addrs: opts.relay as readonly string[] }
    : opts.relay && 'url' in opts.relay ? { url: opts.relay.url }
    : typeof location !== 'undefined' ? { url: `${location.protocol}//${location.hostname}:9091/multiaddrs` }
    : undefined;
  return {
    create: (privateKey) => createBrowserLibp2p({ privateKey, ...(opts.iceServers ? { iceServers: opts.iceServers } : {}) }),
    ...(relay ? { relay } : {}),
  };
}
