/** The merge rule: per-field last-writer-wins by (clock, CID), sticky delete, earliest creation. Pure. */
import type { BlockCid } from './ids.js';
import type { Clock } from './hlc.js';
import { compareClock } from './hlc.js';
import type { Block } from './block.js';
import type { FieldValue } from './values.js';
import type { AccessInfo } from './policy.js';

/** A version stamp: the clock and CID of the block that wrote something. */
export interface Stamp {
  readonly clock: Clock;
  readonly cid: BlockCid;
}

/** One field's winning write. */
export interface FieldRegister extends Stamp {
  readonly value: FieldValue;
}

/** The merged state of one document (independent of delivery order). */
export interface DocState {
  readonly fields: Readonly<Record<string, FieldRegister>>;
  /** The greatest delete seen; any delete makes the document deleted for good. */
  readonly deleted: Stamp | null;
  /** The earliest creating block seen. */
  readonly created: Stamp | null;
  /** Private documents only: who may access it, and whether this node can read it. */
  readonly access?: AccessInfo;
}

/** The state of a document no block has touched. */
export const EMPTY_STATE: DocState = Object.freeze({ fields: Object.freeze({}), deleted: null, created: null });

/** Orders stamps: clock first, CID breaks ties. */
export function compareStamp(a: Stamp, b: Stamp): number {
  return compareClock(a.clock, b.clock) || (a.cid < b.cid ? -1 : a.cid > b.cid ? 1 : 0);
}

const maxStamp = <T extends Stamp>(a: T | null, b: T | null): T | null => (a === null ? b : b === null ? a : compareStamp(a, b) >= 0 ? a : b);
const minStamp = <T extends Stamp>(a: T | null, b: T | null): T | null => (a === null ? b : b === null ? a : compareStamp(a, b) <= 0 ? a : b);

/** Folds one block into a state. */
export function applyBlock(state: DocState, cid: BlockCid, block: Pick<Block, 'clock' | 'set' | 'delete' | 'parents'>): DocState {
  const stamp: Stamp = { clock: block.clock, cid };
  let fields = state.fields;
  if (block.set) {
    const next: Record<string, FieldRegister> = { ...fields };
    for (const [name, value] of Object.entries(block.set)) {
      const cur = next[name];
      if (!cur || compareStamp(stamp, cur) > 0) next[name] = { value, clock: block.clock, cid };
    }
    fields = next;
  }
  return {
    fields,
    deleted: block.delete ? maxStamp(state.deleted, stamp) : state.deleted,
    created: block.parents.length === 0 ? minStamp(state.created, stamp) : state.created,
  };
}

/** Joins two states of the same document: commutative, associative and idempotent. */
export function mergeStates(a: DocState, b: DocState): DocState {
  const fields: Record<string, FieldRegister> = { ...a.fields };
  for (const [name, reg] of Object.entries(b.fields)) fields[name] = maxStamp(fields[name] ?? null, reg)!;
  return { fields, deleted: maxStamp(a.deleted, b.deleted), created: minStamp(a.created, b.created) };
}

/** The plain field values of a state (unset fields omitted). */
export function stateValues(state: DocState): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const [name, reg] of Object.entries(state.fields)) if (reg.value !== null) out[name] = reg.value;
  return out;
}
