// The scheduler's tick and its catch-up rule, as plain functions over the store: the queue
// (pg-boss) is passed in as a function, so tests call them directly.
import type { AppContext } from '../context.ts';
import { schedulableCampaignIds } from '../store/campaigns.ts';
import { pruneAuditLog } from '../services/audit.ts';

export interface TickReport {
  campaigns: number;
  /** Jobs created. */
  enqueued: number;
  /** Campaigns that already had a job waiting (the queue keeps one queued job per campaign). */
  alreadyQueued: number;
  /** Audit rows deleted for being older than AUDIT_LOG_RETENTION_DAYS. */
  auditRowsPruned: number;
}

/** Active campaigns, in a stable order. */
export async function activeCampaignIds(ctx: AppContext): Promise<string[]> {
  const rows = await ctx.db.query<{ campaign_id: string }>('select campaign_id from campaigns where active order by campaign_id');
  return rows.map((r) => r.campaign_id);
}

/**
 * One tick: one optimize job per active campaign with a stored daily budget and history (imported,
 * STUB or set by the user: store/campaigns.ts SCHEDULABLE_SQL). `enqueue` answers false when the
 * queue refused the job because the campaign already has one waiting, which is not an error.
 */
export async function tickJob(ctx: AppContext, enqueue: (campaignId: string) => Promise<boolean>): Promise<TickReport> {
  const ids = await schedulableCampaignIds(ctx.db);
  const active = await activeCampaignIds(ctx);
  const left = active.filter((id) => !ids.includes(id));
  if (left.length > 0) ctx.logger.info({ campaigns: left.slice(0, 20), count: left.length }, 'active campaigns without a daily budget or history are not scheduled');
  let enqueued = 0;
  for (const id of ids) if (await enqueue(id)) enqueued += 1;
  // Audit retention (AUDIT_LOG_RETENTION_DAYS) rides on the tick: one indexed delete per interval.
  const auditRowsPruned = await pruneAuditLog(ctx);
  const report = { campaigns: ids.length, enqueued, alreadyQueued: ids.length - enqueued, auditRowsPruned };
  ctx.logger.info(report, 'scheduler tick');
  return report;
}

/**
 * Whether a tick was missed: some active campaign's latest completed run started more than one
 * interval ago. Campaigns that never completed a run do not count (a campaign that cannot run,
 * or a fresh install, would otherwise trigger a tick at every start); neither does a database
 * with no completed run at all. Returns the stalest latest run when a catch-up is due.
 */
export async function missedTickSince(ctx: AppContext): Promise<Date | null> {
  const rows = await ctx.db.query<{ stalest: Date | string | null }>(
    `select min(last_run) as stalest from (
       select max(r.started_at) as last_run
       from campaigns c join runs r on r.status = 'completed' and c.campaign_id = any(r.campaign_ids)
       where c.active
       group by c.campaign_id) latest`,
  );
  const value = rows[0]?.stalest ?? null;
  if (value === null) return null;
  const stalest = new Date(value);
  const due = ctx.clock.now().getTime() - ctx.config.intervalHours * 3_600_000;
  return stalest.getTime() < due ? stalest : null;
}
