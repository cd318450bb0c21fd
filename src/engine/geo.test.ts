import fc from 'fast-check';
import { presentTraceEvent } from '../presentation/present-trace.ts';
import { describe, expect, it } from 'vitest';
import {
  allocateBudget,
  countryName,
  engagementScore,
  regionOf,
  scoreCountries,
  validateAllocation,
  type CountryScore,
} from './geo.ts';
import { emptyMetrics } from './metrics.ts';
import type { Metrics, Priors } from './types.ts';

const SEED_PRIORS: Priors = { ctr: 0.015, cvr: 0.02, roas: 2.5, strength: 100 };

/** A score whose only meaningful field for the allocator is its weight. */
function scored(countryCode: string, weight: number): CountryScore {
  return {
    countryCode,
    countryName: countryCode,
    region: regionOf(countryCode),
    smoothedCtr: 0,
    smoothedCvr: 0,
    smoothedRoas: 0,
    observedCtr: null,
    observedRoas: null,
    cpcMinor: null,
    cpcMajor: null,
    confidence: 0,
    engagement: weight,
    performance: weight,
    weight,
  };
}

function metrics(overrides: Partial<Metrics>): Metrics {
  return { ...emptyMetrics(), ...overrides };
}

const amountOf = (result: ReturnType<typeof allocateBudget>, code: string): number | undefined =>
  result.allocations.find((a) => a.countryCode === code)?.amountMinor;

describe('engagementScore (the seed formula)', () => {
  it('weights the rates 0.3 / 0.4 / 0.3 and multiplies by cpc_norm', () => {
    // ctr 0.015/0.03 = 0.5, cvr 0.02/0.05 = 0.4, roas 2.5/5 = 0.5 -> 0.15 + 0.16 + 0.15 = 0.46;
    // cpc 0.5 -> 1 - 0.25 = 0.75 -> 0.345
    expect(engagementScore(0.015, 0.02, 2.5, 0.5)).toBeCloseTo(0.345, 12);
    // ctr 0.006 -> 0.2, cvr 0.01 -> 0.2, roas 1 -> 0.2 -> 0.06 + 0.08 + 0.06 = 0.2; cpc 1 -> 0.5 -> 0.1
    expect(engagementScore(0.006, 0.01, 1, 1)).toBeCloseTo(0.1, 12);
  });

  it('caps CTR at 3 %', () => {
    // ctr_norm 1 -> 0.3 + 0.16 + 0.15 = 0.61 at cpc 0
    expect(engagementScore(0.03, 0.02, 2.5, 0)).toBeCloseTo(0.61, 12);
    expect(engagementScore(0.09, 0.02, 2.5, 0)).toBeCloseTo(0.61, 12);
  });

  it('caps CVR at 5 %', () => {
    // cvr_norm 1 -> 0.15 + 0.4 + 0.15 = 0.7
    expect(engagementScore(0.015, 0.05, 2.5, 0)).toBeCloseTo(0.7, 12);
    expect(engagementScore(0.015, 0.2, 2.5, 0)).toBeCloseTo(0.7, 12);
  });

  it('caps ROAS at 5x', () => {
    // roas_norm 1 -> 0.15 + 0.16 + 0.3 = 0.61
    expect(engagementScore(0.015, 0.02, 5, 0)).toBeCloseTo(0.61, 12);
    expect(engagementScore(0.015, 0.02, 50, 0)).toBeCloseTo(0.61, 12);
  });

  it('scores 1 with every rate capped and free clicks', () => {
    expect(engagementScore(0.1, 0.1, 10, 0)).toBeCloseTo(1, 12);
  });

  it('floors cpc_norm at 0.1 from a CPC of 1.80 up', () => {
    // cpc 1.8 -> 1 - 0.9 = 0.1 exactly; 1.9 -> 0.05, floored to 0.1; 3 -> -0.5, floored to 0.1
    expect(engagementScore(0.015, 0.02, 2.5, 1.8)).toBeCloseTo(0.046, 12);
    expect(engagementScore(0.015, 0.02, 2.5, 1.9)).toBeCloseTo(0.046, 12);
    expect(engagementScore(0.015, 0.02, 2.5, 3)).toBeCloseTo(0.046, 12);
  });

  it('uses a neutral cpc_norm of 0.5 when there were no clicks', () => {
    expect(engagementScore(0.015, 0.02, 2.5, null)).toBeCloseTo(0.23, 12);
    expect(engagementScore(0.015, 0.02, 2.5, null)).toBe(engagementScore(0.015, 0.02, 2.5, 1));
  });
});

