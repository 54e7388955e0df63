/**
 * The access policy of a private document and how relation blocks change it (docs/privacy.md). Pure: the
 * policy governing any block follows from its ancestors alone, so every peer reaches the same verdict.
 */
import type { Block, Relation, RelationChange } from './block.js';
import { AccessDeniedError } from './errors.js';

/** Who may do what with one private document, and which key epoch content must use. */
export interface Policy {
  /** did:key of the owner (the author of the creating block). */
  readonly owner: string;
  /** Other identities and their relation. */
  readonly members: ReadonlyMap<string, Relation>;
  /** The key epoch content written under this policy must be sealed with. */
  readonly epoch: number;
}

/** Who may access a private document (at its heads), and whether this node can read it. */
export interface AccessInfo {
  readonly owner: string;
  /** Other identities and their relation, sorted by identity. */
  readonly members: ReadonlyArray<readonly [string, 'reader' | 'writer']>;
  readonly epoch: number;
  /** True when this node holds the keys to open every effective change. */
  readonly readable: boolean;
}

/** The policy a private document starts with: its creator owns it, nobody else is in it, epoch 0. */
export function initialPolicy(ownerDid: string): Policy {
  return { owner: ownerDid, members: new Map(), epoch: 0 };
}

/** True when `did` may change the content (owner or writer). */
export function mayWrite(policy: Policy, did: string): boolean {
  return did === policy.owner || policy.members.get(did) === 'writer';
}

/** True when `did` may read (owner, writer or reader). */
export function mayRead(policy: Policy, did: string): boolean {
  return did === policy.owner || policy.members.has(did);
}

/** True when a change takes away a right someone had (a removal, or writer to reader): the key must rotate. */
export function revokes(policy: Policy, changes: readonly RelationChange[]): boolean {
  return changes.some(([did, rel]) => {
    const had = policy.members.get(did);
    return had !== undefined && (rel === 'none' || (had === 'writer' && rel === 'reader'));
  });
}

/** Identities whose write right a relation block takes away. */
export function revokedWriters(policy: Policy, changes: readonly RelationChange[]): string[] {
  return changes.filter(([did, rel]) => policy.members.get(did) === 'writer' && rel !== 'writer').map(([did]) => did);
}

/**
 * The policy after a relation block, or AccessDeniedError saying why the block is not allowed: only the owner
 * changes relations, never its own, and a change that takes a right away starts the next key epoch.
 */
export function applyRelations(policy: Policy, block: Pick<Block, 'relations' | 'epoch'>, authorDid: string): Policy {
  const changes = block.relations ?? [];
  if (authorDid !== policy.owner) throw new AccessDeniedError(`only the owner changes who may access the document (${shortDid(authorDid)} is not the owner)`);
  if (changes.some(([did]) => did === policy.owner)) throw new AccessDeniedError('the owner\'s own relation cannot change');
  const rotate = revokes(policy, changes);
  if (rotate && block.epoch !== policy.epoch + 1) throw new AccessDeniedError(`a change that takes a right away must start key epoch ${policy.epoch + 1}`);
  if (block.epoch !== undefined && block.epoch !== policy.epoch + 1) throw new AccessDeniedError(`a relation change may only start key epoch ${policy.epoch + 1}, not ${block.epoch}`);
  const members = new Map(policy.members);
  for (const [did, rel] of changes) {
    if (rel === 'none') members.delete(did);
    else members.set(did, rel);
  }
  return { owner: policy.owner, members, epoch: block.epoch ?? policy.epoch };
}

/** "did:key:z6Mk…abcd": a short identity for messages. */
export function shortDid(did: string): string {
  return did.length > 24 ? `${did.slice(0, 14)}…${did.slice(-4)}` : did;
}
