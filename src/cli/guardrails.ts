import { parseArgs } from 'node:util';
import type { AppContext } from '../context.ts';
import { guardrailEvents } from '../services/guardrail-events.ts';
import { type CliIo, parseLimit, printJson, printLines, UsageError } from './io.ts';

export const usage = 'guardrails [--campaign ID] [--outcome passed|blocked|withdrawn] [--limit 1..500] [--json]';

export async function guardrailsCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({ args, options: { campaign: { type: 'string' }, outcome: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: false });
  const outcome = values.outcome ?? null;
  if (outcome !== null && outcome !== 'passed' && outcome !== 'blocked' && outcome !== 'withdrawn') throw new UsageError(`--outcome: must be passed, blocked or withdrawn, got ${JSON.stringify(outcome)}`);
  const rows = await guardrailEvents(ctx, { campaignId: values.campaign ?? null, outcome, limit: parseLimit(values.limit) });
  if (values.json) return printJson(io, rows);
  printLines(io, rows.length === 0 ? ['No guardrail verdicts recorded yet.'] : rows.map((e) => `${e.recorded_at}  ${e.outcome}${e.rule === null ? '' : ` (${e.rule})`}  campaign ${e.campaign_id}  ad set ${e.adset_id ?? '-'}  ${e.mode}  by ${e.actor ?? '(unknown)'}: ${e.message}`));
}
