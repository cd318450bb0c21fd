// The public Facebook ads data set ("Sales Conversion Optimization", see ../shared/data/real/*/SOURCE.md),
// which CI has beside the checkout: imported as it is, then optimized.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importInsightsFile, type ImportReport } from '../src/services/import-insights.ts';
import { runOptimization, type RunResult } from '../src/services/run-optimization.ts';
import { openTestContext, type TestContext, usingPostgres } from './helpers/db.ts';
import { realData } from './helpers/real-data.ts';

const data = realData('kag_conversion/KAG_conversion_data.csv', 'fb_ad_campaign_dated/facebook_ads_repaired.csv');
const [KAGGLE, DATED] = data.files as [string, string];
const PRIOR_ROAS = 2.5; // TARGETING_PRIOR_ROAS's default, which openTestContext keeps

describe.skipIf(!data.available)(data.title(`the public Kaggle conversion data set on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`), () => {
  let ctx: TestContext;
  let report: ImportReport;
  let run: RunResult;
  beforeAll(async () => {
    ctx = await openTestContext();
    report = await importInsightsFile(ctx, KAGGLE);
    run = await runOptimization(ctx, { campaignId: '1178', budget: '1000', mode: 'stub' });
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('accepts all 1,143 rows: conversions above clicks, zero spend and unknown revenue included', async () => {
    expect(report.format).toBe('kaggle-conversion');
    expect(report.rowsRead).toBe(1_143);
    expect(report.problems).toEqual([]);
    expect(report.skipped).toBe(0);
    // Ads of one ad set with the same interest, age and gender are summed: nothing is lost.
    expect(report.imported + report.source!.mergedRows).toBe(1_143);
    expect(report.campaigns).toEqual(['1178', '916', '936']);
    const [t] = await ctx.db.query<{ impressions: number; clicks: number; conversions: number; revenue: number; above: number; zero_spend: number }>(
      `select sum(impressions)::float8 as impressions, sum(clicks)::float8 as clicks, sum(conversions)::float8 as conversions,
              count(revenue_minor)::int as revenue, count(*) filter (where conversions > clicks)::int as above,
              count(*) filter (where spend_minor = 0)::int as zero_spend
       from insights`,
    );
    // The data set's totals (SOURCE.md): 213,434,828 impressions, 38,165 clicks, 1,079 approved conversions.
    expect(t).toMatchObject({ impressions: 213_434_828, clicks: 38_165, conversions: 1_079, revenue: 0 });
    expect(t!.above).toBeGreaterThan(0);
    expect(t!.zero_spend).toBeGreaterThan(0);
    expect(report.source!.capabilities).toEqual(expect.arrayContaining([expect.stringMatching(/^no country breakdown: geo allocation will use priors/), expect.stringMatching(/^no revenue: ROAS uses the prior/)]));
  });

  it('recommends interests and demographics for every ad set of campaign 1178 from the campaign\'s history', async () => {
    const adsets = await ctx.db.query<{ adset_id: string; impressions: number; clicks: number; conversions: number; ages: string[] }>(
      `select adset_id, sum(impressions)::float8 as impressions, sum(clicks)::float8 as clicks, sum(conversions)::float8 as conversions, array_agg(distinct age order by age) as ages from insights where campaign_id = '1178' group by adset_id`,
    );
    expect(run.generatedHistory).toBe(false);
    expect(run.recommendations).toHaveLength(adsets.length);
    const total = run.recommendations.reduce((s, r) => s + Math.round(r.total_budget * 100), 0);
    expect(total).toBe(100_000);
    const byId = new Map(adsets.map((a) => [a.adset_id, a]));
    for (const r of run.recommendations) {
      // Each ad set ran one interest; its recommendation takes the best of the campaign's.
      expect(r.interests.length).toBeGreaterThan(1);
      expect(r.interests.every((i) => /^kag-interest-\d+$/.test(i.interest_id))).toBe(true);
      const a = byId.get(r.adset_id!)!;
      // The age range covers the ad set's observed buckets' best, inside 25-54 where the data lies, or Meta's full range.
      expect([18, 25, 35, 45]).toContain(r.age_min);
      // No revenue: ROAS is the prior, exactly, and the confidence says so: the bayes strategy's
      // credible-interval confidence (src/engine/credible-interval.ts) scaled by the share of the
      // decision that rests on observed rates (CTR 0.25, CVR 0.40 when the ad set had clicks).
      expect(r.expected_roas).toBe(PRIOR_ROAS);
      const expected = r.reasoning.trace.find((t) => t.step === 'expected')!.numbers;
      expect(expected.evidence_coverage).toBe(a.clicks > 0 ? 0.65 : 0.25);
      expect(r.confidence).toBeCloseTo((expected.interval_confidence as number) * (a.clicks > 0 ? 0.65 : 0.25), 2);
      expect(r.confidence).toBeLessThanOrEqual(0.62);
      // One unit (no country breakdown): the interval is shrunk toward the campaign's other ad sets,
      // so clicks without an approved conversion leave it uncertain, not sure of nothing.
      expect(expected.interval_prior).toBe('campaign');
      if (a.clicks > 0 && a.conversions === 0) expect(expected.ci90_upper_per_1000_impressions_minor as number).toBeGreaterThan(0);
      // No country breakdown: the whole budget goes to Spain, scored from the priors. Budget between ad
      // sets follows their spend, so the 0-spend ad sets get nothing to allocate.
      expect(r.geo_allocations.map((g) => g.country_code)).toEqual(r.total_budget > 0 ? ['ES'] : []);
    }
    // Demographics: each ad set targeted one 5-year bucket and one gender. With no country breakdown the
    // split has no response curves to say what narrowing would cost, so each ad set keeps the ages
    // (the bucket they were stored in) and the gender it reached, never widened to people its rows
    // say nothing of.
    expect(run.recommendations.some((r) => r.age_min === 25 && r.age_max === 34)).toBe(true);
    expect(run.recommendations.some((r) => r.age_min === 35 && r.age_max === 44)).toBe(true);
    expect(new Set(run.recommendations.map((r) => r.gender))).toEqual(new Set(['male', 'female']));
    for (const r of run.recommendations) expect(r.reasoning.trace.find((t) => t.step === 'demographics')!.decision).toMatch(/no response curves/);
    const trace = run.recommendations[0]!.reasoning.trace.map((t) => t.decision);
    expect(trace).toContain('no country breakdown in the history: Spain only, scored from the priors');
  });
});

describe.skipIf(!data.available)(data.title(`the dated variant (facebook_ads_repaired.csv) on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`), () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await openTestContext();
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('imports all 1,143 ads on their reporting days and optimizes campaign 1178', async () => {
    const report = await importInsightsFile(ctx, DATED);
    expect(report).toMatchObject({ format: 'kaggle-conversion', rowsRead: 1_143, skipped: 0, problems: [], dateRange: { start: '2017-08-17', end: '2017-08-30' } });
    expect(report.source!.breakdowns.day).toBe(true);
    const run = await runOptimization(ctx, { campaignId: '1178', budget: '1000', mode: 'stub' });
    expect(run.recommendations.length).toBeGreaterThan(100);
    expect(run.recommendations.every((r) => r.expected_roas === PRIOR_ROAS && r.interests.length > 0)).toBe(true);
  });
});
