import { describe, expect, it } from 'vitest';
import { emptyMetrics } from '../metrics.ts';
import { createRng } from '../random.ts';
import { decideDocuments } from '../../presentation/test-documents.ts';
import { SPEC_SETTINGS } from '../test-settings.ts';
import type { AdSetSnapshot, CampaignSnapshot, EngineSettings, Metrics } from '../types.ts';

const BAYES: EngineSettings = { ...SPEC_SETTINGS, strategy: 'bayes', sizeExponent: 0.75, segmentPool: 'campaign' };

function metrics(clicks: number, conversions: number): Metrics {
  const spendMinor = clicks * 40;
  return { ...emptyMetrics(), impressions: clicks * 100, clicks, spendMinor, conversions, clicksWithConversions: clicks, revenueMinor: conversions * 5_000, spendWithRevenueMinor: spendMinor };
}

/** An ad set without a country breakdown (an import without countries), or with one country. */
function adset(id: string, m: Metrics, countries: readonly string[] = []): AdSetSnapshot {
  return { adsetId: id, segments: [], countries: countries.map((countryCode) => ({ countryCode, total: m })), demographics: [], total: m, recent: emptyMetrics() };
}

function snapshot(adsets: AdSetSnapshot[]): CampaignSnapshot {
  return { campaignId: '123456789', currency: 'EUR', windowStart: '2026-10-22', windowEnd: '2026-11-20', adsets, pixelEvents: [] };
}

const expectedOf = (adsets: AdSetSnapshot[], adsetId: string) => {
  const d = decideDocuments({ snapshot: snapshot(adsets), totalBudgetMinor: 100_000, settings: BAYES }).find((x) => x.draft.adset_id === adsetId)!;
  return { confidence: d.draft.confidence, ...d.draft.reasoning.trace.find((t) => t.step === 'expected')! };
};

describe('the bayes confidence of an ad set with one unit', () => {
  it('shrinks an ad set without conversions toward the campaign\'s other ad sets, not toward its own zero', () => {
    // 90 clicks and no conversion say little: the campaign's other ad sets convert 2 % of their clicks.
    const others = [adset('b', metrics(5_000, 100)), adset('c', metrics(3_000, 60))];
    const silent = expectedOf([adset('a', metrics(90, 0)), ...others], 'a');
    expect(silent.numbers.interval_prior).toBe('campaign');
    expect(silent.decision).toContain('shrunk toward the campaign\'s other ad sets\' rates');
    // Shrunk toward its own zero it was certain to be worth nothing: an upper end of nothing and a confidence of 0.
    expect(silent.numbers.ci90_upper_per_1000_impressions_minor as number).toBeGreaterThan(0.5 * 0.01 * 0.02 * 5_000 * 1_000);
    expect(silent.confidence).toBeGreaterThan(0);
  });

  it('does not count an ad set\'s own rows twice: a small ad set is less sure than its rows counted twice would make it', () => {
    const small = adset('a', metrics(120, 3));
    const alone = expectedOf([small], 'a');
    const inCampaign = expectedOf([small, adset('b', metrics(5_000, 100))], 'a');
    expect(alone.numbers.interval_prior).toBe('adset');
    expect(inCampaign.numbers.interval_prior).toBe('campaign');
    // Same rows, same rate as the campaign's (2.5 % against 2 %): the width comes from the evidence, not from counting it twice.
    expect(inCampaign.numbers.ci90_relative_half_width as number).toBeGreaterThan(alone.numbers.ci90_relative_half_width as number);
  });

  it('shrinks an ad set of one country like one without a breakdown, and one of several countries toward its countries', () => {
    const others = [adset('b', metrics(5_000, 100), ['ES'])];
    expect(expectedOf([adset('a', metrics(90, 0), ['ES']), ...others], 'a').numbers.interval_prior).toBe('campaign');
    const spread: AdSetSnapshot = { ...adset('a', metrics(300, 6)), countries: [{ countryCode: 'ES', total: metrics(200, 5) }, { countryCode: 'MX', total: metrics(100, 1) }] };
    expect(expectedOf([spread, ...others], 'a').numbers.interval_prior).toBe('countries');
  });
});

describe('the bayes interval of one-unit ad sets, against the truth', () => {
  it('covers the true value per impression about as often as it says, where shrinking toward the ad set itself did not', () => {
    // 100 campaigns of 5 ad sets without a country breakdown, about 300 clicks each; each ad set's
    // true CTR and CVR spread around the campaign's (log-sd 0.3), one order worth 5,000 on average.
    const rng = createRng(11);
    let covered = 0;
    let judged = 0;
    for (let c = 0; c < 100; c++) {
      const truths = new Map<string, number>();
      const adsets = Array.from({ length: 5 }, (_, i) => {
        const ctr = 0.01 * Math.exp(rng.normal(0, 0.3));
        const cvr = 0.02 * Math.exp(rng.normal(0, 0.3));
        const impressions = Math.round(30_000 * Math.exp(rng.normal(0, 0.5)));
        const clicks = rng.binomial(impressions, ctr);
        const conversions = rng.binomial(clicks, cvr);
        let revenue = 0;
        for (let k = 0; k < conversions; k++) revenue += rng.gamma(1, 5_000);
        truths.set(`a${i}`, ctr * cvr * 5_000 * 1_000);
        const m: Metrics = { ...emptyMetrics(), impressions, clicks, spendMinor: impressions, conversions, clicksWithConversions: clicks, revenueMinor: Math.round(revenue), spendWithRevenueMinor: impressions };
        return adset(`a${i}`, m);
      });
      for (const d of decideDocuments({ snapshot: snapshot(adsets), totalBudgetMinor: 100_000, settings: BAYES })) {
        const n = d.draft.reasoning.trace.find((t) => t.step === 'expected')!.numbers;
        const truth = truths.get(d.draft.adset_id!)!;
        judged += 1;
        if (truth >= (n.ci90_lower_per_1000_impressions_minor as number) && truth <= (n.ci90_upper_per_1000_impressions_minor as number)) covered += 1;
      }
    }
    expect(judged).toBe(500);
    // Nominal 90 %; shrunk toward the ad set's own rates (engine version 10) they covered 70.4 %.
    expect(covered / judged).toBeGreaterThan(0.85);
    expect(covered / judged).toBeLessThan(0.97);
  });
});
