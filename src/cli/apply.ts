import { parseArgs } from 'node:util';
import type { AppContext } from '../context.ts';
import { applyRecommendation } from '../services/apply-recommendation.ts';
import { type CliIo, printJson, printLines, UsageError } from './io.ts';

export const usage = 'apply <recommendation_id> [--dry-run] [--force] [--mode stub|live] [--json]';

export async function applyCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { 'dry-run': { type: 'boolean', default: false }, force: { type: 'boolean', default: false }, mode: { type: 'string', default: 'stub' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: true });
  if (positionals.length !== 1 || positionals[0]!.trim() === '') throw new UsageError('apply takes exactly one recommendation id');
  if (values.mode !== 'stub' && values.mode !== 'live') throw new UsageError(`--mode: must be stub or live, got ${JSON.stringify(values.mode)}`);
  const result = await applyRecommendation(ctx, { recommendationId: positionals[0]!.trim().toLowerCase(), mode: values.mode, dryRun: values['dry-run'], force: values.force });
  if (values.json) return printJson(io, result);
  const c = result.applied_changes;
  const g = result.guardrails;
  printLines(io, [
    `${result.message}.`,
    ...(g === null ? [] : [`Guardrails: ${g.allowed ? 'passed' : g.message}; budget ${g.current_budget ?? 'unknown'} → ${g.proposed_budget} ${g.currency}.`]),
    `Recommendation ${result.recommendation_id} → ad set ${result.adset_id ?? '(whole campaign)'}: countries ${c.countries.join(', ')}; ages ${c.age_range}; ${c.interests_count} interests, ${c.behaviors_count} behaviors, ${c.lookalikes_count} lookalikes.`,
    result.history_id === null
      ? 'Nothing recorded in the targeting history (dry run); the audit log has the call.'
      : result.already_in_force
        ? `In force since targeting history row ${result.history_id}: targeting-optimizer history --json`
        : `Recorded as targeting history row ${result.history_id} by ${ctx.actor.id}: targeting-optimizer history --json`,
  ]);
}