describe('regionOf', () => {
  it('puts Spain in its own region', () => {
    expect(regionOf('ES')).toBe('ES');
  });

  it('maps the 20 Spanish- and Portuguese-speaking Latin American countries to LATAM', () => {
    const latam = ['MX', 'AR', 'CO', 'CL', 'PE', 'EC', 'VE', 'UY', 'PY', 'BO', 'CR', 'PA', 'DO', 'GT', 'HN', 'SV', 'NI', 'CU', 'PR', 'BR'];
    for (const code of latam) expect(regionOf(code), code).toBe('LATAM');
  });

  it('maps the 26 other EU member states to EU', () => {
    const eu = ['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'SE'];
    for (const code of eu) expect(regionOf(code), code).toBe('EU');
  });

  it('maps everything else to OTHER, including non-EU Europe and non-Latin America', () => {
    for (const code of ['US', 'GB', 'CH', 'NO', 'JP', 'JM', 'BZ', 'GY', '']) expect(regionOf(code), code).toBe('OTHER');
  });

  it('ignores letter case', () => {
    expect(regionOf('mx')).toBe('LATAM');
    expect(regionOf('es')).toBe('ES');
  });
});

describe('countryName', () => {
  it('gives the English name', () => {
    expect(countryName('ES')).toBe('Spain');
    expect(countryName('MX')).toBe('Mexico');
    expect(countryName('de')).toBe('Germany');
  });

  it('falls back to the code when it is not a region code', () => {
    expect(countryName('ZZZ')).toBe('ZZZ');
    expect(countryName('')).toBe('');
  });
});

describe('scoreCountries', () => {
  // 300 clicks on 10,000 impressions (3 %), 15 conversions of 300 clicks (5 %), 1,500.00 revenue on
  // 300.00 spend (5x), CPC 1.00. Smoothed with the seed priors (strength 100):
  //   CTR  (0.015 * 100 + 0.03 * 10000) / 10100 = 301.5 / 10100
  //   CVR  (0.02 * 100 + 0.05 * 300) / 400      = 0.0425
  //   ROAS (2.5 * 100 + 5 * 300) / 400          = 4.375   (300 samples = 300.00 EUR)
  const strong = metrics({
    impressions: 10000,
    clicks: 300,
    spendMinor: 30000,
    conversions: 15,
    clicksWithConversions: 300,
    revenueMinor: 150000,
    spendWithRevenueMinor: 30000,
  });
  const ctr = 301.5 / 10100;
  const engagement = ((ctr / 0.03) * 0.3 + (0.0425 / 0.05) * 0.4 + (4.375 / 5) * 0.3) * 0.5;
  const performance = ((ctr - 0.015) / 0.03) * 0.25 + ((0.0425 - 0.02) / 0.04) * 0.4 + ((4.375 - 2.5) / 2.5) * 0.35;

  it('smooths each rate with its own sample size and scores engagement and performance', () => {
    const [fr] = scoreCountries([{ countryCode: 'FR', total: strong }], SEED_PRIORS, 100).filter((s) => s.countryCode === 'FR');
    expect(fr).toBeDefined();
    expect(fr!.countryName).toBe('France');
    expect(fr!.region).toBe('EU');
    expect(fr!.smoothedCtr).toBeCloseTo(ctr, 12);
    expect(fr!.smoothedCvr).toBeCloseTo(0.0425, 12);
    expect(fr!.smoothedRoas).toBeCloseTo(4.375, 12);
    expect(fr!.observedCtr).toBeCloseTo(0.03, 12);
    expect(fr!.observedRoas).toBeCloseTo(5, 12);
    expect(fr!.cpcMajor).toBeCloseTo(1, 12);
    expect(fr!.confidence).toBeCloseTo(0.95, 12);
    expect(fr!.engagement).toBeCloseTo(engagement, 12);
    expect(fr!.performance).toBeCloseTo(performance, 12);
  });

  it('weights LATAM by engagement and the EU by performance', () => {
    const scores = scoreCountries([{ countryCode: 'FR', total: strong }, { countryCode: 'MX', total: strong }], SEED_PRIORS, 100);
    expect(scores.find((s) => s.countryCode === 'MX')!.weight).toBeCloseTo(engagement, 12);
    expect(scores.find((s) => s.countryCode === 'FR')!.weight).toBeCloseTo(performance, 12);
  });

  it('scores Spain from the priors when it has no data', () => {
    const scores = scoreCountries([], SEED_PRIORS, 100);
    expect(scores).toHaveLength(1);
    const es = scores[0]!;
    expect(es.countryCode).toBe('ES');
    expect(es.countryName).toBe('Spain');
    expect([es.smoothedCtr, es.smoothedCvr, es.smoothedRoas]).toEqual([0.015, 0.02, 2.5]);
    expect([es.observedCtr, es.observedRoas, es.cpcMajor]).toEqual([null, null, null]);
    expect(es.confidence).toBe(0);
    // 0.46 at the priors times the neutral cpc_norm 0.5
    expect(es.weight).toBeCloseTo(0.23, 12);
  });

  it('gives an EU country at or below the benchmarks no weight', () => {
    const weak = metrics({ impressions: 10000, clicks: 100, spendMinor: 5000, conversions: 1, clicksWithConversions: 100, revenueMinor: 5000, spendWithRevenueMinor: 5000 });
    const de = scoreCountries([{ countryCode: 'DE', total: weak }], SEED_PRIORS, 100).find((s) => s.countryCode === 'DE')!;
    expect(de.performance).toBe(0);
    expect(de.weight).toBe(0);
    expect(de.engagement).toBeGreaterThan(0);
  });

  it('counts ROAS samples in major units of spend', () => {
    // 300.00 EUR at 100 minor per major is 300 samples; the same 30000 JPY at 1 minor per major is 30000.
    const roasOnly = metrics({ spendWithRevenueMinor: 30000, revenueMinor: 150000 });
    const eur = scoreCountries([{ countryCode: 'ES', total: roasOnly }], SEED_PRIORS, 100)[0]!;
    const jpy = scoreCountries([{ countryCode: 'ES', total: roasOnly }], SEED_PRIORS, 1)[0]!;
    expect(eur.smoothedRoas).toBeCloseTo(4.375, 12);
    expect(jpy.smoothedRoas).toBeCloseTo((250 + 5 * 30000) / 30100, 12);
  });

  it('sorts by weight descending, then by code; skips rows without a country; merges repeats', () => {
    const scores = scoreCountries(
      [
        { countryCode: 'MX', total: strong },
        { countryCode: 'AR', total: strong },
        { countryCode: '', total: strong },
        { countryCode: 'CO', total: metrics({ impressions: 5000, clicks: 50, spendMinor: 5000 }) },
        { countryCode: 'CO', total: metrics({ impressions: 5000, clicks: 50, spendMinor: 5000 }) },
      ],
      SEED_PRIORS,
      100,
    );
    // AR = MX (same data, tie broken by code) > ES at the priors (0.23) > CO at a 1 % CTR (~0.2055).
    expect(scores.map((s) => s.countryCode)).toEqual(['AR', 'MX', 'ES', 'CO']);
    expect(scores.find((s) => s.countryCode === 'CO')!.observedCtr).toBeCloseTo(0.01, 12);
    expect(scores.find((s) => s.countryCode === 'CO')!.confidence).toBeCloseTo(0.95, 12);
  });

  it('rejects a non-positive minorPerMajor', () => {
    expect(() => scoreCountries([], SEED_PRIORS, 0)).toThrow(RangeError);
  });
});

describe('allocateBudget', () => {
  it('holds Spain at its floor when its proportional share is smaller, sharing the rest by weight', () => {
    // ES alone would get 0.2 / 1.0 = 20 % < 35 %: ES 35,000; MX and AR split 65,000 evenly.
    const result = allocateBudget(100000, [scored('ES', 0.2), scored('MX', 0.4), scored('AR', 0.4)], 35);
    expect(result.allocations).toEqual([
      { countryCode: 'ES', amountMinor: 35000, pct: 35, weight: 0.2 },
      { countryCode: 'AR', amountMinor: 32500, pct: 32.5, weight: 0.4 },
      { countryCode: 'MX', amountMinor: 32500, pct: 32.5, weight: 0.4 },
    ]);
    const floor = result.trace.map(presentTraceEvent).find((t) => t.step === 'geo.spain_floor')!;
    expect(floor.numbers).toMatchObject({ proportional_pct: 20, floor_pct: 35, floor_minor: 35000, binding: true });
  });

  it("keeps Spain's proportional share when it is above the floor", () => {
    const result = allocateBudget(100000, [scored('ES', 0.6), scored('MX', 0.3), scored('AR', 0.1)], 35);
    expect(result.allocations.map((a) => [a.countryCode, a.amountMinor, a.pct])).toEqual([
      ['ES', 60000, 60],
      ['MX', 30000, 30],
      ['AR', 10000, 10],
    ]);
    expect(result.trace.map(presentTraceEvent).find((t) => t.step === 'geo.spain_floor')!.numbers.binding).toBe(false);
  });

  it('gives Spain with no data its floor, scored from the priors', () => {
    const scores = scoreCountries([{ countryCode: 'MX', total: metrics({ impressions: 20000, clicks: 600, spendMinor: 30000 }) }], SEED_PRIORS, 100);
    const result = allocateBudget(100000, scores, 35);
    expect(amountOf(result, 'ES')).toBeGreaterThanOrEqual(35000);
    expect(amountOf(result, 'ES')! + amountOf(result, 'MX')!).toBe(100000);
  });

  it('gives Spain 100 % when it is the only country', () => {
    const result = allocateBudget(100000, scoreCountries([], SEED_PRIORS, 100), 35);
    expect(result.allocations).toEqual([{ countryCode: 'ES', amountMinor: 100000, pct: 100, weight: expect.closeTo(0.23, 12) }]);
    expect(result.trace.map(presentTraceEvent).some((t) => t.step === 'geo.spain_only')).toBe(true);
  });

  it('gives Spain 100 % when no other country has a positive weight, and says why each was excluded', () => {
    const result = allocateBudget(5000, [scored('ES', 0), scored('FR', 0), scored('DE', Number.NaN), scored('IT', -1)], 35);
    expect(result.allocations.map((a) => [a.countryCode, a.amountMinor])).toEqual([['ES', 5000]]);
    const excluded = result.trace.map(presentTraceEvent).filter((t) => t.step === 'geo.exclude').map((t) => t.numbers.country_code);
    expect(excluded).toEqual(['FR', 'DE', 'IT']);
  });

  it('includes Spain at its floor even when it was not scored', () => {
    const result = allocateBudget(1000, [scored('MX', 1)], 35);
    expect(result.allocations.map((a) => [a.countryCode, a.amountMinor])).toEqual([['ES', 350], ['MX', 650]]);
    expect(result.trace.map(presentTraceEvent).some((t) => t.step === 'geo.spain_unscored')).toBe(true);
  });

  it('drops countries under 1 % of the budget and gives their share to the others', () => {
    // XX would get 0.005 / 1.0 = 0.5 %: dropped; ES then holds 0.5 / 0.995 = 50.25 %.
    const result = allocateBudget(100000, [scored('ES', 0.5), scored('MX', 0.495), scored('AR', 0.005)], 35);
    expect(result.allocations.map((a) => a.countryCode)).toEqual(['ES', 'MX']);
    expect(result.allocations.map((a) => a.amountMinor)).toEqual([50251, 49749]);
    const drop = result.trace.map(presentTraceEvent).find((t) => t.step === 'geo.drop')!;
    expect(drop.numbers).toMatchObject({ country_code: 'AR', share_pct: 0.5, threshold_pct: 1 });
    expect(drop.decision).toContain('under 1 %');
  });

  it('drops the smallest share first, keeping a country that the redistribution lifts over 1 %', () => {
    // AR 0.98 % and CO 0.995 % are both under 1 %; once AR is dropped CO has 0.00995 / 0.9902 = 1.005 %.
    const result = allocateBudget(1000000, [scored('ES', 0.98025), scored('AR', 0.0098), scored('CO', 0.00995)], 0);
    expect(result.allocations.map((a) => a.countryCode)).toEqual(['ES', 'CO']);
    expect(result.trace.map(presentTraceEvent).filter((t) => t.step === 'geo.drop').map((t) => t.numbers.country_code)).toEqual(['AR']);
  });

  it('drops everyone but Spain when the floor is 100 %', () => {
    const result = allocateBudget(1000, [scored('ES', 0.1), scored('MX', 0.9)], 100);
    expect(result.allocations.map((a) => [a.countryCode, a.amountMinor])).toEqual([['ES', 1000]]);
  });

  it('sums exactly to the total with awkward numbers, the floor rounded up', () => {
    // floor ceil(7 * 35 / 100) = ceil(2.45) = 3; the other 4 split over three equal weights.
    const small = allocateBudget(7, [scored('ES', 0), scored('MX', 1), scored('AR', 1), scored('CO', 1)], 35);
    expect(amountOf(small, 'ES')).toBe(3);
    expect(small.allocations.reduce((s, a) => s + a.amountMinor, 0)).toBe(7);
    // Three equal weights, ES's 33.33 % over a 30 % floor: 1000001 / 3 = 333333.67 each.
    const big = allocateBudget(1000001, [scored('ES', 1), scored('MX', 1), scored('AR', 1)], 30);
    expect(big.allocations.map((a) => a.amountMinor).sort()).toEqual([333333, 333334, 333334]);
    expect(big.allocations.map((a) => a.pct)).toEqual([33.33, 33.33, 33.33]);
  });

  it('reads the floor percentage as the decimal written, not its binary neighbour', () => {
    // 10000 * 0.07 / 100 is 7.000000000000001 in floating point; the floor is 7, not 8.
    const result = allocateBudget(10000, [scored('ES', 0), scored('MX', 1)], 0.07);
    expect(amountOf(result, 'ES')).toBe(7);
    expect(validateAllocation([{ countryCode: 'ES', amountMinor: 7 }, { countryCode: 'MX', amountMinor: 9993 }], 10000, 0.07)).toEqual({ valid: true });
  });

  it('allocates nothing from a zero budget, still naming Spain', () => {
    const result = allocateBudget(0, [scored('ES', 0.2), scored('MX', 0.8)], 35);
    expect(result.allocations).toEqual([
      { countryCode: 'ES', amountMinor: 0, pct: 0, weight: 0.2 },
      { countryCode: 'MX', amountMinor: 0, pct: 0, weight: 0.8 },
    ]);
  });

  it('shares by weight ratio whatever the scale of the weights', () => {
    const result = allocateBudget(1000, [scored('ES', 1e308), scored('MX', 1e308)], 0);
    expect(result.allocations.map((a) => a.amountMinor)).toEqual([500, 500]);
  });

  it('records each final country with its weight and share', () => {
    const result = allocateBudget(1000, [scored('ES', 0.5), scored('MX', 0.5)], 35);
    const shares = result.trace.map(presentTraceEvent).filter((t) => t.step === 'geo.share').map((t) => t.numbers);
    expect(shares).toEqual([
      { country_code: 'ES', weight: 0.5, amount_minor: 500, pct: 50 },
      { country_code: 'MX', weight: 0.5, amount_minor: 500, pct: 50 },
    ]);
    expect(result.trace.map(presentTraceEvent).filter((t) => t.step === 'geo.weight')).toHaveLength(2);
  });

  it('throws RangeError on a bad total or percentage, and on a country scored twice', () => {
    const scores = [scored('ES', 1)];
    for (const total of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => allocateBudget(total, scores, 35), String(total)).toThrow(RangeError);
    }
    for (const pct of [-0.01, 100.01, Number.NaN]) {
      expect(() => allocateBudget(1000, scores, pct), String(pct)).toThrow(RangeError);
    }
    expect(() => allocateBudget(1000, [scored('MX', 1), scored('MX', 2)], 35)).toThrow(RangeError);
  });
});

