import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ASSUMED_ORDER_VALUE_CV2, betweenVariance, orderValueSpread } from './level-noise.ts';
import { createRng } from './random.ts';
import type { CountryDay } from './types.ts';

/**
 * Days of `perDay` purchases on average, each order worth gamma(shape) around `mean` (cv² = 1/shape),
 * times the day's factor for every country (`dayFactor`, 1 by default).
 */
function days(seed: number, count: number, perDay: number, mean: number, shape: number, dayFactor: (i: number) => number = () => 1): CountryDay[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, i) => {
    const conversions = rng.poisson(perDay);
    const revenueMinor = conversions > 0 ? Math.round(rng.gamma(conversions * shape, (mean * dayFactor(i)) / shape)) : 0;
    return { date: `2026-10-${String(i + 1).padStart(2, '0')}`, spendMinor: 10_000, impressions: 5_000, clicks: 100, conversions, clicksWithConversions: 100, revenueMinor, spendWithRevenueMinor: 10_000 };
  });
}

describe('the spread of single order values', () => {
  it("is read from the account's own days, whatever each country's mean order value", () => {
    for (const shape of [0.5, 1, 2.5]) {
      const countries = [days(1, 30, 4, 3_000, shape), days(2, 30, 8, 9_000, shape), days(3, 30, 2, 20_000, shape)];
      const spread = orderValueSpread(countries);
      expect(spread.days).toBe(countries.flat().filter((d) => (d.conversions ?? 0) > 0).length);
      expect(spread.cv2).toBeGreaterThan((1 / shape) * 0.6);
      expect(spread.cv2).toBeLessThan((1 / shape) * 1.5);
    }
  });

  it('does not count a swing common to every country as spread: a day of large baskets moves no country against another', () => {
    // Every country's orders run at 0.5 to 2 times their usual value, the same each day.
    const swing = (i: number) => 2 ** Math.sin(i * 1.7);
    const countries = [days(11, 30, 20, 3_000, 2.5, swing), days(12, 30, 40, 9_000, 2.5, swing), days(13, 30, 10, 20_000, 2.5, swing)];
    const spread = orderValueSpread(countries);
    expect(spread.cv2).toBeGreaterThan(0.4 * 0.6);
    expect(spread.cv2).toBeLessThan(0.4 * 1.5);
    // Read against each country's own mean alone, the swing would be many times the orders' own spread.
    let residual = 0;
    let expected = 0;
    for (const c of countries) {
      const kept = c.filter((d) => d.conversions! > 0);
      const mean = kept.reduce((x, d) => x + d.revenueMinor!, 0) / kept.reduce((x, d) => x + d.conversions!, 0);
      for (const d of kept) {
        residual += (d.revenueMinor! - d.conversions! * mean) ** 2 / (d.conversions! * mean * mean);
        expected += 1;
      }
    }
    expect(residual / (expected - countries.length)).toBeGreaterThan(4 * spread.cv2);
  });

  it('is assumed, not guessed, when too few days have both purchases and revenue, or one country cannot tell its orders from its days', () => {
    expect(orderValueSpread([days(4, 3, 2, 5_000, 1), days(6, 3, 2, 5_000, 1)])).toEqual({ cv2: ASSUMED_ORDER_VALUE_CV2, days: 0 });
    expect(orderValueSpread([days(7, 60, 20, 5_000, 1)])).toEqual({ cv2: ASSUMED_ORDER_VALUE_CV2, days: 0 });
    expect(orderValueSpread([])).toEqual({ cv2: ASSUMED_ORDER_VALUE_CV2, days: 0 });
  });

  it('skips days that report only part of their purchases or revenue', () => {
    const full = [days(5, 30, 6, 5_000, 2), days(8, 30, 6, 7_000, 2)];
    // The same days, each missing its revenue on half the spend: none of them measures anything.
    const partial = full.map((c) => c.map((d) => ({ ...d, spendWithRevenueMinor: d.spendMinor / 2, revenueMinor: Math.round((d.revenueMinor ?? 0) / 2) })));
    expect(orderValueSpread(partial).days).toBe(0);
    const noCount = full.map((c) => c.map((d) => ({ ...d, clicksWithConversions: 50 })));
    expect(orderValueSpread(noCount).days).toBe(0);
    const measured = full.flat().filter((d) => (d.conversions ?? 0) > 0).length;
    expect(orderValueSpread([...full, ...partial]).days).toBe(measured);
    expect(orderValueSpread([...full, ...partial]).cv2).toBe(orderValueSpread(full).cv2);
  });
});

describe('the variance between countries beyond their noise', () => {
  it('is 0 when the countries differ no more than their noise says', () => {
    expect(betweenVariance([0.1, -0.1, 0.05], [1, 1, 1])).toBe(0);
    expect(betweenVariance([0.5], [0])).toBe(0);
  });

  it('solves Σ d²/(τ² + noise) = k − 1', () => {
    const deviations = [2, -1.5, 0.3, -0.8, 1.1];
    const noises = [0.1, 0.4, 0.05, 2, 0.2];
    const tau2 = betweenVariance(deviations, noises);
    expect(tau2).toBeGreaterThan(0);
    const q = deviations.reduce((s, d, i) => s + (d * d) / (tau2 + noises[i]!), 0);
    expect(q).toBeCloseTo(deviations.length - 1, 6);
  });

  it('is in the units of the values: deviations × c and noises × c² give τ² × c², and it never exceeds the raw spread', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: 0.001, max: 10, noNaN: true })), { minLength: 2, maxLength: 12 }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        (pairs, c) => {
          const deviations = pairs.map(([d]) => d);
          const noises = pairs.map(([, n]) => n);
          const tau2 = betweenVariance(deviations, noises);
          expect(tau2).toBeGreaterThanOrEqual(0);
          expect(tau2).toBeLessThanOrEqual(deviations.reduce((s, d) => s + d * d, 0) / (deviations.length - 1) + 1e-12);
          const scaled = betweenVariance(deviations.map((d) => d * c), noises.map((n) => n * c * c));
          expect(Math.abs(scaled - tau2 * c * c)).toBeLessThanOrEqual(1e-6 * Math.max(1, tau2 * c * c));
        },
      ),
    );
  });

  it('sees the differences of well-measured countries that a few barely funded ones would hide from the method of moments', () => {
    // Four funded countries 1 apart with noise 0.05, and four barely funded ones near the target with noise 20.
    const deviations = [1, -1, 1, -1, 0.2, -0.3, 0.1, 0];
    const noises = [0.05, 0.05, 0.05, 0.05, 20, 20, 20, 20];
    const k = deviations.length;
    const moments = Math.max(0, deviations.reduce((s, d) => s + d * d, 0) / (k - 1) - noises.reduce((a, b) => a + b, 0) / k);
    expect(moments).toBe(0);
    expect(betweenVariance(deviations, noises)).toBeGreaterThan(0.5);
  });
});
