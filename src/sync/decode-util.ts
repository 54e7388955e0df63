/** Defensive decoding helpers shared by the protocol codecs. Pure. */
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { MessageTooLargeError, ProtocolDecodeError } from './errors.js';

/** A plain dag-cbor map (not an array, bytes or a CID). */
export type WireMap = Record<string, unknown>;

/** True for a plain map. */
export function isWireMap(v: unknown): v is WireMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) && CID.asCID(v) == null;
}

/** Decodes dag-cbor bytes into a map, bounded in size; throws ProtocolDecodeError or MessageTooLargeError. */
export function decodeWireMap(bytes: unknown, maxBytes: number, what: string): WireMap {
  if (!(bytes instanceof Uint8Array)) throw new ProtocolDecodeError(`${what} is not bytes`);
  if (bytes.byteLength > maxBytes) throw new MessageTooLargeError(`${what} of ${bytes.byteLength} bytes exceeds the limit of ${maxBytes}`);
  let raw: unknown;
  try {
    raw = dagCbor.decode(bytes);
  } catch (err) {
    throw new ProtocolDecodeError(`${what} is not valid dag-cbor: ${(err as Error).message}`);
  }
  if (!isWireMap(raw)) throw new ProtocolDecodeError(`${what} is not a map`);
  return raw;
}

/** Asserts a condition about a decoded message. */
export function expect(cond: unknown, message: string): asserts cond {
  if (!cond) throw new ProtocolDecodeError(message);
}

/** Runs a parser of IDs, turning its error into a ProtocolDecodeError. */
export function parseOr<T>(parse: (s: string) => T, value: unknown, what: string): T {
  if (typeof value !== 'string') throw new ProtocolDecodeError(`${what} is not a string`);
  try {
    return parse(value);
  } catch {
    throw new ProtocolDecodeError(`${what} is malformed: ${JSON.stringify(value.slice(0, 80))}`);
  }
}
