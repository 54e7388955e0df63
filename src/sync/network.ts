/** The small network interface sync is written against; `src/net/sync-network.ts` implements it on libp2p. */
import type { PeerIdString } from '../core/ids.js';

/** Where the network refused something: the sync request stream, or the pubsub layer. */
export type ProblemChannel = 'stream' | 'gossip';

/** A pubsub message as delivered to this node. */
export interface TopicMessage {
  readonly topic: string;
  /** The neighbour that delivered it (connected to us: ask it for what is missing). */
  readonly from: PeerIdString;
  /** The peer that published it, when the network knows (gossip forwards through others). */
  readonly origin?: PeerIdString;
  readonly data: Uint8Array;
}

/** What the receiver decided: only accepted messages are forwarded to further peers. */
export type Verdict = 'accept' | 'reject' | 'ignore';

/** Handles a topic message; the verdict decides whether the network forwards it. */
export type MessageHandler = (msg: TopicMessage) => Verdict | Promise<Verdict>;

/** Answers one request from a peer with a sequence of response frames. */
export type RequestHandler = (from: PeerIdString, request: Uint8Array) => AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** A connection change: only peers that speak the sync protocol are reported. */
export type PeerHandler = (peer: PeerIdString, state: 'connected' | 'disconnected') => void;

/** Options of one request. */
export interface RequestOptions {
  readonly signal?: AbortSignal;
  /** Longest wait for the next bytes of the answer (ms); the network's own default when absent. */
  readonly idleTimeoutMs?: number;
}

/** Pubsub topics plus a request/response primitive, and peer presence. */
export interface SyncNetwork {
  /** This node's PeerID. */
  readonly selfId: PeerIdString;
  /** Joins a topic (idempotent). */
  subscribe(topic: string): void;
  /** Leaves a topic (idempotent). */
  unsubscribe(topic: string): void;
  /** Publishes bytes on a topic; with nobody subscribed nothing is sent and no error raised. */
  publish(topic: string, data: Uint8Array): Promise<void>;
  /** Sets the handler of topic messages (replacing any earlier one); returns a function that removes it. */
  onMessage(handler: MessageHandler): () => void;
  /** Sends one request to a peer and yields its response frames; throws if the peer cannot be reached. */
  request(peer: PeerIdString, data: Uint8Array, opts?: RequestOptions): AsyncIterable<Uint8Array>;
  /** Sets the handler of incoming requests (replacing any earlier one); returns a function that removes it. */
  handle(handler: RequestHandler): () => void;
  /** Adds a listener of peer connections; returns a function that removes it. */
  onPeer(handler: PeerHandler): () => void;
  /** The peers currently connected that speak the sync protocol. */
  peers(): PeerIdString[];
  /**
   * Listens for what the network refused or cut off on its own (a stalled request, an answer past its
   * deadline, a peer over its stream limit, a gossip message too large for the pubsub layer), so the engine
   * can log it with the peer. `channel` says which part refused it ('stream' when absent). Optional.
   */
  onProblem?(handler: (peer: PeerIdString, message: string, channel?: ProblemChannel) => void): () => void;
  /**
   * Listens for connected peers joining or leaving topics (as the pubsub layer hears of it), so a write
   * made before a new subscriber was known can be caught up at once. Optional.
   */
  onPeerTopic?(handler: (peer: PeerIdString, topic: string, subscribed: boolean) => void): () => void;
}
