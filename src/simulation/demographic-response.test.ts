import { describe, expect, it } from 'vitest';
import { bestTargeting, keepsCell, narrowedResponses, NO_NARROWING, revenueWithTargeting } from './demographic-response.ts';
import { createStubMarket, getTruth } from './market.ts';
import { revenueOfSplit } from './response.ts';

const c = getTruth(createStubMarket({ seed: 3000, campaigns: 1, days: 7, endDate: '2026-11-10' })).campaigns[0]!;
const split = new Map(c.countries.map((k) => [k.countryCode, k.budgetShare * c.dailyBudgetMinor]));

describe('what narrowing ages and gender does to the market', () => {
  it('changes nothing without narrowing, whatever the reach assumption', () => {
    for (const r of [0, 0.5, 1]) expect(revenueWithTargeting(c.countries, c.demographics, NO_NARROWING, r, split)).toBeCloseTo(revenueOfSplit(c.countries, split), 6);
  });

  it('keeps whole buckets within the range, and unknown gender only when every gender is targeted', () => {
    expect(keepsCell({ ageMin: 25, ageMax: 44, gender: 'female' }, { age: '35-44', gender: 'female' })).toBe(true);
    expect(keepsCell({ ageMin: 25, ageMax: 40, gender: 'female' }, { age: '35-44', gender: 'female' })).toBe(false);
    expect(keepsCell({ ageMin: 18, ageMax: 65, gender: 'male' }, { age: '65+', gender: 'unknown' })).toBe(false);
    expect(keepsCell(NO_NARROWING, { age: '65+', gender: 'unknown' })).toBe(true);
  });

  it('scales each country\'s audience by the kept share to the reach exponent', () => {
    const t = { ageMin: 25, ageMax: 34, gender: 'female' as const };
    const share = c.demographics.filter((d) => keepsCell(t, d)).reduce((a, d) => a + d.impressionShare, 0);
    expect(share).toBeGreaterThan(0.05);
    expect(share).toBeLessThan(0.3);
    for (const r of [0, 0.5, 1]) {
      const narrowed = narrowedResponses(c.countries, c.demographics, t, r);
      narrowed.forEach((k, i) => expect(k.capacityImpressions).toBeCloseTo(c.countries[i]!.capacityImpressions * share ** r, 3));
    }
    // A smaller audience costs revenue where it saturates sooner; free, narrowing to better people earns more.
    expect(revenueWithTargeting(c.countries, c.demographics, t, 1, split)).toBeLessThan(revenueWithTargeting(c.countries, c.demographics, t, 0, split));
    expect(bestTargeting(c.countries, c.demographics, 0, split).revenue).toBeGreaterThan(revenueOfSplit(c.countries, split));
  });
});