describe('validateAllocation', () => {
  const ok = [
    { countryCode: 'ES', amountMinor: 350 },
    { countryCode: 'MX', amountMinor: 650 },
  ];

  const reasonOf = (check: ReturnType<typeof validateAllocation>): string => (check.valid ? '(valid)' : check.reason);

  it('accepts a valid allocation', () => {
    expect(validateAllocation(ok, 1000, 35)).toEqual({ valid: true });
  });

  it('rejects a sum different from the total', () => {
    expect(reasonOf(validateAllocation(ok, 1001, 35))).toMatch(/sum to 1000 .*total of 1001/);
  });

  it('rejects a negative amount', () => {
    const check = validateAllocation([{ countryCode: 'ES', amountMinor: 1100 }, { countryCode: 'MX', amountMinor: -100 }], 1000, 35);
    expect(reasonOf(check)).toMatch(/MX is negative/);
  });

  it('rejects a non-integer amount', () => {
    const check = validateAllocation([{ countryCode: 'ES', amountMinor: 350.5 }, { countryCode: 'MX', amountMinor: 649.5 }], 1000, 35);
    expect(reasonOf(check)).toMatch(/ES must be an integer/);
  });

  it('rejects a duplicate country', () => {
    const check = validateAllocation([...ok, { countryCode: 'MX', amountMinor: 0 }], 1000, 35);
    expect(reasonOf(check)).toMatch(/duplicate country MX/);
  });

  it('rejects an allocation without Spain', () => {
    expect(reasonOf(validateAllocation([{ countryCode: 'MX', amountMinor: 1000 }], 1000, 0))).toMatch(/Spain \(ES\) is missing/);
  });

  it('rejects Spain under its floor, with the numbers', () => {
    const check = validateAllocation([{ countryCode: 'ES', amountMinor: 349 }, { countryCode: 'MX', amountMinor: 651 }], 1000, 35);
    expect(reasonOf(check)).toBe('Spain (ES) gets 349 minor units, under its floor of 350 (35 % of 1000)');
  });

  it('rejects a total that is not a non-negative integer, and a percentage outside [0, 100]', () => {
    expect(reasonOf(validateAllocation(ok, -1, 35))).toMatch(/total must be a non-negative integer/);
    expect(reasonOf(validateAllocation(ok, 1000.5, 35))).toMatch(/total must be a non-negative integer/);
    expect(reasonOf(validateAllocation(ok, 1000, 101))).toMatch(/spainMinPct must be within/);
  });

  it('accepts a zero total only when every amount is zero', () => {
    expect(validateAllocation([{ countryCode: 'ES', amountMinor: 0 }, { countryCode: 'MX', amountMinor: 0 }], 0, 35)).toEqual({ valid: true });
    expect(reasonOf(validateAllocation([{ countryCode: 'ES', amountMinor: 1 }, { countryCode: 'MX', amountMinor: 0 }], 0, 35))).toMatch(/sum to 1 .*total of 0/);
  });
});

