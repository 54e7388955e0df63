import { describe, expect, it } from 'vitest';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { parseBlockCid } from './ids.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** What the full parser makes of a text: its normal form, or null when it refuses it. */
function slow(text: string): string | null {
  try {
    const cid = CID.parse(text);
    return cid.version === 1 ? cid.toString() : null;
  } catch {
    return null;
  }
}

function fast(text: string): string | null {
  try {
    return parseBlockCid(text);
  } catch {
    return null;
  }
}

describe('parseBlockCid', () => {
  it('takes the canonical text of real CIDs as it is', async () => {
    for (let i = 0; i < 200; i++) {
      const text = CID.createV1(0x71, await sha256.digest(new TextEncoder().encode(`block ${i}`))).toString();
      expect(fast(text)).toBe(text);
    }
  });

  it('agrees with the full CID parser on random texts of the same shape, and on other forms', () => {
    let seed = 0x9e3779b9;
    const rnd = (n: number): number => {
      seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; // xorshift32
      return seed % n;
    };
    for (let i = 0; i < 5000; i++) {
      // Mostly the shape real CIDs have (first character a-h), to test the last character's spare bits often.
      const first = i % 4 === 0 ? ALPHABET[rnd(32)] : ALPHABET[rnd(8)];
      const tail = first + Array.from({ length: 51 }, () => ALPHABET[rnd(32)]).join('');
      const text = `bafyrei${tail}`;
      expect(fast(text)).toBe(slow(text));
    }
    const v0 = 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG';
    expect(fast(v0)).toBeNull(); // CIDv0 is refused
    const upper = CID.parse('bafyreifxbiko4hqv26vjjpmbb3ag6tfxpi2g5dztv33l72xd27ceill2sm').toString().toUpperCase();
    expect(fast(`B${upper.slice(1)}`)).toBe(slow(`B${upper.slice(1)}`)); // another base: normalised by the full parser
    expect(fast('bafyrei')).toBeNull();
  });
});
