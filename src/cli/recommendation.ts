import { parseArgs } from 'node:util';
import type { AppContext } from '../context.ts';
import { NotFoundError } from '../services/errors.ts';
import { unknownAdsetMessage } from '../services/recommendation-messages.ts';
import { latestRecommendationsOf } from '../services/recommendations.ts';
import { type CliIo, printJson, printLines, UsageError } from './io.ts';
import { describeRecommendation } from './run.ts';

export const usage = 'recommendation <campaign_id> [--adset ID] [--json]';

export async function recommendationCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { adset: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: true });
  if (positionals.length !== 1 || positionals[0]!.trim() === '') throw new UsageError('recommendation takes exactly one campaign id');
  const campaignId = positionals[0]!.trim();
  const recs = await latestRecommendationsOf(ctx, campaignId);
  if (recs.length === 0) throw new NotFoundError(`no recommendation stored for campaign ${campaignId}; run: targeting-optimizer run --campaign ${campaignId} --budget 1000`);
  if (values.adset !== undefined) {
    // One ad set: always exactly one document, as GET …/recommendations/{campaign_id}?adset_id= answers.
    const one = recs.find((r) => r.adset_id === values.adset);
    if (one === undefined) throw new NotFoundError(unknownAdsetMessage(campaignId, values.adset, recs.map((r) => r.adset_id)));
    if (values.json) return printJson(io, one);
    return printLines(io, [`Latest run ${one.run_id} (${one.created_at}):`, ...describeRecommendation(one)]);
  }
  // The specification's endpoint returns one document; a campaign with several ad sets gets
  // the latest run's recommendations, one per ad set.
  if (values.json) return printJson(io, recs.length === 1 ? recs[0] : recs);
  printLines(io, [`Latest run ${recs[0]!.run_id} (${recs[0]!.created_at}):`, ...recs.flatMap(describeRecommendation)]);
}
