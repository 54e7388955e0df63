import { describe, expect, it } from 'vitest';
import { cidOfBytes, cidTextOfBytes, encodeCbor } from './hash.js';

describe('cidTextOfBytes', () => {
  it('is the text of the CID, for many inputs', () => {
    for (let i = 0; i < 500; i++) {
      const bytes = encodeCbor({ i, s: 'x'.repeat(i % 37), b: new Uint8Array(i % 13).fill(i & 255) });
      expect(cidTextOfBytes(bytes)).toBe(cidOfBytes(bytes).toString());
    }
    expect(cidTextOfBytes(new Uint8Array(0))).toBe(cidOfBytes(new Uint8Array(0)).toString());
  });
});
