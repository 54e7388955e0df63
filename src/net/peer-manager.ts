/**
 * The one owner of a node's connections: its addresses, connecting by multiaddress (ending direct), goodbyes,
 * active peers with ping, the relay's state, and which peers speak a protocol over a direct connection
 * (what sync listens to). `start()` attaches every listener and handler; `stop()` removes every one.
 */
import type { Connection, IdentifyResult, PeerId } from '@libp2p/interface';
import { TypedEventTarget } from '../core/events.js';
import { DbError } from '../core/errors.js';
import type { NetNode } from './services.js';
import { classifyConnection, parsePeerMultiaddr, type ConnectionKind } from './multiaddr.js';
import { dialWithRetry } from './dial.js';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { Redialler, type RedialEvent, type RedialInit } from './redial.js';

/** The protocol every app node serves; a peer without it is not running this app. */
export const APP_PROTOCOL = '/p2pdb/app/1.0.0';
/**
 * Sent before hanging up, so the other side drops the connection at once: over WebRTC a peer otherwise
 * notices a closed connection only when the transport times out, seconds later.
 */
export const BYE_PROTOCOL = '/p2pdb/bye/1.0.0';

/** How long Disconnect waits for its goodbye's stream to open before hanging up anyway. */
const BYE_OPEN_MS = 3000;

/** A connected peer as the UI lists it. */
export interface ActivePeer {
  readonly peerId: string;
  /** Its address, ending in /p2p/<PeerID>. */
  readonly address: string;
  readonly kind: ConnectionKind;
  /** Last ping round trip in ms, when measured. */
  readonly rttMs?: number;
}

/** Where the node stands with the relay. */
export type RelayState =
  | { readonly state: 'searching' }
  | { readonly state: 'connecting'; readonly attempt: number }
  | { readonly state: 'connected'; readonly relay: string }
  | { readonly state: 'unreachable'; readonly message: string; readonly retryInMs: number };

/** A peer that speaks a watched protocol gained or lost its direct connection. */
export type ProtocolPeerHandler = (peer: string, state: 'connected' | 'disconnected') => void;

/** Events of the peer manager. */
export interface PeerManagerEvents {
  /** A peer this node dialled lost its direct connection and is being re-dialled (or came back, or not). */
  redial: RedialEvent;
  peers: readonly ActivePeer[];
  addresses: readonly string[];
  relay: RelayState;
}

/** Connecting to our own address. */
export class SelfDialError extends DbError {
  static override readonly name = 'SelfDialError';
}

/** Connecting to something that is not a peer running this app (e.g. the relay itself). */
export class NotAnAppPeerError extends DbError {
  static override readonly name = 'NotAnAppPeerError';
}

/** Options of the peer manager. */
export interface PeerManagerInit {
  /** How often connected peers are pinged (ms, default 3000). */
  readonly pingEveryMs?: number;
  /** How long to wait for a new peer to identify itself (ms, default 4000). */
  readonly identifyTimeoutMs?: number;
  /** Dial attempts (default 3) and time per attempt (ms, default 5000). */
  readonly dialAttempts?: number;
  readonly dialAttemptMs?: number;
  /** How long late connections to a peer this node just let go of are closed as they open (ms, default LET_GO_MS). */
  readonly letGoMs?: number;
  /** Re-dialling peers whose direct connection was lost without a goodbye. */
  readonly redial?: RedialInit;
}

/**
 * For this long after a Disconnect (or a peer's goodbye), a late connection to that peer is closed at once: a
 * WebRTC upgrade under way when the user clicked came up after both sides had hung up, and left one side
 * listing the other while the other had closed it unseen (seen in `e2e/peers.spec.ts`). Late means dialled by
 * this node, or a WebRTC connection from the peer with no relayed connection from it since (a browser peer
 * reconnecting on purpose signals through the relay first). Other connections from the peer are kept (its
 * user may reconnect on purpose), and this node connecting on purpose ends its wait.
 */
export const LET_GO_MS = 5000;

/** Pings in a row that must fail outright (not time out) on a direct connection before it is closed as dead. */
const DEAD_AFTER_FAILED_PINGS = 2;

/** The connections of a started libp2p node. */
export class PeerManager extends TypedEventTarget<PeerManagerEvents> {
  private readonly rtt = new Map<string, number>();
  /** Pings in a row that failed outright, by connection. */
  private readonly pingFailures = new Map<string, number>();
  private readonly relays = new Set<string>();
  /** Peers hung up on moments ago: until when, and whether a relayed connection from them opened since (see LET_GO_MS). */
  private readonly lettingGo = new Map<string, { until: number; relayedSince: boolean }>();
  private relayState: RelayState = { state: 'searching' };
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private readonly init: Required<Omit<PeerManagerInit, 'redial'>>;
  private readonly redialler: Redialler;
  private readonly detach: Array<() => void> = [];
  private started = false;
  /** Watched protocols: who speaks each (from identify) and who of those is directly connected. */
  private readonly watched = new Map<string, { speakers: Set<string>; connected: Set<string>; handlers: Set<ProtocolPeerHandler> }>();

