/**
 * The relay's own limits, enforced through libp2p's connection gater: new connections per IP per minute,
 * reservations held per IP, and relayed connections per pair of peers per minute. Every refusal is
 * reported (and counted) with the IP or peers concerned.
 */
import type { ConnectionGater, MultiaddrConnection, PeerId } from '@libp2p/interface';

/** Options of the relay's limits (defaults in brackets). */
export interface RelayLimitsInit {
  /** New inbound connections one IP may open per minute [300]: covers a machine full of tabs reloading. */
  readonly connectionsPerIpPerMinute?: number;
  /** Reservations held at once by peers connected from one IP [64]. */
  readonly reservationsPerIp?: number;
  /** Relayed connections one pair of peers may open per minute, either direction [10]. */
  readonly relayedPerPairPerMinute?: number;
  readonly now?: () => number;
}

/** What the limits need to know about the running relay. */
export interface RelayView {
  /** The IP a connected peer came from. */
  ipOf(peer: PeerId): string | undefined;
  /** The peers holding a reservation now. */
  reservedPeers(): Iterable<PeerId>;
}

/** A refusal, for the relay's log. */
export interface Refusal {
  readonly kind: 'connection-rate' | 'reservations-per-ip' | 'relayed-pair-rate';
  readonly subject: string;
  readonly message: string;
}

const MINUTE = 60_000;

/** Sliding one-minute windows of event times per key. */
class RateWindow {
  private readonly times = new Map<string, number[]>();
  constructor(private readonly limit: number, private readonly now: () => number) {}

  /** Records one event for `key`; false (and nothing recorded) when the key is at its limit. */
  take(key: string): boolean {
    const t = this.now();
    const list = (this.times.get(key) ?? []).filter((x) => t - x < MINUTE);
    if (list.length >= this.limit) {
      this.times.set(key, list);
      return false;
    }
    list.push(t);
    this.times.set(key, list);
    if (this.times.size > 10_000) this.prune(t);
    return true;
  }

  private prune(t: number): void {
    for (const [k, list] of this.times) if (list.every((x) => t - x >= MINUTE)) this.times.delete(k);
  }
}

/** The relay's limits as a connection gater; `attach` gives it the running relay, `onRefusal` a logger. */
export class RelayLimits {
  private view: RelayView | undefined;
  private readonly connections: RateWindow;
  private readonly pairs: RateWindow;
  private readonly reservationsPerIp: number;
  private readonly listeners = new Set<(r: Refusal) => void>();
  /** Refusals so far, by kind. */
  readonly refused = { 'connection-rate': 0, 'reservations-per-ip': 0, 'relayed-pair-rate': 0 };

  constructor(init: RelayLimitsInit = {}) {
    const now = init.now ?? Date.now;
    this.connections = new RateWindow(init.connectionsPerIpPerMinute ?? 300, now);
    this.pairs = new RateWindow(init.relayedPerPairPerMinute ?? 10, now);
    this.reservationsPerIp = init.reservationsPerIp ?? 64;
  }

  /** Connects the limits to the running relay. */
  attach(view: RelayView): void {
    this.view = view;
  }

  /** Listens for refusals; returns a function that stops listening. */
  onRefusal(listener: (r: Refusal) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The gater to hand to libp2p. */
  gater(): ConnectionGater {
    return {
      denyInboundConnection: (maConn: MultiaddrConnection) => {
        const ip = ipOfAddr(maConn.remoteAddr.toString());
        if (ip === undefined || this.connections.take(ip)) return false;
        return this.refuse('connection-rate', ip, `too many new connections from ${ip} in the last minute`);
      },
      denyInboundRelayReservation: (source: PeerId) => {
        const view = this.view;
        const ip = view?.ipOf(source);
        if (!view || ip === undefined) return false;
        let held = 0;
        for (const p of view.reservedPeers()) {
          if (p.equals(source)) return false; // a refresh of its own reservation
          if (view.ipOf(p) === ip) held++;
        }
        if (held < this.reservationsPerIp) return false;
        return this.refuse('reservations-per-ip', ip, `${held} reservations are already held from ${ip} (limit ${this.reservationsPerIp}); refused ${source.toString()}`);
      },
      denyOutboundRelayedConnection: (source: PeerId, destination: PeerId) => {
        const [a, b] = [source.toString(), destination.toString()].sort();
        if (this.pairs.take(`${a}|${b}`)) return false;
        return this.refuse('relayed-pair-rate', `${source.toString()} → ${destination.toString()}`, `too many relayed connections between ${source.toString()} and ${destination.toString()} in the last minute`);
      },
    };
  }

  private refuse(kind: Refusal['kind'], subject: string, message: string): true {
    this.refused[kind]++;
    for (const l of [...this.listeners]) l({ kind, subject, message });
    return true;
  }
}

/** The IP of a multiaddress (`/ip4/1.2.3.4/tcp/…` → `1.2.3.4`). */
export function ipOfAddr(addr: string): string | undefined {
  const m = /^\/ip[46]\/([^/]+)/.exec(addr);
  return m?.[1];
}
