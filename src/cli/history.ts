import { parseArgs } from 'node:util';
import type { AppContext } from '../context.ts';
import { type TargetingChange, targetingHistory } from '../services/history.ts';
import { type CliIo, parseLimit, printJson, printLines, UsageError } from './io.ts';

export const usage = 'history [--campaign ID] [--adset ID] [--limit 1..500] [--json]';

export async function historyCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({ args, options: { campaign: { type: 'string' }, adset: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: false });
  // An empty id would filter nothing out and answer as if nothing were recorded.
  for (const name of ['campaign', 'adset'] as const) if (values[name] !== undefined && values[name].trim() === '') throw new UsageError(`--${name}: must not be empty`);
  const rows = await targetingHistory(ctx, { campaignId: values.campaign ?? null, adsetId: values.adset ?? null, limit: parseLimit(values.limit) });
  if (values.json) return printJson(io, rows);
  if (rows.length === 0) return printLines(io, ['No targeting changes recorded yet.']);
  printLines(io, rows.map((h) => `#${h.id}  ${h.applied_at}  campaign ${h.campaign_id}  ad set ${h.adset_id ?? '-'}  ${h.mode}${h.dry_run ? ' (dry run)' : ''}  ${outcome(h)}  by ${h.actor ?? '(unknown)'}`));
}

/**
 * What the row's state says, as --json gives it: a pending change (recorded, not yet settled) is
 * not a failure, a holdout row changed nothing, and a rollback names the change it undid; the id
 * is what `rollback` takes.
 */
function outcome(h: TargetingChange): string {
  const state = h.state === 'failed' ? `FAILED: ${h.error_message ?? 'no message recorded'}` : h.state === 'pending' ? 'PENDING (recorded, not settled yet)' : 'ok';
  const what = h.rolls_back_history_id !== null ? `, rollback of #${h.rolls_back_history_id}` : h.experiment_arm === 'holdout' ? `, holdout of experiment ${h.experiment_id}: targeting kept` : h.experiment_arm === 'treatment' ? `, treatment of experiment ${h.experiment_id}` : '';
  return `${state}${what}`;
}
