/** Named error classes. Callers test `err.name`; messages are written for the user. */

/** Base class: sets `name` from the static name so it survives minification. */
export class DbError extends Error {
  static override readonly name: string = 'DbError';
  constructor(message: string) {
    super(message);
    this.name = (this.constructor as typeof DbError).name;
  }
}

/** SDL text that does not parse, or declares something unsupported. */
export class SchemaParseError extends DbError {
  static override readonly name = 'SchemaParseError';
  constructor(message: string, readonly line?: number, readonly column?: number) {
    super(line !== undefined ? `${message} (line ${line}, column ${column ?? 1})` : message);
  }
}

/** A collection name already exists locally with a different definition. */
export class SchemaConflictError extends DbError {
  static override readonly name = 'SchemaConflictError';
  constructor(readonly collection: string, readonly differences: string[]) {
    super(`collection ${collection} already exists with other fields: ${differences.join('; ')}`);
  }
}

/** A collection name or ID this node does not know. */
export class UnknownCollectionError extends DbError {
  static override readonly name = 'UnknownCollectionError';
}

/** A field value (or field name) that does not fit the collection's schema. */
export class ValidationError extends DbError {
  static override readonly name = 'ValidationError';
  constructor(readonly field: string, readonly expected: string, readonly got: string) {
    super(`${field}: expected ${expected}, got ${got}`);
  }
}

/** A filter or order that does not fit the collection (unknown field, operator, or an operand of the wrong type). */
export class FilterError extends DbError {
  static override readonly name = 'FilterError';
}

/** Text that is not a usable identity (a `did:key` of an Ed25519 key). */
export class InvalidIdentityError extends DbError {
  static override readonly name = 'InvalidIdentityError';
}

/** Creating a document whose DocID already exists. */
export class DocumentExistsError extends DbError {
  static override readonly name = 'DocumentExistsError';
}

/** Reading or changing a document that does not exist (or was deleted). */
export class DocumentNotFoundError extends DbError {
  static override readonly name = 'DocumentNotFoundError';
}

/** A string that is not a valid ID of the expected kind. */
export class InvalidIdError extends DbError {
  static override readonly name = 'InvalidIdError';
}

/** A block that fails verification; subclasses say why. */
export class InvalidBlockError extends DbError {
  static override readonly name: string = 'InvalidBlockError';
}

/** Block bytes that are not a well-formed block. */
export class BlockDecodeError extends InvalidBlockError {
  static override readonly name = 'BlockDecodeError';
}

/** Block bytes whose hash does not match the CID they were announced under. */
export class BlockCidMismatchError extends InvalidBlockError {
  static override readonly name = 'BlockCidMismatchError';
}

/** A block whose signature does not verify against its author key. */
export class InvalidSignatureError extends InvalidBlockError {
  static override readonly name = 'InvalidSignatureError';
}

/** A block stamped further ahead of this node's clock than the allowed drift (see MAX_CLOCK_DRIFT_MS). */
export class ClockDriftError extends InvalidBlockError {
  static override readonly name = 'ClockDriftError';
  constructor(message: string, readonly aheadMs: number) {
    super(message);
  }
}

/** A block larger than the protocol allows. */
export class BlockTooLargeError extends InvalidBlockError {
  static override readonly name = 'BlockTooLargeError';
}

/** The store was used after close, or could not be opened. */
export class StoreError extends DbError {
  static override readonly name = 'StoreError';
}

/** The node name is already open in another tab. */
export class NodeLockedError extends DbError {
  static override readonly name = 'NodeLockedError';
}

/** Sealed content or a wrapped key that does not open: altered, or meant for another key. */
export class DecryptionError extends InvalidBlockError {
  static override readonly name = 'DecryptionError';
}

/** A change the document's access policy does not allow (a write without `writer`, relations by a non-owner). */
export class AccessDeniedError extends InvalidBlockError {
  static override readonly name = 'AccessDeniedError';
}
