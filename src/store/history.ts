import { decodeCursor, encodeCursor } from './cursor.ts';
import type { Db } from './db.ts';

export interface TargetingChange {
  id: number;
  run_id: string | null;
  recommendation_id: string | null;
  campaign_id: string;
  adset_id: string | null;
  mode: 'stub' | 'live';
  dry_run: boolean;
  applied_at: string;
  old_targeting: unknown;
  /** Null only on a holdout row of an ad set whose earlier targeting is unknown (it was kept). */
  new_targeting: unknown;
  before_ctr: number | null;
  before_cvr: number | null;
  before_roas: number | null;
  after_ctr: number | null;
  after_cvr: number | null;
  after_roas: number | null;
  success: boolean;
  error_message: string | null;
  /** The holdout experiment the change belongs to (migration 006), and the ad set's arm in it. */
  experiment_id: string | null;
  experiment_arm: 'treatment' | 'holdout' | null;
  /** Who made the change (migration 010): a token subject, cli:<os user> or scheduler; null before. */
  actor: string | null;
}

export type NewTargetingChange = Omit<TargetingChange, 'id' | 'applied_at' | 'experiment_id' | 'experiment_arm'> & {
  applied_at: Date;
  experiment_id?: string | null;
  experiment_arm?: 'treatment' | 'holdout' | null;
};

export async function insertTargetingChange(tx: Db, c: NewTargetingChange): Promise<number> {
  const rows = await tx.query<{ id: number }>(
    `insert into targeting_history (run_id, recommendation_id, campaign_id, adset_id, mode, dry_run, applied_at,
       old_targeting, new_targeting, before_ctr, before_cvr, before_roas, after_ctr, after_cvr, after_roas, success, error_message,
       experiment_id, experiment_arm, actor)
     values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12, $13, $14, $15, $16, $17, $18::uuid, $19, $20)
     returning id::float8 as id`,
    [
      c.run_id, c.recommendation_id, c.campaign_id, c.adset_id, c.mode, c.dry_run, c.applied_at,
      c.old_targeting === null ? null : JSON.stringify(c.old_targeting), c.new_targeting === null ? null : JSON.stringify(c.new_targeting),
      c.before_ctr, c.before_cvr, c.before_roas, c.after_ctr, c.after_cvr, c.after_roas, c.success, c.error_message,
      c.experiment_id ?? null, c.experiment_arm ?? null, c.actor,
    ],
  );
  return Number(rows[0]!.id);
}

export interface HistoryFilter {
  campaignId: string | null;
  adsetId: string | null;
  limit: number;
}

export async function listTargetingHistory(db: Db, filter: HistoryFilter): Promise<TargetingChange[]> {
  return (await listTargetingHistoryPage(db, { ...filter, cursor: null })).items;
}

/**
 * One page of changes, latest first, and the cursor of the next page (null on the last one).
 * Keyset pagination on (applied_at, id): a page costs the same however deep it is, and rows
 * inserted meanwhile never shift a page. applied_at is written from a JavaScript Date, so its
 * millisecond ISO text in the cursor is exact.
 */
export async function listTargetingHistoryPage(db: Db, filter: HistoryFilter & { cursor: string | null }): Promise<{ items: TargetingChange[]; nextCursor: string | null }> {
  const after = filter.cursor === null ? null : decodeCursor(filter.cursor, ['timestamp', 'int']);
  const rows = await db.query<Record<string, unknown>>(
    `select id::float8 as id, run_id::text as run_id, recommendation_id::text as recommendation_id, campaign_id, adset_id, mode, dry_run,
       applied_at, old_targeting, new_targeting, before_ctr, before_cvr, before_roas, after_ctr, after_cvr, after_roas,
       success, error_message, experiment_id::text as experiment_id, experiment_arm, actor
     from targeting_history
     where ($1::text is null or campaign_id = $1) and ($2::text is null or adset_id = $2)
       and ($4::timestamptz is null or (applied_at, id) < ($4::timestamptz, $5::int8))
     order by applied_at desc, id desc
     limit $3`,
    [filter.campaignId, filter.adsetId, filter.limit + 1, after === null ? null : String(after[0]), after === null ? null : Number(after[1])],
  );
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  const items: TargetingChange[] = rows.slice(0, filter.limit).map((r) => ({
    ...(r as unknown as TargetingChange),
    id: Number(r.id),
    applied_at: new Date(r.applied_at as string).toISOString(),
    old_targeting: json(r.old_targeting) ?? null,
    new_targeting: json(r.new_targeting) ?? null,
  }));
  const last = items[items.length - 1];
  const nextCursor = rows.length > filter.limit && last !== undefined ? encodeCursor([last.applied_at, last.id]) : null;
  return { items, nextCursor };
}

/** The targeting last applied (for real or simulated, not a dry run) to the ad set, or null. */
export async function lastAppliedTargeting(db: Db, campaignId: string, adsetId: string | null): Promise<unknown> {
  return (await targetingInForce(db, campaignId, adsetId))?.targeting ?? null;
}

/** The change that put the ad set's current targeting in force (its history row id and targeting), or null. */
export async function targetingInForce(db: Db, campaignId: string, adsetId: string | null): Promise<{ historyId: number; targeting: unknown } | null> {
  const rows = await db.query<{ id: number; new_targeting: unknown }>(
    `select id::float8 as id, new_targeting from targeting_history
     where campaign_id = $1 and adset_id is not distinct from $2 and success and not dry_run
     order by applied_at desc, id desc limit 1`,
    [campaignId, adsetId],
  );
  const r = rows[0];
  if (r === undefined) return null;
  const v = r.new_targeting;
  return { historyId: Number(r.id), targeting: v === null || v === undefined ? null : typeof v === 'string' ? JSON.parse(v) : v };
}

/** Applied (not dry-run) changes of these campaigns, whose after_* metrics are computed from later delivery. */
export async function listChangesAwaitingResults(db: Db, campaignIds: readonly string[]): Promise<{ id: number; campaignId: string; adsetId: string | null; appliedAt: Date }[]> {
  const rows = await db.query<{ id: number; campaign_id: string; adset_id: string | null; applied_at: string | Date }>(
    `select id::float8 as id, campaign_id, adset_id, applied_at from targeting_history
     where success and not dry_run and campaign_id = any($1::text[]) order by id`,
    [campaignIds as string[]],
  );
  return rows.map((r) => ({ id: Number(r.id), campaignId: r.campaign_id, adsetId: r.adset_id, appliedAt: new Date(r.applied_at) }));
}

export async function setAfterMetrics(tx: Db, id: number, rates: { ctr: number | null; cvr: number | null; roas: number | null }): Promise<void> {
  await tx.query('update targeting_history set after_ctr = $2, after_cvr = $3, after_roas = $4 where id = $1', [id, rates.ctr, rates.cvr, rates.roas]);
}
