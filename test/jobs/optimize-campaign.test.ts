import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optimizeCampaignJob, parseOptimizeCampaignData } from '../../src/jobs/optimize-campaign.ts';
import { generateStubHistory } from '../../src/services/generate-stub.ts';
import { InputError } from '../../src/services/errors.ts';
import { openTestContext, type TestContext, usingPostgres } from '../helpers/db.ts';

describe(`optimize-campaign job on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let ctx: TestContext;
  let campaignId: string;
  beforeAll(async () => {
    ctx = await openTestContext();
    const report = await generateStubHistory(ctx, { campaigns: 1, days: 14, seed: 7 });
    campaignId = report.campaigns[0]!.campaign_id;
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('called directly, optimizes the campaign for its stored budget into one completed run', async () => {
    const outcome = await optimizeCampaignJob(ctx, { campaignId, mode: 'stub' });
    expect(outcome).toMatchObject({ status: 'completed', campaignId, reused: false });
    if (outcome.status !== 'completed') throw new Error('not completed');
    expect(outcome.recommendations).toBeGreaterThan(0);
    const runs = await ctx.db.query<{ run_id: string; status: string; recommendations_count: number }>('select run_id::text as run_id, status, recommendations_count from runs');
    expect(runs).toEqual([{ run_id: outcome.runId, status: 'completed', recommendations_count: outcome.recommendations }]);
    const recs = await ctx.db.query<{ n: number }>('select count(*)::int as n from recommendations where run_id = $1', [outcome.runId]);
    expect(recs[0]!.n).toBe(outcome.recommendations);
  });

  it('a second job on unchanged history within the interval reuses the run instead of writing another', async () => {
    const outcome = await optimizeCampaignJob(ctx, { campaignId, mode: 'stub' });
    expect(outcome).toMatchObject({ status: 'completed', reused: true });
    const runs = await ctx.db.query<{ n: number }>('select count(*)::int as n from runs');
    expect(runs[0]!.n).toBe(1);
  });

  it('a job no retry can fix is skipped with its reason, not thrown (so not retried)', async () => {
    const outcome = await optimizeCampaignJob(ctx, { campaignId, mode: 'live' });
    expect(outcome).toMatchObject({ status: 'skipped', campaignId });
    if (outcome.status !== 'skipped') throw new Error('not skipped');
    expect(outcome.reason).toMatch(/^LIVE mode is not set up: META_ACCESS_TOKEN: required/);
  });

  it('checks the payload it reads back from the queue', () => {
    expect(parseOptimizeCampaignData({ campaignId: 'c1', mode: 'stub' })).toEqual({ campaignId: 'c1', mode: 'stub' });
    expect(() => parseOptimizeCampaignData({ mode: 'stub' })).toThrow(InputError);
    expect(() => parseOptimizeCampaignData({ campaignId: 'c1', mode: 'fast' })).toThrow(/mode/);
    expect(() => parseOptimizeCampaignData(null)).toThrow(/campaignId/);
  });
});
