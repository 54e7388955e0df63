/** Replication: protocol codecs, the network interface and the engine. No libp2p here. */
export * from './network.js';
export * from './errors.js';
export * from './events.js';
export * from './frames.js';
export * from './gossip-codec.js';
export * from './request-codec.js';
export * from './subscriptions.js';
export * from './schema-mismatch.js';
export * from './sync.js';
export * from './sync-status.js';
export * from './ports.js';
export * from './serve-limits.js';
export * from './hellos.js';
