import fc from 'fast-check';
import { presentTraceEvent } from '../presentation/present-trace.ts';
import { describe, expect, it } from 'vitest';
import { allocateByResponse, type CountryDaily } from './geo-bayes.ts';
import { NO_COUNTRY_LIMITS, roundWithin, splitUnderLimits, type CountryLimits, type LimitedSplit } from './geo-constraints.ts';
import { emptyMetrics } from './metrics.ts';
import { decideDocuments } from '../presentation/test-documents.ts';
import type { Market } from './response-curve.ts';
import { SPEC_SETTINGS } from './test-settings.ts';
import type { CampaignSnapshot, EngineSettings } from './types.ts';

/** A market whose first minor unit returns `a` and whose returns halve every `saturation·ln 2`. */
function market(code: string, a: number, saturation = 30_000): Market {
  return { code, curve: { capacity: saturation, saturation }, valuePerImpression: a, minMinor: 0, maxMinor: 0 };
}

const limits = (l: Partial<CountryLimits>): CountryLimits => ({ ...NO_COUNTRY_LIMITS, ...l });
const amountOf = (markets: readonly Market[], split: LimitedSplit, code: string) => split.amounts[markets.findIndex((m) => m.code === code)]!;
const boundsOf = (markets: readonly Market[], split: LimitedSplit, code: string) => split.bounds[markets.findIndex((m) => m.code === code)]!;
const relaxations = (split: LimitedSplit) => split.trace.map(presentTraceEvent).filter((t) => t.step === 'geo.relaxed').map((t) => `${t.numbers.country ?? '*'}:${t.numbers.relaxed}`);
const total = (split: LimitedSplit) => split.amounts.reduce((a, b) => a + b, 0);

// FR earns most, DE a little less, IT much less, ES least.
const MARKETS = [market('ES', 1), market('FR', 4), market('DE', 3), market('IT', 1.5)];

