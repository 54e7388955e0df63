/**
 * A headless node: the same engine, sync and client API as a tab, storing on disk (LevelDB under the root
 * directory), listening on TCP (Node peers) and WebSockets (tabs can paste its /ws address), optionally
 * reserving a slot on a relay, with the control API for `p2pdb client …` and DefraDB-style log lines.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { nodeNetwork, openNode, type Client } from '../api/node.js';
import { LevelStore } from '../store/level-store.js';
import { startControlServer, type ControlServer } from './control-server.js';
import { formatActivity, formatLine } from './log-format.js';

/** Options of `p2pdb start`. */
export interface HeadlessOptions {
  readonly rootdir: string;
  /** Control API address. */
  readonly host: string;
  readonly port: number;
  /** Listen addresses (TCP; a WebSocket one on a free port is added when none is given). */
  readonly p2paddrs: readonly string[];
  /** Peers to connect to at start. */
  readonly peers: readonly string[];
  /** Relays to reserve a slot on. */
  readonly relays: readonly string[];
  /** Where log lines go (default stdout). */
  readonly log?: (line: string) => void;
}

/** A running headless node. */
export interface Headless {
  readonly client: Client;
  readonly control: ControlServer;
  close(): Promise<void>;
}

/** How far the WebSocket port of a headless node is from its TCP port (9171 → 10171). */
export const WS_PORT_OFFSET = 1000;

/**
 * The listen addresses: as given, plus a WebSocket one when none is /ws, on the first TCP address's IP and its
 * port + 1000 (9171 → 10171; not the next port, which DefraDB's walkthrough gives the second node), so the
 * /ws address a tab pasted still works after a restart; on a free port when the TCP port is 0. With a relay,
 * also a reservation on it (`/p2p-circuit`) and WebRTC, so a tab that reaches this node through the relay
 * upgrades to a direct connection as it does with another tab.
 */
export function listenAddrs(p2paddrs: readonly string[], withRelay = false, freeWsPort = false): string[] {
  const addrs = p2paddrs.length ? [...p2paddrs] : ['/ip4/127.0.0.1/tcp/9171'];
  if (!addrs.some((a) => a.includes('/ws'))) {
    const tcp = /^\/(ip4|ip6)\/([^/]+)\/tcp\/(\d+)/.exec(addrs[0]!);
    const derived = tcp ? Number(tcp[3]) + WS_PORT_OFFSET : 0;
    const port = freeWsPort || !tcp || Number(tcp[3]) === 0 || derived > 65535 ? 0 : derived;
    addrs.push(tcp ? `/${tcp[1]}/${tcp[2]}/tcp/${port}/ws` : '/ip4/127.0.0.1/tcp/0/ws');
  }
  if (withRelay) addrs.push('/p2p-circuit', '/webrtc');
  return addrs;
}

/** Starts a headless node; resolves once it listens and its control API answers. */
export async function startHeadless(o: HeadlessOptions): Promise<Headless> {
  const log = o.log ?? ((line: string) => void process.stdout.write(`${line}\n`));
  await mkdir(o.rootdir, { recursive: true });
  /** Opens the store and the node; on failure closes what it opened. */
  const open = async (freeWsPort: boolean): Promise<Client> => {
    const store = await LevelStore.open(join(o.rootdir, 'data'));
    try {
      return await openNode({
        name: 'p2pdb',
        store,
        network: nodeNetwork({ transports: o.relays.length ? ['tcp', 'ws', 'webrtc'] : ['tcp', 'ws'], listen: listenAddrs(o.p2paddrs, o.relays.length > 0, freeWsPort), relay: o.relays }),
        lockInit: { fallback: true, probeMs: 5 }, // LevelDB's own lock keeps a second process off this directory
      });
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    }
  };
  let client: Client;
  try {
    client = await open(false);
  } catch (err) {
    // The derived WebSocket port is taken: take a free one rather than not start (the TCP address stays).
    const message = String((err as Error).message);
    const wsTaken = !o.p2paddrs.some((a) => a.includes('/ws')) && /EADDRINUSE/.test(message) && /\/ws\b/.test(message);
    if (!wsTaken) throw err;
    log(formatLine('warn', 'net', `The WebSocket port next to ${o.p2paddrs[0] ?? '/ip4/127.0.0.1/tcp/9171'} is taken: listening for tabs on a free port instead (pass a /ws address with --p2paddr to fix it)`));
    client = await open(true);
  }
  const self = client.info().peerId;
  // What the node did while opening (restored subscriptions join their topics) is logged too.
  for (const e of client.activity()) log(formatActivity(e, self));
  client.on('activity', (e) => log(formatActivity(e, self)));
  client.on('sync-peer', (p) => log(formatLine('info', 'net', p.state === 'connected' ? 'Peer connected' : 'Peer disconnected', { PeerID: self, RemotePeer: p.peer })));
  client.on('error', (e) => log(formatLine('error', 'node', e.message, { PeerID: self })));
  let control: ControlServer;
  try {
    control = await startControlServer(client, o.host, o.port, (line) => log(formatLine('warn', 'http', line)), (line) => log(formatLine('warn', 'net', line, { PeerID: self })));
  } catch (err) {
    await client.close();
    throw new Error(`cannot serve the control API on ${o.host}:${o.port}: ${(err as Error).message}`);
  }
  log(formatLine('info', 'node', 'Started', { PeerID: self, Identity: client.info().did, Url: control.url, RootDir: o.rootdir }));
  for (const a of client.info().addresses) log(formatLine('info', 'net', 'Listening', { Address: a }));
  for (const peer of o.peers) {
    try {
      await client.connect(peer);
      log(formatLine('info', 'net', 'Connected to a --peers address', { PeerID: self, Address: peer }));
    } catch (err) {
      log(formatLine('warn', 'net', `Could not connect to ${peer}: ${(err as Error).message}`, { PeerID: self }));
    }
  }
  return {
    client,
    control,
    async close() {
      await control.close();
      await client.close();
      log(formatLine('info', 'node', 'Stopped', { PeerID: self }));
    },
  };
}
