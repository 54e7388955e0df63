/** The document engine. */
export * from './database.js';
export * from './document.js';
export * from './query.js';
export * from './dag.js';