describe('splitUnderLimits', () => {
  it('without limits is the water-filling optimum under Spain\'s floor, to the cent', () => {
    const split = splitUnderLimits(MARKETS, 100_001, 35_001, NO_COUNTRY_LIMITS);
    expect(total(split)).toBe(100_001);
    expect(amountOf(MARKETS, split, 'ES')).toBe(35_001);
    expect(boundsOf(MARKETS, split, 'ES').binding).toBe('spain_floor');
    // The unbounded countries end at one water level.
    const returns = ['FR', 'DE', 'IT'].map((c) => boundsOf(MARKETS, split, c).marginalReturn);
    expect(Math.max(...returns) / Math.min(...returns)).toBeLessThan(1.001);
    expect(relaxations(split)).toEqual([]);
  });

  it('holds a maximum and a minimum share, saying which binds', () => {
    const split = splitUnderLimits(MARKETS, 100_000, 35_000, limits({ shares: { FR: { minPct: 0, maxPct: 25 }, IT: { minPct: 15, maxPct: 100 } } }));
    expect(amountOf(MARKETS, split, 'FR')).toBe(25_000);
    expect(boundsOf(MARKETS, split, 'FR')).toMatchObject({ upperMinor: 25_000, upperBy: 'share_max', binding: 'share_max' });
    expect(amountOf(MARKETS, split, 'IT')).toBe(15_000);
    expect(boundsOf(MARKETS, split, 'IT')).toMatchObject({ lowerMinor: 15_000, lowerBy: 'share_min', binding: 'share_min' });
    expect(total(split)).toBe(100_000);
  });

  it('rounds share limits outward to whole minor units, so limits that fit in percent fit in cents', () => {
    const two = [market('ES', 1), market('FR', 1)];
    const split = splitUnderLimits(two, 10_001, 0, limits({ shares: { ES: { minPct: 50, maxPct: 50 }, FR: { minPct: 50, maxPct: 50 } } }));
    expect(total(split)).toBe(10_001);
    expect(relaxations(split)).toEqual([]);
    for (const code of ['ES', 'FR']) expect(Math.abs(amountOf(two, split, code) - 5_000.5)).toBeLessThan(1);
  });

  it('drops the country furthest below the minimum budget and solves again', () => {
    const split = splitUnderLimits(MARKETS, 100_000, 35_000, limits({ minBudgetMinor: 15_000 }));
    expect(total(split)).toBe(100_000);
    expect(amountOf(MARKETS, split, 'IT')).toBe(0);
    expect(boundsOf(MARKETS, split, 'IT')).toMatchObject({ upperMinor: 0, upperBy: 'min_budget', binding: 'min_budget' });
    for (const a of split.amounts) expect(a === 0 || a >= 15_000).toBe(true);
    expect(split.trace.map(presentTraceEvent).find((t) => t.step === 'geo.min_budget')!.numbers).toMatchObject({ country: 'IT', action: 'dropped' });
  });

  it('raises a country to the minimum when the others cannot absorb its budget', () => {
    const split = splitUnderLimits(MARKETS, 100_000, 35_000, limits({ minBudgetMinor: 15_000, shares: { ES: { minPct: 0, maxPct: 40 }, FR: { minPct: 0, maxPct: 30 }, DE: { minPct: 0, maxPct: 25 } } }));
    expect(total(split)).toBe(100_000);
    expect(amountOf(MARKETS, split, 'IT')).toBe(15_000);
    expect(boundsOf(MARKETS, split, 'IT').binding).toBe('min_budget');
    expect(split.trace.map(presentTraceEvent).find((t) => t.step === 'geo.min_budget')!.numbers).toMatchObject({ country: 'IT', action: 'raised' });
    expect(relaxations(split)).toEqual([]);
  });

  it('keeps every country within the change limit of the previous split rescaled to this budget', () => {
    // Half the budget before, split evenly: now 25,000 each ±20 % (Spain's floor 15 %).
    const previous = { totalBudgetMinor: 50_000, allocations: ['ES', 'FR', 'DE', 'IT'].map((c) => ({ countryCode: c, amountMinor: 12_500 })) };
    const split = splitUnderLimits(MARKETS, 100_000, 15_000, limits({ maxChangePct: 20, previous }));
    expect(total(split)).toBe(100_000);
    for (const a of split.amounts) {
      expect(a).toBeGreaterThanOrEqual(20_000);
      expect(a).toBeLessThanOrEqual(30_000);
    }
    expect(boundsOf(MARKETS, split, 'FR').binding).toBe('change_up');
    expect(boundsOf(MARKETS, split, 'ES').binding).toBe('change_down');
    expect(split.trace.map(presentTraceEvent).find((t) => t.step === 'geo.limits')!.numbers).toMatchObject({ change_pct_in_force: 20, previous_total_minor: 50_000 });
  });

  it('as applied: where the budget moved less than the limit, each country stays within it of the amount its ad set holds', () => {
    // 25,000 each before; the budget falls 8 % to 92,000. Rescaled, ES (least valuable) could fall to 0.8 × 23,000 = 18,400.
    const previous = { totalBudgetMinor: 100_000, allocations: ['ES', 'FR', 'DE', 'IT'].map((c) => ({ countryCode: c, amountMinor: 25_000 })) };
    const rescaled = splitUnderLimits(MARKETS, 92_000, 15_000, limits({ maxChangePct: 20, previous }));
    const applied = splitUnderLimits(MARKETS, 92_000, 15_000, limits({ maxChangePct: 20, previous, asApplied: true }));
    expect(amountOf(MARKETS, rescaled, 'ES')).toBeLessThan(20_000);
    for (const split of [rescaled, applied]) expect(total(split)).toBe(92_000);
    for (const a of applied.amounts) {
      expect(a).toBeGreaterThanOrEqual(20_000);
      expect(a).toBeLessThanOrEqual(30_000);
    }
    expect(applied.trace.map(presentTraceEvent).find((t) => t.step === 'geo.limits')!).toMatchObject({ decision: expect.stringMatching(/±20 % of the previous split as applied/), numbers: { change_limit_against: 'as_applied' } });
    // The budget halved: no split fits within 20 % of the amounts held, so the rescaled split bounds it.
    const halved = splitUnderLimits(MARKETS, 50_000, 15_000, limits({ maxChangePct: 20, previous, asApplied: true }));
    expect(halved.amounts).toEqual(splitUnderLimits(MARKETS, 50_000, 15_000, limits({ maxChangePct: 20, previous })).amounts);
    expect(halved.trace.map(presentTraceEvent).find((t) => t.step === 'geo.limits')!.decision).toMatch(/rescaled to this budget/);
    // A first run's history is window totals, not amounts held: always rescaled.
    const history = { ...previous, from: 'history' as const };
    expect(splitUnderLimits(MARKETS, 92_000, 15_000, limits({ maxChangePct: 20, previous: history, asApplied: true })).amounts).toEqual(splitUnderLimits(MARKETS, 92_000, 15_000, limits({ maxChangePct: 20, previous: history })).amounts);
  });

  it('lets a country the previous split did not fund enter with up to the change percentage of the budget', () => {
    const three = [market('ES', 1), market('FR', 4), market('IT', 1.5)];
    const previous = { totalBudgetMinor: 100_000, allocations: [{ countryCode: 'ES', amountMinor: 50_000 }, { countryCode: 'IT', amountMinor: 50_000 }] };
    const split = splitUnderLimits(three, 100_000, 35_000, limits({ maxChangePct: 20, previous }));
    expect(amountOf(three, split, 'FR')).toBe(20_000);
    expect(boundsOf(three, split, 'FR')).toMatchObject({ lowerMinor: 0, upperMinor: 20_000, binding: 'change_up' });
    expect(total(split)).toBe(100_000);
  });

  it('has no change limit at 100 % or on a first run', () => {
    const previous = { totalBudgetMinor: 100_000, allocations: MARKETS.map((m) => ({ countryCode: m.code, amountMinor: 25_000 })) };
    const free = splitUnderLimits(MARKETS, 100_000, 35_000, NO_COUNTRY_LIMITS);
    expect(splitUnderLimits(MARKETS, 100_000, 35_000, limits({ maxChangePct: 100, previous })).amounts).toEqual(free.amounts);
    const first = splitUnderLimits(MARKETS, 100_000, 35_000, limits({ maxChangePct: 20, previous: null }));
    expect(first.amounts).toEqual(free.amounts);
    expect(presentTraceEvent(first.trace[0]!).decision).toMatch(/first run/);
  });

  it('relaxes the change limit for one country whose window misses its share limits', () => {
    const previous = { totalBudgetMinor: 100_000, allocations: [{ countryCode: 'ES', amountMinor: 40_000 }, { countryCode: 'FR', amountMinor: 10_000 }, { countryCode: 'DE', amountMinor: 25_000 }, { countryCode: 'IT', amountMinor: 25_000 }] };
    const split = splitUnderLimits(MARKETS, 100_000, 35_000, limits({ maxChangePct: 20, previous, shares: { FR: { minPct: 20, maxPct: 100 } } }));
    expect(relaxations(split)).toEqual(['FR:change']);
    expect(amountOf(MARKETS, split, 'FR')).toBeGreaterThanOrEqual(20_000);
    expect(total(split)).toBe(100_000);
  });

  it('widens the change limit when the boxes cannot sum to the budget, and says to what', () => {
    // New caps FR 30 % and DE 25 % each meet their own window, but ES (35 % before) must then take
    // 45 %: +28.6 %, so the limit is widened to the next whole percentage, 29 %.
    const three = [market('ES', 1), market('FR', 2), market('DE', 2)];
    const previous = { totalBudgetMinor: 100_000, allocations: [{ countryCode: 'ES', amountMinor: 35_000 }, { countryCode: 'FR', amountMinor: 35_000 }, { countryCode: 'DE', amountMinor: 30_000 }] };
    const split = splitUnderLimits(three, 100_000, 35_000, limits({ maxChangePct: 20, previous, shares: { FR: { minPct: 0, maxPct: 30 }, DE: { minPct: 0, maxPct: 25 } } }));
    expect(split.amounts).toEqual([45_000, 30_000, 25_000]);
    expect(split.trace.map(presentTraceEvent).find((t) => t.step === 'geo.limits')!.numbers).toMatchObject({ change_pct_in_force: 29, share_limits_in_force: true });
    expect(relaxations(split)).toEqual(['*:change']);
    expect(split.trace.map(presentTraceEvent).some((t) => t.step === 'geo.relaxed' && t.decision.includes('widened to ±29 %'))).toBe(true);
  });

  it('relaxes the change limit of a country before its minimum budget', () => {
    // IT had 5,000 (window 4,000–6,000) but the minimum is 10,000: IT gets 0 or at least 10,000.
    const previous = { totalBudgetMinor: 100_000, allocations: [{ countryCode: 'ES', amountMinor: 35_000 }, { countryCode: 'FR', amountMinor: 35_000 }, { countryCode: 'DE', amountMinor: 25_000 }, { countryCode: 'IT', amountMinor: 5_000 }] };
    const split = splitUnderLimits(MARKETS, 100_000, 35_000, limits({ maxChangePct: 20, previous, minBudgetMinor: 10_000 }));
    expect(relaxations(split)).toEqual(['IT:change']);
    const it = amountOf(MARKETS, split, 'IT');
    expect(it === 0 || it >= 10_000).toBe(true);
    expect(total(split)).toBe(100_000);
  });

  it('relaxes the minimum budget before a share limit that keeps a country under it', () => {
    const split = splitUnderLimits(MARKETS, 100_000, 35_000, limits({ minBudgetMinor: 10_000, shares: { IT: { minPct: 2, maxPct: 5 } } }));
    expect(relaxations(split)).toEqual(['IT:min_budget']);
    expect(amountOf(MARKETS, split, 'IT')).toBeGreaterThanOrEqual(2_000);
    expect(amountOf(MARKETS, split, 'IT')).toBeLessThanOrEqual(5_000);
  });

  it('drops the minimum budget when not even Spain can reach it, and keeps Spain\'s floor', () => {
    const split = splitUnderLimits(MARKETS, 4_000, 1_400, limits({ minBudgetMinor: 5_000 }));
    expect(total(split)).toBe(4_000);
    expect(amountOf(MARKETS, split, 'ES')).toBeGreaterThanOrEqual(1_400);
    expect(relaxations(split)).toEqual(['ES:min_budget']);
    // The others cannot reach the minimum under the budget: they get nothing.
    expect(split.amounts.filter((a) => a > 0)).toEqual([4_000]);
  });

  it('drops the share limits last, when the ad set\'s countries are capped below the whole budget', () => {
    const two = [market('ES', 1), market('FR', 2)];
    const split = splitUnderLimits(two, 100_000, 35_000, limits({ shares: { ES: { minPct: 0, maxPct: 40 }, FR: { minPct: 0, maxPct: 30 } } }));
    expect(relaxations(split)).toEqual(['*:share']);
    expect(total(split)).toBe(100_000);
    expect(split.amounts[0]).toBeGreaterThanOrEqual(35_000);
  });

  it('lets Spain\'s floor win over an ES maximum below it', () => {
    const split = splitUnderLimits(MARKETS, 100_000, 35_000, limits({ shares: { ES: { minPct: 0, maxPct: 20 } } }));
    expect(amountOf(MARKETS, split, 'ES')).toBe(35_000);
    expect(relaxations(split)).toEqual(['ES:share_max']);
  });
});

