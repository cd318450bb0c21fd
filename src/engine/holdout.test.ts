import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignArms, holdoutCount } from './holdout.ts';

describe('holdoutCount', () => {
  it('rounds the share and keeps one ad set in each arm', () => {
    expect(holdoutCount(10, 0)).toBe(0);
    expect(holdoutCount(1, 0)).toBe(0);
    expect(holdoutCount(10, 0.2)).toBe(2);
    expect(holdoutCount(3, 0.2)).toBe(1); // 0.6 rounds to 1
    expect(holdoutCount(2, 0.1)).toBe(1); // 0.2 would round to 0: raised to 1
    expect(holdoutCount(2, 0.5)).toBe(1);
    expect(holdoutCount(1, 0.3)).toBeNull();
    expect(() => holdoutCount(4, 0.6)).toThrow(RangeError);
    expect(() => holdoutCount(4, -0.1)).toThrow(RangeError);
  });
});

describe('assignArms', () => {
  const ids = ['a3', 'a1', 'a4', 'a2', 'a5', 'a6'];

  it('is reproducible from the seed and independent of the input order', () => {
    const first = assignArms(ids, 0.5, 1234);
    expect(assignArms([...ids].reverse(), 0.5, 1234)).toEqual(first);
    expect(first.map((a) => a.adsetId)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
    expect(first.filter((a) => a.arm === 'holdout')).toHaveLength(3);
  });

  it('draws different holdouts for different seeds, each ad set about equally often', () => {
    const counts = new Map<string, number>();
    for (let seed = 0; seed < 3000; seed++) {
      for (const a of assignArms(ids, 0.2, seed)) if (a.arm === 'holdout') counts.set(a.adsetId!, (counts.get(a.adsetId!) ?? 0) + 1);
    }
    // 1 of 6 held out per draw: each ad set 500 times in expectation (sd ≈ 20).
    for (const id of ids) expect(Math.abs((counts.get(id) ?? 0) - 500)).toBeLessThan(100);
  });

  it('always leaves both arms non-empty when the share is positive', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.double({ min: 0.001, max: 0.5, noNaN: true }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n, share, seed) => {
        const arms = assignArms(Array.from({ length: n }, (_, i) => `s${i}`), share, seed);
        const holdout = arms.filter((a) => a.arm === 'holdout').length;
        return holdout >= 1 && holdout <= n - 1 && arms.length === n;
      }),
    );
  });

  it('keeps every ad set in treatment without a holdout, and refuses one ad set with a holdout', () => {
    expect(assignArms([null], 0, 1)).toEqual([{ adsetId: null, arm: 'treatment' }]);
    expect(() => assignArms(['only'], 0.2, 1)).toThrow(/at least 2 ad sets/);
  });
});
