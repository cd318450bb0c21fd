import { parseArgs } from 'node:util';
import type { AppContext } from '../context.ts';
import { applyRecommendation, type ApplyResult } from '../services/apply-recommendation.ts';
import { type CliIo, printJson, printLines, UsageError } from './io.ts';

export const usage = 'apply <recommendation_id> [--yes] [--force] [--mode stub|live] [--json]   (a dry run unless --yes)';

export async function applyCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { yes: { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false }, force: { type: 'boolean', default: false }, mode: { type: 'string', default: 'stub' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: true });
  if (positionals.length !== 1 || positionals[0]!.trim() === '') throw new UsageError('apply takes exactly one recommendation id');
  if (values.mode !== 'stub' && values.mode !== 'live') throw new UsageError(`--mode: must be stub or live, got ${JSON.stringify(values.mode)}`);
  if (values.yes && values['dry-run']) throw new UsageError('--yes and --dry-run contradict each other: --yes applies, without it apply is a dry run');
  const result = await applyRecommendation(ctx, { recommendationId: positionals[0]!.trim().toLowerCase(), mode: values.mode, dryRun: !values.yes, force: values.force });
  if (values.json) return printJson(io, result);
  const c = result.applied_changes;
  const g = result.guardrails;
  printLines(io, [
    `${result.message}.`,
    ...(g === null ? [] : [`Guardrails: ${g.allowed ? 'passed' : g.message}; budget ${g.current_budget ?? 'unknown'} → ${g.proposed_budget} ${g.currency}.`]),
    `Recommendation ${result.recommendation_id} → ad set ${result.adset_id ?? '(whole campaign)'}: countries ${c.countries.join(', ')}; ages ${c.age_range}; ${c.interests_count} interests, ${c.behaviors_count} behaviors, ${c.lookalikes_count} lookalikes.`,
    ...liveLines(result),
    ...(result.lookalikes === null ? [] : [`Lookalikes: ${result.lookalikes.message}.`]),
    result.history_id === null
      ? result.dry_run ? 'Nothing changed or recorded (dry run); apply it with --yes.' : 'Nothing recorded.'
      : result.already_in_force
        ? `In force since targeting history row ${result.history_id}: targeting-optimizer history --json`
        : `Recorded as targeting history row ${result.history_id} by ${ctx.actor.id}: targeting-optimizer history --json`,
  ]);
}

/** The requests, each ad set's changes, the notes and what was rolled back: the LIVE part of the answer. */
export function liveLines(result: Pick<ApplyResult, 'requests' | 'adsets' | 'notes' | 'rolled_back' | 'validation'>): string[] {
  const lines: string[] = [];
  for (const a of result.adsets) {
    lines.push(`  ${a.step} ad set ${a.adset_id ?? '(new copy)'}: ${a.countries.join(', ') || '-'}${a.daily_budget_minor === null ? '' : `, daily budget ${a.daily_budget_minor} (minor units)`}`);
    for (const d of a.diff) lines.push(`    ${d.field}: ${JSON.stringify(d.before)} → ${JSON.stringify(d.after)}`);
  }
  if (result.requests.length > 0) lines.push(`Requests${result.validation.validated_by_meta ? ' (validated by Meta)' : ''}:`, ...result.requests.map((r) => `  POST /${r.path} ${JSON.stringify(r.params)}`));
  for (const e of result.validation.errors) lines.push(`Meta refused /${e.path}: ${e.error.message}`);
  for (const n of result.notes) lines.push(`Note (${n.kind}, ${n.field}): ${n.message}`);
  for (const r of result.rolled_back) lines.push(r.restored ? `Rolled back: ad set ${r.adset_id}` : `NOT rolled back: ad set ${r.adset_id} (${r.error ?? 'unknown error'})`);
  return lines;
}