/** A country whose days follow capacity·(1 − exp(−spend/saturation)), every impression worth `value` per click. */
function country(code: string, capacity: number, saturation: number): CountryDaily {
  const daily = [8_000, 12_000, 10_000, 15_000, 9_000, 11_000, 14_000].map((s) => ({ spendMinor: s, impressions: Math.round(capacity * (1 - Math.exp(-s / saturation))) }));
  const impressions = daily.reduce((a, d) => a + d.impressions, 0);
  const spendMinor = daily.reduce((a, d) => a + d.spendMinor, 0);
  const clicks = Math.round(impressions * 0.02);
  const conversions = Math.round(clicks * 0.03);
  return { countryCode: code, daily, total: { ...emptyMetrics(), impressions, clicks, spendMinor, conversions, clicksWithConversions: clicks, revenueMinor: conversions * 4_000, spendWithRevenueMinor: spendMinor } };
}

describe('the limits in the bayes split', () => {
  const countries = [country('ES', 150_000, 20_000), country('MX', 400_000, 15_000), country('AR', 300_000, 15_000)];

  it('offers a country with a minimum share even without history, and traces each country\'s bounds', () => {
    const result = allocateByResponse(100_000, countries, 35, limits({ shares: { PT: { minPct: 10, maxPct: 20 }, MX: { minPct: 0, maxPct: 10 } } }))!;
    const pt = result.allocations.find((a) => a.countryCode === 'PT')!;
    expect(pt.amountMinor).toBeGreaterThanOrEqual(10_000);
    expect(pt.amountMinor).toBeLessThanOrEqual(20_000);
    const mx = result.trace.map(presentTraceEvent).find((t) => t.step === 'geo.response' && t.numbers.country === 'MX')!;
    expect(mx.numbers).toMatchObject({ upper_minor: 10_000, upper_by: 'share_max', binding: 'share_max' });
    expect(typeof mx.numbers.marginal_return).toBe('number');
    expect(result.trace.map(presentTraceEvent).filter((t) => t.step === 'geo.response')).toHaveLength(4);
    expect(result.allocations.reduce((s, a) => s + a.amountMinor, 0)).toBe(100_000);
  });

  it('take the previous split of the same ad set from the earlier runs, and settings without the limits read as none', () => {
    const snapshot: CampaignSnapshot = {
      campaignId: 'c', currency: 'EUR', windowStart: '2026-11-01', windowEnd: '2026-11-07', pixelEvents: [],
      adsets: [{ adsetId: 'a', segments: [], countries, demographics: [], total: emptyMetrics(), recent: emptyMetrics() }],
    };
    const bayes: EngineSettings = { ...SPEC_SETTINGS, strategy: 'bayes', maxChangePct: 20, minCountryBudget: 50 };
    const previous = { adsetId: 'a', totalBudgetMinor: 50_000, allocations: [{ countryCode: 'ES', amountMinor: 25_000 }, { countryCode: 'MX', amountMinor: 12_500 }, { countryCode: 'AR', amountMinor: 12_500 }] };
    const amounts = (settings: EngineSettings, adsetId: string) => {
      const [d] = decideDocuments({ snapshot, totalBudgetMinor: 100_000, settings, earlierRuns: { geo: [{ ...previous, adsetId }] } });
      return Object.fromEntries(d!.draft.geo_allocations.map((g) => [g.country_code, Math.round(g.budget_amount * 100)]));
    };
    const limited = amounts(bayes, 'a');
    expect(limited.ES).toBeGreaterThanOrEqual(40_000);
    expect(limited.MX).toBeLessThanOrEqual(30_000);
    expect(limited.AR).toBeLessThanOrEqual(30_000);
    // Another ad set's previous split does not limit this one: its first run.
    const { maxChangePct: _c, minCountryBudget: _m, ...stored } = bayes;
    const free = amounts(stored, 'a');
    expect(amounts(bayes, 'b')).toEqual(free);
    expect(free).not.toEqual(limited);
  });

  it('hold a first run to the change limit against the history\'s own split when asked, and say so', () => {
    const snapshot: CampaignSnapshot = {
      campaignId: 'c', currency: 'EUR', windowStart: '2026-11-01', windowEnd: '2026-11-07', pixelEvents: [],
      // MX earns far more per unit of spend than AR: free, the split moves toward it.
      adsets: [{ adsetId: 'a', segments: [], countries: [country('ES', 150_000, 20_000), country('MX', 900_000, 15_000), country('AR', 60_000, 15_000)], demographics: [], total: emptyMetrics(), recent: emptyMetrics() }],
    };
    const bayes: EngineSettings = { ...SPEC_SETTINGS, strategy: 'bayes', maxChangePct: 20 };
    const decide = (settings: EngineSettings) => decideDocuments({ snapshot, totalBudgetMinor: 100_000, settings })[0]!.draft;
    const amounts = (settings: EngineSettings) => Object.fromEntries(decide(settings).geo_allocations.map((g) => [g.country_code, Math.round(g.budget_amount * 100)]));
    // Every country spent the same each day: the history's split is a third each.
    const bounded = amounts({ ...bayes, firstRunChangeLimit: true });
    for (const code of ['ES', 'MX', 'AR']) {
      expect(bounded[code]).toBeGreaterThanOrEqual(Math.floor((100_000 / 3) * 0.8));
      expect(bounded[code]).toBeLessThanOrEqual(Math.ceil((100_000 / 3) * 1.2));
    }
    const limitsLine = decide({ ...bayes, firstRunChangeLimit: true }).reasoning.trace.find((t) => t.step === 'geo.limits')!;
    expect(limitsLine.numbers).toMatchObject({ previous_from: 'history', change_pct_in_force: 20 });
    expect(limitsLine.decision).toContain('the history\'s split');
    // Off, or stored before the setting existed: a first run is free of the change limit.
    const free = amounts(bayes);
    expect(amounts({ ...bayes, firstRunChangeLimit: false })).toEqual(free);
    expect(free).not.toEqual(bounded);
    expect(decide(bayes).reasoning.trace.find((t) => t.step === 'geo.limits')!.numbers).not.toHaveProperty('previous_from');
  });
});

