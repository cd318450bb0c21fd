import { parseArgs } from 'node:util';
import type { AppContext } from '../context.ts';
import { type CampaignDocument, listCampaigns, setCampaignBudget } from '../services/campaigns.ts';
import { type CliIo, money, parseLimit, printJson, printLines, UsageError } from './io.ts';

export const listUsage = 'campaigns [--limit 1..500] [--cursor C] [--json]';
export const setUsage = 'campaign set --campaign ID --daily-budget AMOUNT [--json]';

function describe(c: CampaignDocument): string {
  const budget = c.daily_budget === null ? 'no budget' : `${money(c.daily_budget, c.currency)}/day`;
  const days = c.last_data_day === null ? 'no data' : `data ${c.first_data_day} to ${c.last_data_day}`;
  const scheduled = c.scheduled ? 'scheduled' : `not scheduled: ${c.not_scheduled_because}`;
  return `${c.campaign_id.padEnd(24)} ${(c.name ?? '').slice(0, 30).padEnd(30)} ${budget.padEnd(18)} ${c.currency}  ${c.source.padEnd(17)} ${days}  ${scheduled}`;
}

export async function campaignsCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({ args, options: { limit: { type: 'string' }, cursor: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: false });
  const { items, nextCursor } = await listCampaigns(ctx, { limit: parseLimit(values.limit, 500), cursor: values.cursor ?? null });
  // The next page's cursor goes to stderr, so that --json stays the plain array the API answers.
  if (nextCursor !== null) io.stderr.write(`more campaigns: add --cursor ${nextCursor}\n`);
  if (values.json) return printJson(io, items);
  if (items.length === 0) return printLines(io, ['No campaigns stored yet. Import history (import FILE) or generate a STUB market (stub generate).']);
  printLines(io, items.map(describe));
}

export async function campaignSetCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({ args, options: { campaign: { type: 'string' }, 'daily-budget': { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: false });
  if (values.campaign === undefined) throw new UsageError('--campaign: the campaign id is required');
  if (values['daily-budget'] === undefined) throw new UsageError('--daily-budget: the daily budget in major units of the campaign\'s currency is required (e.g. 250 or 250.50)');
  const campaign = await setCampaignBudget(ctx, values.campaign, values['daily-budget']);
  if (values.json) return printJson(io, campaign);
  printLines(io, [`Campaign ${campaign.campaign_id}: daily budget ${money(campaign.daily_budget!, campaign.currency)}.`, describe(campaign)]);
}
