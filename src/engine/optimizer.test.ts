import { describe, expect, it } from 'vitest';
import { emptyMetrics } from './metrics.ts';
import { decideDocuments } from '../presentation/test-documents.ts';
import type { AdSetSnapshot, CampaignSnapshot, EngineSettings, Metrics, SegmentHistory } from './types.ts';
import { SPEC_SETTINGS } from './test-settings.ts';

const settings: EngineSettings = SPEC_SETTINGS;

function metrics(impressions: number, ctr: number, cvr: number, roas: number, cpcMinor = 40): Metrics {
  const clicks = Math.round(impressions * ctr);
  const spendMinor = clicks * cpcMinor;
  return {
    ...emptyMetrics(),
    impressions,
    clicks,
    spendMinor,
    reach: Math.round(impressions / 1.5),
    impressionsWithReach: impressions,
    conversions: Math.round(clicks * cvr),
    clicksWithConversions: clicks,
    revenueMinor: Math.round(spendMinor * roas),
    spendWithRevenueMinor: spendMinor,
  };
}

function interest(id: string, name: string, m: Metrics, recent: Metrics = emptyMetrics()): SegmentHistory {
  return { segmentType: 'interest', segmentId: id, segmentName: name, total: m, recent };
}

function adset(id: string | null, extra: Partial<AdSetSnapshot> = {}): AdSetSnapshot {
  return {
    adsetId: id,
    segments: [],
    countries: [
      { countryCode: 'ES', total: metrics(200_000, 0.012, 0.02, 2.0, 60) },
      { countryCode: 'MX', total: metrics(300_000, 0.025, 0.04, 4.0, 15) },
      { countryCode: 'AR', total: metrics(150_000, 0.02, 0.03, 3.0, 20) },
    ],
    demographics: [],
    total: metrics(650_000, 0.02, 0.03, 3.0),
    recent: metrics(150_000, 0.02, 0.03, 3.0),
    ...extra,
  };
}

function snapshot(adsets: AdSetSnapshot[]): CampaignSnapshot {
  return { campaignId: '123456789', currency: 'EUR', windowStart: '2026-10-22', windowEnd: '2026-11-20', adsets, pixelEvents: [] };
}

