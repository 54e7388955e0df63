/** Activity: what the node's p2p log says (topics joined, messages received, catch-ups, rejections). */
import { useEffect, useRef } from 'react';
import { useUi } from '../state.js';

const time = (at: number): string => new Date(at).toLocaleTimeString(undefined, { hour12: false });
const short = (id: string): string => (id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id);

/** The Activity area. */
export function ActivityPanel() {
  const syncing = useUi((s) => s.syncing);
  const activity = useUi((s) => s.activity);
  const catchUps = useUi((s) => s.catchUps);
  const log = useRef<HTMLDivElement>(null);
  // Keep the newest entry in view inside the log box (never scrolls the page itself).
  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [activity]);
  if (!syncing) return null;
  const running = Object.values(catchUps);
  return (
    <section className="panel activity" aria-labelledby="activity-heading">
      <h2 id="activity-heading">Activity</h2>
      {running.map((p) => (
        <p role="status" key={`${p.peer}/${p.collection}`} className="catchup">
          Catching up {p.name} from {short(p.peer)}: {p.received} of {p.total || '?'} changes
          <progress max={p.total || 1} value={p.received} aria-label={`Catch-up of ${p.name}`} />
        </p>
      ))}
      <div role="log" aria-label="Activity" className="log" ref={log}>
        {activity.length === 0 && <p className="empty">Nothing yet. Subscribe to a collection to join its topic.</p>}
        {activity.map((e, i) => (
          <p key={`${e.at}-${i}`} className={`entry ${e.level}`}>
            <time>{time(e.at)}</time> {e.message}
            {e.peer && <span className="kv"> PeerID={short(e.peer)}</span>}
            {e.topic && <span className="kv"> Topic={short(e.topic)}</span>}
          </p>
        ))}
      </div>
    </section>
  );
}
