/** Length-prefixed framing (unsigned varint length, then the payload) for byte streams. Pure. */
import { MessageTooLargeError, ProtocolDecodeError } from './errors.js';

/** Largest frame accepted by default: 8 MiB. */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;

/** Prefixes a payload with its length as an unsigned LEB128 varint. */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const head: number[] = [];
  let n = payload.byteLength;
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    head.push(byte);
  } while (n > 0);
  const out = new Uint8Array(head.length + payload.byteLength);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

/**
 * Splits a byte stream, fed chunk by chunk, back into frames. Chunks are kept as a list and each frame is
 * copied out once, so a large frame arriving in many small chunks costs its size, not its size times the
 * number of chunks.
 */
export class FrameDecoder {
  private readonly chunks: Uint8Array[] = [];
  /** Bytes buffered in `chunks`; the first `skip` bytes of `chunks[0]` were consumed already. */
  private length = 0;
  private skip = 0;

  constructor(private readonly maxFrame = MAX_FRAME_BYTES) {}

  /** Adds received bytes; returns the frames they complete. Throws MessageTooLargeError or ProtocolDecodeError. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.byteLength) {
      this.chunks.push(chunk.slice()); // the caller may reuse its buffer
      this.length += chunk.byteLength;
    }
    const frames: Uint8Array[] = [];
    for (;;) {
      const head = readVarint(this.prefix(Math.min(this.length, 6)), 0);
      if (!head) break;
      if (head.value > this.maxFrame) throw new MessageTooLargeError(`frame of ${head.value} bytes exceeds the limit of ${this.maxFrame}`);
      if (head.next + head.value > this.length) break;
      this.drop(head.next);
      frames.push(this.take(head.value));
    }
    return frames;
  }

  /** True when no partial frame is buffered (call at end of stream). */
  get empty(): boolean {
    return this.length === 0;
  }

  /** The first `n` buffered bytes, without consuming them. */
  private prefix(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first && first.byteLength - this.skip >= n) return first.subarray(this.skip, this.skip + n);
    const out = new Uint8Array(n);
    let at = 0;
    let from = this.skip;
    for (const c of this.chunks) {
      if (at === n) break;
      const part = c.subarray(from, from + (n - at));
      out.set(part, at);
      at += part.byteLength;
      from = 0;
    }
    return out;
  }

  /** Removes and returns the first `n` buffered bytes as a new array. */
  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const part = c.subarray(this.skip, this.skip + (n - at));
      out.set(part, at);
      at += part.byteLength;
      this.consume(part.byteLength);
    }
    return out;
  }

  /** Removes the first `n` buffered bytes. */
  private drop(n: number): void {
    while (n > 0) {
      const c = this.chunks[0]!;
      const k = Math.min(n, c.byteLength - this.skip);
      this.consume(k);
      n -= k;
    }
  }

  private consume(k: number): void {
    this.skip += k;
    this.length -= k;
    if (this.skip === this.chunks[0]!.byteLength) {
      this.chunks.shift();
      this.skip = 0;
    }
  }
}

function readVarint(buf: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = at; i < buf.byteLength; i++) {
    const b = buf[i]!;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return { value, next: i + 1 };
    scale *= 128;
    if (i - at >= 4) throw new ProtocolDecodeError('frame length prefix is too long');
  }
  return undefined;
}
