/** Test helpers: engines over memory stores. */
import { Database } from '../../src/db/database.js';
import { MemoryStore, createMemoryData, type MemoryData } from '../../src/store/memory-store.js';

export const USER_SDL = `type User {
  name: String
  age: Int
  verified: Boolean
  points: Float
}`;

/** A database over a fresh (or given) memory store, with the User collection when asked. */
export async function memoryDb(opts: { data?: MemoryData; user?: boolean; now?: () => number } = {}): Promise<Database> {
  const db = await Database.open({ store: new MemoryStore(opts.data ?? createMemoryData()), ...(opts.now ? { now: opts.now } : {}) });
  if (opts.user !== false) await db.addSchema(USER_SDL);
  return db;
}
