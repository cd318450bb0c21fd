import { describe, expect, it } from 'vitest';
import { chooseDemographicsByValue, NARROWING_MIN_GAIN } from './demographic-value.ts';
import type { CountryCurve } from './geo-value.ts';
import { emptyMetrics } from './metrics.ts';
import type { DemographicTargetingEvent } from './trace-events.ts';
import type { AgeBucket, DemographicHistory, Gender, Metrics } from './types.ts';

/** A group's window: impressions, and conversions at `value` × 1 % per click with 2 % CTR, each worth 50.00. */
function metrics(impressions: number, value: number, costPer1000 = 200): Metrics {
  const clicks = Math.round(impressions * 0.02);
  const conversions = Math.round(clicks * 0.01 * value);
  return { ...emptyMetrics(), impressions, clicks, spendMinor: Math.round((impressions * costPer1000) / 1000), conversions, clicksWithConversions: clicks, revenueMinor: conversions * 5000, spendWithRevenueMinor: Math.round((impressions * costPer1000) / 1000) };
}

const AGES: AgeBucket[] = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'];

/** Every age × gender cell with a million impressions; `best` converts `factor` times as well as the others. */
function cells(best: { age: AgeBucket; gender: Gender }, factor: number): DemographicHistory[] {
  return AGES.flatMap((age) => (['male', 'female'] as const).map((gender) => ({ age, gender, total: metrics(1_000_000, age === best.age && gender === best.gender ? factor : 1) })));
}

/** One country spending `amount` a day, on a curve that saturates at `saturation` (minor units a day). */
function curve(amount: number, saturation: number, highest: number): CountryCurve[] {
  return [{ countryCode: 'ES', amountMinor: amount, highestDailySpendMinor: highest, market: { code: 'ES', curve: { capacity: saturation, saturation }, valuePerImpression: 3, minMinor: 0, maxMinor: Infinity } }];
}

const decisionOf = (trace: readonly { kind: string }[]) => trace.find((e): e is DemographicTargetingEvent => e.kind === 'demographics.targeting')!;

