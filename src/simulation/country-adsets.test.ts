import { describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT_MIN_DAILY_BUDGET_MINOR } from '../engine/ad-set-groups.ts';
import { applySplit, countryLearning, poolSpread, historyAdSet, POOLED, recordConversions, spendByCountry, type Grouping } from './country-adsets.ts';
import { trueRevenue, type CountryResponse } from './response.ts';
import { LEARNING_PENALTY } from './learning.ts';

const split = (amounts: Record<string, number>) => new Map(Object.entries(amounts));
const grouping: Grouping = { floored: new Set(), minBudgetMinor: DEFAULT_SPLIT_MIN_DAILY_BUDGET_MINOR };

describe('country ad sets', () => {
  const history = historyAdSet(['ES', 'MX', 'AR']);

  it('leaves the history\'s one ad set settled while the split keeps every country in it', () => {
    const pooled = applySplit(history, split({ ES: 900, MX: 500, AR: 300 }), false, grouping);
    expect([...pooled.adsetOf.values()]).toEqual([POOLED, POOLED, POOLED]);
    expect([...countryLearning(pooled).values()]).toEqual([1, 1, 1]);
  });

  it('starts every new ad set, and the pool that lost countries, in learning; each learns on its own conversions', () => {
    let state = applySplit(history, split({ ES: 5_000, MX: 2_000, AR: 300 }), false, grouping);
    expect(Object.fromEntries(state.adsetOf)).toEqual({ ES: 'ES', MX: 'MX', AR: POOLED });
    expect([...countryLearning(state).values()]).toEqual([1 - LEARNING_PENALTY, 1 - LEARNING_PENALTY, 1 - LEARNING_PENALTY]);
    state = recordConversions(state, [{ country: 'ES', conversions: 50 }, { country: 'MX', conversions: 25 }, { country: 'AR', conversions: 5 }]);
    const learning = countryLearning(state);
    expect(learning.get('ES')).toBe(1);
    expect(learning.get('MX')).toBeCloseTo(1 - LEARNING_PENALTY / 2, 12);
    expect(learning.get('AR')).toBeCloseTo(1 - LEARNING_PENALTY * 0.9, 12);
    // The same groups the next day keep what they learnt; an edit of the interests restarts them all.
    const same = applySplit(state, split({ ES: 5_200, MX: 1_900, AR: 280 }), false, grouping);
    expect(countryLearning(same)).toEqual(learning);
    expect([...countryLearning(applySplit(state, split({ ES: 5_200, MX: 1_900, AR: 280 }), true, grouping)).values()]).toEqual([0.8, 0.8, 0.8]);
  });

  it('keeps a country in the ad set it holds down to half the minimum, and restarts both ad sets a country moves between', () => {
    let state = applySplit(history, split({ ES: 5_000, MX: 1_000, AR: 300 }), false, grouping);
    state = recordConversions(state, [{ country: 'ES', conversions: 100 }, { country: 'MX', conversions: 100 }, { country: 'AR', conversions: 100 }]);
    const kept = applySplit(state, split({ ES: 5_400, MX: 600, AR: 300 }), false, grouping);
    expect(kept.adsetOf.get('MX')).toBe('MX');
    expect([...countryLearning(kept).values()]).toEqual([1, 1, 1]);
    const moved = applySplit(state, split({ ES: 5_500, MX: 499, AR: 300 }), false, grouping);
    expect(Object.fromEntries(countryLearning(moved))).toEqual({ ES: 1, MX: 0.8, AR: 0.8 });
    // Counted: the first split's three ad sets, then MX's move (the pool it joins); an edit of the interests restarts all.
    expect(kept.restarts).toEqual({ interestEdits: 0, countryMoves: 3 });
    expect(moved.restarts).toEqual({ interestEdits: 0, countryMoves: 4 });
    expect(applySplit(moved, split({ ES: 5_500, MX: 499, AR: 300 }), true, grouping).restarts).toEqual({ interestEdits: 2, countryMoves: 4 });
  });

  it('gives a country whose share has a floor its own ad set under the minimum', () => {
    const floored = applySplit(history, split({ ES: 900, MX: 500, AR: 300 }), false, { ...grouping, floored: new Set(['ES']) });
    expect(Object.fromEntries(floored.adsetOf)).toEqual({ ES: 'ES', MX: POOLED, AR: POOLED });
  });
});

