import { describe, expect, it } from 'vitest';
import { emptyMetrics } from './metrics.ts';
import { presentTraceEvent } from '../presentation/present-trace.ts';
import { decideDocuments } from '../presentation/test-documents.ts';
import { audienceLimitingCategories, limitAudience } from './special-ad-categories.ts';
import { SPEC_SETTINGS } from './test-settings.ts';
import type { AdSetSnapshot, CampaignSnapshot, DemographicHistory, EngineSettings, Metrics, SegmentHistory } from './types.ts';

function metrics(impressions: number, ctr: number, cvr: number, roas: number, cpcMinor = 40): Metrics {
  const clicks = Math.round(impressions * ctr);
  const spendMinor = clicks * cpcMinor;
  const conversions = Math.round(clicks * cvr);
  return { ...emptyMetrics(), impressions, clicks, spendMinor, reach: Math.round(impressions / 1.5), impressionsWithReach: impressions, conversions, clicksWithConversions: clicks, revenueMinor: Math.round(spendMinor * roas), spendWithRevenueMinor: spendMinor };
}

const segment = (segmentType: 'interest' | 'behavior', i: number, ctr: number): SegmentHistory => ({ segmentType, segmentId: `${segmentType}-${i}`, segmentName: `${segmentType} ${i}`, total: metrics(50_000, ctr, 0.03, 3), recent: metrics(10_000, ctr, 0.03, 3) });

/** An ad set whose data clearly favours women aged 25-34, with behaviors and enough converters for lookalikes. */
function adset(): AdSetSnapshot {
  const demographics: DemographicHistory[] = [
    { age: '18-24', gender: '', total: metrics(100_000, 0.005, 0.01, 0.5) },
    { age: '25-34', gender: '', total: metrics(100_000, 0.04, 0.05, 5) },
    { age: '35-44', gender: '', total: metrics(100_000, 0.006, 0.01, 0.6) },
    { age: '', gender: 'female', total: metrics(150_000, 0.04, 0.05, 5) },
    { age: '', gender: 'male', total: metrics(150_000, 0.005, 0.01, 0.5) },
  ];
  return {
    adsetId: 'a1',
    segments: [segment('interest', 1, 0.03), segment('interest', 2, 0.02), segment('behavior', 1, 0.03), segment('behavior', 2, 0.02)],
    countries: [{ countryCode: 'ES', total: metrics(200_000, 0.02, 0.03, 3) }, { countryCode: 'MX', total: metrics(200_000, 0.02, 0.03, 3, 20) }],
    demographics,
    total: metrics(400_000, 0.02, 0.03, 3),
    recent: metrics(100_000, 0.02, 0.03, 3),
  };
}

const snapshot = (specialAdCategories?: string[]): CampaignSnapshot => ({ campaignId: 'c1', currency: 'EUR', windowStart: '2026-10-01', windowEnd: '2026-10-28', adsets: [adset()], pixelEvents: [], ...(specialAdCategories === undefined ? {} : { specialAdCategories }) });

