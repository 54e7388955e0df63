/**
 * The libp2p implementation of sync's network interface: gossipsub topics (a topic validator per
 * subscribed topic runs the engine's checks, so only accepted messages are forwarded) and a stream
 * protocol with length-prefixed frames for requests and streamed responses.
 */
import { TopicValidatorResult, type Message } from '@libp2p/gossipsub';
import type { Connection, PeerId, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import type { PeerIdString } from '../core/ids.js';
import { FrameDecoder, MAX_FRAME_BYTES, encodeFrame } from '../sync/frames.js';
import { PeerUnreachableError, ProtocolDecodeError } from '../sync/errors.js';
import type { MessageHandler, PeerHandler, RequestHandler, RequestOptions, SyncNetwork, Verdict } from '../sync/network.js';
import type { NetNode } from './services.js';
import { PeerManager } from './peer-manager.js';

/** The sync stream protocol. */
export const SYNC_PROTOCOL = '/p2pdb/sync/1.0.0';

/** Options of the libp2p sync network. */
export interface Libp2pSyncNetworkInit {
  /** Protocol ID (default SYNC_PROTOCOL). */
  readonly protocol?: string;
  /** Largest frame accepted (default MAX_FRAME_BYTES). */
  readonly maxFrameBytes?: number;
  /** Time allowed to open a request stream, in ms (default 10 s). */
  readonly dialTimeoutMs?: number;
  /** Longest silence while reading a response before the request fails (ms, default 20000). */
  readonly idleTimeoutMs?: number;
  /** Concurrent inbound and outbound request streams per connection (default 32). */
  readonly maxStreams?: number;
  /** The node's peer manager (the one owner of connections); one is made and started when absent. */
  readonly peers?: PeerManager;
}

const VERDICTS: Record<Verdict, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  reject: TopicValidatorResult.Reject,
  ignore: TopicValidatorResult.Ignore,
};

const bytesOf = (chunk: Uint8Array | { subarray(): Uint8Array }): Uint8Array => (chunk instanceof Uint8Array ? chunk : chunk.subarray());

/** SyncNetwork over a libp2p node; call `close()` to detach. */
export class Libp2pSyncNetwork implements SyncNetwork {
  readonly selfId: PeerIdString;
  private readonly protocol: string;
  private readonly maxFrame: number;
  private readonly dialTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly peerHandlers = new Set<PeerHandler>();
  private messageHandler: MessageHandler | undefined;
  private requestHandler: RequestHandler | undefined;
  private readonly listeners: Array<() => void> = [];
  /** Topics joined through this object (their validators are removed on close). */
  private readonly topics = new Set<string>();

  private readonly peerManager: PeerManager;
  private readonly ownsPeerManager: boolean;

  constructor(private readonly node: NetNode, init: Libp2pSyncNetworkInit = {}) {
    this.peerManager = init.peers ?? new PeerManager(node);
    this.ownsPeerManager = init.peers === undefined;
    this.selfId = node.peerId.toString() as PeerIdString;
    this.protocol = init.protocol ?? SYNC_PROTOCOL;
    this.maxFrame = init.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.dialTimeoutMs = init.dialTimeoutMs ?? 10_000;
    this.idleTimeoutMs = init.idleTimeoutMs ?? 20_000;
  }

  /** Registers the protocol handler and follows the peers that speak it (through the peer manager). */
  async start(maxStreams = 32): Promise<void> {
    await this.node.handle(this.protocol, (stream, connection) => { void this.answer(stream, connection); }, {
      maxInboundStreams: maxStreams, maxOutboundStreams: maxStreams, runOnLimitedConnection: false,
    });
    if (this.ownsPeerManager) await this.peerManager.start();
    const unwatch = await this.peerManager.watchProtocol(this.protocol, (peer, state) => {
      for (const h of [...this.peerHandlers]) h(peer as PeerIdString, state);
    });
    this.listeners.push(unwatch);
  }

  /** Unregisters the protocol and the peer watch, and removes the validators of the topics it joined. */
  async close(): Promise<void> {
    for (const off of this.listeners.splice(0)) off();
    await this.node.unhandle(this.protocol).catch(() => undefined);
    for (const topic of this.topics) this.node.services.pubsub.topicValidators.delete(topic);
    this.topics.clear();
    if (this.ownsPeerManager) await this.peerManager.stop();
  }

  subscribe(topic: string): void {
    const pubsub = this.node.services.pubsub;
    pubsub.topicValidators.set(topic, (from, msg) => this.validate(from, msg));
    pubsub.subscribe(topic);
    this.topics.add(topic);
  }

