/**
 * LevelDB or SQLite for headless peers, measured on the store's own shapes (docs/decisions.md, "Headless peers
 * store on LevelDB"). Run from the repository root:
 *   npm --prefix bench/sqlite install --no-audit --no-fund --loglevel=error && npx tsx bench/sqlite/run.ts
 * LevelDB is the real LevelStore (src/store/level-store.ts). SQLite (better-sqlite3) is a minimal store doing
 * exactly the same operations: one table (store, key, value) WITHOUT ROWID, WAL, prepared statements, the
 * same keys and v8-serialized values, one transaction per commit. The changes are real signed creating
 * blocks and their document records, built before timing: what is timed is the store alone.
 * One committed create writes 5 keys: b/<cid> (the block), d/<docId> (the record), and the empty index entries
 * bd/<docId>/<cid>, bc/<collection>/<cid>, dc/<collection>/<docId>.
 * Durability: LevelStore writes with `sync: false` (in the log, not fsynced: survives a killed process, not a
 * power loss); SQLite WAL + synchronous=NORMAL is the same promise. `sync: true` and synchronous=FULL (fsync
 * on every commit) are measured as a second pair.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { deserialize, serialize } from 'node:v8';
import { createBlock } from '../../src/core/block.js';
import { collectionIdOf } from '../../src/core/collection-id.js';
import { deriveDocId } from '../../src/core/doc-id.js';
import { generateSecretKey, identityFromSecretKey } from '../../src/core/identity.js';
import type { CollectionId, DocId } from '../../src/core/ids.js';
import { applyBlock, EMPTY_STATE } from '../../src/core/merge.js';
import { parseSdl } from '../../src/core/schema.js';
import { toStored } from '../../src/db/records.js';
import { LevelStore } from '../../src/store/level-store.js';
import type { CommitBatch, DocRecord, StoredBlock } from '../../src/store/types.js';

const quick = process.argv.includes('--quick');
const RUNS = quick ? 1 : 3;
const AWAITED = quick ? 300 : 2_000;
const BATCH = quick ? 2_000 : 10_000;
const CHUNK = 500; // blocks per catch-up response frame (src/sync/server.ts), each applied as one transaction
const RANGE = quick ? 1_000 : 5_000;
const POINTS = 1_000;

/** The operations measured, as the engine calls them. */
interface BenchStore {
  commit(batch: CommitBatch): Promise<void>;
  docsInRange(collection: CollectionId, after: DocId | null, upto: DocId | null, limit: number): Promise<DocRecord[]>;
  getDoc(id: DocId): Promise<DocRecord | undefined>;
  getDocs(ids: readonly DocId[]): Promise<Array<DocRecord | undefined>>;
  close(): Promise<void>;
}

// ---- SQLite: the same keys and values as LevelStore, in one table --------------------------------------

interface Statement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): { value: Buffer } | undefined;
  all(...params: unknown[]): Array<{ key: string }>;
}
interface SqliteDb {
  pragma(sql: string): unknown;
  exec(sql: string): unknown;
  prepare(sql: string): Statement;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): void;
}
const Database = createRequire(import.meta.url)('better-sqlite3') as new (path: string) => SqliteDb;

const SEP = '\x00';
const END = '\xff';
const enc = (v: unknown): Buffer => serialize(v);
const dec = <T>(b: Buffer | undefined): T | undefined => (b === undefined ? undefined : (deserialize(b) as T));

class SqliteStore implements BenchStore {
  private readonly put: Statement;
  private readonly get: Statement;
  private readonly range: Statement;
  private readonly write: (ops: ReadonlyArray<readonly [string, string, Buffer]>) => void;

  constructor(private readonly db: SqliteDb, synchronous: 'NORMAL' | 'FULL') {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.exec('CREATE TABLE IF NOT EXISTS kv (store TEXT NOT NULL, key BLOB NOT NULL, value BLOB NOT NULL, PRIMARY KEY (store, key)) WITHOUT ROWID');
    this.put = db.prepare('INSERT OR REPLACE INTO kv (store, key, value) VALUES (?, ?, ?)');
    this.get = db.prepare('SELECT value FROM kv WHERE store = ? AND key = ?');
    this.range = db.prepare('SELECT key FROM kv WHERE store = ? AND key > ? AND key < ? ORDER BY key LIMIT ?');
    this.write = db.transaction((ops: ReadonlyArray<readonly [string, string, Buffer]>) => {
      for (const [store, key, value] of ops) this.put.run(store, key, value);
    });
  }

