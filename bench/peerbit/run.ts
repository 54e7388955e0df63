/**
 * Peerbit side by side with our node, both in Node on TCP loopback, in one run: `npm run bench:peerbit`.
 * Both peers of each system run in this one process and store on disk (Peerbit: its defaults for a directory, LevelDB
 * stores and a SQLite document index; ours: the LevelStore of headless peers). Three figures per system:
 *   - replicated awaited writes/s: A writes one document, waits until B holds it, then writes the next;
 *   - live latency (p50, p99): one write in A until B holds it, writes paced 30 ms apart;
 *   - catch-up of 1,000: A holds 1,000 documents, a fresh B connects and joins, until B holds all 1,000.
 * "B holds it" means B's store has stored the document and announced it: for Peerbit the 'change' event of B's
 * Documents (emitted after the document is in B's index) or, for the catch-up, B's local `docs.count()`; for ours the
 * 'change' event of B's Database with a non-local origin (emitted after the blocks and document are stored).
 * Rounds and blocks of live samples alternate between the systems so that load from elsewhere on the machine falls
 * on both. Merges its keys into bench/results/latest.json and prints a table. `--quick` for a shorter run.
 */
import '../../src/net/polyfill.js';
import { readFileSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { median, quantile, round } from '../lib/stats.js';
import { mergeLatest, Results, LATEST } from '../lib/results.js';
import { doc, runLog, sameUser, sleep, step, tempDirs, until } from '../lib/node-run.js';
import { startOurPeer, type OurPeer } from '../lib/our-node-peer.js';
import { startPeerbitPeer, User, Users, type PeerbitPeer, type Replicate } from './peerbit.js';

// Peerbit's services keep adding abort listeners to long-lived signals (over 100 in a run); Node's listener-leak
// warning for them is noise in this output, so it is turned off (0: no limit) for the process.
setMaxListeners(0);

const USER_SDL = 'type User { name: String age: Int verified: Boolean points: Float }';
const KEYS = [
  'peerbit_replicated_awaited_per_s', 'ours_node_replicated_awaited_per_s',
  'peerbit_live_p50_ms', 'ours_node_live_p50_ms', 'peerbit_live_p99_ms', 'ours_node_live_p99_ms',
  'peerbit_catchup_1000_ms', 'ours_node_catchup_1000_ms',
];
/** Every Peerbit peer is a full replica: see `Replicate` in peerbit.ts for why. */
const FULL: Replicate = { factor: 1 };
const quick = process.argv.includes('--quick');
const O = quick
  ? { awaitedN: 100, awaitedRounds: 2, catchupRounds: 1, liveSamples: 50, liveBlock: 25 }
  : { awaitedN: 300, awaitedRounds: 3, catchupRounds: 2, liveSamples: 200, liveBlock: 50 };
const WARM = 30; // awaited writes on each pair before the measured rounds
const LIVE_WARM = 10;
const PACE_MS = 30;
/** Catch-up progress recorded in the details: when B holds its 1st, 500th, 990th and 1,000th document. */
const MILESTONES = [1, 500, 990, 1000] as const;
/** Longest wait for B to hold all 1,000 in one catch-up round (Peerbit's last few documents can take tens of seconds). */
const CATCHUP_TIMEOUT_MS = 120_000;
/** No further catch-up round starts after this much of the run (keeps a full run near 5 minutes on a busy machine). */
const ROUND_BUDGET_MS = 180_000;

const started = performance.now();
const log = runLog(started);
const temp = tempDirs('p2pdb-bench-peerbit-');
const dir = temp.dir;

/** When each document first arrived in a peer, and waiting for one to arrive (event-driven, no polling delay). */
class Arrivals {
  readonly at = new Map<string, number>();
  private readonly waiters = new Map<string, () => void>();

  mark(id: string, t: number): void {
    if (this.at.has(id)) return;
    this.at.set(id, t);
    const w = this.waiters.get(id);
    if (w) {
      this.waiters.delete(id);
      w();
    }
  }

  wait(id: string, timeoutMs: number, what: string): Promise<number> {
    const t = this.at.get(id);
    if (t !== undefined) return Promise.resolve(t);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} ${id} to arrive`));
      }, timeoutMs);
      this.waiters.set(id, () => {
        clearTimeout(timer);
        resolve(this.at.get(id)!);
      });
    });
  }
}

/** Two connected peers of one system, with B recording arrivals; `write` makes A write document `i` and returns its id. */
interface Pair {
  readonly name: string;
  readonly got: Arrivals;
  /** The id of each document written, by `${tag}-${i}`. */
  readonly written: Map<string, string>;
  write(tag: string, i: number): Promise<string>;
  /** A check that B holds the document with this id and its fields (after the figures are taken). */
  check(id: string, tag: string, i: number): Promise<void>;
  stop(): Promise<void>;
}

async function peerbitPair(): Promise<Pair> {
  const a = await startPeerbitPeer(dir('pb-a'));
  let b: PeerbitPeer | undefined;
  try {
    b = await startPeerbitPeer(dir('pb-b'));
    await b.client.dial(a.client.getMultiaddrs());
    const ua = await a.client.open(new Users(), { args: { replicate: FULL } });
    const ub = await b.client.open<Users>(ua.address, { args: { replicate: FULL } });
    // Both must see the other as a replicator, or A's first writes are not sent to B.
    await Promise.all([
      ua.docs.log.waitForReplicator(b.client.identity.publicKey),
      ub.docs.log.waitForReplicator(a.client.identity.publicKey),
    ]);
    const got = new Arrivals();
    const written = new Map<string, string>();
    ub.docs.events.addEventListener('change', (e) => {
      const t = performance.now();
      for (const d of e.detail.added) got.mark(d.id, t);
    });
    const bb = b;
    return {
      name: 'Peerbit',
      got,
      written,
      async write(tag, i) {
        const id = `${tag}-${i}`;
        await ua.docs.put(new User({ id, ...doc(tag, i) }));
        written.set(id, id);
        return id;
      },
      async check(id, tag, i) {
        const d = await ub.docs.index.get(id, { local: true, remote: false });
        const want = doc(tag, i);
        if (!sameUser(d, want)) {
          throw new Error(`Peerbit B does not hold ${id} as written (got ${JSON.stringify(d && { name: d.name, age: d.age })})`);
        }
      },
      async stop() {
        await a.stop();
        await bb.stop();
      },
    };
  } catch (err) {
    await a.stop();
    await b?.stop();
    throw err;
  }
}

function ourArrivals(p: OurPeer, got: Arrivals): void {
  p.db.on('change', (e) => {
    if (e.origin === 'local') return;
    const t = performance.now();
    for (const d of e.docs) got.mark(d, t);
  });
}

/** Our two peers, both subscribed to User, connected over TCP, with both in the other's gossip mesh. */
async function ourPair(): Promise<Pair> {
  const a = await startOurPeer(dir('ours-a'), 'a');
  let b: OurPeer | undefined;
  try {
    b = await startOurPeer(dir('ours-b'), 'b');
    const bb = b;
    await Promise.all([a.db.addSchema(USER_SDL), b.db.addSchema(USER_SDL)]);
    await Promise.all([a.sync.subscribe('User'), b.sync.subscribe('User')]);
    const got = new Arrivals();
    const written = new Map<string, string>();
    ourArrivals(b, got);
    await b.libp2p.dial(a.libp2p.getMultiaddrs()[0]!);
    const topic = a.db.collection('User').id;
    const mesh = (p: OurPeer): string[] => (p.libp2p.services.pubsub as unknown as { getMeshPeers(t: string): string[] }).getMeshPeers(topic);
    await until(() => mesh(a).includes(bb.libp2p.peerId.toString()) && mesh(bb).includes(a.libp2p.peerId.toString()), 15_000, 'gossip mesh', 20);
    return {
      name: 'ours',
      got,
      written,
      async write(tag, i) {
        const id = (await a.db.create('User', doc(tag, i))).id;
        written.set(`${tag}-${i}`, id);
        return id;
      },
      async check(id, tag, i) {
        const f = (await bb.db.get('User', id))?.fields;
        const want = doc(tag, i);
        if (!sameUser(f, want)) {
          throw new Error(`our B does not hold ${id} as written`);
        }
      },
      async stop() {
        await a.stop();
        await bb.stop();
      },
    };
  } catch (err) {
    await a.stop();
    await b?.stop();
    throw err;
  }
}

/** One round of `n` replicated awaited writes: writes per second. */
async function awaitedRound(p: Pair, tag: string, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const id = await p.write(tag, i);
    await p.got.wait(id, 15_000, `${p.name} B to hold`);
  }
  return n / ((performance.now() - t0) / 1000);
}

/** `n` writes paced PACE_MS apart; returns the latencies of those that arrived (waits up to 20 s for stragglers). */
async function liveBlock(p: Pair, tag: string, n: number): Promise<{ lat: number[]; lost: number }> {
  const sent: Array<[string, number]> = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    sent.push([await p.write(tag, i), t0]);
    const rest = PACE_MS - (performance.now() - t0);
    if (rest > 0) await sleep(rest);
  }
  await until(() => sent.every(([id]) => p.got.at.has(id)), 20_000, `${p.name} live documents`, 20).catch(() => undefined);
  const lat = sent.filter(([id]) => p.got.at.has(id)).map(([id, t]) => p.got.at.get(id)! - t);
  return { lat, lost: n - lat.length };
}

/** Awaited rounds and live samples on one connected pair per system, alternating between the systems. */
async function steady(r: Results): Promise<void> {
  const pairs: Pair[] = [];
  try {
    pairs.push(await peerbitPair());
    log('  Peerbit pair ready (both replicators)');
    pairs.push(await ourPair());
    log('  our pair ready (both in the gossip mesh)');
    const [pb, us] = pairs as [Pair, Pair];
    for (const p of pairs) await awaitedRound(p, 'warm', WARM);

    const rates: Record<string, number[]> = { Peerbit: [], ours: [] };
    for (let k = 0; k < O.awaitedRounds; k++) {
      for (const p of k % 2 ? [us, pb] : [pb, us]) rates[p.name]!.push(await awaitedRound(p, `r${k}`, O.awaitedN));
    }
    // Sanity (not timed): B holds the last document of each system's first round, with its fields.
    for (const p of pairs) await p.check(p.written.get(`r0-${O.awaitedN - 1}`)!, 'r0', O.awaitedN - 1);
    const note = (who: string): string => `A writes one document, waits until B holds it (${who}), then the next; ${O.awaitedN} per round, median of rounds, rounds alternate with the other system`;
    r.set('peerbit_replicated_awaited_per_s', round(median(rates.Peerbit!)), rates.Peerbit!.length, note("'change' event of B's Documents; both peers replicate: { factor: 1 }, put with default options"));
    r.set('ours_node_replicated_awaited_per_s', round(median(rates.ours!)), rates.ours!.length, note("'change' event of B's Database; LevelStore"));
    r.detail.peerbit_awaited_rounds = { peerbit: rates.Peerbit!.map((v) => round(v)), ours: rates.ours!.map((v) => round(v)) };
    log(`  awaited: Peerbit ${rates.Peerbit!.map((v) => round(v)).join(', ')}/s; ours ${rates.ours!.map((v) => round(v)).join(', ')}/s`);

    const lat: Record<string, number[]> = { Peerbit: [], ours: [] };
    const lost: Record<string, number> = { Peerbit: 0, ours: 0 };
    for (const p of pairs) await liveBlock(p, 'livewarm', LIVE_WARM);
    for (let k = 0; k * O.liveBlock < O.liveSamples; k++) {
      const n = Math.min(O.liveBlock, O.liveSamples - k * O.liveBlock);
      for (const p of k % 2 ? [us, pb] : [pb, us]) {
        const b = await liveBlock(p, `live${k}`, n);
        lat[p.name]!.push(...b.lat);
        lost[p.name]! += b.lost;
      }
    }
    for (const [sys, key] of [['Peerbit', 'peerbit'], ['ours', 'ours_node']] as const) {
      const l = lat[sys]!;
      const tail = `p90 ${round(quantile(l, 0.9), 1)} ms, max ${round(Math.max(...l), 1)} ms${lost[sys] ? `; ${lost[sys]} never arrived` : ''}`;
      const how = `writes paced ${PACE_MS} ms apart in blocks of ${O.liveBlock} alternating with the other system, ${LIVE_WARM} warm-up writes not counted`;
      r.set(`${key}_live_p50_ms`, round(median(l), 2), l.length, `${how}; ${tail}`);
      r.set(`${key}_live_p99_ms`, round(quantile(l, 0.99), 2), l.length, `same samples as ${key}_live_p50_ms`);
    }
    log(`  live p50: Peerbit ${round(median(lat.Peerbit!), 2)} ms, ours ${round(median(lat.ours!), 2)} ms`);

  } finally {
    for (const p of pairs) await p.stop().catch(() => undefined);
  }
}

/** Peerbit: A holds 1,000 documents; a fresh B dials A, opens the program by its address as a full replica. */
async function peerbitCatchup(i: number): Promise<{ ms: number; openMs: number; marks: Record<string, number> }> {
  const a = await startPeerbitPeer(dir('pb-ca'));
  let b: PeerbitPeer | undefined;
  try {
    const ua = await a.client.open(new Users(), { args: { replicate: FULL } });
    await ua.docs.putMany(Array.from({ length: 1000 }, (_, j) => new User({ id: `c${i}-${j}`, ...doc(`c${i}`, j) })));
    if ((await ua.docs.count()) !== 1000) throw new Error(`Peerbit A holds ${await ua.docs.count()} documents, not 1000`);
    b = await startPeerbitPeer(dir('pb-cb'));
    await b.client.dial(a.client.getMultiaddrs());
    await sleep(500); // as for ours: the connection settles before the clock starts
    const t0 = performance.now();
    const ub = await b.client.open<Users>(ua.address, { args: { replicate: FULL } });
    const openMs = performance.now() - t0;
    const marks: Record<string, number> = {};
    let held = 0;
    await until(async () => {
      held = await ub.docs.count();
      for (const m of MILESTONES) if (held >= m && marks[m] === undefined) marks[m] = performance.now() - t0;
      return held >= 1000;
    }, CATCHUP_TIMEOUT_MS, 'Peerbit peer B to hold 1000 documents', 10).catch((err: Error) => {
      throw new Error(`${err.message} (it holds ${held}; ms until it held ${JSON.stringify(marks)})`);
    });
    const ms = performance.now() - t0;
    const last = await ub.docs.index.get(`c${i}-999`, { local: true, remote: false });
    if (!last || last.name !== `c${i}-999`) throw new Error('Peerbit B counts 1000 but does not hold c-999');
    return { ms, openMs, marks };
  } finally {
    await a.stop();
    await b?.stop();
  }
}

/** Ours: A holds 1,000 documents; a fresh B (already connected) subscribes to User. */
async function oursCatchup(i: number): Promise<{ ms: number; marks: Record<string, number> }> {
  const a = await startOurPeer(dir('ours-ca'), 'a');
  let b: OurPeer | undefined;
  try {
    b = await startOurPeer(dir('ours-cb'), 'b');
    await Promise.all([a.db.addSchema(USER_SDL), b.db.addSchema(USER_SDL)]);
    await a.sync.subscribe('User');
    const ids = (await a.db.createMany('User', Array.from({ length: 1000 }, (_, j) => doc(`c${i}`, j)))).map((d) => d.id);
    const got = new Arrivals();
    ourArrivals(b, got);
    await b.libp2p.dial(a.libp2p.getMultiaddrs()[0]!);
    await sleep(500); // let identify and the engines' hello settle; B is not subscribed yet
    const t0 = performance.now();
    await b.sync.subscribe('User');
    await until(() => ids.every((id) => got.at.has(id)), CATCHUP_TIMEOUT_MS, 'our peer B to hold 1000 documents', 5);
    const times = ids.map((id) => got.at.get(id)! - t0).sort((x, y) => x - y);
    return { ms: times.at(-1)!, marks: Object.fromEntries(MILESTONES.map((m) => [m, times[m - 1]!])) };
  } finally {
    await a.stop();
    await b?.stop();
  }
}

async function catchup(r: Results): Promise<void> {
  const pb: number[] = [];
  const opens: number[] = [];
  const us: number[] = [];
  const progress: Record<string, Array<Record<string, number>>> = { peerbit: [], ours: [] };
  const rounded = (m: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, round(v)]));
  const errs: string[] = [];
  for (let k = 0; k < O.catchupRounds; k++) {
    if (k > 0 && performance.now() - started > ROUND_BUDGET_MS) {
      log(`  skipping catch-up rounds ${k + 1}–${O.catchupRounds}: ${Math.round((performance.now() - started) / 1000)} s already spent (budget ${ROUND_BUDGET_MS / 1000} s)`);
      r.detail.peerbit_catchup_rounds_skipped = O.catchupRounds - k;
      break;
    }
    for (const sys of k % 2 ? ['ours', 'Peerbit'] : ['Peerbit', 'ours']) {
      try {
        if (sys === 'Peerbit') {
          const { ms, openMs, marks } = await peerbitCatchup(k);
          pb.push(ms);
          opens.push(openMs);
          progress.peerbit!.push(rounded(marks));
        } else {
          const { ms, marks } = await oursCatchup(k);
          us.push(ms);
          progress.ours!.push(rounded(marks));
        }
        log(`  ${sys} catch-up round ${k}: ${round(sys === 'Peerbit' ? pb.at(-1)! : us.at(-1)!)} ms`);
      } catch (err) {
        errs.push(`${sys}: ${err instanceof Error ? err.message : String(err)}`);
        console.error(`  ${sys} catch-up round ${k} failed: ${errs.at(-1)}`);
      }
    }
  }
  if (pb.length) {
    r.set('peerbit_catchup_1000_ms', round(median(pb)), pb.length, `A (alone, replicate { factor: 1 }) holds 1,000 documents (putMany); a fresh B dials A, then (clock starts) opens the program by its address with replicate { factor: 1 } until B's local docs.count() is 1,000 (checked every 10 ms); of which open() took ${round(median(opens))} ms; B held the 990th after ${round(median(progress.peerbit!.map((m) => m[990]!)))} ms (median)`);
  }
  if (us.length) r.set('ours_node_catchup_1000_ms', round(median(us)), us.length, 'A holds 1,000 documents (createMany); a fresh B dials A, then (clock starts) subscribes to User, until B has stored all (last change event); LevelStore');
  // How the 1,000 arrive: ms until B holds the 1st, 500th, 990th and 1,000th document, per round.
  r.detail.peerbit_catchup_runs = { peerbit: pb.map((v) => round(v)), peerbit_open: opens.map((v) => round(v)), ours: us.map((v) => round(v)), progress };
  if (errs.length) {
    if (!pb.length) r.fail(['peerbit_catchup_1000_ms'], new Error(errs.filter((e) => e.startsWith('Peerbit')).join('; ')));
    if (!us.length) r.fail(['ours_node_catchup_1000_ms'], new Error(errs.filter((e) => e.startsWith('ours')).join('; ')));
  }
}

