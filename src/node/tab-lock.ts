/**
 * One tab per node: an exclusive lock on the node name. Uses Web Locks where the page has them
 * (secure contexts), and otherwise a BroadcastChannel protocol (plain http on a LAN).
 */

/** A held lock. */
export interface TabLock {
  readonly name: string;
  release(): void;
}

/** Options for acquiring a lock. */
export interface TabLockInit {
  /** Force the BroadcastChannel fallback (tests). */
  readonly fallback?: boolean;
  /** How long the fallback waits for a holder to answer. */
  readonly probeMs?: number;
}

const CHANNEL = 'p2pdb-tab-locks';

/** Tries to take the lock for `name`; resolves to null when another tab holds it. */
export async function tryLockNode(name: string, init: TabLockInit = {}): Promise<TabLock | null> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks && !init.fallback) return webLock(locks, name);
  if (typeof BroadcastChannel === 'undefined') return { name, release() {} };
  return channelLock(name, init.probeMs ?? 150);
}

function webLock(locks: LockManager, name: string): Promise<TabLock | null> {
  return new Promise((resolve) => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    locks
      .request(`p2pdb-node:${name}`, { ifAvailable: true }, async (lock) => {
        if (!lock) {
          resolve(null);
          return;
        }
        resolve({ name, release });
        await held;
      })
      .catch(() => resolve(null));
  });
}

type Msg = { type: 'probe' | 'contend'; name: string; id: number } | { type: 'held'; name: string };

function channelLock(name: string, probeMs: number): Promise<TabLock | null> {
  const ch = new BroadcastChannel(CHANNEL);
  const id = Math.random();
  let holding = false;
  let lost = false;
  ch.onmessage = (e: MessageEvent<Msg>) => {
    const m = e.data;
    if (!m || m.name !== name) return;
    if (m.type === 'held') lost = true;
    else if (holding) {
      if (m.type === 'probe') ch.postMessage({ type: 'held', name } satisfies Msg);
    } else {
      // Two tabs probing at once: tell the other we are here (it may have missed our probe), lower id wins.
      if (m.type === 'probe') ch.postMessage({ type: 'contend', name, id } satisfies Msg);
      if (m.id < id) lost = true;
    }
  };
  ch.postMessage({ type: 'probe', name, id } satisfies Msg);
  return new Promise((resolve) => {
    setTimeout(() => {
      if (lost) {
        ch.close();
        resolve(null);
        return;
      }
      holding = true;
      resolve({ name, release: () => ch.close() });
    }, probeMs);
  });
}

/** Takes the lock of the first name in `node1, node2, …` that no other tab holds. */
export async function lockFirstFreeName(init: TabLockInit & { prefix?: string; max?: number } = {}): Promise<TabLock> {
  const prefix = init.prefix ?? 'node';
  for (let i = 1; i <= (init.max ?? 64); i++) {
    const lock = await tryLockNode(`${prefix}${i}`, init);
    if (lock) return lock;
  }
  throw new Error(`every node name from ${prefix}1 to ${prefix}${init.max ?? 64} is open in another tab`);
}
