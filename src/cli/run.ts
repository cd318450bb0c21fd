import { parseArgs } from 'node:util';
import type { RecommendationDocument as Recommendation } from '../presentation/recommendation-document.ts';
import type { AppContext } from '../context.ts';
import { runOptimization, validateRunRequest } from '../services/run-optimization.ts';
import { type CliIo, money, pct, printJson, printLines } from './io.ts';

export const usage = 'run --campaign ID [--budget AMOUNT] [--mode stub|live] [--generate-stub] [--json]';

export async function runCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({ args, options: { campaign: { type: 'string' }, budget: { type: 'string' }, mode: { type: 'string', default: 'stub' }, 'generate-stub': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: false });
  const request = validateRunRequest({ campaignId: values.campaign, budget: values.budget, mode: values.mode });
  const result = await runOptimization(ctx, { ...request, generateStub: values['generate-stub'] });
  const { run } = result;
  if (values.json) {
    return printJson(io, {
      run_id: run.runId,
      status: run.status,
      campaign_ids: run.campaignIds,
      recommendations_count: run.recommendationsCount,
      duration_ms: run.durationMs,
      message: `Generated ${run.recommendationsCount} recommendations in ${run.durationMs}ms`,
      generated_history: result.generatedHistory,
      recommendations: result.recommendations,
    });
  }
  printLines(io, [
    `Run ${run.runId} ${run.status}: ${run.recommendationsCount} recommendation(s) in ${run.durationMs} ms${result.generatedHistory ? ' (no stored history: a synthetic STUB history was generated first, as --generate-stub asked)' : ''}.`,
    ...result.recommendations.flatMap(describeRecommendation),
  ]);
}

export function describeRecommendation(r: Recommendation): string[] {
  const cur = r.reasoning.currency;
  return [
    '',
    `Ad set ${r.adset_id ?? '(whole campaign)'} of campaign ${r.campaign_id} — recommendation ${r.recommendation_id}`,
    `  budget ${money(r.total_budget, cur)}: ${[...r.geo_allocations].sort((a, b) => b.budget_amount - a.budget_amount || a.country_code.localeCompare(b.country_code)).map((g) => `${g.country_code} ${money(g.budget_amount, cur)} (${g.budget_pct} %)`).join(', ')}`,
    `  audience: ages ${r.age_min}-${r.age_max}, gender ${r.gender}, frequency cap ${r.frequency_cap} per ${r.frequency_window_days} days`,
    `  interests (${r.interests.length}): ${r.interests.slice(0, 5).map((i) => `${i.interest_name} ${i.score}`).join(', ')}${r.interests.length > 5 ? ', …' : ''}`,
    `  behaviors (${r.behaviors.length}): ${r.behaviors.slice(0, 3).map((b) => `${b.behavior_name} ${b.score}`).join(', ')}${r.behaviors.length > 3 ? ', …' : ''}`,
    `  custom audiences: ${r.custom_audiences.map((c) => `${c.name} (${c.size})`).join(', ') || 'none'}; lookalikes: ${r.lookalikes.map((l) => l.name).join(', ') || 'none'}`,
    `  expected CTR ${pct(r.expected_ctr)}, CVR ${pct(r.expected_cvr)}, ROAS ${r.expected_roas.toFixed(2)}x, confidence ${r.confidence}`,
  ];
}