describe('allocateBudget properties', () => {
  const CODES = ['ES', 'MX', 'AR', 'CO', 'CL', 'BR', 'FR', 'DE', 'IT', 'PT', 'US', 'GB', 'JP', 'CA', 'AU'];
  const weight = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }));
  const countrySet = fc
    .uniqueArray(fc.constantFrom(...CODES), { maxLength: CODES.length })
    .chain((codes) => fc.tuple(...codes.map((code) => weight.map((w) => scored(code, w)))));
  const total = fc.integer({ min: 0, max: 1e9 });
  // Hundredths of a percent, so the expected floor can be computed exactly in integers below.
  const basisPoints = fc.integer({ min: 0, max: 10000 });

  it('sums to the total, keeps Spain at or above its floor, gives integer amounts >= 0, and validates', () => {
    fc.assert(
      fc.property(countrySet, total, basisPoints, (scores, totalMinor, bp) => {
        const pct = bp / 100;
        const { allocations } = allocateBudget(totalMinor, scores, pct);
        // ceil(total * bp / 10000) in exact integer arithmetic (total * bp <= 1e13 < 2^53).
        const floor = Math.floor((totalMinor * bp) / 10000) + ((totalMinor * bp) % 10000 === 0 ? 0 : 1);
        expect(allocations.reduce((s, a) => s + a.amountMinor, 0)).toBe(totalMinor);
        expect(amountOf({ allocations, trace: [] }, 'ES')).toBeGreaterThanOrEqual(floor);
        for (const a of allocations) {
          expect(Number.isSafeInteger(a.amountMinor) && a.amountMinor >= 0).toBe(true);
        }
        expect(validateAllocation(allocations, totalMinor, pct)).toEqual({ valid: true });
      }),
      { numRuns: 500 },
    );
  });

  it('holds for any real percentage in [0, 100]', () => {
    fc.assert(
      fc.property(countrySet, total, fc.double({ min: 0, max: 100, noNaN: true }), (scores, totalMinor, pct) => {
        const { allocations } = allocateBudget(totalMinor, scores, pct);
        expect(allocations.reduce((s, a) => s + a.amountMinor, 0)).toBe(totalMinor);
        // The floor is never below the real product (up to floating-point noise).
        expect(amountOf({ allocations, trace: [] }, 'ES')!).toBeGreaterThanOrEqual(((totalMinor * pct) / 100) * (1 - 1e-12));
        expect(validateAllocation(allocations, totalMinor, pct)).toEqual({ valid: true });
      }),
      { numRuns: 500 },
    );
  });

  it('allocates only to positive-weight countries, each near 1 % or more, and traces every drop', () => {
    fc.assert(
      fc.property(countrySet, total, basisPoints, (scores, totalMinor, bp) => {
        const result = allocateBudget(totalMinor, scores, bp / 100);
        const dropped = new Set(result.trace.map(presentTraceEvent).filter((t) => t.step === 'geo.drop').map((t) => t.numbers.country_code));
        const allocated = new Set(result.allocations.map((a) => a.countryCode));
        expect(result.allocations[0]!.countryCode).toBe('ES');
        for (const a of result.allocations.slice(1)) {
          expect(a.weight).toBeGreaterThan(0);
          // A kept share is >= 1 % before rounding; largest remainder loses at most one unit.
          expect(a.amountMinor).toBeGreaterThanOrEqual(Math.floor(totalMinor / 100) - 1);
        }
        for (const s of scores) {
          if (s.countryCode !== 'ES' && s.weight > 0) expect(allocated.has(s.countryCode) !== dropped.has(s.countryCode)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
