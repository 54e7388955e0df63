/** Activity: what the node's p2p log says (topics joined, messages received, catch-ups, rejections). */
import { memo, useEffect, useRef } from 'react';
import type { ActivityEntry } from '../../api/index.js';
import { useActivity, useNeighbourhood, useSyncStatus } from '../../api/react.js';

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const time = (at: number): string => TIME.format(at);
const short = (id: string): string => (id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id);

/** Stable keys for entries (entries are immutable objects; the list only drops old ones). */
const keys = new WeakMap<ActivityEntry, number>();
let nextKey = 0;
function keyed(entries: readonly ActivityEntry[]): void {
  for (const e of entries) if (!keys.has(e)) keys.set(e, nextKey++);
}

/** One log line; rendered once, never again while it stays in the list. */
const Entry = memo(function Entry({ entry: e, name }: { entry: ActivityEntry; name: string | undefined }) {
  return (
    <p className={`entry ${e.level}`}>
      <time>{time(e.at)}</time> {name && <strong className="who">{name}:</strong>} {e.message}
      {e.peer && <span className="kv"> PeerID={short(e.peer)}</span>}
      {e.topic && <span className="kv"> Topic={short(e.topic)}</span>}
    </p>
  );
});

/** The Activity area. */
export function ActivityPanel() {
  // Redrawn at most four times a second: a line a frame while messages flow cost the receiving tab's main
  // thread (layout and paint of the log) on the path of the next message.
  const activity = useActivity(300, 250);
  const names = new Map(useNeighbourhood().filter((n) => n.name).map((n) => [n.peer as string, n.name!]));
  const running = useSyncStatus().filter((s) => s.state === 'catching-up');
  const log = useRef<HTMLDivElement>(null);
  // Keep the newest entry in view inside the log box (never scrolls the page itself), once a frame: reading
  // scrollHeight forces a layout of the log, which done on every entry cost about 1 ms of main thread per
  // received message, on the path between a peer's block arriving and its commit.
  useEffect(() => {
    const el = log.current;
    if (!el) return;
    const frame = requestAnimationFrame(() => { el.scrollTop = el.scrollHeight; });
    return () => cancelAnimationFrame(frame);
  }, [activity]);
  keyed(activity);
  return (
    <section className="panel activity" aria-labelledby="activity-heading">
      <h2 id="activity-heading">Activity</h2>
      {running.map((p) => (
        <p role="status" key={`${p.peer}/${p.collection}`} className="catchup">
          Catching up {p.name} from {short(p.peer)}: {p.received ?? 0} of {p.total || '?'} changes
          <progress max={p.total || 1} value={p.received ?? 0} aria-label={`Catch-up of ${p.name}`} />
        </p>
      ))}
      <div role="log" aria-label="Activity" className="log" ref={log}>
        {activity.length === 0 && <p className="empty">Nothing yet. Subscribe to a collection to join its topic.</p>}
        {activity.map((e) => (
          <Entry key={keys.get(e)} entry={e} name={e.peer ? names.get(e.peer) : undefined} />
        ))}
      </div>
    </section>
  );
}
