/**
 * OrbitDB 4 side by side with our node, both in Node on TCP loopback, in one run: `npm run bench:orbitdb`.
 * Both peers of each system run in this one process. Both store on disk in LevelDB (OrbitDB's default; ours via
 * the LevelStore of headless peers). Merges its keys into bench/results/latest.json and prints the table.
 */
import '../../src/net/polyfill.js';
import { cpus } from 'node:os';
import { median, quantile, round } from '../lib/stats.js';
import { mergeLatest, Results, LATEST } from '../lib/results.js';
import { doc, runLog, sleep, step, tempDirs, until } from '../lib/node-run.js';
import { NODE_ROWS, table } from '../lib/targets.js';
import { startOrbitPeer, type OrbitPeer } from './orbit.js';
import { startLocalPeer, startSyncPeer, type OurPeer } from './ours.js';

const USER_SDL = 'type User { name: String age: Int verified: Boolean points: Float }';
const KEYS = ['orbitdb_add_awaited_per_s', 'ours_node_create_awaited_per_s', 'orbitdb_join_1000_ms', 'ours_node_catchup_1000_vs_orbitdb_ms', 'orbitdb_live_p50_ms', 'ours_node_live_p50_vs_orbitdb_ms'];
const quick = process.argv.includes('--quick');
const O = quick
  ? { awaitedN: 100, awaitedRounds: 2, joinRounds: 1, liveSamples: 50 }
  : { awaitedN: 300, awaitedRounds: 3, joinRounds: 2, liveSamples: 200 };

const started = performance.now();
const log = runLog(started);
const temp = tempDirs('p2pdb-bench-orbit-');
const dir = temp.dir;

async function awaitedRates(r: Results): Promise<void> {
  const orbit = await startOrbitPeer(dir('orbit-add'));
  const ours = await startLocalPeer(dir('ours-add'));
  try {
    const edb = await orbit.orbitdb.open('bench-add', { type: 'events' });
    await ours.db.addSchema(USER_SDL);
    for (let i = 0; i < 30; i++) await edb.add(doc('warm', i));
    for (let i = 0; i < 30; i++) await ours.db.create('User', doc('warm', i));
    const o: number[] = [];
    const u: number[] = [];
    for (let round_ = 0; round_ < O.awaitedRounds; round_++) {
      let t0 = performance.now();
      for (let i = 0; i < O.awaitedN; i++) await edb.add(doc(`r${round_}`, i));
      o.push(O.awaitedN / ((performance.now() - t0) / 1000));
      t0 = performance.now();
      for (let i = 0; i < O.awaitedN; i++) await ours.db.create('User', doc(`r${round_}`, i));
      u.push(O.awaitedN / ((performance.now() - t0) / 1000));
    }
    r.set('orbitdb_add_awaited_per_s', round(median(o)), o.length, `events db add of a 4-field object, ${O.awaitedN} per round, LevelDB blockstore`);
    r.set('ours_node_create_awaited_per_s', round(median(u)), u.length, `db.create, ${O.awaitedN} per round, rounds interleaved with OrbitDB; store: LevelStore (src/store/level-store.ts, LevelDB on disk), not IndexedDB`);
    r.detail.node_awaited_rounds = { orbitdb: o.map((v) => round(v)), ours: u.map((v) => round(v)) };
  } finally {
    await orbit.stop();
    await ours.stop();
  }
}

async function orbitPair(): Promise<[OrbitPeer, OrbitPeer]> {
  const a = await startOrbitPeer(dir('orbit-a'));
  const b = await startOrbitPeer(dir('orbit-b'));
  await b.libp2p.dial(a.libp2p.getMultiaddrs()[0]);
  return [a, b];
}

async function orbitJoin(r: Results): Promise<void> {
  const runs: number[] = [];
  for (let i = 0; i < O.joinRounds; i++) {
    const [a, b] = await orbitPair();
    try {
      const da = await a.orbitdb.open(`join-${i}`, { type: 'events' });
      for (let j = 0; j < 1000; j++) await da.add(doc(`j${i}`, j));
      const t0 = performance.now();
      const db2 = await b.orbitdb.open(da.address, { type: 'events' });
      await until(async () => (await db2.all()).length >= 1000, 120_000, 'OrbitDB peer B to hold 1000 entries', 50);
      runs.push(performance.now() - t0);
    } finally {
      await a.stop();
      await b.stop();
    }
  }
  r.set('orbitdb_join_1000_ms', round(median(runs)), runs.length, 'peer B (already connected) opens the address of A\'s 1,000-entry events db until db.all() has 1,000 (checked every 50 ms)');
  r.detail.orbitdb_join_runs = runs.map((v) => round(v));
}

async function orbitLive(r: Results): Promise<void> {
  const [a, b] = await orbitPair();
  try {
    const da = await a.orbitdb.open('live', { type: 'events' });
    const joined = new Promise<void>((res) => da.events.on('join', () => res()));
    const db2 = await b.orbitdb.open(da.address, { type: 'events' });
    await Promise.race([joined, sleep(15_000)]);
    const got = new Map<number, number>();
    db2.events.on('update', (entry: { payload: { value: { seq?: number } } }) => {
      const s = entry.payload.value.seq;
      if (typeof s === 'number' && !got.has(s)) got.set(s, performance.now());
    });
    const sent: number[] = [];
    for (let i = 0; i < 10 + O.liveSamples; i++) {
      const t0 = performance.now();
      sent[i] = t0;
      await da.add({ ...doc('live', i), seq: i });
      const rest = 30 - (performance.now() - t0);
      if (rest > 0) await sleep(rest);
    }
    await until(() => got.size >= sent.length, 20_000, 'OrbitDB live entries', 20).catch(() => undefined);
    const lat = sent.map((t, i) => (i >= 10 && got.has(i) ? got.get(i)! - t : NaN)).filter((v) => Number.isFinite(v));
    const lost = O.liveSamples - lat.length;
    r.set('orbitdb_live_p50_ms', round(median(lat), 2), lat.length, `adds paced 30 ms apart, first 10 not counted; p90 ${round(quantile(lat, 0.9), 1)} ms, max ${round(Math.max(...lat), 1)} ms${lost ? `; ${lost} never arrived` : ''}`);
  } finally {
    await a.stop();
    await b.stop();
  }
}