  unsubscribe(topic: string): void {
    const pubsub = this.node.services.pubsub;
    pubsub.unsubscribe(topic);
    pubsub.topicValidators.delete(topic);
    this.topics.delete(topic);
  }

  private async validate(from: PeerId, msg: Message): Promise<TopicValidatorResult> {
    const handler = this.messageHandler;
    if (!handler) return TopicValidatorResult.Ignore;
    try {
      const verdict = await handler({
        topic: msg.topic,
        from: from.toString() as PeerIdString,
        ...(msg.type === 'signed' ? { origin: msg.from.toString() as PeerIdString } : {}),
        data: msg.data,
      });
      return VERDICTS[verdict];
    } catch {
      return TopicValidatorResult.Ignore;
    }
  }

  async publish(topic: string, data: Uint8Array): Promise<void> {
    // A duplicate (the same bytes again: IDs are content hashes) is not an error: see netServices.
    await this.node.services.pubsub.publish(topic, data);
  }

  onMessage(handler: MessageHandler): () => void {
    this.messageHandler = handler;
    return () => { if (this.messageHandler === handler) this.messageHandler = undefined; };
  }

  handle(handler: RequestHandler): () => void {
    this.requestHandler = handler;
    return () => { if (this.requestHandler === handler) this.requestHandler = undefined; };
  }

  onPeer(handler: PeerHandler): () => void {
    this.peerHandlers.add(handler);
    return () => this.peerHandlers.delete(handler);
  }

  peers(): PeerIdString[] {
    return this.peerManager.protocolPeers(this.protocol) as PeerIdString[];
  }

  async *request(peer: PeerIdString, data: Uint8Array, opts: RequestOptions = {}): AsyncIterable<Uint8Array> {
    let stream: Stream;
    try {
      const signal = opts.signal ?? AbortSignal.timeout(this.dialTimeoutMs);
      stream = await this.node.dialProtocol(peerIdFromString(peer), this.protocol, { signal });
    } catch (err) {
      throw new PeerUnreachableError(`cannot open a sync stream to ${peer}: ${(err as Error).message}`);
    }
    let finished = false;
    let next: Promise<IteratorResult<Uint8Array | { subarray(): Uint8Array }>> | undefined;
    try {
      // Start reading before sending: the stream delivers data as events, and over WebRTC `close()`
      // resolves only after the send buffer drains, by which time the answer (and the remote's close)
      // may already have arrived and been missed by a reader attached later.
      const reader = stream[Symbol.asyncIterator]();
      next = reader.next();
      if (!stream.send(encodeFrame(data))) await stream.onDrain();
      const closing = stream.close().catch(() => undefined);
      const decoder = new FrameDecoder(this.maxFrame);
      try {
        for (;;) {
          const r = await withIdleTimeout(next, this.idleTimeoutMs, peer);
          if (r.done) break;
          next = reader.next();
          yield* decoder.push(bytesOf(r.value));
        }
      } catch (err) {
        if (err instanceof ProtocolDecodeError) throw err;
        throw new PeerUnreachableError(`the sync stream to ${peer} failed: ${(err as Error).message}`);
      }
      await closing;
      if (!decoder.empty) throw new ProtocolDecodeError(`the response from ${peer} ended inside a frame`);
      finished = true;
    } finally {
      if (!finished) {
        // The read still pending rejects when the stream is aborted: nobody awaits it any more.
        next?.catch(() => undefined);
        stream.abort(new Error('request abandoned'));
      }
    }
  }

  /** Reads one request frame, streams the handler's frames back with backpressure, then closes. Never throws. */
  private async answer(stream: Stream, connection: Connection): Promise<void> {
    const from = connection.remotePeer.toString() as PeerIdString;
    try {
      const handler = this.requestHandler;
      if (!handler) throw new Error('no sync handler');
      const decoder = new FrameDecoder(this.maxFrame);
      let request: Uint8Array | undefined;
      for await (const chunk of stream) {
        request = decoder.push(bytesOf(chunk))[0];
        if (request) break;
      }
      if (!request) throw new ProtocolDecodeError('the request stream ended without a frame');
      for await (const frame of handler(from, request)) {
        if (!stream.send(encodeFrame(frame))) await stream.onDrain();
      }
      await stream.close();
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

/** Resolves like `p`, or rejects when nothing arrives within `ms` (a stalled peer never blocks catch-up). */
function withIdleTimeout<T>(p: Promise<T>, ms: number, peer: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no data from ${peer} for ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Creates the sync network over a started libp2p node and registers its protocol. */
export async function libp2pSyncNetwork(node: NetNode, init: Libp2pSyncNetworkInit = {}): Promise<Libp2pSyncNetwork> {
  const net = new Libp2pSyncNetwork(node, init);
  await net.start(init.maxStreams);
  return net;
}
