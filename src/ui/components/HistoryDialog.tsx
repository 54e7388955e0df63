/**
 * A document's history as a picture: its Merkle DAG, one box per block (short CID, author, time, the fields
 * it set), edges to parents, concurrent branches side by side, merges visible, and the blocks whose values
 * currently win marked. The same blocks as a list ("Changes") for screen readers and tests.
 */
import { useEffect, useRef, useState } from 'react';
import type { Commit } from '../../api/index.js';
import { useNode } from '../../api/react.js';

const BOX_W = 220;
const BOX_H = 58;
const GAP_X = 24;
const GAP_Y = 30;
const PAD = 12;

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const shortCid = (cid: string): string => `${cid.slice(0, 6)}…${cid.slice(-6)}`;
const shortDid = (did: string): string => `${did.slice(0, 12)}…${did.slice(-4)}`;

/** "name = "Ann", age = 31" (or "deleted"). */
function changeText(c: Commit): string {
  if (c.deleted) return 'deleted';
  const parts = Object.entries(c.set ?? {}).map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
  return parts.length ? parts.join(', ') : 'no fields';
}

/** Where each block goes: one row per height, concurrent blocks of a height side by side. */
function layout(commits: readonly Commit[]): { pos: Map<string, { x: number; y: number }>; width: number; height: number } {
  const rows = new Map<number, Commit[]>();
  for (const c of commits) rows.set(c.height, [...(rows.get(c.height) ?? []), c]);
  const pos = new Map<string, { x: number; y: number }>();
  let widest = 1;
  const heights = [...rows.keys()].sort((a, b) => a - b);
  heights.forEach((h, row) => {
    const list = rows.get(h)!;
    widest = Math.max(widest, list.length);
    list.forEach((c, i) => pos.set(c.cid, { x: PAD + i * (BOX_W + GAP_X), y: PAD + row * (BOX_H + GAP_Y) }));
  });
  return { pos, width: PAD * 2 + widest * BOX_W + (widest - 1) * GAP_X, height: PAD * 2 + heights.length * BOX_H + Math.max(0, heights.length - 1) * GAP_Y };
}

/** The value each field shows now and the block it comes from: how concurrent heads merge (last writer wins per field). */
function mergedState(commits: readonly Commit[]): Array<{ field: string; value: unknown; cid: string }> {
  return commits.flatMap((c) => c.wins.map((field) => ({ field, value: c.set?.[field], cid: c.cid }))).sort((x, y) => x.field.localeCompare(y.field));
}