describe('optimizeCampaign', () => {
  it('splits the campaign budget between ad sets by their spend, to the cent', () => {
    const a = adset('a');
    const b = adset('b', { total: { ...a.total, spendMinor: a.total.spendMinor * 3 } });
    const decisions = decideDocuments({ snapshot: snapshot([a, b]), totalBudgetMinor: 100_001, settings });
    expect(decisions.map((d) => d.budgetMinor)).toEqual([25_000, 75_001]);
    for (const d of decisions) {
      const sum = d.draft.geo_allocations.reduce((s, g) => s + Math.round(g.budget_amount * 100), 0);
      expect(sum).toBe(d.budgetMinor);
      expect(d.draft.total_budget).toBe(d.budgetMinor / 100);
    }
  });

  it("splits it by the ad sets' own daily budgets where every ad set has one (LIVE), whatever each spent; by spend otherwise", () => {
    const a = adset('a');
    const b = adset('b', { total: { ...a.total, spendMinor: a.total.spendMinor * 3 } });
    const byBudgets = { ...settings, adsetBudgetsMinor: [{ adsetId: 'a', amountMinor: 60_000 }, { adsetId: 'b', amountMinor: 40_000 }] };
    const decisions = decideDocuments({ snapshot: snapshot([a, b]), totalBudgetMinor: 100_000, settings: byBudgets });
    expect(decisions.map((d) => d.budgetMinor)).toEqual([60_000, 40_000]);
    expect(decisions[0]!.draft.reasoning.trace.find((t) => t.step === 'budget')!.numbers).toMatchObject({ share: 0.6, rule: "share of the ad sets' own daily budgets" });
    // One ad set without a budget of its own: shared by spend, as before.
    const partial = { ...settings, adsetBudgetsMinor: [{ adsetId: 'a', amountMinor: 60_000 }] };
    expect(decideDocuments({ snapshot: snapshot([a, b]), totalBudgetMinor: 100_000, settings: partial }).map((d) => d.budgetMinor)).toEqual([25_000, 75_000]);
  });

  it('gives Spain at least its floor even when it performs worst, and says so in the trace', () => {
    const [d] = decideDocuments({ snapshot: snapshot([adset('a')]), totalBudgetMinor: 100_000, settings });
    const es = d!.draft.geo_allocations.find((g) => g.country_code === 'ES')!;
    expect(es.budget_amount).toBeGreaterThanOrEqual(350);
    expect(d!.draft.reasoning.spain_allocation_pct).toBeGreaterThanOrEqual(35);
    expect(d!.draft.countries[0]).toBe('ES');
    expect(d!.draft.reasoning.trace.some((t) => t.step.startsWith('geo') && /spain|floor/i.test(`${t.step} ${t.decision}`))).toBe(true);
    // MX is the better market, so it gets more than AR.
    const mx = d!.draft.geo_allocations.find((g) => g.country_code === 'MX')!;
    const ar = d!.draft.geo_allocations.find((g) => g.country_code === 'AR')!;
    expect(mx.budget_amount).toBeGreaterThan(ar.budget_amount);
    expect(d!.draft.budget_per_segment).toEqual(Object.fromEntries(d!.draft.geo_allocations.map((g) => [g.country_code, g.budget_amount])));
  });

  it('ranks interests by score, keeps at most the configured number, and drops fatigued ones', () => {
    const segments: SegmentHistory[] = [];
    for (let i = 0; i < 30; i++) segments.push(interest(`600310790${String(i).padStart(4, '0')}`, `Interest ${i}`, metrics(50_000, 0.01 + i * 0.001, 0.02 + i * 0.001, 2 + i * 0.1)));
    // The best on paper, but its CTR collapsed in the recent days.
    const tired = interest('6003999999999', 'Tired interest', metrics(100_000, 0.05, 0.08, 6), metrics(30_000, 0.01, 0.08, 6));
    const [d] = decideDocuments({ snapshot: snapshot([adset('a', { segments: [...segments, tired] })]), totalBudgetMinor: 50_000, settings });
    const chosen = d!.draft.interests;
    expect(chosen).toHaveLength(15);
    expect(chosen.map((i) => i.rank)).toEqual(Array.from({ length: 15 }, (_, k) => k + 1));
    expect(chosen[0]!.interest_name).toBe('Interest 29');
    expect(chosen.some((i) => i.interest_id === '6003999999999')).toBe(false);
    for (let k = 1; k < chosen.length; k++) expect(chosen[k - 1]!.score).toBeGreaterThanOrEqual(chosen[k]!.score);
    expect(JSON.stringify(d!.draft.reasoning.trace)).toContain('Tired interest');
  });

  it('falls back to Spain alone, scored from the priors, when there is no country breakdown', () => {
    const [d] = decideDocuments({ snapshot: snapshot([adset(null, { countries: [] })]), totalBudgetMinor: 12_345, settings });
    expect(d!.draft.geo_allocations).toHaveLength(1);
    expect(d!.draft.geo_allocations[0]).toMatchObject({ country_code: 'ES', budget_pct: 100, budget_amount: 123.45 });
    expect(d!.draft.reasoning.trace.some((t) => t.decision.includes('no country breakdown'))).toBe(true);
  });

  it('produces a recommendation even for a campaign with no ad sets and no history', () => {
    const decisions = decideDocuments({ snapshot: snapshot([]), totalBudgetMinor: 1000, settings });
    expect(decisions).toHaveLength(1);
    const r = decisions[0]!.draft;
    expect(r.adset_id).toBeNull();
    expect(r.confidence).toBe(0);
    expect(r.expected_ctr).toBeCloseTo(settings.priors.ctr, 6);
    expect(r.age_min).toBe(18);
    expect(r.age_max).toBe(65);
  });

  it('has every field of the specification example', () => {
    const [d] = decideDocuments({ snapshot: snapshot([adset('a')]), totalBudgetMinor: 100_000, settings });
    expect(Object.keys(d!.draft).sort()).toEqual(
      [
        'adset_id', 'campaign_id', 'countries', 'geo_allocations', 'age_min', 'age_max', 'gender', 'interests', 'behaviors',
        'custom_audiences', 'lookalikes', 'frequency_cap', 'frequency_window_days', 'total_budget', 'budget_per_segment',
        'reasoning', 'expected_ctr', 'expected_cvr', 'expected_roas', 'confidence',
      ].sort(),
    );
    expect(Object.keys(d!.draft.geo_allocations[0]!).sort()).toEqual(
      ['country_code', 'country_name', 'budget_pct', 'budget_amount', 'avg_cpc', 'avg_ctr', 'avg_roas', 'engagement_score'].sort(),
    );
  });

  it('is deterministic: the same input gives the same recommendation', () => {
    const input = { snapshot: snapshot([adset('a'), adset('b')]), totalBudgetMinor: 99_999, settings };
    expect(JSON.stringify(decideDocuments(input))).toBe(JSON.stringify(decideDocuments(input)));
  });

  it('rejects a budget that is not a positive whole number of minor units', () => {
    expect(() => decideDocuments({ snapshot: snapshot([adset('a')]), totalBudgetMinor: 0, settings })).toThrow(RangeError);
    expect(() => decideDocuments({ snapshot: snapshot([adset('a')]), totalBudgetMinor: 10.5, settings })).toThrow(RangeError);
  });
});