describe('roundWithin', () => {
  it('sums exactly and stays inside the integer bounds', () => {
    expect(roundWithin([10.6, 10.6, 10.8], [11, 0, 0], [11, 100, 100], 32)).toEqual([11, 10, 11]);
    expect(roundWithin([0.5, 0.5], [0, 0], [0, 10], 1)).toEqual([0, 1]);
  });
});

describe('splitUnderLimits, property', () => {
  const codes = ['ES', 'FR', 'DE', 'IT', 'PT'];
  const scenario = fc.record({
    n: fc.integer({ min: 1, max: 5 }),
    values: fc.array(fc.double({ min: 0.05, max: 10, noNaN: true }), { minLength: 5, maxLength: 5 }),
    saturations: fc.array(fc.integer({ min: 500, max: 200_000 }), { minLength: 5, maxLength: 5 }),
    total: fc.integer({ min: 1, max: 2_000_000 }),
    spainPct: fc.integer({ min: 0, max: 60 }),
    shareMins: fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 5, maxLength: 5 }),
    shareWidths: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 5, maxLength: 5 }),
    useShares: fc.boolean(),
    minBudget: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 500_000 })),
    changePct: fc.integer({ min: 0, max: 100 }),
    previousWeights: fc.option(fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 5, maxLength: 5 })),
    previousTotal: fc.integer({ min: 1, max: 2_000_000 }),
    trustCeilings: fc.option(fc.array(fc.integer({ min: 0, max: 2_000_000 }), { minLength: 5, maxLength: 5 })),
  });

  it('sums to the cent, keeps Spain\'s floor, stays in the stated bounds, and holds every limit it does not say it relaxed', () => {
    fc.assert(fc.property(scenario, (s) => {
      const markets = codes.slice(0, s.n).map((c, i) => market(c, s.values[i]!, s.saturations[i]!));
      const floor = Math.ceil((s.total * s.spainPct) / 100 - 1e-9);
      const shares = s.useShares ? Object.fromEntries(codes.slice(0, s.n).map((c, i) => [c, { minPct: s.shareMins[i]!, maxPct: Math.min(100, s.shareMins[i]! + s.shareWidths[i]!) }])) : {};
      const previous = s.previousWeights === null ? null : { totalBudgetMinor: s.previousTotal, allocations: codes.map((c, i) => ({ countryCode: c, amountMinor: s.previousWeights![i]! * 1_000 })) };
      const trust = s.trustCeilings === null ? undefined : Object.fromEntries(codes.slice(0, s.n).map((c, i) => [c, { maxMinor: s.trustCeilings![i]!, by: 'trust_history' as const }]));
      const l = limits({ shares, minBudgetMinor: s.minBudget, maxChangePct: s.changePct, previous, ...(trust ? { trust } : {}) });
      const split = splitUnderLimits(markets, s.total, floor, l);

      expect(split.amounts.every((a) => Number.isInteger(a) && a >= 0)).toBe(true);
      expect(total(split)).toBe(s.total);
      expect(split.amounts[0]).toBeGreaterThanOrEqual(floor);
      for (const [i, b] of split.bounds.entries()) {
        expect(split.amounts[i]).toBeGreaterThanOrEqual(b.lowerMinor);
        expect(split.amounts[i]).toBeLessThanOrEqual(b.upperMinor);
      }
      const relaxed = new Set(relaxations(split));
      const limitsNumbers = split.trace.map(presentTraceEvent).find((t) => t.step === 'geo.limits')!.numbers;
      const heldFor = (rule: string, code: string) => !relaxed.has(`*:${rule}`) && !relaxed.has(`${code}:${rule}`);
      for (const [i, m] of markets.entries()) {
        const a = split.amounts[i]!;
        const share = shares[m.code];
        if (share && heldFor('share', m.code) && limitsNumbers.share_limits_in_force) {
          expect(a).toBeGreaterThanOrEqual(Math.floor((s.total * share.minPct) / 100 + 1e-9));
          if (!relaxed.has(`${m.code}:share_max`)) expect(a).toBeLessThanOrEqual(Math.ceil((s.total * share.maxPct) / 100 - 1e-9));
        }
        if (s.minBudget > 0 && heldFor('min_budget', m.code) && limitsNumbers.min_budget_in_force) expect(a === 0 || a >= s.minBudget).toBe(true);
        // The trust ceiling holds unless a higher-priority lower bound (the floor, a minimum share) is above it, and then the amount sits on that bound.
        if (trust && limitsNumbers.trust_region_in_force) {
          const lowerFirst = Math.max(m.code === 'ES' ? floor : 0, share && limitsNumbers.share_limits_in_force ? Math.floor((s.total * share.minPct) / 100 + 1e-9) : 0);
          expect(a).toBeLessThanOrEqual(Math.max(trust[m.code]!.maxMinor, lowerFirst));
        }
      }
      const inForce = limitsNumbers.change_pct_in_force;
      if (typeof inForce === 'number' && previous !== null) {
        const offered = previous.allocations.filter((p) => p.amountMinor > 0 && markets.some((m) => m.code === p.countryCode));
        const offeredTotal = offered.reduce((t, p) => t + p.amountMinor, 0);
        for (const [i, m] of markets.entries()) {
          if (!heldFor('change', m.code)) continue;
          const p = ((offered.find((o) => o.countryCode === m.code)?.amountMinor ?? 0) * s.total) / offeredTotal;
          const c = inForce / 100;
          if (p > 0) expect(split.amounts[i]).toBeGreaterThanOrEqual(Math.floor(p * (1 - c) + 1e-9));
          expect(split.amounts[i]).toBeLessThanOrEqual(Math.ceil((p > 0 ? p * (1 + c) : s.total * c) - 1e-9));
        }
      }
    }), { numRuns: 400 });
  });

  it('relaxes nothing when the change limit alone starts from a split that met Spain\'s floor', () => {
    fc.assert(fc.property(scenario, (s) => {
      const markets = codes.slice(0, s.n).map((c, i) => market(c, s.values[i]!, s.saturations[i]!));
      const weights = s.previousWeights ?? [1, 1, 1, 1, 1];
      const floorPct = s.spainPct;
      // A previous split of the same countries whose Spain share met the same floor.
      const others = weights.slice(1, s.n).map((w) => w + 1);
      const othersSum = others.reduce((a, b) => a + b, 0);
      const previousTotal = 1_000_000;
      const spainPrev = s.n === 1 ? previousTotal : Math.ceil((previousTotal * Math.max(floorPct, 1)) / 100);
      const rest = previousTotal - spainPrev;
      const allocations = [{ countryCode: 'ES', amountMinor: spainPrev }, ...others.map((w, i) => ({ countryCode: codes[i + 1]!, amountMinor: Math.floor((rest * w) / othersSum) }))];
      const floor = Math.ceil((s.total * floorPct) / 100 - 1e-9);
      const split = splitUnderLimits(markets, s.total, floor, limits({ maxChangePct: s.changePct, previous: { totalBudgetMinor: previousTotal, allocations } }));
      expect(relaxations(split)).toEqual([]);
      expect(total(split)).toBe(s.total);
    }), { numRuns: 300 });
  });
});