  constructor(readonly libp2p: NetNode, init: PeerManagerInit = {}) {
    super();
    this.init = { pingEveryMs: 3000, identifyTimeoutMs: 4000, dialAttempts: 3, dialAttemptMs: 5000, letGoMs: LET_GO_MS, ...init };
    this.redialler = new Redialler({
      hasDirect: (peerId) => this.directConnection(peerId) !== undefined,
      dial: async (target, signal) => {
        await dialWithRetry(this.libp2p, target, { attempts: 1, attemptTimeoutMs: this.init.dialAttemptMs, signal });
      },
      report: (e) => {
        this.emit('redial', e);
        this.peersChanged();
      },
    }, init.redial);
  }

  /** An open connection to the peer without relay limits (what sync, ping and re-dialling count as direct). */
  directConnection(peer: PeerId | string): Connection | undefined {
    const id = peer.toString();
    return this.libp2p.getConnections().find((c) => c.remotePeer.toString() === id && c.status === 'open' && c.limits == null);
  }

  /** Peers this node is re-dialling after losing their direct connection. */
  reconnecting(): string[] {
    return this.redialler.pending();
  }

  /** Registers the app and goodbye protocols and starts following connections; idempotent. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.redialler.start();
    const node = this.libp2p;
    await node.handle(APP_PROTOCOL, async (stream) => { await stream.close(); }, { runOnLimitedConnection: true });
    await node.handle(BYE_PROTOCOL, async (stream, connection) => {
      await stream.close().catch(() => undefined);
      await this.handleBye(connection.remotePeer);
    }, { runOnLimitedConnection: true });
    const listen = <K extends 'connection:open' | 'connection:close' | 'peer:identify' | 'peer:disconnect' | 'self:peer:update' | 'transport:listening'>(type: K, fn: (e: CustomEvent) => void): void => {
      node.addEventListener(type, fn as never);
      this.detach.push(() => node.removeEventListener(type, fn as never));
    };
    listen('connection:open', (e) => {
      const conn = e.detail as Connection;
      if (this.isLate(conn)) {
        void conn.close().catch((err: Error) => conn.abort(err));
        return;
      }
      this.peersChanged();
      this.refresh(conn.remotePeer);
    });
    listen('connection:close', (e) => {
      const peer = (e.detail as Connection).remotePeer;
      this.pingFailures.delete((e.detail as Connection).id);
      this.peersChanged();
      this.refresh(peer);
      // Let libp2p settle which connections remain, then re-dial if no direct one is left.
      setTimeout(() => { if (this.started) this.redialler.lost(peer.toString()); }, 0);
    });
    listen('peer:disconnect', (e) => this.refresh(e.detail as PeerId));
    listen('peer:identify', (e) => {
      const r = e.detail as IdentifyResult;
      for (const [protocol, w] of this.watched) if (r.protocols.includes(protocol)) w.speakers.add(r.peerId.toString());
      this.peersChanged();
      this.refresh(r.peerId);
    });
    listen('self:peer:update', () => this.emit('addresses', this.addresses()));
    listen('transport:listening', () => this.emit('addresses', this.addresses()));
    this.pingTimer = setInterval(() => void this.pingAll(), this.init.pingEveryMs);
  }

  /** Removes every listener, handler and timer (libp2p itself is stopped by the node). */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const off of this.detach.splice(0)) off();
    this.redialler.stop();
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    await this.libp2p.unhandle([APP_PROTOCOL, BYE_PROTOCOL]).catch(() => undefined);
    for (const w of this.watched.values()) w.connected.clear();
  }

  /**
   * Tells `handler` whenever a peer that speaks `protocol` (per identify) gains or loses a connection
   * without relay limits: what sync runs over. Returns a function that stops watching.
   */
  async watchProtocol(protocol: string, handler: ProtocolPeerHandler): Promise<() => void> {
    let w = this.watched.get(protocol);
    if (!w) {
      w = { speakers: new Set(), connected: new Set(), handlers: new Set() };
      this.watched.set(protocol, w);
    }
    w.handlers.add(handler);
    for (const peer of this.libp2p.getPeers()) {
      const known = await this.libp2p.peerStore.get(peer).catch(() => undefined);
      if (known?.protocols.includes(protocol)) w.speakers.add(peer.toString());
      this.refresh(peer);
    }
    const watch = w;
    return () => { watch.handlers.delete(handler); };
  }

  /** Peers that speak `protocol` over a direct connection now. */
  protocolPeers(protocol: string): string[] {
    return [...(this.watched.get(protocol)?.connected ?? [])];
  }

  /** Re-derives whether a peer counts as connected for each watched protocol, and tells the watchers. */
  private refresh(peer: PeerId): void {
    const id = peer.toString();
    const direct = this.directConnection(peer) !== undefined;
    for (const w of this.watched.values()) {
      const now = direct && w.speakers.has(id);
      const was = w.connected.has(id);
      if (now === was) continue;
      if (now) w.connected.add(id);
      else w.connected.delete(id);
      for (const h of [...w.handlers]) h(id, now ? 'connected' : 'disconnected');
    }
  }

  /** This node's PeerID. */
  get peerId(): string {
    return this.libp2p.peerId.toString();
  }

  /** Marks PeerIDs as relays: they are not listed as peers and cannot be "connected" to. */
  setRelays(peerIds: Iterable<string>): void {
    for (const p of peerIds) this.relays.add(p);
    this.peersChanged();
  }

  /** Reports the relay's state (from relay discovery). */
  setRelayState(state: RelayState): void {
    this.relayState = state;
    this.emit('relay', state);
  }

  /** The relay's current state. */
  relay(): RelayState {
    return this.relayState;
  }

  /** Full multiaddresses of this node (ending in /p2p/<PeerID>), the WebRTC-dialable ones first. */
  addresses(): string[] {
    const self = this.peerId;
    const all = this.libp2p.getMultiaddrs().map((ma) => {
      const s = ma.toString();
      return s.endsWith(`/p2p/${self}`) ? s : `${s}/p2p/${self}`;
    });
    const rank = (a: string): number => (a.includes('/p2p-circuit/webrtc/') ? 0 : a.includes('/p2p-circuit') ? 1 : 2);
    return [...new Set(all)].sort((a, b) => rank(a) - rank(b));
  }

  /** Connected peers (the relay excluded), each with how it is connected and its ping time. */
  activePeers(): ActivePeer[] {
    const byPeer = new Map<string, ActivePeer>();
    for (const conn of this.libp2p.getConnections()) {
      const peerId = conn.remotePeer.toString();
      if (this.relays.has(peerId) || conn.status !== 'open') continue;
      const kind = classifyConnection(conn);
      const prev = byPeer.get(peerId);
      if (prev && (prev.kind === 'direct' || kind === 'relayed')) continue;
      const addr = conn.remoteAddr.toString();
      const rtt = this.rtt.get(peerId);
      byPeer.set(peerId, { peerId, address: addr.includes('/p2p/') ? addr : `${addr}/p2p/${peerId}`, kind, ...(rtt !== undefined ? { rttMs: rtt } : {}) });
    }
    return [...byPeer.values()].sort((a, b) => (a.peerId < b.peerId ? -1 : 1));
  }

  /**
   * Connects to a peer by pasted multiaddress, ending on a direct WebRTC connection when the address
   * goes through a relay. Retries a few times (dials through the relay sometimes stall), reporting
   * progress. Throws InvalidMultiaddrError, SelfDialError, NotAnAppPeerError or DialFailedError.
   */
  async connect(text: string, onProgress: (message: string) => void = () => {}): Promise<ActivePeer> {
    const { multiaddr: parsed, peerId } = parsePeerMultiaddr(text);
    if (peerId === this.peerId) throw new SelfDialError("that is this node's own address: paste the address of another tab or device");
    if (this.relays.has(peerId)) throw new NotAnAppPeerError("that is the relay's address, not a peer's: paste an address from another tab's Listen addresses");
    const target = preferWebrtc(parsed);
    this.lettingGo.delete(peerId);
    onProgress(`Connecting to ${short(peerId)}…`);
    const { connection } = await dialWithRetry(this.libp2p, target, {
      attempts: this.init.dialAttempts,
      attemptTimeoutMs: this.init.dialAttemptMs,
      onRetry: (attempt) => onProgress(`Connecting to ${short(peerId)}… attempt ${attempt + 1} of ${this.init.dialAttempts}`),
    });
    onProgress(`Connected to ${short(peerId)}; checking it runs this app…`);
    if (!(await this.speaksApp(connection.remotePeer))) {
      await this.libp2p.hangUp(connection.remotePeer).catch(() => undefined);
      throw new NotAnAppPeerError(`the peer ${short(peerId)} answered but is not running this app`);
    }
    this.redialler.remember(peerId, target);
    this.peersChanged();
    return this.activePeers().find((p) => p.peerId === peerId) ?? { peerId, address: target.toString(), kind: classifyConnection(connection) };
  }

  /** Stops re-dialling a peer, and for LET_GO_MS closes late connections to it (see LET_GO_MS). */
  private letGo(peerId: string): void {
    this.redialler.forget(peerId);
    const now = Date.now();
    for (const [p, w] of this.lettingGo) if (w.until <= now) this.lettingGo.delete(p);
    this.lettingGo.set(peerId, { until: now + this.init.letGoMs, relayedSince: false });
  }

  /** Whether a connection that just opened is a late one to a peer this node let go of (see LET_GO_MS). */
  private isLate(conn: Connection): boolean {
    const wait = this.lettingGo.get(conn.remotePeer.toString());
    if (!wait || Date.now() >= wait.until) return false;
    if (conn.direction === 'outbound') return true;
    if (classifyConnection(conn) === 'relayed') {
      wait.relayedSince = true;
      return false;
    }
    return !wait.relayedSince && conn.remoteAddr.toString().includes('/webrtc');
  }

  /** Answers a peer's goodbye by hanging up on it too. */
  private async handleBye(peer: PeerId): Promise<void> {
    this.letGo(peer.toString());
    await this.libp2p.hangUp(peer).catch(() => undefined);
    this.rtt.delete(peer.toString());
    this.peersChanged();
  }

  /** Closes every connection to a peer, telling it first so that it lets go at once as well. */
  async disconnect(peerId: string): Promise<void> {
    this.letGo(peerId);
    const conns = this.libp2p.getConnections().filter((c) => c.remotePeer.toString() === peerId && c.status === 'open');
    if (conns.length) {
      // Said on every connection to the peer at once (a direct one and one through the relay, say), the first
      // to get through being enough: a new stream on one link can stall for seconds. Opening one took 75-600 ms
      // between two tabs here (2 cores), so it gets up to BYE_OPEN_MS.
      await Promise.any(conns.map(async (c) => {
        const stream = await c.newStream(BYE_PROTOCOL, { signal: AbortSignal.timeout(BYE_OPEN_MS), runOnLimitedConnection: true });
        await stream.close({ signal: AbortSignal.timeout(1000) });
      })).catch(() => undefined); // an older or unreachable peer: it notices the hang-up later
      await this.libp2p.hangUp(conns[0]!.remotePeer);
    }
    this.rtt.delete(peerId);
    this.peersChanged();
  }

  /** True once the peer's identify lists the app protocol (waits up to identifyTimeoutMs). */
  private async speaksApp(peer: PeerId): Promise<boolean> {
    const has = async (): Promise<boolean> => {
      try {
        return (await this.libp2p.peerStore.get(peer)).protocols.includes(APP_PROTOCOL);
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + this.init.identifyTimeoutMs;
    while (Date.now() < deadline) {
      if (await has()) return true;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(t);
          this.libp2p.removeEventListener('peer:identify', done);
          resolve();
        };
        const t = setTimeout(done, 200);
        this.libp2p.addEventListener('peer:identify', done);
      });
    }
    return has();
  }

  private peersChanged(): void {
    this.emit('peers', this.activePeers());
  }

  private async pingAll(): Promise<void> {
    const peers = this.activePeers();
    if (!peers.length) return;
    await Promise.all(
      peers.map(async (p) => {
        const conn = this.directConnection(p.peerId);
        if (!conn) return;
        try {
          this.rtt.set(p.peerId, Math.round((await this.libp2p.services.ping.ping(conn.remotePeer, { signal: AbortSignal.timeout(2000) })) * 10) / 10);
          this.pingFailures.delete(conn.id);
        } catch (err) {
          // A ping that times out says the tab or the link is busy: nothing to do. One that fails outright, on
          // a connection still counted as open, twice in a row, says the connection can no longer open streams
          // (its peer closed it, unseen here): it is closed, so the peer is re-dialled, instead of showing
          // "direct" while nothing gets through.
          const name = (err as Error).name;
          if (name === 'AbortError' || name === 'TimeoutError' || name === 'UnsupportedProtocolError' || conn.status !== 'open') return;
          const n = (this.pingFailures.get(conn.id) ?? 0) + 1;
          if (n < DEAD_AFTER_FAILED_PINGS) {
            this.pingFailures.set(conn.id, n);
            return;
          }
          this.pingFailures.delete(conn.id);
          conn.abort(new Error(`the direct connection could no longer open streams (${(err as Error).message})`));
        }
      }),
    );
    this.emit('peers', this.activePeers());
  }

}

/** A circuit address without /webrtc becomes the WebRTC one, so the connection ends direct. */
function preferWebrtc(ma: Multiaddr): Multiaddr {
  const s = ma.toString();
  const m = /^(.*\/p2p-circuit)(\/p2p\/[^/]+)$/.exec(s);
  return m ? multiaddr(`${m[1]}/webrtc${m[2]}`) : ma;
}

function short(peerId: string): string {
  return peerId.length > 16 ? `${peerId.slice(0, 8)}…${peerId.slice(-4)}` : peerId;
}
