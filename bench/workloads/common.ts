/** Shared shapes of in-page code. In-page functions must be self-contained: they are serialised to the page. */
import type { Page } from '@playwright/test';

export const USER_SDL = 'type User { name: String age: Int verified: Boolean points: Float }';

/** What the bench reads off `window.__node` (see src/ui/main.tsx). Kept loose: the page is another build. */
export interface PageNode {
  name: string;
  db: {
    addSchema(sdl: string): Promise<Array<{ id: string; name: string }>>;
    create(c: string, f: unknown): Promise<{ id: string }>;
    createMany(c: string, l: unknown[]): Promise<Array<{ id: string }>>;
    list(c: string): Promise<unknown[]>;
    collection(n: string): { id: string };
    on(t: 'change', fn: (e: { origin: string; docs: string[]; collection: string }) => void): () => void;
  };
  network: {
    peerId: string;
    connect(a: string): Promise<unknown>;
    disconnect(id: string): Promise<void>;
    addresses(): string[];
    activePeers(): Array<{ peerId: string; kind: string }>;
    libp2p: { services: { pubsub: { getSubscribers(t: string): Array<{ toString(): string }>; getMeshPeers(t: string): string[] } } };
  };
  sync?: {
    subscribe(n: string | string[]): Promise<unknown>;
    peers(): string[];
    on(t: string, fn: (d: unknown) => void): () => void;
  };
}

/** Adds the User collection on a page; returns its ID. */
export async function addUser(page: Page): Promise<string> {
  return page.evaluate(async (sdl) => {
    const n = (globalThis as unknown as { __node: PageNode }).__node;
    const [c] = await n.db.addSchema(sdl);
    return c!.id;
  }, USER_SDL);
}

/** True when the page exposes the sync engine (`window.__node.sync`). */
export async function hasSync(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const s = (globalThis as unknown as { __node: PageNode }).__node.sync;
    return !!s && typeof s.subscribe === 'function';
  });
}

export class NoSyncError extends Error {
  override name = 'NoSyncError';
  constructor() {
    super('window.__node.sync is not exposed by this build (the sync engine in src/sync is not wired into the page yet)');
  }
}
