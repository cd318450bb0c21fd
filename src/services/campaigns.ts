// Campaigns and their daily budgets: what the scheduler and a run without an explicit budget
// optimize. Budgets come from imports (Ads Manager's ad set budgets, the canonical CSV's
// daily_budget column), from the STUB market, or from the user here.
import { hasSubMinorDigits, minorDigits, parseMinor, toMajor } from '../engine/money.ts';
import type { AppContext } from '../context.ts';
import { listActiveCampaignIds, listCampaignsPage, setDailyBudget } from '../store/campaigns.ts';
import { getCampaign } from '../store/insights.ts';
import { InputError, NotFoundError } from './errors.ts';
import { auditChange } from './audit.ts';
import { campaignIdFrom } from './campaign-id.ts';

/** One listed campaign, as the CLI (--json) and GET /meta/targeting/campaigns show it. */
export interface CampaignDocument {
  campaign_id: string;
  name: string | null;
  currency: string;
  /** Major units of the currency; null when none is stored. */
  daily_budget: number | null;
  /** Where the campaign's rows came from: stub, csv, ads-manager, kaggle-conversion. */
  source: string;
  active: boolean;
  first_data_day: string | null;
  last_data_day: string | null;
  /** Whether the scheduler optimizes it at its ticks. */
  scheduled: boolean;
  /** Why not, when it does not. */
  not_scheduled_because: string | null;
}

export async function listCampaigns(ctx: AppContext, page: { limit: number; cursor: string | null; campaignId?: string }): Promise<{ items: CampaignDocument[]; nextCursor: string | null }> {
  const { items, nextCursor } = await listCampaignsPage(ctx.db, page);
  return {
    nextCursor,
    items: items.map((c) => {
      const reasons = [
        ...(ctx.config.targetingEnabled ? [] : ['the scheduler is off (META_TARGETING_ENABLED=false)']),
        ...(c.active ? [] : ['the campaign is not active']),
        ...(c.dailyBudgetMinor === null ? ['no daily budget stored (import one, or `campaign set --daily-budget`)'] : []),
        ...(c.lastDate === null ? ['no history stored'] : []),
      ];
      return {
        campaign_id: c.campaignId,
        name: c.name,
        currency: c.currency,
        daily_budget: c.dailyBudgetMinor === null ? null : toMajor(c.dailyBudgetMinor, c.currency),
        source: c.source,
        active: c.active,
        first_data_day: c.firstDate,
        last_data_day: c.lastDate,
        scheduled: reasons.length === 0,
        not_scheduled_because: reasons.length === 0 ? null : reasons.join('; '),
      };
    }),
  };
}

/** A daily budget in major units as text or a number ("250", "250.50", 250) → minor units of `currency`. */
export function parseDailyBudget(value: unknown, currency: string, field = 'daily_budget'): number {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || !/^\d+(\.\d+)?$/.test(text.trim())) throw new InputError(field, `must be a positive decimal amount in major units such as 250 or 250.50, got ${JSON.stringify(value)}`);
  // A typed amount is kept to the cent as typed, never rounded: 12.345 EUR is a typo, not 12.35.
  if (hasSubMinorDigits(text.trim(), currency)) throw new InputError(field, `has more decimals than ${currency} has (${minorDigits(currency)}), got ${text.trim()}`);
  const minor = parseMinor(text.trim(), currency);
  if (minor === null) throw new InputError(field, 'is too large');
  if (minor <= 0) throw new InputError(field, `must be greater than zero in ${currency} (at least one minor unit)`);
  return minor;
}

/** Stores a campaign's daily budget (major units of its currency). The campaign must exist. */
export async function setCampaignBudget(ctx: AppContext, campaignId: string, dailyBudget: unknown): Promise<CampaignDocument> {
  const id = campaignIdFrom(campaignId);
  return ctx.db.transaction(async (tx) => {
    const campaign = await getCampaign(tx, id);
    if (campaign === null) throw new NotFoundError(`campaign ${JSON.stringify(id)} is not stored: import its history first (import FILE), or generate a STUB one (stub generate)`);
    const minor = parseDailyBudget(dailyBudget, campaign.currency);
    await setDailyBudget(tx, id, minor);
    await auditChange(tx, ctx, { action: 'campaign set', summary: { campaign_id: id, daily_budget_minor: minor } });
    ctx.logger.info({ campaignId: id, dailyBudgetMinor: minor }, 'campaign budget set');
    const { items } = await listCampaigns({ ...ctx, db: tx }, { limit: 1, cursor: null, campaignId: id });
    return items[0]!;
  });
}

/** The ids of the active campaigns, in id order. */
export function activeCampaignIds(ctx: AppContext): Promise<string[]> {
  return listActiveCampaignIds(ctx.db);
}
