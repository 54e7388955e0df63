/** Summarises a CDP CPU profile: self time by original source (via the build's source maps) and by function. */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; parent?: number; children?: number[] }
export interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

type Consumer = { originalPositionFor(p: { line: number; column: number }): { source: string | null; name: string | null } };

async function consumers(buildDir: string, urls: string[]): Promise<Map<string, Consumer>> {
  const out = new Map<string, Consumer>();
  let SMC: (new (raw: unknown) => Consumer) | undefined;
  try {
    SMC = ((await import('source-map-js')) as unknown as { SourceMapConsumer: new (raw: unknown) => Consumer }).SourceMapConsumer;
  } catch {
    return out; // source-map-js is only a transitive dependency: without it, report by bundle position
  }
  for (const u of new Set(urls)) {
    if (!u.startsWith('http')) continue;
    const file = join(buildDir, new URL(u).pathname + '.map');
    if (existsSync(file)) out.set(u, new SMC(JSON.parse(readFileSync(file, 'utf8'))));
  }
  return out;
}

/** Buckets a source path into a readable category. */
export function category(source: string, fn: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)') return 'idle (waiting: IndexedDB, network, timers)';
  if (fn === '(program)') return 'browser internals (program)';
  const s = source.replace(/^.*?node_modules\//, 'node_modules/');
  if (/@noble\/curves|@noble\/hashes\/.*(sha512|_md|utils)/.test(s)) return 'Ed25519 signing (@noble/curves)';
  if (/@noble\/hashes|sha2|sha256/.test(s)) return 'hashing (@noble/hashes)';
  if (/cborg|dag-cbor/.test(s)) return 'CBOR encoding (cborg/dag-cbor)';
  if (/multiformats/.test(s)) return 'CIDs (multiformats)';
  if (/node_modules\/idb\//.test(s)) return 'idb wrapper';
  if (/react-dom|scheduler|node_modules\/react\//.test(s)) return 'React rendering';
  if (/zustand/.test(s)) return 'zustand';
  if (/libp2p|gossipsub|yamux|noise|@chainsafe|it-|uint8array|protons|webrtc/.test(s)) return 'libp2p / gossip';
  if (/src\/store\//.test(s)) return 'our store (src/store)';
  if (/src\/db\//.test(s)) return 'our engine (src/db)';
  if (/src\/core\//.test(s)) return 'our core (src/core)';
  if (/src\/sync\//.test(s)) return 'our sync (src/sync)';
  if (/src\/ui\//.test(s)) return 'our UI (src/ui)';
  if (/src\//.test(s)) return 'our other (src)';
  return s ? `other: ${s.split('/').slice(-2).join('/')}` : 'native / unknown';
}

export interface ProfileSummary {
  totalMs: number;
  byCategory: Array<{ category: string; ms: number; pct: number }>;
  topFunctions: Array<{ fn: string; source: string; ms: number }>;
}

export async function summarise(p: CpuProfile, buildDir: string, top = 20): Promise<ProfileSummary> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
  const maps = await consumers(buildDir, p.nodes.map((n) => n.callFrame.url));
  const cat = new Map<string, number>();
  const fns = new Map<string, { fn: string; source: string; ms: number }>();
  let total = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber, columnNumber } = n.callFrame;
    let source = url;
    let name = functionName || '(anonymous)';
    const c = maps.get(url);
    if (c) {
      const pos = c.originalPositionFor({ line: lineNumber + 1, column: columnNumber });
      if (pos.source) source = pos.source;
      if (pos.name && !functionName) name = pos.name;
    }
    const k = category(source, functionName);
    cat.set(k, (cat.get(k) ?? 0) + ms);
    const short = source.replace(/^.*?node_modules\//, '').replace(/^(\.\.\/)+/, '');
    const key = `${name}@${short}`;
    const e = fns.get(key) ?? { fn: name, source: short, ms: 0 };
    e.ms += ms;
    fns.set(key, e);
    total += ms;
  }
  const r1 = (v: number): number => Math.round(v * 10) / 10;
  return {
    totalMs: r1(total),
    byCategory: [...cat].map(([category, ms]) => ({ category, ms: r1(ms), pct: r1((ms / total) * 100) })).sort((a, b) => b.ms - a.ms),
    topFunctions: [...fns.values()].sort((a, b) => b.ms - a.ms).slice(0, top).map((f) => ({ ...f, ms: r1(f.ms) })),
  };
}

/**
 * The longest stretch of samples without idle (one task or several back to back), and the stacks it spent the
 * most time in (outermost named frames first, bundle positions mapped to sources).
 */
export async function longestBusy(p: CpuProfile, buildDir: string, top = 8): Promise<{ ms: number; stacks: Array<{ stack: string; ms: number }> }> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const maps = await consumers(buildDir, p.nodes.map((n) => n.callFrame.url));
  const idle = (id: number): boolean => byId.get(id)?.callFrame.functionName === '(idle)';
  let best = { from: 0, to: 0, ms: 0 };
  let start = -1;
  let ms = 0;
  p.samples.forEach((id, i) => {
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    if (idle(id)) { start = -1; ms = 0; return; }
    if (start < 0) start = i;
    ms += dt;
    if (ms > best.ms) best = { from: start, to: i, ms };
  });
  const name = (id: number): string => {
    const n = byId.get(id)!;
    const c = maps.get(n.callFrame.url);
    let fn = n.callFrame.functionName || '(anonymous)';
    let src = n.callFrame.url;
    if (c) {
      const pos = c.originalPositionFor({ line: n.callFrame.lineNumber + 1, column: n.callFrame.columnNumber });
      if (pos.source) src = pos.source;
      if (pos.name && !n.callFrame.functionName) fn = pos.name;
    }
    return `${fn}(${src.replace(/^.*?node_modules\//, '').replace(/^(\.\.\/)+/, '').split('/').slice(-2).join('/')})`;
  };
  const stacks = new Map<string, number>();
  for (let i = best.from; i <= best.to; i++) {
    const frames: string[] = [];
    for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame.functionName;
      if (f === '(root)') break;
      frames.push(name(id));
    }
    const key = frames.reverse().slice(0, 6).join(' > ');
    stacks.set(key, (stacks.get(key) ?? 0) + (p.timeDeltas[i + 1] ?? 0) / 1000);
  }
  return { ms: Math.round(best.ms), stacks: [...stacks].map(([stack, v]) => ({ stack, ms: Math.round(v * 10) / 10 })).sort((a, b) => b.ms - a.ms).slice(0, top) };
}
