import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../engine/types.ts';
import { presentDecision } from './present-decision.ts';
import { RecommendationDraftDocument } from './recommendation-document.ts';

function decision(currency: string, budgetMinor: number): Decision {
  return {
    adsetId: 'a1',
    campaignId: 'c1',
    currency,
    budgetMinor,
    countries: [
      { countryCode: 'ES', amountMinor: Math.ceil(budgetMinor * 0.35), weight: 0.512345, averageCpcMinor: 37, observedCtr: 0.0123456, observedRoas: 2.34567 },
      { countryCode: 'MX', amountMinor: budgetMinor - Math.ceil(budgetMinor * 0.35), weight: 0.4, averageCpcMinor: null, observedCtr: null, observedRoas: null },
    ],
    ageMin: 25,
    ageMax: 44,
    gender: 'female',
    interests: [{ segmentId: '6003', segmentName: 'Running', score: 0.8123, rank: 1 }],
    behaviors: [{ segmentId: '6004', segmentName: 'Engaged shoppers', score: 0.5, rank: 1 }],
    customAudiences: [
      { audienceId: 'ca_converters_c1', name: 'Custom - converters', size: 150, origin: { kind: 'proposed', source: 'converters' } },
      { audienceId: '2385', name: 'Buyers 2025', size: 0, origin: { kind: 'existing' } },
    ],
    lookalikes: [{ sourceAudienceId: 'ca_converters_c1', countryCodes: ['ES', 'MX'], ratio: 0.01, name: 'Lookalike 1% - ES+MX' }],
    frequencyCap: { impressions: 3, windowDays: 7 },
    audienceLimitedBy: [],
    expected: { ctr: 0.0123456, cvr: 0.0234567, roas: 2.34567, confidence: 0.87654 },
    basis: { strategy: 'spec', spainMinPct: 35, window: { start: '2026-10-01', end: '2026-10-28' }, priors: { ctr: 0.015, cvr: 0.02, roas: 2.5, strength: 100 } },
    trace: [
      { kind: 'budget', adsetBudgetMinor: budgetMinor, campaignBudgetMinor: budgetMinor * 2, adsetSpendMinor: 500, campaignSpendMinor: 1500, share: 1 / 3, bySpend: true },
      { kind: 'geo.weight', countryCode: 'ES', region: 'ES', weight: 0.5123, engagement: 0.5123, performance: 0.4 },
    ],
  };
}

describe('presentDecision', () => {
  it('makes the specification\'s document: snake_case, major units, rounded as specified, prose in the trace', () => {
    const doc = presentDecision(decision('EUR', 100_001));
    expect(Value.Check(RecommendationDraftDocument, doc)).toBe(true);
    expect(doc.geo_allocations[0]).toEqual({ country_code: 'ES', country_name: 'Spain', budget_pct: 35, budget_amount: 350.01, avg_cpc: 0.37, avg_ctr: 0.01235, avg_roas: 2.346, engagement_score: 0.5123 });
    expect(doc.budget_per_segment).toEqual({ ES: 350.01, MX: 650 });
    expect(doc.total_budget).toBe(1000.01);
    expect(doc.interests).toEqual([{ interest_id: '6003', interest_name: 'Running', score: 0.8123, rank: 1 }]);
    expect(doc.custom_audiences.map((a) => a.description)).toEqual(['Custom audience: converters (150 people in the window)', 'Custom audience from history: Buyers 2025 (size unknown)']);
    expect(doc.lookalikes[0]!.description).toBe('Lookalike audience based on ca_converters_c1');
    expect([doc.expected_ctr, doc.expected_cvr, doc.expected_roas, doc.confidence]).toEqual([0.01235, 0.02346, 2.346, 0.877]);
    expect(doc.reasoning).toMatchObject({ strategy: 'spec', geo_constraint: 'ES_min_35pct', top_interests_count: 1, top_behaviors_count: 1, lookalikes_generated: 1, spain_allocation_pct: 35 });
    expect(doc.reasoning.trace).toEqual([
      { step: 'budget', decision: 'ad set gets 100001 of 200002 minor units', numbers: { adset_spend_minor: 500, campaign_spend_minor: 1500, share: 0.3333, rule: 'share of spend in the window' } },
      { step: 'geo.weight', decision: 'ES (ES) weighs 0.5123 by engagement', numbers: { country_code: 'ES', region: 'ES', weight: 0.5123, engagement: 0.5123, performance: 0.4 } },
    ]);
  });

  it('speaks in the currency\'s own minor units (JPY has none)', () => {
    const doc = presentDecision(decision('JPY', 10_001));
    expect(doc.total_budget).toBe(10_001);
    expect(doc.geo_allocations[0]!.avg_cpc).toBe(37);
  });

  it('states the bayes strategy\'s ages and gender as the dashboard reads buckets, and the choice with its numbers', () => {
    const base = decision('EUR', 100_000);
    const doc = presentDecision({
      ...base,
      trace: [
        { kind: 'demographics.group', dimension: 'age', group: '25-34', impressions: 120_000, valueFactor: 1.31234, costFactor: 1.02, kept: true },
        { kind: 'demographics.group', dimension: 'gender', group: 'female', impressions: 300_000, valueFactor: 1.1, costFactor: 1, kept: true },
        { kind: 'demographics.targeting', what: 'kept_whole', ageMin: 18, ageMax: 65, gender: 'all', candidates: 62, beyondObserved: 40, unmeasured: ['ES'], wholeExpected: 123_456.789, best: { ageMin: 25, ageMax: 44, gender: 'all', share: 0.55, valueFactor: 1.08, costFactor: 1.01, expected: 124_000, gain: 0.0044 }, minGain: 0.03 },
      ],
    });
    expect(Value.Check(RecommendationDraftDocument, doc)).toBe(true);
    const [age, gender, choice] = doc.reasoning.trace;
    expect(age).toMatchObject({ step: 'demographics.age', numbers: { bucket: '25-34', impressions: 120_000, score: 1.3123, kept: true } });
    expect(gender).toMatchObject({ step: 'demographics.gender', decision: 'female', numbers: { impressions: 300_000, kept: true } });
    expect(choice!.step).toBe('demographics');
    expect(choice!.decision).toBe('age 18-65, gender all: the whole audience kept; the best narrower one (age 25-44, gender all) is expected to change the split\'s value by 0.4 %, under the 3 % an edit must gain (judged without ES: no day of spend in the history)');
    expect(choice!.numbers).toMatchObject({ candidates: 62, beyond_observed: 40, unmeasured: 'ES', best_share: 0.55, best_gain: 0.0044, min_gain: 0.03 });
  });

  it('says when no country the split funds was measured, so the ages and gender reached stay', () => {
    const doc = presentDecision({ ...decision('EUR', 100_000), trace: [{ kind: 'demographics.targeting', what: 'unmeasured', unmeasured: ['ES', 'PT'], ageMin: 25, ageMax: 44, gender: 'female' }] });
    expect(Value.Check(RecommendationDraftDocument, doc)).toBe(true);
    expect(doc.reasoning.trace[0]).toEqual({ step: 'demographics', decision: 'age 25-44, gender female: no country the split funds has a day of spend in the history (ES, PT), so what a narrower audience would cost is unknown', numbers: { age_min: 25, age_max: 44, gender: 'female', unmeasured: 'ES,PT' } });
  });
});
