/** The targets the table compares against (for reading, not pass/fail). */

export type Target =
  | { readonly kind: 'baseline' }
  /** value ≤ max (lower is better). */
  | { readonly kind: 'max'; readonly max: number }
  /** value ≥ min (higher is better). */
  | { readonly kind: 'min'; readonly min: number }
  /** value ≥ ratio × the baseline key's value. */
  | { readonly kind: 'ratio'; readonly ratio: number; readonly of: string }
  /** value ≤ another key's value + `plus` (lower is better). */
  | { readonly kind: 'within'; readonly of: string; readonly plus: number }
  /** Ahead of a rival key: more is better ('higher') or less is better ('lower'). */
  | { readonly kind: 'beat'; readonly of: string; readonly better: 'higher' | 'lower' };

export interface Row {
  readonly key: string;
  readonly what: string;
  readonly target: Target;
}

export const BROWSER_ROWS: readonly Row[] = [
  { key: 'idb_raw_put_tx_per_s', what: 'raw IndexedDB, 1 put per tx, awaited', target: { kind: 'baseline' } },
  { key: 'create_awaited_per_s', what: 'db.create awaited one by one', target: { kind: 'ratio', ratio: 0.8, of: 'idb_raw_put_tx_per_s' } },
  { key: 'idb_raw_batch_per_s', what: 'raw IndexedDB, 10,000 puts in 1 tx', target: { kind: 'baseline' } },
  { key: 'create_batch_per_s', what: 'db.createMany of 10,000', target: { kind: 'ratio', ratio: 0.5, of: 'idb_raw_batch_per_s' } },
  { key: 'graphql_create_baseline_per_s', what: 'db.create awaited (same page as GraphQL)', target: { kind: 'baseline' } },
  { key: 'graphql_create_awaited_per_s', what: 'GraphQL create_User awaited one by one', target: { kind: 'ratio', ratio: 0.8, of: 'graphql_create_baseline_per_s' } },
  { key: 'query_filter_10000_ms', what: 'GraphQL filter + order + limit 10 over 10,000 docs, p50', target: { kind: 'max', max: 30 } },
  { key: 'private_create_baseline_per_s', what: 'db.create awaited (same page as the private creates)', target: { kind: 'baseline' } },
  { key: 'private_create_awaited_per_s', what: 'createPrivate awaited one by one (fields sealed)', target: { kind: 'ratio', ratio: 0.7, of: 'private_create_baseline_per_s' } },
  { key: 'private_live_latency_p50_ms', what: 'private update in owner A → readable in reader B, p50', target: { kind: 'within', of: 'live_latency_p50_ms', plus: 2 } },
  { key: 'live_latency_p50_ms', what: 'create in A → change in B, p50', target: { kind: 'max', max: 4 } },
  { key: 'live_latency_p99_ms', what: 'create in A → change in B, p99', target: { kind: 'max', max: 15 } },
  { key: 'replicated_awaited_per_s', what: 'A creates, waits until B holds it, next (tabs)', target: { kind: 'min', min: 250 } },
  { key: 'burst_1000_ms', what: 'A creates 1,000 → B has all', target: { kind: 'max', max: 600 } },
  { key: 'line5_latency_p50_ms', what: 'A-B-C-D-E line, A → E, p50', target: { kind: 'max', max: 10 } },
  { key: 'catchup_1000_ms', what: 'reconnect → B has 1,000 missed docs', target: { kind: 'max', max: 400 } },
  { key: 'catchup_10000_ms', what: 'reconnect → B has 10,000 missed docs', target: { kind: 'max', max: 2500 } },
  { key: 'catchup_10000_longest_task_ms', what: "B's longest main-thread task during that catch-up", target: { kind: 'max', max: 100 } },
  { key: 'catchup_100000_ms', what: 'a fresh tab catches up 100,000 docs', target: { kind: 'max', max: 25_000 } },
  { key: 'heap_mb_100000_docs', what: 'JS heap of that tab holding 100,000 docs', target: { kind: 'max', max: 200 } },
  { key: 'resync_bytes_equal_10000', what: 'reconnect, 10,000 equal docs: bytes both ways (Node peers)', target: { kind: 'max', max: 1024 } },
  { key: 'resync_bytes_1_of_10000', what: 'reconnect, 1 of 10,000 docs differs: bytes both ways', target: { kind: 'max', max: 4096 } },
  { key: 'resync_bytes_1_of_10000_pages', what: 'the same with pages of heads (before reconciliation)', target: { kind: 'baseline' } },
  { key: 'connect_ms', what: 'UI Connect → both list "direct"', target: { kind: 'max', max: 1000 } },
  { key: 'bundle_gzip_kb', what: 'JS loaded by index.html, gzip', target: { kind: 'max', max: 350 } },
  { key: 'heap_mb_10000_docs', what: 'JS heap, 10,000 docs open in UI', target: { kind: 'max', max: 100 } },
];

