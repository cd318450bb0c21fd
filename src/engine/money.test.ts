import { describe, expect, it } from 'vitest';
import { equalShares } from './money.ts';

describe('equalShares', () => {
  it('splits exactly, and rotates the remainder so no segment always gets it', () => {
    expect(equalShares(10, 3, 'x')).toHaveLength(3);
    expect(equalShares(10, 3, 'x').reduce((a, b) => a + b, 0)).toBe(10);
    const got = new Array<number>(6).fill(0);
    for (let d = 0; d < 600; d++) equalShares(3, 6, `a|${d}|conversions`).forEach((x, i) => (got[i]! += x));
    // 1,800 purchases over 6 segments: each near 300, none near 0 or 600.
    for (const g of got) expect(g).toBeGreaterThan(200);
  });
});