describe('optimizeCampaign with the bayes strategy', () => {
  const bayes: EngineSettings = { ...settings, strategy: 'bayes' };
  const daily = (capacity: number, saturation: number) => [6_000, 9_000, 12_000, 7_500, 10_500, 8_000].map((s) => ({ spendMinor: s, impressions: Math.round(capacity * (1 - Math.exp(-s / saturation))) }));

  it('splits by response curves, keeps Spain at its floor or above, and explains the marginal returns', () => {
    const a = adset('a');
    a.countries = a.countries.map((c, i) => ({ ...c, daily: daily(100_000 * (i + 1), 10_000) }));
    const [d] = decideDocuments({ snapshot: snapshot([a]), totalBudgetMinor: 100_000, settings: bayes });
    expect(d!.draft.reasoning.strategy).toBe('bayes');
    expect(d!.draft.geo_allocations.find((g) => g.country_code === 'ES')!.budget_amount).toBeGreaterThanOrEqual(350);
    expect(d!.draft.geo_allocations.reduce((s, g) => s + Math.round(g.budget_amount * 100), 0)).toBe(100_000);
    expect(d!.draft.reasoning.trace.filter((t) => t.step === 'geo.response')).toHaveLength(3);
  });

  it('falls back to the seed split, saying so, when no curve can be fitted', () => {
    const [d] = decideDocuments({ snapshot: snapshot([adset('a')]), totalBudgetMinor: 100_000, settings: bayes });
    expect(d!.draft.reasoning.trace.some((t) => t.step === 'geo.strategy' && t.decision.includes('seed split used'))).toBe(true);
  });

  it('moves expected ROAS to the recent level the trace states, keeping the seed expected CTR and CVR', () => {
    // The window's ROAS is 3.0; its last 7 days ran at 4.5, so the audience now earns more than the window says.
    const a = adset('a', { recent: metrics(150_000, 0.02, 0.03, 4.5) });
    const [seed] = decideDocuments({ snapshot: snapshot([a]), totalBudgetMinor: 100_000, settings });
    const [d] = decideDocuments({ snapshot: snapshot([a]), totalBudgetMinor: 100_000, settings: bayes });
    const expected = d!.draft.reasoning.trace.find((t) => t.step === 'expected')!;
    const factor = expected.numbers!.roas_level_factor as number;
    expect(factor).toBeGreaterThan(1.4);
    expect(factor).toBeLessThan(1.5);
    expect(expected.decision).toContain("moved to the last 7 days' level");
    expect(d!.draft.expected_roas).toBeCloseTo((expected.numbers!.roas_window_rates as number) * factor, 2);
    expect(d!.draft.expected_ctr).toBe(seed!.draft.expected_ctr);
    expect(d!.draft.expected_cvr).toBe(seed!.draft.expected_cvr);
    // Without a change in level the expected ROAS is the window's rates.
    const [flat] = decideDocuments({ snapshot: snapshot([adset('a')]), totalBudgetMinor: 100_000, settings: bayes });
    expect(flat!.draft.reasoning.trace.find((t) => t.step === 'expected')!.numbers!.roas_level_factor).toBe(1);
  });
});

