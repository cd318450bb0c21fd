import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pooledPrior } from './value-model.ts';
import { blendSplits, drawCountryValues } from './geo-exploration.ts';
import { emptyMetrics } from './metrics.ts';
import { createRng } from './random.ts';
import type { Metrics } from './types.ts';

const metrics = (impressions: number, ctr: number, cvr: number, order: number): Metrics => {
  const clicks = Math.round(impressions * ctr);
  const conversions = Math.round(clicks * cvr);
  return { ...emptyMetrics(), impressions, clicks, clicksWithConversions: clicks, conversions, revenueMinor: conversions * order, spendMinor: impressions / 100, spendWithRevenueMinor: impressions / 100 };
};

describe('blendSplits', () => {
  it('moves the given share of the budget toward the explored split, exactly to the cent', () => {
    expect(blendSplits([6_000, 4_000, 0], [2_000, 4_000, 4_000], 0.1, 10_000, 0)).toEqual([5_600, 4_000, 400]);
  });

  it('keeps every amount between the two splits and the sum exact (property)', () => {
    const split = (n: number) => fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: n, maxLength: n });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }).chain((n) => fc.tuple(split(n), split(n), fc.double({ min: 0, max: 0.5, noNaN: true }))), ([a, b, share]) => {
        const total = a.reduce((s, x) => s + x, 0);
        // Both splits must sum to the same total: scale b onto a's total.
        const bTotal = b.reduce((s, x) => s + x, 0);
        if (total === 0 || bTotal === 0) return;
        const scaled = b.map((x) => Math.floor((x * total) / bTotal));
        scaled[0]! += total - scaled.reduce((s, x) => s + x, 0);
        const out = blendSplits(a, scaled, share, total, 0)!;
        expect(out.reduce((s, x) => s + x, 0)).toBe(total);
        out.forEach((x, i) => {
          expect(Number.isInteger(x)).toBe(true);
          expect(x).toBeGreaterThanOrEqual(Math.min(a[i]!, scaled[i]!));
          expect(x).toBeLessThanOrEqual(Math.max(a[i]!, scaled[i]!));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a blend that would fund a country below the minimum budget', () => {
    // The third country goes from 0 to 4,000 in the explored split: 10 % of the way is 400 < 1,000.
    expect(blendSplits([6_000, 4_000, 0], [2_000, 4_000, 4_000], 0.1, 10_000, 1_000)).toBeNull();
    expect(blendSplits([6_000, 4_000, 0], [2_000, 4_000, 4_000], 0.5, 10_000, 1_000)).toEqual([4_000, 4_000, 2_000]);
  });
});

describe('drawCountryValues', () => {
  it('draws a thinly measured country far more widely than a well measured one', () => {
    const pooled = metrics(10_000_000, 0.01, 0.02, 5_000);
    const prior = pooledPrior(pooled);
    const rng = createRng('geo-draws');
    const draws = Array.from({ length: 2_000 }, () => drawCountryValues(rng, [metrics(5_000_000, 0.01, 0.02, 5_000), metrics(3_000, 0.01, 0.02, 5_000)], prior));
    const sd = (xs: number[]) => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
    };
    expect(sd(draws.map((d) => d[1]!))).toBeGreaterThan(3 * sd(draws.map((d) => d[0]!)));
  });
});
