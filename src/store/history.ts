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
  /** pending: recorded, being sent (or interrupted); applied; failed (nothing of it is left in force). */
  state: ChangeState;
  /** The row this one rolls back, or null. */
  rolls_back_history_id: number | null;
}

export type ChangeState = 'pending' | 'applied' | 'failed';

/** Meta's error of a failed change: never a token. */
export interface StoredMetaError {
  code: number | null;
  subcode: number | null;
  fbtrace_id: string | null;
  user_message: string | null;
  message: string;
}

export type NewTargetingChange = Omit<TargetingChange, 'id' | 'applied_at' | 'experiment_id' | 'experiment_arm' | 'state' | 'rolls_back_history_id'> & {
  applied_at: Date;
  experiment_id?: string | null;
  experiment_arm?: 'treatment' | 'holdout' | null;
  /** Default: applied or failed by success. */
  state?: ChangeState;
  /** The per-ad-set changes (requests, what each ad set held before), kept as text so key order survives. */
  changes?: unknown;
  rolls_back_history_id?: number | null;
  meta_error?: StoredMetaError | null;
};

export async function insertTargetingChange(tx: Db, c: NewTargetingChange): Promise<number> {
  const rows = await tx.query<{ id: number }>(
    `insert into targeting_history (run_id, recommendation_id, campaign_id, adset_id, mode, dry_run, applied_at,
       old_targeting, new_targeting, before_ctr, before_cvr, before_roas, after_ctr, after_cvr, after_roas, success, error_message,
       experiment_id, experiment_arm, actor, state, changes, rolls_back_history_id, meta_error)
     values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12, $13, $14, $15, $16, $17, $18::uuid, $19, $20, $21, $22::json, $23, $24::jsonb)
     returning id::float8 as id`,
    [
      c.run_id, c.recommendation_id, c.campaign_id, c.adset_id, c.mode, c.dry_run, c.applied_at,
      c.old_targeting === null ? null : JSON.stringify(c.old_targeting), c.new_targeting === null ? null : JSON.stringify(c.new_targeting),
      c.before_ctr, c.before_cvr, c.before_roas, c.after_ctr, c.after_cvr, c.after_roas, c.success, c.error_message,
      c.experiment_id ?? null, c.experiment_arm ?? null, c.actor, c.state ?? (c.success ? 'applied' : 'failed'),
      c.changes === undefined || c.changes === null ? null : JSON.stringify(c.changes), c.rolls_back_history_id ?? null,
      c.meta_error === undefined || c.meta_error === null ? null : JSON.stringify(c.meta_error),
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
       success, error_message, experiment_id::text as experiment_id, experiment_arm, actor, state, rolls_back_history_id::float8 as rolls_back_history_id
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
    rolls_back_history_id: r.rolls_back_history_id === null ? null : Number(r.rolls_back_history_id),
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
export async function listChangesAwaitingResults(db: Db, campaignIds: readonly string[]): Promise<{ id: number; campaignId: string; adsetIds: (string | null)[]; appliedAt: Date }[]> {
  const rows = await db.query<{ id: number; campaign_id: string; adset_id: string | null; applied_at: string | Date; changes: string | null }>(
    `select id::float8 as id, campaign_id, adset_id, applied_at, changes::text as changes from targeting_history
     where success and not dry_run and campaign_id = any($1::text[]) order by id`,
    [campaignIds as string[]],
  );
  return rows.map((r) => ({ id: Number(r.id), campaignId: r.campaign_id, adsetIds: deliveringAdsets(r.adset_id, r.changes), appliedAt: new Date(r.applied_at) }));
}

/**
 * The ad sets whose delivery shows what a change did: the one it was applied to and, for a LIVE geo
 * split, every ad set of the split it updated or created (a retired one is paused and delivers nothing).
 */
function deliveringAdsets(adsetId: string | null, changes: string | null): (string | null)[] {
  const doc = changes === null ? null : (JSON.parse(changes) as { adsets?: { step: string; adset_id: string | null }[] } | null);
  const ids = new Set<string | null>([adsetId]);
  for (const a of doc?.adsets ?? []) if (a.step !== 'retire' && a.adset_id !== null) ids.add(a.adset_id);
  return [...ids];
}

export async function setAfterMetrics(tx: Db, id: number, rates: { ctr: number | null; cvr: number | null; roas: number | null }): Promise<void> {
  await tx.query('update targeting_history set after_ctr = $2, after_cvr = $3, after_roas = $4 where id = $1', [id, rates.ctr, rates.cvr, rates.roas]);
}

/** A change row with the per-ad-set changes and Meta's error: what apply, reconcile and rollback work from. */
export interface StoredChange {
  id: number;
  recommendationId: string | null;
  runId: string | null;
  campaignId: string;
  adsetId: string | null;
  mode: 'stub' | 'live';
  state: ChangeState;
  oldTargeting: unknown;
  newTargeting: unknown;
  /** Parsed from text that kept Meta's key order. */
  changes: unknown;
  metaError: StoredMetaError | null;
  rollsBackHistoryId: number | null;
  /** The row that rolled this one back (state applied or pending), or null. */
  rolledBackBy: number | null;
  appliedAt: Date;
}

const STORED_CHANGE = `select h.id::float8 as id, h.applied_at, h.recommendation_id::text as recommendation_id, h.run_id::text as run_id, h.campaign_id, h.adset_id, h.mode, h.state,
    h.old_targeting, h.new_targeting, h.changes::text as changes, h.meta_error, h.rolls_back_history_id::float8 as rolls_back,
    (select r.id::float8 from targeting_history r where r.rolls_back_history_id = h.id and r.state <> 'failed' order by r.id limit 1) as rolled_back_by
  from targeting_history h`;

function storedChange(r: Record<string, unknown>): StoredChange {
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : (v ?? null));
  return {
    id: Number(r.id),
    recommendationId: (r.recommendation_id as string | null) ?? null,
    runId: (r.run_id as string | null) ?? null,
    campaignId: String(r.campaign_id),
    adsetId: (r.adset_id as string | null) ?? null,
    mode: r.mode as 'stub' | 'live',
    state: r.state as ChangeState,
    oldTargeting: json(r.old_targeting),
    newTargeting: json(r.new_targeting),
    changes: json(r.changes),
    metaError: json(r.meta_error) as StoredMetaError | null,
    rollsBackHistoryId: r.rolls_back === null ? null : Number(r.rolls_back),
    rolledBackBy: r.rolled_back_by === null ? null : Number(r.rolled_back_by),
    appliedAt: new Date(r.applied_at as string),
  };
}

export async function getStoredChange(db: Db, id: number): Promise<StoredChange | null> {
  const rows = await db.query<Record<string, unknown>>(`${STORED_CHANGE} where h.id = $1`, [id]);
  return rows[0] === undefined ? null : storedChange(rows[0]);
}

/** The latest applied (not dry-run, not rolled back) change of a recommendation in this mode, or null. */
export async function appliedChangeOf(db: Db, recommendationId: string, mode: 'stub' | 'live'): Promise<StoredChange | null> {
  const rows = await db.query<Record<string, unknown>>(
    `${STORED_CHANGE} where h.recommendation_id = $1 and h.mode = $2 and h.state = 'applied' and not h.dry_run and h.rolls_back_history_id is null
       and not exists (select 1 from targeting_history r where r.rolls_back_history_id = h.id and r.state = 'applied')
     order by h.id desc limit 1`,
    [recommendationId, mode],
  );
  return rows[0] === undefined ? null : storedChange(rows[0]);
}

/** The campaign's LIVE changes that landed (applies and rollbacks, not dry runs) recorded at or after `since`, oldest first. */
export async function liveChangesSince(db: Db, campaignId: string, since: Date): Promise<StoredChange[]> {
  const rows = await db.query<Record<string, unknown>>(`${STORED_CHANGE} where h.campaign_id = $1 and h.mode = 'live' and h.state = 'applied' and not h.dry_run and h.applied_at >= $2 order by h.applied_at, h.id`, [campaignId, since]);
  return rows.map(storedChange);
}

/** LIVE changes recorded but not known to have landed or failed (a crash between the record and the answer). */
export async function pendingChanges(db: Db, campaignId: string | null): Promise<StoredChange[]> {
  const rows = await db.query<Record<string, unknown>>(`${STORED_CHANGE} where h.state = 'pending' and ($1::text is null or h.campaign_id = $1) order by h.id`, [campaignId]);
  return rows.map(storedChange);
}

/** Progress of a pending change (which requests were sent, which ad sets were created): written after each request, so a crash leaves it known. */
export async function setChangeProgress(db: Db, id: number, changes: unknown): Promise<void> {
  await db.query('update targeting_history set changes = $2::json where id = $1', [id, JSON.stringify(changes)]);
}

/** The outcome of a change: applied, or failed with Meta's error. */
export async function settleChange(db: Db, id: number, outcome: { state: 'applied' | 'failed'; changes: unknown; metaError: StoredMetaError | null; errorMessage: string | null }): Promise<void> {
  await db.query(
    'update targeting_history set state = $2, success = $3, changes = $4::json, meta_error = $5::jsonb, error_message = $6 where id = $1',
    [id, outcome.state, outcome.state === 'applied', JSON.stringify(outcome.changes), outcome.metaError === null ? null : JSON.stringify(outcome.metaError), outcome.errorMessage],
  );
}

/** A pending change of the campaign recorded after `since` (an apply still at work), or null. */
export async function recentPendingOf(db: Db, campaignId: string, since: Date): Promise<number | null> {
  const rows = await db.query<{ id: number }>(`select id::float8 as id from targeting_history where campaign_id = $1 and state = 'pending' and applied_at > $2 order by id limit 1`, [campaignId, since]);
  return rows[0] === undefined ? null : Number(rows[0].id);
}
