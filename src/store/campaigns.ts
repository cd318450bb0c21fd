// The campaigns table as the user sees it: budget, currency, data range and whether the scheduler
// runs it. The scheduler's own choice (tick.ts) and this listing read the same rule (schedulable).
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { Db } from './db.ts';

export interface CampaignListing {
  campaignId: string;
  name: string | null;
  currency: string;
  source: string;
  active: boolean;
  dailyBudgetMinor: number | null;
  firstDate: string | null;
  lastDate: string | null;
}

/**
 * The condition, in SQL over `campaigns c`, for the scheduler to optimize a campaign: active, with a
 * stored daily budget and at least one day of history. Without a budget a run has nothing to split;
 * without history a scheduled STUB run would invent a market for a campaign nobody imported.
 */
export const SCHEDULABLE_SQL = 'c.active and c.daily_budget_minor is not null and exists (select 1 from insights i where i.campaign_id = c.campaign_id)';

/** One page of campaigns by id, and the cursor of the next page (null on the last one). */
export async function listCampaignsPage(db: Db, options: { limit: number; cursor: string | null; campaignId?: string }): Promise<{ items: CampaignListing[]; nextCursor: string | null }> {
  const after = options.cursor === null ? null : (decodeCursor(options.cursor, ['text'])[0] as string);
  const rows = await db.query<{ campaign_id: string; name: string | null; currency: string; source: string; active: boolean; daily_budget_minor: number | null; first_date: string | null; last_date: string | null }>(
    `select c.campaign_id, c.name, c.currency, c.source, c.active, c.daily_budget_minor::float8 as daily_budget_minor,
       r.first_date, r.last_date
     from campaigns c
     left join lateral (select min(date)::text as first_date, max(date)::text as last_date from insights i where i.campaign_id = c.campaign_id) r on true
     where ($1::text is null or c.campaign_id > $1::text) and ($3::text is null or c.campaign_id = $3::text)
     order by c.campaign_id
     limit $2`,
    [after, options.limit + 1, options.campaignId ?? null],
  );
  const items = rows.slice(0, options.limit).map((r) => ({
    campaignId: r.campaign_id,
    name: r.name,
    currency: r.currency,
    source: r.source,
    active: Boolean(r.active),
    dailyBudgetMinor: r.daily_budget_minor === null ? null : Number(r.daily_budget_minor),
    firstDate: r.first_date,
    lastDate: r.last_date,
  }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > options.limit && last !== undefined ? encodeCursor([last.campaignId]) : null };
}

/** Sets a campaign's daily budget; false when no such campaign is stored. */
export async function setDailyBudget(db: Db, campaignId: string, dailyBudgetMinor: number): Promise<boolean> {
  const rows = await db.query('update campaigns set daily_budget_minor = $2 where campaign_id = $1 returning campaign_id', [campaignId, dailyBudgetMinor]);
  return rows.length > 0;
}

/** The ids of the campaigns the scheduler optimizes at a tick, in a stable order. */
export async function schedulableCampaignIds(db: Db): Promise<string[]> {
  const rows = await db.query<{ campaign_id: string }>(`select c.campaign_id from campaigns c where ${SCHEDULABLE_SQL} order by c.campaign_id`);
  return rows.map((r) => r.campaign_id);
}

/** The ids of the active campaigns, in id order. */
export async function listActiveCampaignIds(db: Db): Promise<string[]> {
  const rows = await db.query<{ campaign_id: string }>('select campaign_id from campaigns where active order by campaign_id');
  return rows.map((r) => r.campaign_id);
}