describe('the pixel genre boost under the bayes strategy', () => {
  const bayes: EngineSettings = { ...SPEC_SETTINGS, strategy: 'bayes', maxInterests: 2, segmentPool: 'campaign' };
  const withInterests = (pixel: boolean): CampaignSnapshot => ({
    ...snapshot([adset('a', {
      segments: [
        interest('1', 'Chess', metrics(40_000, 0.02, 0.05, 4.2)),
        interest('2', 'Knitting', metrics(40_000, 0.02, 0.05, 4.0)),
        interest('3', 'Hotels', metrics(40_000, 0.02, 0.05, 3.8)),
      ],
    })]),
    pixelEvents: pixel ? [{ eventName: 'ViewContent', contentCategory: 'travel', count: 900 }, { eventName: 'ViewContent', contentCategory: 'games', count: 100 }] : [],
  });
  const chosen = (s: EngineSettings, pixel: boolean) => {
    const [d] = decideDocuments({ snapshot: withInterests(pixel), totalBudgetMinor: 100_000, settings: s });
    return { ids: d!.draft.interests.map((i) => i.interest_id), trace: d!.draft.reasoning.trace.filter((t) => t.step === 'pixel') };
  };

  it('off: the set chosen by measured value stands, and the trace says the pixel did not reorder it', () => {
    const off = chosen({ ...bayes, pixelGenreBoost: false }, true);
    expect(off.ids).toEqual(chosen({ ...bayes, pixelGenreBoost: false }, false).ids);
    expect(off.ids).toEqual(['1', '2']);
    expect(off.trace).toEqual([{ step: 'pixel', decision: expect.stringContaining('do not reorder'), numbers: { pixel_genre_boost: false, travel: 0.9, gaming: 0.1 } }]);
  });

  it('absent (settings stored before it existed): the genre shares boost the ranking, as engine version 7 did', () => {
    const before = chosen(bayes, true);
    expect(before.ids).toContain('3');
    expect(before.trace[0]!.decision).toBe('pixel events bias interest choice toward these genres');
  });
});

describe('Advantage+ audience in the reasoning', () => {
  const withInterest = snapshot([adset('a', { segments: [interest('1', 'Chess', metrics(40_000, 0.02, 0.05, 4.2))] })]);
  const traceOf = (s: EngineSettings) => decideDocuments({ snapshot: withInterest, totalBudgetMinor: 100_000, settings: s })[0]!.draft.reasoning.trace.filter((t) => t.step === 'advantage_audience');

  it('on: names the chosen options Meta treats as suggestions, and whether age_min still holds', () => {
    const [line] = traceOf({ ...SPEC_SETTINGS, advantageAudience: true });
    expect(line!.numbers).toEqual({ suggestions: 'interests,custom_audiences,lookalikes', age_min: 18, age_min_hard: true });
    expect(line!.decision).toContain('Meta treats interests, custom_audiences, lookalikes as suggestions');
  });

  it('off or absent (settings stored before it existed): no such line, the rest of the decision identical', () => {
    expect(traceOf(SPEC_SETTINGS)).toEqual([]);
    const on = decideDocuments({ snapshot: withInterest, totalBudgetMinor: 100_000, settings: { ...SPEC_SETTINGS, advantageAudience: true } })[0]!.draft;
    const off = decideDocuments({ snapshot: withInterest, totalBudgetMinor: 100_000, settings: SPEC_SETTINGS })[0]!.draft;
    expect({ ...on, reasoning: { ...on.reasoning, trace: on.reasoning.trace.filter((t) => t.step !== 'advantage_audience') } }).toEqual(off);
  });
});
