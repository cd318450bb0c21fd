import { parseArgs } from 'node:util';
import type { AppContext } from '../context.ts';
import { targetingHistory } from '../services/history.ts';
import { type CliIo, parseLimit, printJson, printLines } from './io.ts';

export const usage = 'history [--campaign ID] [--adset ID] [--limit 1..500] [--json]';

export async function historyCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({ args, options: { campaign: { type: 'string' }, adset: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: false });
  const rows = await targetingHistory(ctx, { campaignId: values.campaign ?? null, adsetId: values.adset ?? null, limit: parseLimit(values.limit) });
  if (values.json) return printJson(io, rows);
  if (rows.length === 0) return printLines(io, ['No targeting changes recorded yet.']);
  printLines(io, rows.map((h) => `${h.applied_at}  campaign ${h.campaign_id}  ad set ${h.adset_id ?? '-'}  ${h.mode}${h.dry_run ? ' (dry run)' : ''}  ${h.success ? 'ok' : `FAILED: ${h.error_message}`}  by ${h.actor ?? '(unknown)'}`));
}
