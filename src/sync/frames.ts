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

/** Splits a byte stream, fed chunk by chunk, back into frames. */
export class FrameDecoder {
  private buf: Uint8Array = new Uint8Array(0);

  constructor(private readonly maxFrame = MAX_FRAME_BYTES) {}

  /** Adds received bytes; returns the frames they complete. Throws MessageTooLargeError or ProtocolDecodeError. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.byteLength) this.buf = this.buf.byteLength ? concat(this.buf, chunk) : chunk.slice();
    const frames: Uint8Array[] = [];
    let at = 0;
    for (;;) {
      const head = readVarint(this.buf, at);
      if (!head) break;
      if (head.value > this.maxFrame) throw new MessageTooLargeError(`frame of ${head.value} bytes exceeds the limit of ${this.maxFrame}`);
      const end = head.next + head.value;
      if (end > this.buf.byteLength) break;
      frames.push(this.buf.slice(head.next, end));
      at = end;
    }
    if (at > 0) this.buf = this.buf.slice(at);
    return frames;
  }

  /** True when no partial frame is buffered (call at end of stream). */
  get empty(): boolean {
    return this.buf.byteLength === 0;
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

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}