/** Connects two of our peers over TCP and waits until both sync engines see each other. */
async function ourPair(): Promise<[OurPeer, OurPeer]> {
  const a = await startSyncPeer(dir('ours-a'));
  const b = await startSyncPeer(dir('ours-b'));
  await Promise.all([a.db.addSchema(USER_SDL), b.db.addSchema(USER_SDL)]);
  return [a, b];
}

function arrivals(p: OurPeer): Map<string, number> {
  const m = new Map<string, number>();
  p.db.on('change', (e) => {
    if (e.origin === 'local') return;
    const t = performance.now();
    for (const d of e.docs) if (!m.has(d)) m.set(d, t);
  });
  return m;
}

async function oursCatchup(r: Results): Promise<void> {
  const runs: number[] = [];
  for (let i = 0; i < O.joinRounds; i++) {
    const [a, b] = await ourPair();
    try {
      await a.sync!.subscribe('User');
      const ids = (await a.db.createMany('User', Array.from({ length: 1000 }, (_, j) => doc(`c${i}`, j)))).map((d) => d.id);
      const got = arrivals(b);
      await b.libp2p!.dial(a.libp2p!.getMultiaddrs()[0]!);
      await sleep(500); // let identify and the engines' hello settle; B is not subscribed yet
      const t0 = performance.now();
      await b.sync!.subscribe('User');
      await until(() => ids.every((id) => got.has(id)), 120_000, 'our peer B to hold 1000 documents', 5);
      runs.push(Math.max(...ids.map((id) => got.get(id)!)) - t0);
    } finally {
      await a.stop();
      await b.stop();
    }
  }
  r.set('ours_node_catchup_1000_vs_orbitdb_ms', round(median(runs)), runs.length, 'peer B (already connected) subscribes to User while A holds 1,000 documents, until B has stored all; LevelStore');
  r.detail.ours_node_catchup_runs = runs.map((v) => round(v));
}

async function oursLive(r: Results): Promise<void> {
  const [a, b] = await ourPair();
  try {
    await Promise.all([a.sync!.subscribe('User'), b.sync!.subscribe('User')]);
    const got = arrivals(b);
    await b.libp2p!.dial(a.libp2p!.getMultiaddrs()[0]!);
    const topic = a.db.collection('User').id;
    const mesh = (p: OurPeer): string[] => (p.libp2p!.services.pubsub as unknown as { getMeshPeers(t: string): string[] }).getMeshPeers(topic);
    await until(() => mesh(a).includes(b.libp2p!.peerId.toString()) && mesh(b).includes(a.libp2p!.peerId.toString()), 15_000, 'gossip mesh', 20);
    const sent: Array<[string, number]> = [];
    for (let i = 0; i < 10 + O.liveSamples; i++) {
      const t0 = performance.now();
      const d = await a.db.create('User', doc('live', i));
      sent.push([d.id, t0]);
      const rest = 30 - (performance.now() - t0);
      if (rest > 0) await sleep(rest);
    }
    await until(() => sent.every(([id]) => got.has(id)), 20_000, 'our live documents', 20).catch(() => undefined);
    const lat = sent.slice(10).filter(([id]) => got.has(id)).map(([id, t]) => got.get(id)! - t);
    const lost = O.liveSamples - lat.length;
    r.set('ours_node_live_p50_vs_orbitdb_ms', round(median(lat), 2), lat.length, `creates paced 30 ms apart, first 10 not counted; p90 ${round(quantile(lat, 0.9), 1)} ms, max ${round(Math.max(...lat), 1)} ms${lost ? `; ${lost} never arrived` : ''}; LevelStore`);
  } finally {
    await a.stop();
    await b.stop();
  }
}

async function main(): Promise<number> {
  const r = new Results();
  try {
    await step(r, log, 'awaited adds / creates', ['orbitdb_add_awaited_per_s', 'ours_node_create_awaited_per_s'], () => awaitedRates(r));
    await step(r, log, 'OrbitDB join of 1,000', ['orbitdb_join_1000_ms'], () => orbitJoin(r));
    await step(r, log, 'ours catch-up of 1,000', ['ours_node_catchup_1000_vs_orbitdb_ms'], () => oursCatchup(r));
    await step(r, log, 'OrbitDB live', ['orbitdb_live_p50_ms'], () => orbitLive(r));
    await step(r, log, 'ours live', ['ours_node_live_p50_vs_orbitdb_ms'], () => oursLive(r));
    const all = mergeLatest(r, KEYS, {
      orbitdb_at: new Date().toISOString(),
      orbitdb_machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, orbitdb: '@orbitdb/core 4.0.0, helia 6, libp2p 3 (TCP loopback), undici 7 pinned' },
      orbitdb_run_s: Math.round((performance.now() - started) / 100) / 10,
    });
    console.log('\nNode, TCP loopback, both peers of each system in this process; both store in LevelDB on disk:\n');
    console.log(table(NODE_ROWS, all));
    console.log(`\nmerged into ${LATEST} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return 0;
  } finally {
    temp.remove();
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err);
  temp.remove();
  process.exit(1);
});
