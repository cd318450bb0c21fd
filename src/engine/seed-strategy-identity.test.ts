// The spec strategy (formerly `seed`) is the specification's formulas: fitted priors and credible
// intervals belong to the bayes strategy only. This pins optimizeCampaign's spec output for a fixed input to the
// hash computed BEFORE empirical Bayes was added (2026-11-25), so any drift in the spec path fails.
import { describe, expect, it } from 'vitest';
import { addMetrics, emptyMetrics } from './metrics.ts';
import { optimizeCampaign } from './optimizer.ts';
import { presentDecision } from '../presentation/present-decision.ts';
import { createRng, type Rng } from './random.ts';
import { scoresOf } from './scoring.ts';
import { SPEC_SETTINGS } from './test-settings.ts';
import type { AdSetSnapshot, CampaignSnapshot, Metrics, SegmentHistory, SegmentType } from './types.ts';

/** FNV-1a 32-bit, hex: enough to notice any change of one byte in the output. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

function metrics(rng: Rng, impressions: number, ctr: number, cvr: number, orderMinor: number, cpcMinor: number): Metrics {
  const clicks = rng.binomial(impressions, ctr);
  const conversions = rng.binomial(clicks, cvr);
  const spendMinor = clicks * cpcMinor;
  return { ...emptyMetrics(), impressions, clicks, spendMinor, reach: Math.round(impressions / 1.4), impressionsWithReach: impressions, conversions, clicksWithConversions: clicks, revenueMinor: conversions * orderMinor, spendWithRevenueMinor: spendMinor };
}

function fixedSnapshot(): CampaignSnapshot {
  const rng = createRng('seed-strategy-identity');
  const segment = (type: SegmentType, i: number): SegmentHistory => {
    const impressions = rng.int(300, 60_000);
    return { segmentType: type, segmentId: `${type}-${i}`, segmentName: `${type} ${i}`, total: metrics(rng, impressions, rng.beta(3, 150), rng.beta(4, 120), rng.int(2_000, 9_000), rng.int(10, 60)), recent: metrics(rng, Math.round(impressions / 4), rng.beta(3, 150), rng.beta(4, 120), 5_000, 30) };
  };
  const adset = (id: string): AdSetSnapshot => {
    const countries = ['ES', 'MX', 'AR', 'CO', 'CL', 'PE', 'US', 'EC', 'UY'].map((code) => {
      const daily = Array.from({ length: 14 }, () => {
        const spendMinor = rng.int(2_000, 20_000);
        return { spendMinor, impressions: Math.round(spendMinor * 2 * (1 - Math.exp(-spendMinor / 15_000)) * 3) };
      });
      const impressions = daily.reduce((s, d) => s + d.impressions, 0);
      return { countryCode: code, total: metrics(rng, impressions, rng.beta(3, 150), rng.beta(4, 120), rng.int(2_000, 9_000), rng.int(10, 60)), daily };
    });
    const segments = [...Array.from({ length: 30 }, (_, i) => segment('interest', i)), ...Array.from({ length: 12 }, (_, i) => segment('behavior', i))];
    const total = emptyMetrics();
    for (const c of countries) addMetrics(total, c.total);
    return { adsetId: id, segments, countries, demographics: [], total, recent: emptyMetrics() };
  };
  return { campaignId: 'c-identity', currency: 'EUR', windowStart: '2026-10-01', windowEnd: '2026-10-28', adsets: [adset('a1'), adset('a2')], pixelEvents: [] };
}

/** Each ad set's document, budget and scores: the shape the hash below was taken of. */
const documents = (out: ReturnType<typeof optimizeCampaign>) => out.map(({ decision, segmentScores, ...rest }) => ({ draft: presentDecision(decision), budgetMinor: decision.budgetMinor, segmentScores: scoresOf(segmentScores), ...rest }));

describe('spec strategy output', () => {
  it('is byte-identical to the output before empirical Bayes was added (settings naming it by its former name, seed, as stored ones do)', () => {
    const out = optimizeCampaign({ snapshot: fixedSnapshot(), totalBudgetMinor: 1_234_567, settings: { ...SPEC_SETTINGS, strategy: 'seed' }, randomSeed: 42 });
    expect(fnv1a(JSON.stringify(documents(out)))).toBe('9693acf6');
  });

  it('decides the same under its name spec; only the name in the reasoning differs', () => {
    const input = { snapshot: fixedSnapshot(), totalBudgetMinor: 1_234_567, randomSeed: 42 };
    const spec = documents(optimizeCampaign({ ...input, settings: SPEC_SETTINGS }));
    const seed = documents(optimizeCampaign({ ...input, settings: { ...SPEC_SETTINGS, strategy: 'seed' } }));
    expect(spec.map((d) => d.draft.reasoning.strategy)).toEqual(['spec', 'spec']);
    const renamed = spec.map((d) => ({ ...d, draft: { ...d.draft, reasoning: { ...d.draft.reasoning, strategy: 'seed' } } }));
    expect(JSON.stringify(renamed)).toBe(JSON.stringify(seed));
  });
});

describe('bayes strategy on the same input', () => {
  it('states its fitted priors and takes its confidence from the credible interval', () => {
    const settings = { ...SPEC_SETTINGS, strategy: 'bayes' as const };
    const [first] = optimizeCampaign({ snapshot: fixedSnapshot(), totalBudgetMinor: 1_234_567, settings });
    const draft = presentDecision(first!.decision);
    const trace = draft.reasoning.trace;
    const priors = trace.filter((t) => t.step === 'priors.fitted');
    expect(priors.map((p) => p.numbers.pool)).toEqual(['countries', 'interest', 'behavior']);
    // 9 countries, 30 interests, 12 behaviors: every pool has at least 8 units to fit from.
    expect(priors.map((p) => p.numbers.units)).toEqual([9, 30, 12]);
    for (const p of priors) {
      expect(typeof p.numbers.ctr_strength).toBe('number');
      expect(typeof p.numbers.ctr_fitted).toBe('boolean');
    }
    const expected = trace.find((t) => t.step === 'expected')!;
    const n = expected.numbers;
    expect(n.ci90_lower_per_1000_impressions_minor as number).toBeLessThan(n.value_per_1000_impressions_minor as number);
    expect(n.ci90_upper_per_1000_impressions_minor as number).toBeGreaterThan(n.value_per_1000_impressions_minor as number);
    const fromInterval = Math.min(0.95, Math.max(0, 1 - (n.ci90_relative_half_width as number)));
    expect(draft.confidence).toBeCloseTo(fromInterval * (n.evidence_coverage as number), 2);
  });
});
