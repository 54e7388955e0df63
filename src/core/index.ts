/** The pure domain: IDs, schemas, values, blocks, verification and the merge rule. */
export * from './ids.js';
export * from './errors.js';
export * from './schema.js';
export * from './hash.js';
export * from './collection-id.js';
export * from './hlc.js';
export * from './values.js';
export * from './doc-id.js';
export * from './identity.js';
export * from './block.js';
export * from './verify.js';
export * from './merge.js';
export * from './digest.js';
export * from './events.js';
export * from './webcrypto-ed25519.js';