/** The dialog; `docId` null means closed. */
export function HistoryDialog({ docId, onClose }: { docId: string | null; onClose: () => void }) {
  const node = useNode();
  const ref = useRef<HTMLDialogElement>(null);
  const [commits, setCommits] = useState<Commit[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (docId && !d.open) d.showModal();
    if (!docId && d.open) d.close();
  }, [docId]);

  // Read the history, and read it again whenever the document changes (an edit here or from a peer).
  useEffect(() => {
    if (!docId) return;
    let live = true;
    setCommits(null);
    setError(null);
    const load = () => node.commits(docId).then((c) => { if (live) setCommits(c); }, (e: Error) => { if (live) setError(e.message); });
    load();
    const off = node.on('change', (e) => { if (e.docs.includes(docId as never)) load(); });
    return () => {
      live = false;
      off();
    };
  }, [node, docId]);

  const byCid = new Map((commits ?? []).map((c) => [c.cid, c]));
  const laid = layout(commits ?? []);
  const { pos } = laid;
  const heads = (commits ?? []).filter((c) => c.head);
  const branches = heads.length;
  // Concurrent heads are already merged in the document (each field takes its latest write); the picture shows
  // that merge as a dashed box under the heads until the next edit records it as a block.
  const merged = branches > 1 ? mergedState(commits ?? []) : [];
  const mergeAt = { x: PAD, y: laid.height - PAD + GAP_Y };
  const width = branches > 1 ? Math.max(laid.width, PAD * 2 + BOX_W) : laid.width;
  const height = branches > 1 ? laid.height + GAP_Y + BOX_H : laid.height;
  const mergedText = merged.map((m) => `${m.field} = ${JSON.stringify(m.value)}`).join(', ');
  return (
    <dialog ref={ref} className="history" aria-labelledby="history-heading" onClose={onClose}>
      <div className="history-head">
        <h2 id="history-heading">Document history</h2>
        <button type="button" className="secondary" onClick={onClose}>Close</button>
      </div>
      {docId && <p className="meta"><code>{docId}</code></p>}
      {error && <div role="alert" className="alert">{error}</div>}
      {commits && (
        <>
          <p className="hint">
            {commits.length} change{commits.length === 1 ? '' : 's'}
            {branches > 1 ? `; ${branches} concurrent branches` : ''}. Newest at the bottom; a green outline marks a block whose value
            currently shows.
          </p>
          {branches > 1 && (
            <p className="merged-state" role="note" aria-label="Merged state">
              The {branches} branches are merged in the document, each field taking its latest write: {mergedText || 'no fields'}. The next
              edit records this merge as a block.
            </p>
          )}
          <div className="dag-scroll">
            <svg width={width} height={height} role="img" aria-label={`Merkle DAG of ${commits.length} blocks`}>
              <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                  <path d="M 0 0 L 10 5 L 0 10 z" fill="#98a2b3" />
                </marker>
              </defs>
              {commits.flatMap((c) => c.parents.filter((p) => byCid.has(p)).map((p) => {
                const from = pos.get(c.cid)!;
                const to = pos.get(p)!;
                return (
                  <line key={`${c.cid}-${p}`} x1={from.x + BOX_W / 2} y1={from.y} x2={to.x + BOX_W / 2} y2={to.y + BOX_H}
                    stroke="#98a2b3" strokeWidth={1.5} markerEnd="url(#arrow)" />
                );
              }))}
              {commits.map((c) => {
                const { x, y } = pos.get(c.cid)!;
                const wins = c.wins.length > 0;
                return (
                  <g key={c.cid} transform={`translate(${x},${y})`}>
                    <title>{`${c.cid}\nby ${c.author}\n${changeText(c)}`}</title>
                    <rect width={BOX_W} height={BOX_H} rx={6} fill={c.deleted ? '#fef3f2' : '#fff'} stroke={wins ? '#067647' : '#d0d5dd'} strokeWidth={wins ? 2.5 : 1} />
                    <text x={8} y={16} className="dag-cid">{shortCid(c.cid)} · h{c.height}{c.parents.length > 1 ? ' · merge' : ''}</text>
                    <text x={8} y={32} className="dag-meta">{shortDid(c.author)} · {TIME.format(c.clock[0])}</text>
                    <text x={8} y={48} className="dag-set">{(wins ? '★ ' : '') + changeText(c).slice(0, 34)}</text>
                  </g>
                );
              })}
              {branches > 1 && heads.map((h) => {
                const from = pos.get(h.cid)!;
                return (
                  <line key={`merge-${h.cid}`} x1={from.x + BOX_W / 2} y1={from.y + BOX_H} x2={mergeAt.x + BOX_W / 2} y2={mergeAt.y}
                    stroke="#067647" strokeWidth={1.5} strokeDasharray="4 3" />
                );
              })}
              {branches > 1 && (
                <g transform={`translate(${mergeAt.x},${mergeAt.y})`} className="dag-merged">
                  <title>{`Merged state of ${branches} branches (no block yet)\n${mergedText}`}</title>
                  <rect width={BOX_W} height={BOX_H} rx={6} fill="#ecfdf3" stroke="#067647" strokeWidth={1.5} strokeDasharray="4 3" />
                  <text x={8} y={16} className="dag-cid">merged state · {branches} branches</text>
                  <text x={8} y={32} className="dag-meta">each field: its latest write</text>
                  <text x={8} y={48} className="dag-set">{mergedText.slice(0, 34)}</text>
                </g>
              )}
            </svg>
          </div>
          <ol aria-label="Changes" className="changes">
            {commits.map((c) => (
              <li key={c.cid}>
                <span>height {c.height}</span> · <code title={c.cid}>{shortCid(c.cid)}</code> · by <code title={c.author}>{shortDid(c.author)}</code> ·{' '}
                <time dateTime={new Date(c.clock[0]).toISOString()}>{TIME.format(c.clock[0])}</time> · {changeText(c)}
                {c.parents.length > 1 && <> · merges {c.parents.length} branches</>}
                {c.parents.length === 1 && byCid.has(c.parents[0]!) && <> · after {shortCid(c.parents[0]!)}</>}
                {c.wins.length > 0 && <> · current value of {c.wins.join(', ')}</>}
                {c.head && commits.length > 1 && <> · head</>}
              </li>
            ))}
          </ol>
        </>
      )}
      {!commits && !error && <p role="status">Reading the history…</p>}
    </dialog>
  );
}
