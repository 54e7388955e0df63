/** Named errors of the sync protocol. Callers test `err.name`. */
import { DbError } from '../core/errors.js';

/** Bytes from the network that are not a well-formed protocol message. */
export class ProtocolDecodeError extends DbError {
  static override readonly name: string = 'ProtocolDecodeError';
}

/** A message or frame larger than the protocol allows. */
export class MessageTooLargeError extends ProtocolDecodeError {
  static override readonly name = 'MessageTooLargeError';
}

/** A peer answered a request with an error. */
export class RemoteError extends DbError {
  static override readonly name = 'RemoteError';
}

/** A request could not reach the peer, or the connection dropped during it. */
export class PeerUnreachableError extends DbError {
  static override readonly name = 'PeerUnreachableError';
}

/** The sync engine was used before start() or after stop(). */
export class SyncStoppedError extends DbError {
  static override readonly name = 'SyncStoppedError';
}