describe("the pooled ad set's spend", () => {
  const country = (countryCode: string, cvr: number, revenuePerConversionMinor: number): CountryResponse => ({
    countryCode, marginalCpmMinor: 500, impressionsSaturate: true, saturationSpendMinor: 3_000, capacityImpressions: 20_000, valueSaturationImpressions: null, ctr: 0.02, cvr, revenuePerConversionMinor,
  });
  // MX converts twice as often as AR, AR's orders are worth four times MX's.
  const today = [country('ES', 0.05, 5_000), country('MX', 0.06, 2_000), country('AR', 0.03, 8_000)];
  const scale = { ctr: 1, cvr: 1, aov: 1 };
  const conversions = (k: CountryResponse, spend: number) => trueRevenue({ ...k, revenuePerConversionMinor: 1 }, spend, scale);

  it('spends the pool where its conversions are cheapest at the margin, whatever the split said; own ad sets spend their budgets', () => {
    const split = new Map([['ES', 5_000], ['MX', 300], ['AR', 900]]);
    const state = applySplit(historyAdSet(['ES', 'MX', 'AR']), split, false, { floored: new Set(['ES']), minBudgetMinor: 1_000 });
    expect(Object.fromEntries(state.adsetOf)).toEqual({ ES: 'ES', MX: POOLED, AR: POOLED });
    const spent = spendByCountry(split, state, poolSpread('conversions', today, scale));
    expect(spent.get('ES')).toBe(5_000);
    expect(spent.get('MX')! + spent.get('AR')!).toBe(1_200);
    expect(Number.isInteger(spent.get('MX'))).toBe(true);
    // More to MX than the split gave it, and the most conversions any division of the pool gets (to a minor unit).
    expect(spent.get('MX')!).toBeGreaterThan(600);
    const pooledConversions = (mx: number) => conversions(today[1]!, mx) + conversions(today[2]!, 1_200 - mx);
    for (const mx of [0, 300, 600, 900, 1_200]) expect(pooledConversions(spent.get('MX')!)).toBeGreaterThanOrEqual(pooledConversions(mx) - 1e-9);
  });

  it('spent where impressions are cheapest, the pool goes to the cheaper country whatever it converts at', () => {
    // MX's curve reaches the same capacity at twice the spend: its first impressions cost twice AR's.
    const cheap = [today[0]!, { ...today[1]!, saturationSpendMinor: 6_000 }, today[2]!];
    const split = new Map([['ES', 5_000], ['MX', 300], ['AR', 900]]);
    const state = applySplit(historyAdSet(['ES', 'MX', 'AR']), split, false, { floored: new Set(['ES']), minBudgetMinor: 1_000 });
    const byImpressions = spendByCountry(split, state, poolSpread('impressions', cheap, scale));
    const byConversions = spendByCountry(split, state, poolSpread('conversions', cheap, scale));
    // By impressions AR gets most of the pool; by conversions MX's double rate makes up for its price.
    expect(byImpressions.get('AR')!).toBeGreaterThan(byImpressions.get('MX')!);
    expect(byConversions.get('MX')!).toBeGreaterThan(byImpressions.get('MX')!);
    expect(byImpressions.get('MX')! + byImpressions.get('AR')!).toBe(1_200);
  });

  it('changes nothing where no two countries share the pool', () => {
    const split = new Map([['ES', 5_000], ['MX', 2_000], ['AR', 300]]);
    const state = applySplit(historyAdSet(['ES', 'MX', 'AR']), split, false, { floored: new Set(['ES']), minBudgetMinor: 1_000 });
    expect(spendByCountry(split, state, poolSpread('conversions', today, scale))).toEqual(split);
  });
});
