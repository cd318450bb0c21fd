import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitImpressionCurves, type DatedSpendPoint } from './day-cost.ts';
import { createRng } from './random.ts';

interface Country {
  capacity: number;
  saturation: number;
  usualSpend: number;
}

const COUNTRIES: Country[] = [
  { capacity: 60_000, saturation: 20_000, usualSpend: 14_000 },
  { capacity: 20_000, saturation: 5_000, usualSpend: 3_000 },
  { capacity: 15_000, saturation: 3_000, usualSpend: 2_500 },
  { capacity: 9_000, saturation: 2_500, usualSpend: 1_800 },
  { capacity: 12_000, saturation: 1_800, usualSpend: 1_500 },
  { capacity: 7_000, saturation: 3_500, usualSpend: 2_000 },
];

/**
 * 21 days of every country: its spend moves by its own factor (log-sd `own`) and the campaign's
 * (log-sd `common`); its impressions follow its curve, times the day's cost swing shared by every
 * country (log-sd `swing`), times its own noise (log-sd 3 %).
 */
function history(seed: number, own: number, common: number, swing: number): DatedSpendPoint[][] {
  const rng = createRng(seed);
  const days = Array.from({ length: 21 }, (_, i) => ({ date: `2026-10-${String(i + 1).padStart(2, '0')}`, budget: Math.exp(common * rng.normal()), cost: Math.exp(swing * rng.normal()) }));
  return COUNTRIES.map((k) =>
    days.map((d) => {
      const spendMinor = Math.round(k.usualSpend * d.budget * Math.exp(own * rng.normal()));
      return { date: d.date, spendMinor, impressions: Math.round(k.capacity * (1 - Math.exp(-spendMinor / k.saturation)) * d.cost * Math.exp(0.03 * rng.normal())) };
    }),
  );
}

/** The median over countries and seeds of |log(fitted saturation / true saturation)|. */
function saturationError(seeds: number, own: number, common: number, swing: number, withSwing: boolean): { error: number; shown: number } {
  const errors: number[] = [];
  let shown = 0;
  for (let s = 0; s < seeds; s++) {
    const fit = fitImpressionCurves(history(100 + s, own, common, swing), { common: withSwing });
    if (fit.test?.shown === true) shown++;
    fit.curves.forEach((c, k) => errors.push(c === null ? Infinity : Math.abs(Math.log(c.saturation / COUNTRIES[k]!.saturation))));
  }
  errors.sort((a, b) => a - b);
  return { error: errors[Math.floor(errors.length / 2)]!, shown };
}

describe("the days' common swing in cost per impression", () => {
  it('is found and taken out where every country buys dearer on the same days: the curves are read closer to the truth', () => {
    const without = saturationError(20, 0.3, 0.08, 0.06, false);
    const withSwing = saturationError(20, 0.3, 0.08, 0.06, true);
    expect(withSwing.shown).toBe(20);
    expect(withSwing.error).toBeLessThan(without.error * 0.8);
  });

  it('is not found where there is none, and the curves are then as read without it', () => {
    const found = saturationError(40, 0.3, 0.08, 0, true);
    // An F test at 5 %: a few histories show a swing by chance.
    expect(found.shown).toBeLessThanOrEqual(6);
    const fit = fitImpressionCurves(history(7, 0.3, 0.08, 0), { common: true });
    if (fit.test?.shown === false) {
      expect(fit.dayFactors.size).toBe(0);
      expect(fit.curves).toEqual(fitImpressionCurves(history(7, 0.3, 0.08, 0)).curves);
    }
  });

  it("does not take the campaign's own budget swings for a cost swing: they are what shows the curves' bend", () => {
    // Countries' spends move only together (fixed shares), by ±20 % a day: every bend is seen
    // through the common movement, which a free factor per day would absorb whole.
    const alone = saturationError(20, 0, 0.2, 0, false);
    const withSwing = saturationError(20, 0, 0.2, 0, true);
    expect(withSwing.error).toBeLessThan(alone.error * 1.25 + 0.02);
  });

  it('takes any days an account reports without failing: finite factors, the same curves when not asked, none when not shown', () => {
    const day = fc.record({ date: fc.constantFrom(...Array.from({ length: 10 }, (_, i) => `2026-10-${String(i + 1).padStart(2, '0')}`)), spendMinor: fc.integer({ min: 0, max: 50_000 }), impressions: fc.integer({ min: 0, max: 200_000 }) });
    fc.assert(
      fc.property(fc.array(fc.array(day, { maxLength: 12 }), { maxLength: 6 }), (series) => {
        const plain = fitImpressionCurves(series);
        expect(plain.test).toBeNull();
        const fit = fitImpressionCurves(series, { common: true });
        for (const f of fit.dayFactors.values()) expect(Number.isFinite(f) && f > 0).toBe(true);
        if (fit.test?.shown !== true) {
          expect(fit.dayFactors.size).toBe(0);
          expect(fit.curves).toEqual(plain.curves);
        }
        fit.curves.forEach((c, k) => {
          if (c === null) expect(plain.curves[k]).toBeNull();
          else expect(Number.isFinite(c.saturation) && Number.isFinite(c.capacity)).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('is not tested with fewer than three countries to read it across, or without dates', () => {
    const two = history(3, 0.3, 0.08, 0.06).slice(0, 2);
    expect(fitImpressionCurves(two, { common: true }).test).toBeNull();
    const undated = history(3, 0.3, 0.08, 0.06).map((days) => days.map(({ spendMinor, impressions }) => ({ spendMinor, impressions })));
    expect(fitImpressionCurves(undated, { common: true }).test).toBeNull();
  });
});