  static open(path: string, synchronous: 'NORMAL' | 'FULL'): SqliteStore {
    return new SqliteStore(new Database(path), synchronous);
  }

  async commit(batch: CommitBatch): Promise<void> {
    const empty = Buffer.alloc(0);
    const ops: Array<readonly [string, string, Buffer]> = [];
    for (const b of batch.blocks) {
      ops.push(['b', b.cid, enc(b)], ['bd', b.doc + SEP + b.cid, empty], ['bc', b.collection + SEP + b.cid, empty]);
    }
    for (const d of batch.docs) ops.push(['d', d.id, enc(d)], ['dc', d.collection + SEP + d.id, empty]);
    if (ops.length) this.write(ops);
  }

  async docsInRange(collection: CollectionId, after: DocId | null, upto: DocId | null, limit: number): Promise<DocRecord[]> {
    const p = collection + SEP;
    const hi = upto !== null ? p + upto + '\x01' : p + END; // key <= p+upto
    const keys = this.range.all('dc', after !== null ? p + after : p, hi, limit);
    const out: DocRecord[] = [];
    for (const { key } of keys) {
      const d = dec<DocRecord>(this.get.get('d', key.slice(p.length))?.value);
      if (d) out.push(d);
    }
    return out;
  }

  async getDoc(id: DocId): Promise<DocRecord | undefined> {
    return dec<DocRecord>(this.get.get('d', id)?.value);
  }

