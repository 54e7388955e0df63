/** Activity entries as DefraDB prints its log lines: `Apr 30 11:42:01.717 INF p2p Adding pubsub topic PeerID=… Topic=…`. Pure. */
import type { ActivityEntry } from '../api/types.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** `Apr 30 11:42:01.717` in local time. */
export function logTime(at: number): string {
  const d = new Date(at);
  return `${MONTHS[d.getMonth()]} ${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

type Level = ActivityEntry['level'] | 'error';
const LEVEL: Record<Level, string> = { info: 'INF', warn: 'WRN', error: 'ERR' };

/** One log line for an activity entry of the node `self` (its PeerID). */
export function formatActivity(e: ActivityEntry, self: string): string {
  const head = `${logTime(e.at)} ${LEVEL[e.level]} p2p`;
  const topic = e.topic ? ` Topic=${e.topic}` : '';
  if (e.message.startsWith('Adding pubsub topic')) return `${head} Adding pubsub topic PeerID=${self}${topic}`;
  if (e.message.startsWith('Removing pubsub topic')) return `${head} Removing pubsub topic PeerID=${self}${topic}`;
  if (e.message.startsWith('Received new pubsub message')) return `${head} Received new pubsub message PeerID=${self} SenderId=${e.peer ?? 'unknown'}${topic}`;
  const peer = e.peer && e.peer !== self ? ` RemotePeer=${e.peer}` : '';
  return `${head} ${e.message} PeerID=${self}${peer}${topic}`;
}

/** A line for something the node itself did (start, connects). */
export function formatLine(level: Level, scope: string, message: string, fields: Record<string, string> = {}, at = Date.now()): string {
  const kv = Object.entries(fields).map(([k, v]) => ` ${k}=${v}`).join('');
  return `${logTime(at)} ${LEVEL[level]} ${scope} ${message}${kv}`;
}