describe('chooseDemographicsByValue', () => {
  it('keeps the whole audience without a breakdown, or without curves to say what narrowing costs', () => {
    const none = chooseDemographicsByValue([], curve(10_000, 1e9, 1e9));
    expect(none).toMatchObject({ ageMin: 18, ageMax: 65, gender: 'all' });
    expect(decisionOf(none.trace).what).toBe('no_data');
    const uncurved = chooseDemographicsByValue(cells({ age: '25-34', gender: 'female' }, 4), null);
    expect(uncurved).toMatchObject({ ageMin: 18, ageMax: 65, gender: 'all' });
    expect(decisionOf(uncurved.trace).what).toBe('no_curves');
  });

  it('narrows to the group that earns most where the curve is straight and the history covers the spend it implies', () => {
    const choice = chooseDemographicsByValue(cells({ age: '25-34', gender: 'female' }, 4), curve(10_000, 1e12, 1e9));
    expect(choice).toMatchObject({ ageMin: 25, ageMax: 34, gender: 'female' });
    const decision = decisionOf(choice.trace);
    expect(decision).toMatchObject({ what: 'narrowed', beyondObserved: 0 });
    if (decision.what !== 'narrowed') throw new Error('narrowed expected');
    expect(decision.best!.share).toBeCloseTo(1 / 12, 3);
    expect(decision.best!.gain).toBeGreaterThan(1);
    // The trace reads like the specification's buckets: each age and gender, and whether it is kept.
    const kept = choice.trace.filter((e) => e.kind === 'demographics.group' && e.kept).map((e) => (e.kind === 'demographics.group' ? e.group : ''));
    expect(kept.sort()).toEqual(['25-34', 'female']);
  });

  it('keeps the whole audience where the curve bends at the spend: a smaller audience saturates sooner', () => {
    const choice = chooseDemographicsByValue(cells({ age: '25-34', gender: 'female' }, 4), curve(10_000, 10_000, 1e9));
    expect(choice).toMatchObject({ ageMin: 18, ageMax: 65, gender: 'all' });
    const decision = decisionOf(choice.trace);
    expect(decision.what).toBe('kept_whole');
    if (decision.what !== 'kept_whole') throw new Error('kept_whole expected');
    expect(decision.best!.gain).toBeLessThan(NARROWING_MIN_GAIN);
  });

  it('leaves out a targeting that would read a country\'s curve beyond its highest daily spend', () => {
    // Spending 10,000 with 20,000 the highest day: a targeting must keep at least half the delivery (by cost).
    const choice = chooseDemographicsByValue(cells({ age: '25-34', gender: 'female' }, 4), curve(10_000, 1e12, 20_000));
    const decision = decisionOf(choice.trace);
    if (decision.what !== 'narrowed' && decision.what !== 'kept_whole') throw new Error('an evaluated decision expected');
    expect(decision.beyondObserved).toBeGreaterThan(0);
    expect(decision.best!.share).toBeGreaterThanOrEqual(0.5);
    expect(choice.gender === 'all' || choice.ageMin === 18 || choice.ageMax === 65).toBe(true);
  });

  it('judges narrowing on the countries with a day of spend: a country only the floor funds neither counts nor blocks it', () => {
    // Spain funded by its floor, never run in the window: its curve has no measured point at all.
    const floorOnly: CountryCurve = { ...curve(30_000, 1e12, 0)[0]!, countryCode: 'ES', market: { ...curve(30_000, 1e12, 0)[0]!.market, code: 'ES' } };
    const measured: CountryCurve = { ...curve(10_000, 1e12, 1e9)[0]!, countryCode: 'PT', market: { ...curve(10_000, 1e12, 1e9)[0]!.market, code: 'PT' } };
    const withFloor = chooseDemographicsByValue(cells({ age: '25-34', gender: 'female' }, 4), [floorOnly, measured]);
    const alone = chooseDemographicsByValue(cells({ age: '25-34', gender: 'female' }, 4), [measured]);
    expect(withFloor).toMatchObject({ ageMin: 25, ageMax: 34, gender: 'female' });
    const decision = decisionOf(withFloor.trace);
    if (decision.what !== 'narrowed') throw new Error('narrowed expected');
    expect(decision.unmeasured).toEqual(['ES']);
    expect(decision.beyondObserved).toBe(0);
    const aloneDecision = decisionOf(alone.trace);
    if (aloneDecision.what !== 'narrowed') throw new Error('narrowed expected');
    expect(decision.best).toEqual(aloneDecision.best);
    expect(decision.wholeExpected).toBe(aloneDecision.wholeExpected);

    // With no country measured, nothing says what narrowing costs: the audience the ad set reached stays.
    const none = chooseDemographicsByValue(cells({ age: '25-34', gender: 'female' }, 4), [floorOnly]);
    expect(none).toMatchObject({ ageMin: 18, ageMax: 65, gender: 'all' });
    expect(decisionOf(none.trace)).toMatchObject({ what: 'unmeasured', unmeasured: ['ES'] });
  });

  it('reads separate age and gender breakdowns as independent, and leaves out only the bucket that costs more than it brings', () => {
    const rows: DemographicHistory[] = [
      ...AGES.map((age) => ({ age, gender: '' as const, total: metrics(1_000_000, age === '18-24' ? 0.1 : 1) })),
      ...(['male', 'female'] as const).map((gender) => ({ age: '' as const, gender, total: metrics(3_000_000, 1) })),
    ];
    // A curve that bends at twice the spend: leaving out a sixth of the audience costs less than it gains, a narrower one more.
    const choice = chooseDemographicsByValue(rows, curve(10_000, 20_000, 1e9));
    expect(choice).toMatchObject({ ageMin: 25, ageMax: 65, gender: 'all' });
    const decision = decisionOf(choice.trace);
    if (decision.what !== 'narrowed') throw new Error('narrowed expected');
    expect(decision.best!.share).toBeCloseTo(5 / 6, 3);
  });

  it('never widens beyond the ages and gender the ad set reached: its rows say nothing of anyone else', () => {
    const rows: DemographicHistory[] = (['25-34', '35-44'] as const).map((age) => ({ age, gender: 'female' as const, total: metrics(1_000_000, age === '25-34' ? 3 : 1) }));
    const uncurved = chooseDemographicsByValue(rows, null);
    expect(uncurved).toMatchObject({ ageMin: 25, ageMax: 44, gender: 'female' });
    const narrowed = chooseDemographicsByValue(rows, curve(10_000, 1e12, 1e9));
    expect(narrowed).toMatchObject({ ageMin: 25, ageMax: 34, gender: 'female' });
    // The narrower targetings within it: 25-34 and 35-44, for women only.
    const decision = decisionOf(narrowed.trace);
    if (decision.what !== 'narrowed') throw new Error('narrowed expected');
    expect(decision.candidates).toBe(2);
  });
});