  async getDocs(ids: readonly DocId[]): Promise<Array<DocRecord | undefined>> {
    return ids.map((id) => dec<DocRecord>(this.get.get('d', id)?.value));
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** The real LevelStore; with `sync`, its batches are written with `sync: true` (fsync per commit). */
async function openLevel(path: string, sync: boolean): Promise<BenchStore> {
  const store = await LevelStore.open(path);
  if (sync) {
    const db = (store as unknown as { db: { batch(ops: unknown, opts?: object): Promise<void> } }).db;
    const batch = db.batch.bind(db);
    db.batch = (ops, opts) => batch(ops, { ...opts, sync: true });
  }
  return store;
}

interface Backend {
  name: string;
  open(path: string): Promise<BenchStore>;
  reads: boolean;
}
const BACKENDS: Backend[] = [
  { name: 'LevelDB (LevelStore, sync: false)', open: (p) => openLevel(p, false), reads: true },
  { name: 'SQLite WAL, synchronous=NORMAL', open: async (p) => SqliteStore.open(join(p, 'store.db'), 'NORMAL'), reads: true },
  { name: 'LevelDB (LevelStore, sync: true)', open: (p) => openLevel(p, true), reads: false },
  { name: 'SQLite WAL, synchronous=FULL', open: async (p) => SqliteStore.open(join(p, 'store.db'), 'FULL'), reads: false },
];

// ---- the data: real signed creating blocks and their records ----------------------------------------------

const [def] = parseSdl('type User { name: String age: Int verified: Boolean points: Float }');
const collection = collectionIdOf(def!);
const identity = identityFromSecretKey(generateSecretKey());
const t0 = Date.now();

function change(i: number): { block: StoredBlock; doc: DocRecord } {
  const set = { name: `user-${i}-${'x'.repeat(i % 24)}`, age: i % 90, verified: i % 2 === 0, points: i * 1.5 };
  const doc = deriveDocId(collection, set);
  const e = createBlock({ collection, doc, parents: [], clock: [t0, i], set }, identity);
  return { block: toStored(e), doc: { id: doc, collection, heads: [e.cid], state: applyBlock(EMPTY_STATE, e.cid, e.block) } };
}

console.log(`building ${AWAITED + BATCH} signed changes…`);
const awaitedChanges = Array.from({ length: AWAITED }, (_, i) => change(i));
const batchChanges = Array.from({ length: BATCH }, (_, i) => change(AWAITED + i));
const avg = (xs: number[]): number => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
console.log(
  `values (v8.serialize): block ${avg(batchChanges.map((c) => enc(c.block).length))} B, document record ${avg(batchChanges.map((c) => enc(c.doc).length))} B; ` +
    `5 keys per change; Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, temp dir ${tmpdir()}`,
);

// ---- measurements ----------------------------------------------------------------------------------------

const root = mkdtempSync(join(tmpdir(), 'p2pdb-bench-sqlite-'));
let dirs = 0;
const fresh = (): string => mkdtempSync(join(root, `s${dirs++}-`));
const batchOf = (cs: ReadonlyArray<{ block: StoredBlock; doc: DocRecord }>): CommitBatch => ({ blocks: cs.map((c) => c.block), docs: cs.map((c) => c.doc) });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Row {
  awaitedPerS: number;
  batchPerS: number;
  batchStallMs: number;
  chunkedPerS: number;
  rangeMs: number;
  pointMs: number;
  getDocsMs: number;
}

/** Runs `fn`, returning its milliseconds and the longest event-loop stall (ms) during it. */
async function timed(fn: () => Promise<void>): Promise<{ ms: number; stallMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  await sleep(20); // the histogram's timer must be running before fn can stall it
  const start = performance.now();
  await fn();
  const ms = performance.now() - start;
  await sleep(10); // let the histogram record a stall that ended with fn
  h.disable();
  return { ms, stallMs: h.max / 1e6 };
}

async function measure(b: Backend): Promise<Row> {
  // a. awaited single-change commits
  let s = await b.open(fresh());
  const a = await timed(async () => {
    for (const c of awaitedChanges) await s.commit(batchOf([c]));
  });
  await s.close();

  // b. one transaction of BATCH changes (a createMany), then the same in catch-up chunks
  const bigDir = fresh();
  s = await b.open(bigDir);
  const big = await timed(() => s.commit(batchOf(batchChanges)));
  await s.close();
  s = await b.open(fresh());
  const chunked = await timed(async () => {
    for (let i = 0; i < batchChanges.length; i += CHUNK) await s.commit(batchOf(batchChanges.slice(i, i + CHUNK)));
  });
  await s.close();

  // c. reads, on the store of the big batch, reopened
  let rangeMs = NaN;
  let pointMs = NaN;
  let getDocsMs = NaN;
  if (b.reads) {
    s = await b.open(bigDir);
    const ids = batchChanges.map((c) => c.doc.id).sort();
    const from = ids[Math.floor(ids.length / 4)]!;
    const picks = Array.from({ length: POINTS }, (_, i) => ids[(i * 7919 + 13) % ids.length]!);
    const r = await timed(async () => {
      const got = await s.docsInRange(collection, from, null, RANGE);
      if (got.length !== RANGE) throw new Error(`range read ${got.length} documents, expected ${RANGE}`);
    });
    const p = await timed(async () => {
      for (const id of picks) if (!(await s.getDoc(id))) throw new Error(`missing ${id}`);
    });
    const g = await timed(async () => {
      const got = await s.getDocs(picks);
      if (got.some((d) => !d)) throw new Error('getDocs missed a document');
    });
    await s.close();
    rangeMs = r.ms;
    pointMs = p.ms;
    getDocsMs = g.ms;
  }
  return {
    awaitedPerS: AWAITED / (a.ms / 1000),
    batchPerS: BATCH / (big.ms / 1000),
    batchStallMs: big.stallMs,
    chunkedPerS: BATCH / (chunked.ms / 1000),
    rangeMs,
    pointMs,
    getDocsMs,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const results = new Map<string, Row[]>(BACKENDS.map((b) => [b.name, []]));
try {
  for (let run = 1; run <= RUNS; run++) {
    for (const b of run % 2 ? BACKENDS : [...BACKENDS].reverse()) {
      const row = await measure(b);
      results.get(b.name)!.push(row);
      console.log(`run ${run} ${b.name}: ${JSON.stringify(row, (_, v: unknown) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))}`);
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

const f = (n: number, digits = 0): string => (Number.isNaN(n) ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
console.log(`\nmedians of ${RUNS} run(s):\n`);
console.log(
  `| store | awaited commits/s (${f(AWAITED)}) | ${f(BATCH)} in 1 tx, changes/s (longest event-loop stall) | ${f(BATCH)} in tx of ${CHUNK}, changes/s | range of ${f(RANGE)} docs | ${f(POINTS)} getDoc awaited | getDocs of ${f(POINTS)} |`,
);
console.log('|---|---|---|---|---|---|---|');
for (const [name, rows] of results) {
  const m = (key: keyof Row): number => median(rows.map((r) => r[key]));
  const ms = (n: number): string => (Number.isNaN(n) ? '—' : `${f(n, 1)} ms`);
  console.log(`| ${name} | ${f(m('awaitedPerS'))} | ${f(m('batchPerS'))} (${f(m('batchStallMs'))} ms) | ${f(m('chunkedPerS'))} | ${ms(m('rangeMs'))} | ${ms(m('pointMs'))} | ${ms(m('getDocsMs'))} |`);
}