export const NODE_ROWS: readonly Row[] = [
  { key: 'orbitdb_add_awaited_per_s', what: 'OrbitDB events.add awaited (Node)', target: { kind: 'baseline' } },
  { key: 'ours_node_create_awaited_per_s', what: 'ours db.create awaited (Node)', target: { kind: 'beat', of: 'orbitdb_add_awaited_per_s', better: 'higher' } },
  { key: 'orbitdb_join_1000_ms', what: 'OrbitDB 2nd peer opens 1,000-entry db', target: { kind: 'baseline' } },
  { key: 'ours_node_catchup_1000_vs_orbitdb_ms', what: 'ours 2nd peer catches up 1,000 docs', target: { kind: 'beat', of: 'orbitdb_join_1000_ms', better: 'lower' } },
  { key: 'orbitdb_live_p50_ms', what: 'OrbitDB live add → other peer, p50', target: { kind: 'baseline' } },
  { key: 'ours_node_live_p50_vs_orbitdb_ms', what: 'ours live create → other peer, p50', target: { kind: 'beat', of: 'orbitdb_live_p50_ms', better: 'lower' } },
  { key: 'peerbit_replicated_awaited_per_s', what: 'Peerbit write awaited until the 2nd peer holds it', target: { kind: 'baseline' } },
  { key: 'ours_node_replicated_awaited_per_s', what: 'ours, the same (Node pair)', target: { kind: 'beat', of: 'peerbit_replicated_awaited_per_s', better: 'higher' } },
  { key: 'peerbit_catchup_1000_ms', what: 'Peerbit fresh 2nd peer holds 1,000 docs', target: { kind: 'baseline' } },
  { key: 'ours_node_catchup_1000_ms', what: 'ours fresh 2nd peer holds 1,000 docs', target: { kind: 'beat', of: 'peerbit_catchup_1000_ms', better: 'lower' } },
  { key: 'peerbit_live_p50_ms', what: 'Peerbit live write → other peer, p50', target: { kind: 'baseline' } },
];

function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined) return 'null';
  const a = Math.abs(v);
  return a >= 1000 ? Math.round(v).toLocaleString('en-US') : a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** Target text and verdict for one row. */
export function judge(row: Row, all: Record<string, unknown>): { target: string; meets: string } {
  const v = all[row.key] as number | null | undefined;
  const t = row.target;
  const has = typeof v === 'number';
  switch (t.kind) {
    case 'baseline':
      return { target: 'baseline', meets: '' };
    case 'max':
      return { target: `≤ ${t.max}`, meets: has ? (v <= t.max ? 'yes' : 'NO') : '?' };
    case 'min':
      return { target: `≥ ${t.min}`, meets: has ? (v >= t.min ? 'yes' : 'NO') : '?' };
    case 'ratio': {
      const base = all[t.of] as number | null | undefined;
      const want = typeof base === 'number' ? t.ratio * base : null;
      const rel = has && typeof base === 'number' ? ` (${((v / base) * 100).toFixed(0)}% of base)` : '';
      return { target: `≥ ${t.ratio} × base = ${fmt(want)}`, meets: has && want !== null ? (v >= want ? 'yes' : 'NO') + rel : '?' };
    }
    case 'within': {
      const other = all[t.of] as number | null | undefined;
      const want = typeof other === 'number' ? other + t.plus : null;
      return { target: `≤ ${t.of} + ${t.plus} = ${fmt(want)}`, meets: has && want !== null ? (v <= want ? 'yes' : 'NO') : '?' };
    }
    case 'beat': {
      const rival = all[t.of] as number | null | undefined;
      const ok = has && typeof rival === 'number' ? (t.better === 'higher' ? v > rival : v < rival) : null;
      const factor = has && typeof rival === 'number' && v > 0 && rival > 0 ? ` (${(t.better === 'higher' ? v / rival : rival / v).toFixed(1)}×)` : '';
      const name = t.of.startsWith('peerbit_') ? 'Peerbit' : 'OrbitDB';
      return { target: `${t.better === 'higher' ? '>' : '<'} ${name} ${fmt(rival)}`, meets: ok === null ? '?' : (ok ? 'yes' : 'NO') + factor };
    }
  }
}

/** A plain-text table of rows with value, target, verdict, sample count and any error or note. */
export function table(rows: readonly Row[], all: Record<string, unknown>): string {
  const samples = (all.samples ?? {}) as Record<string, number>;
  const errors = (all.errors ?? {}) as Record<string, string>;
  const notes = (all.notes ?? {}) as Record<string, string>;
  const lines: string[][] = [['key', 'what', 'value', 'target', 'meets', 'n']];
  const foot: string[] = [];
  for (const row of rows) {
    const j = judge(row, all);
    lines.push([row.key, row.what, fmt(all[row.key] as number | null), j.target, j.meets, String(samples[row.key] ?? 0)]);
    if (errors[row.key]) foot.push(`  ${row.key}: ERROR ${errors[row.key]!.split('\n')[0]}`);
    if (notes[row.key]) foot.push(`  ${row.key}: ${notes[row.key]}`);
  }
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  const out = lines.map((l) => `| ${l.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`);
  out.splice(1, 0, `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  return [...out, ...(foot.length ? ['', ...foot] : [])].join('\n');
}
