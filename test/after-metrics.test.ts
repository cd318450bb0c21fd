import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRecommendation } from '../src/services/apply-recommendation.ts';
import { generateStubHistory } from '../src/services/generate-stub.ts';
import { runOptimization } from '../src/services/run-optimization.ts';
import { listTargetingHistory } from '../src/store/history.ts';
import { openTestContext, type TestContext, usingPostgres } from './helpers/db.ts';

describe(`after-metrics of applied changes on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await openTestContext({}, '2026-11-10T09:00:00Z');
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('stay empty until delivery after the change exists, then come from that delivery only', async () => {
    const report = await generateStubHistory(ctx, { campaigns: 1, days: 14, seed: 5, endDate: '2026-11-09' });
    const id = report.campaigns[0]!.campaign_id;
    const { recommendations } = await runOptimization(ctx, { campaignId: id, budget: null, mode: 'stub' });
    await applyRecommendation(ctx, { recommendationId: recommendations[0]!.recommendation_id, mode: 'stub', dryRun: false });
    await applyRecommendation(ctx, { recommendationId: recommendations[1]!.recommendation_id, mode: 'stub', dryRun: true });
    const before = await listTargetingHistory(ctx.db, { campaignId: id, adsetId: null, limit: 10 });
    expect(before.every((h) => h.after_ctr === null && h.after_roas === null)).toBe(true);

    // A week of delivery after the change (the same market, extended).
    await generateStubHistory(ctx, { campaigns: 1, days: 21, seed: 5, endDate: '2026-11-16', campaignIds: [id] });
    const after = await listTargetingHistory(ctx.db, { campaignId: id, adsetId: null, limit: 10 });
    const applied = after.find((h) => !h.dry_run)!;
    expect(applied.after_ctr).toBeGreaterThan(0);
    expect(applied.after_cvr).toBeGreaterThan(0);
    expect(applied.after_roas).toBeGreaterThan(0);
    expect(applied.before_ctr).not.toBeNull();
    // A dry run changed nothing and left no row, so there is nothing of it to measure.
    expect(after.filter((h) => h.dry_run)).toEqual([]);
  });
});
