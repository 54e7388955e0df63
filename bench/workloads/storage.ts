/** Local write throughput: raw IndexedDB baselines and the node's API, measured in the same page, rounds interleaved. */
import type { BrowserContext } from '@playwright/test';
import { closePages, nodeName, openNode, type Site } from '../lib/browser.js';
import { median, round } from '../lib/stats.js';
import type { Results } from '../lib/results.js';
import { addUser, type PageNode } from './common.js';

export const STORAGE_KEYS = ['idb_raw_put_tx_per_s', 'create_awaited_per_s', 'idb_raw_batch_per_s', 'create_batch_per_s'];

/** In page: N records, each put in its own readwrite transaction, awaited one after another; returns docs/s. */
async function rawPutPerTx(args: { db: string; n: number; tag: string }): Promise<number> {
  const idb = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(args.db, 1);
    req.onupgradeneeded = () => req.result.createObjectStore('docs', { keyPath: 'id' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  // About the size of what one create writes (a signed block of ~250 B plus the document's fields).
  const rec = (i: number) => ({
    id: `bae-${args.tag}-${i}`, collection: 'bafyreib-user-collection', name: `u-${args.tag}-${i}`, age: i % 90,
    verified: i % 2 === 0, points: i * 1.5, clock: [Date.now(), i], bytes: new Uint8Array(256).fill(i & 255),
  });
  const t0 = performance.now();
  for (let i = 0; i < args.n; i++) {
    await new Promise<void>((resolve, reject) => {
      const tx = idb.transaction('docs', 'readwrite');
      tx.objectStore('docs').put(rec(i));
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }
  const ms = performance.now() - t0;
  idb.close();
  return args.n / (ms / 1000);
}

/** In page: N records put in one transaction; returns docs/s. */
async function rawBatch(args: { db: string; n: number; tag: string }): Promise<number> {
  const idb = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(args.db, 1);
    req.onupgradeneeded = () => req.result.createObjectStore('docs', { keyPath: 'id' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const rec = (i: number) => ({
    id: `bae-${args.tag}-${i}`, collection: 'bafyreib-user-collection', name: `u-${args.tag}-${i}`, age: i % 90,
    verified: i % 2 === 0, points: i * 1.5, clock: [Date.now(), i], bytes: new Uint8Array(256).fill(i & 255),
  });
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const tx = idb.transaction('docs', 'readwrite');
    const store = tx.objectStore('docs');
    for (let i = 0; i < args.n; i++) store.put(rec(i));
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  const ms = performance.now() - t0;
  idb.close();
  return args.n / (ms / 1000);
}

/** In page: N `db.create` calls, each awaited; returns docs/s. */
async function createAwaited(args: { n: number; tag: string }): Promise<number> {
  const node = (globalThis as unknown as { __node: PageNode }).__node;
  const t0 = performance.now();
  for (let i = 0; i < args.n; i++) {
    await node.db.create('User', { name: `u-${args.tag}-${i}`, age: i % 90, verified: i % 2 === 0, points: i * 1.5 });
  }
  return args.n / ((performance.now() - t0) / 1000);
}

/** In page: one `db.createMany` of N; returns docs/s. */
async function createBatch(args: { n: number; tag: string }): Promise<number> {
  const node = (globalThis as unknown as { __node: PageNode }).__node;
  const list = Array.from({ length: args.n }, (_, i) => ({ name: `b-${args.tag}-${i}`, age: i % 90, verified: i % 2 === 0, points: i * 1.5 }));
  const t0 = performance.now();
  await node.db.createMany('User', list);
  return args.n / ((performance.now() - t0) / 1000);
}

export interface StorageOptions {
  awaitedN: number;
  awaitedRounds: number;
  batchN: number;
  batchRounds: number;
}

export async function runStorage(ctx: BrowserContext, site: Site, r: Results, o: StorageOptions): Promise<void> {
  // One raw database per baseline, reused across rounds like the node's own database (a new database per round
  // measured slower round after round). No relay reservation needed: local writes only (the node still runs its network, as in real use).
  const page = await openNode(ctx, site, nodeName('store'), { reservation: false });
  try {
    await addUser(page);
    const rawTx: number[] = [];
    const create: number[] = [];
    // Warm-up (JIT, first IndexedDB open), not counted.
    await page.evaluate(rawPutPerTx, { db: 'bench-raw-tx', n: 50, tag: 'w' });
    await page.evaluate(createAwaited, { n: 50, tag: 'w' });
    for (let i = 0; i < o.awaitedRounds; i++) {
      rawTx.push(await page.evaluate(rawPutPerTx, { db: 'bench-raw-tx', n: o.awaitedN, tag: `t${i}` }));
      create.push(await page.evaluate(createAwaited, { n: o.awaitedN, tag: `a${i}` }));
    }
    r.set('idb_raw_put_tx_per_s', round(median(rawTx)), rawTx.length, `median of ${rawTx.length} rounds of ${o.awaitedN}`);
    r.set('create_awaited_per_s', round(median(create)), create.length, `median of ${create.length} rounds of ${o.awaitedN}, rounds interleaved with the baseline`);
    r.detail.idb_raw_put_tx_rounds = rawTx.map((v) => round(v));
    r.detail.create_awaited_rounds = create.map((v) => round(v));

    const rawB: number[] = [];
    const createB: number[] = [];
    for (let i = 0; i < o.batchRounds; i++) {
      rawB.push(await page.evaluate(rawBatch, { db: 'bench-raw-batch', n: o.batchN, tag: `rb${i}` }));
      createB.push(await page.evaluate(createBatch, { n: o.batchN, tag: `cb${i}` }));
    }
    r.set('idb_raw_batch_per_s', round(median(rawB)), rawB.length, `median of ${rawB.length} transactions of ${o.batchN}`);
    r.set('create_batch_per_s', round(median(createB)), createB.length, `median of ${createB.length} createMany of ${o.batchN}`);
    r.detail.idb_raw_batch_rounds = rawB.map((v) => round(v));
    r.detail.create_batch_rounds = createB.map((v) => round(v));
  } finally {
    await closePages([page]);
  }
}