function fmt(v: unknown): string {
  if (typeof v !== 'number') return 'null';
  const a = Math.abs(v);
  return a >= 1000 ? Math.round(v).toLocaleString('en-US') : a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** Side-by-side table: one row per figure, Peerbit and ours, and how far ahead or behind ours is. */
function sideBySide(all: Record<string, unknown>): string {
  const rows: Array<[string, string, string, 'higher' | 'lower']> = [
    ['replicated awaited writes/s (A write → B holds, one by one)', 'peerbit_replicated_awaited_per_s', 'ours_node_replicated_awaited_per_s', 'higher'],
    ['live write → other peer holds it, p50 ms', 'peerbit_live_p50_ms', 'ours_node_live_p50_ms', 'lower'],
    ['live write → other peer holds it, p99 ms', 'peerbit_live_p99_ms', 'ours_node_live_p99_ms', 'lower'],
    ['fresh peer joins → holds 1,000 docs, ms', 'peerbit_catchup_1000_ms', 'ours_node_catchup_1000_ms', 'lower'],
  ];
  const samples = (all.samples ?? {}) as Record<string, number>;
  const errors = (all.errors ?? {}) as Record<string, string>;
  const notes = (all.notes ?? {}) as Record<string, string>;
  const lines: string[][] = [['figure', 'Peerbit', 'ours', 'ours vs Peerbit', 'n (Peerbit/ours)']];
  const foot: string[] = [];
  for (const [what, pk, ok, better] of rows) {
    const p = all[pk];
    const o = all[ok];
    let verdict = '?';
    if (typeof p === 'number' && typeof o === 'number' && p > 0 && o > 0) {
      const ahead = better === 'higher' ? o / p : p / o;
      verdict = ahead >= 1 ? `${ahead.toFixed(1)}× better` : `${(1 / ahead).toFixed(1)}× worse`;
    }
    lines.push([what, fmt(p), fmt(o), verdict, `${samples[pk] ?? 0}/${samples[ok] ?? 0}`]);
    for (const k of [pk, ok]) {
      if (errors[k]) foot.push(`  ${k}: ERROR ${errors[k]!.split('\n')[0]}`);
      else if (notes[k]) foot.push(`  ${k}: ${notes[k]}`);
    }
  }
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  const out = lines.map((l) => `| ${l.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`);
  out.splice(1, 0, `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  return [...out, ...(foot.length ? ['', ...foot] : [])].join('\n');
}

function versions(): Record<string, string> {
  const v: Record<string, string> = {};
  for (const name of ['peerbit', '@peerbit/document', '@peerbit/shared-log', 'libp2p']) {
    try {
      v[name] = (JSON.parse(readFileSync(join(import.meta.dirname, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      v[name] = '?';
    }
  }
  return v;
}

async function main(): Promise<number> {
  const r = new Results();
  try {
    await step(r, log, 'replicated awaited writes and live latency', KEYS.filter((k) => !k.includes('catchup')), () => steady(r));
    await step(r, log, 'catch-up of 1,000', ['peerbit_catchup_1000_ms', 'ours_node_catchup_1000_ms'], () => catchup(r));
    const all = mergeLatest(r, KEYS, {
      peerbit_at: new Date().toISOString(),
      peerbit_machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, ...versions(), transport: 'TCP loopback, both systems in one process' },
      peerbit_run_s: Math.round((performance.now() - started) / 100) / 10,
      peerbit_quick: quick,
    });
    console.log(`\nNode, TCP loopback, both peers of each system in this process, both on disk${quick ? ' (--quick)' : ''}:\n`);
    console.log(sideBySide(all));
    console.log(`\nmerged ${KEYS.length} keys into ${LATEST} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return Object.keys(r.errors).length ? 1 : 0;
  } finally {
    temp.remove();
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err);
  temp.remove();
  process.exit(1);
});
