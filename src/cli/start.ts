import type { AppContext } from '../context.ts';
import { generateStubHistory } from '../services/generate-stub.ts';
import { runOptimization } from '../services/run-optimization.ts';
import { type CliIo, printLines, progress } from './io.ts';
import { describeRecommendation } from './run.ts';

export const usage = 'start';

const DEMO = { campaigns: 3, days: 30, seed: 42, budget: '1000' };

/**
 * What `npm start` runs on a fresh machine: opens (and migrates) the embedded database, and on an
 * empty one lays down a seeded synthetic market and optimizes its campaigns, so a new user sees
 * the whole loop without configuring anything.
 */
export async function startCommand(ctx: AppContext, _args: string[], io: CliIo): Promise<void> {
  const existing = await ctx.db.query<{ campaign_id: string }>('select campaign_id from campaigns where active order by campaign_id');
  let campaignIds = existing.map((c) => c.campaign_id);
  const where = ctx.config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${ctx.config.dataDir}`;
  const lines = [`Targeting optimizer ready — database: ${where}, mode: STUB.`];
  if (campaignIds.length === 0) {
    const report = await generateStubHistory(ctx, { campaigns: DEMO.campaigns, days: DEMO.days, seed: DEMO.seed, onProgress: progress(io, 'generating demo market') });
    campaignIds = report.campaigns.map((c) => c.campaign_id);
    lines.push(`Empty database: generated a synthetic market (seed ${DEMO.seed}, ${report.rows.toLocaleString('en')} rows, ${DEMO.campaigns} campaigns, ${DEMO.days} days).`);
  }
  for (const campaignId of campaignIds.slice(0, 10)) {
    const result = await runOptimization(ctx, { campaignId, budget: DEMO.budget, mode: 'stub' });
    lines.push(`\nCampaign ${campaignId}: run ${result.run.runId} ${result.run.status} in ${result.run.durationMs} ms`, ...result.recommendations.flatMap(describeRecommendation));
  }
  lines.push('', 'Next: npx targeting-optimizer --help');
  printLines(io, lines);
}