describe('special ad categories', () => {
  for (const strategy of ['spec', 'bayes'] as const) {
    const settings: EngineSettings = { ...SPEC_SETTINGS, strategy };
    it(`${strategy}: an ordinary campaign narrows age and gender and keeps behaviors and lookalikes (the data says so)`, () => {
      const [d] = decideDocuments({ snapshot: snapshot(), totalBudgetMinor: 100_000, settings });
      expect([d!.draft.age_min, d!.draft.age_max, d!.draft.gender]).toEqual([25, 34, 'female']);
      expect(d!.draft.behaviors.length).toBeGreaterThan(0);
      expect(d!.draft.lookalikes.length).toBeGreaterThan(0);
      expect(d!.draft.reasoning.trace.some((t) => t.step === 'special_ad_categories')).toBe(false);
      expect(d!.decision.audienceLimitedBy).toEqual([]);
    });

    for (const category of ['HOUSING', 'EMPLOYMENT', 'FINANCIAL_PRODUCTS_SERVICES']) {
      it(`${strategy}: ${category} leaves out age narrowing, gender, behaviors, lookalikes and exclusions, and says why`, () => {
        const [d] = decideDocuments({ snapshot: snapshot([category]), totalBudgetMinor: 100_000, settings });
        // The typed decision that the apply maps onto Meta's targeting spec, and its document.
        const { decision } = d!;
        expect([decision.ageMin, decision.ageMax, decision.gender, decision.behaviors, decision.lookalikes]).toEqual([18, 65, 'all', [], []]);
        expect(decision.audienceLimitedBy).toEqual([category]);
        expect(decision.trace.filter((t) => 'kind' in t && t.kind === 'special_ad_categories.left_out').map((t) => 'kind' in t && t.kind === 'special_ad_categories.left_out' ? t.what : null)).toEqual(['age', 'gender', 'behaviors', 'lookalikes', 'exclusions']);
        const draft = d!.draft;
        expect([draft.age_min, draft.age_max, draft.gender]).toEqual([18, 65, 'all']);
        expect(draft.behaviors).toEqual([]);
        expect(draft.lookalikes).toEqual([]);
        expect(draft.reasoning.top_behaviors_count).toBe(0);
        expect(draft.reasoning.lookalikes_generated).toBe(0);
        // Interests and custom audiences are allowed.
        expect(draft.interests.length).toBeGreaterThan(0);
        expect(draft.custom_audiences.length).toBeGreaterThan(0);
        const lines = draft.reasoning.trace.filter((t) => t.step === 'special_ad_categories').map((t) => t.decision);
        expect(lines).toEqual([
          `age 18-65 instead of 25-34: ${category} forbids age narrowing`,
          `all genders instead of female: ${category} forbids a gender choice`,
          expect.stringMatching(new RegExp(`^\\d+ behaviors left out: ${category} forbids behavior targeting$`)),
          expect.stringMatching(new RegExp(`^\\d+ lookalikes left out: ${category} forbids lookalike audiences$`)),
          `no exclusions: ${category} forbids excluding audiences or locations, so none is recommended and none may be carried over`,
        ]);
        // Everything else is decided as for an ordinary campaign.
        const [plain] = decideDocuments({ snapshot: snapshot(), totalBudgetMinor: 100_000, settings });
        expect(draft.geo_allocations).toEqual(plain!.draft.geo_allocations);
        expect(draft.interests).toEqual(plain!.draft.interests);
        expect(draft.expected_roas).toBe(plain!.draft.expected_roas);
      });
    }
  }

  it('issues, elections and politics keep the ordinary audience options, and the trace says so', () => {
    const [d] = decideDocuments({ snapshot: snapshot(['ISSUES_ELECTIONS_POLITICS']), totalBudgetMinor: 100_000, settings: SPEC_SETTINGS });
    expect([d!.draft.age_min, d!.draft.age_max, d!.draft.gender]).toEqual([25, 34, 'female']);
    expect(d!.draft.behaviors.length).toBeGreaterThan(0);
    expect(d!.draft.reasoning.trace.filter((t) => t.step === 'special_ad_categories').map((t) => t.decision)).toEqual([
      'ISSUES_ELECTIONS_POLITICS: no audience limits from this category (Meta asks for an authorisation and a "Paid for by" disclaimer instead)',
    ]);
  });

  it('an already open audience gets only the exclusions line', () => {
    const out = limitAudience(['HOUSING', 'NONE_OF_THESE'], { ageMin: 18, ageMax: 65, gender: 'all', behaviors: [], lookalikes: [] });
    expect(out.audience).toEqual({ ageMin: 18, ageMax: 65, gender: 'all', behaviors: [], lookalikes: [] });
    expect(out.trace).toEqual([
      { kind: 'special_ad_categories.unlimited', category: 'NONE_OF_THESE', known: false },
      { kind: 'special_ad_categories.left_out', categories: ['HOUSING'], what: 'exclusions' },
    ]);
    expect(out.trace.map((t) => presentTraceEvent(t).decision)).toEqual([
      'NONE_OF_THESE: no audience limits from this category (not a category the engine knows limits for)',
      'no exclusions: HOUSING forbids excluding audiences or locations, so none is recommended and none may be carried over',
    ]);
    expect(audienceLimitingCategories(['ISSUES_ELECTIONS_POLITICS', 'CREDIT', 'HOUSING'])).toEqual(['CREDIT', 'HOUSING']);
    expect(audienceLimitingCategories(undefined)).toEqual([]);
  });
});
