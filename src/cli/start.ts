import type { AppContext } from '../context.ts';
import { activeCampaignIds } from '../services/campaigns.ts';
import { storeKind } from '../services/database.ts';
import { generateStubHistory } from '../services/generate-stub.ts';
import { runOptimization } from '../services/run-optimization.ts';
import { type CliIo, printLines, progress } from './io.ts';
import { describeRecommendation } from './run.ts';
import { type Outlets, serveCommand } from './serve.ts';

export const usage = 'start';

const DEMO = { campaigns: 3, days: 30, seed: 42 };

const KIND_TEXT = { empty: 'empty store', demo: 'demo store: synthetic STUB data only', real: 'real store: imported or LIVE data, no synthetic rows allowed' } as const;

/**
 * What `npm start` runs on a fresh machine: opens (and migrates) the embedded database; on an
 * empty one lays down a seeded synthetic market and optimizes its campaigns, so a new user sees
 * the whole loop without configuring anything; then serves the API (and the scheduler) like
 * `serve` until Ctrl-C.
 */
export async function startCommand(ctx: AppContext, _args: string[], io: CliIo, outlets: Outlets): Promise<void> {
  const existing = await activeCampaignIds(ctx);
  const kind = await storeKind(ctx);
  const where = ctx.config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${ctx.config.dataDir}`;
  const lines = [`Targeting optimizer — database: ${where} (${KIND_TEXT[kind]}), mode: STUB, strategy: ${ctx.config.engine.strategy}.`];
  // Only a store that never held any data gets the demo market: synthetic rows never join real ones.
  if (kind === 'empty' && existing.length === 0) {
    const report = await generateStubHistory(ctx, { campaigns: DEMO.campaigns, days: DEMO.days, seed: DEMO.seed, onProgress: progress(io, 'generating demo market') });
    lines.push(`Empty database: generated a synthetic market (seed ${DEMO.seed}, ${report.rows.toLocaleString('en')} rows, ${DEMO.campaigns} campaigns, ${DEMO.days} days) and optimized it:`);
    for (const c of report.campaigns) {
      const result = await runOptimization(ctx, { campaignId: c.campaign_id, budget: null, mode: 'stub', forceRefresh: false });
      lines.push(`\nCampaign ${c.campaign_id}: run ${result.run.runId} ${result.run.status} in ${result.run.durationMs} ms`, ...result.recommendations.flatMap(describeRecommendation));
    }
  } else {
    lines.push(`${existing.length} campaign(s) stored; the latest recommendations: npx targeting-optimizer recommendation <campaign_id>`);
  }
  lines.push('', 'API token for local use: npx targeting-optimizer token --role manager --sub you', '');
  printLines(io, lines);
  await serveCommand(ctx, [], io, outlets, { signInLink: true });
}
