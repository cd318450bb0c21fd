// LIVE mode's copy of a Meta ad account's structure, and the state of its incremental syncs.
import type { Db } from './db.ts';

export interface StoredMetaCampaign {
  campaignId: string;
  accountId: string;
  name: string | null;
  objective: string | null;
  status: string | null;
  effectiveStatus: string | null;
  specialAdCategories: string[];
  budgetMode: 'campaign' | 'adset';
  dailyBudgetMinor: number | null;
  lifetimeBudgetMinor: number | null;
}

export interface StoredMetaAdSet {
  adsetId: string;
  campaignId: string;
  name: string | null;
  status: string | null;
  effectiveStatus: string | null;
  dailyBudgetMinor: number | null;
  lifetimeBudgetMinor: number | null;
  optimizationGoal: string | null;
  targeting: Record<string, unknown>;
}

export interface StoredMetaAudience {
  audienceId: string;
  accountId: string;
  name: string | null;
  subtype: string | null;
  sizeLower: number | null;
  sizeUpper: number | null;
}

export interface StoredMetaAccount {
  accountId: string;
  name: string | null;
  currency: string;
  timezoneName: string | null;
  timezoneOffsetHours: number | null;
}

export async function upsertMetaAccount(tx: Db, a: StoredMetaAccount, at: Date): Promise<void> {
  await tx.query(
    `insert into meta_accounts (account_id, name, currency, timezone_name, timezone_offset_hours, synced_at) values ($1, $2, $3, $4, $5, $6)
     on conflict (account_id) do update set name = excluded.name, currency = excluded.currency, timezone_name = excluded.timezone_name,
       timezone_offset_hours = excluded.timezone_offset_hours, synced_at = excluded.synced_at`,
    [a.accountId, a.name, a.currency, a.timezoneName, a.timezoneOffsetHours, at],
  );
}

export async function getMetaAccount(db: Db, accountId: string): Promise<StoredMetaAccount | null> {
  const rows = await db.query<{ account_id: string; name: string | null; currency: string; timezone_name: string | null; tz: number | null }>(
    'select account_id, name, currency, timezone_name, timezone_offset_hours::float8 as tz from meta_accounts where account_id = $1',
    [accountId],
  );
  const r = rows[0];
  return r === undefined ? null : { accountId: r.account_id, name: r.name, currency: r.currency, timezoneName: r.timezone_name, timezoneOffsetHours: r.tz === null ? null : Number(r.tz) };
}

export async function upsertMetaCampaign(tx: Db, c: StoredMetaCampaign, at: Date): Promise<void> {
  await tx.query(
    `insert into meta_campaigns (campaign_id, account_id, name, objective, status, effective_status, special_ad_categories, budget_mode, daily_budget_minor, lifetime_budget_minor, synced_at)
     values ($1, $2, $3, $4, $5, $6, $7::text[], $8, $9, $10, $11)
     on conflict (campaign_id) do update set account_id = excluded.account_id, name = excluded.name, objective = excluded.objective,
       status = excluded.status, effective_status = excluded.effective_status, special_ad_categories = excluded.special_ad_categories,
       budget_mode = excluded.budget_mode, daily_budget_minor = excluded.daily_budget_minor, lifetime_budget_minor = excluded.lifetime_budget_minor, synced_at = excluded.synced_at`,
    [c.campaignId, c.accountId, c.name, c.objective, c.status, c.effectiveStatus, c.specialAdCategories, c.budgetMode, c.dailyBudgetMinor, c.lifetimeBudgetMinor, at],
  );
}

/** The campaign's ad sets as Meta lists them now: ones Meta no longer lists are removed. */
export async function replaceMetaAdSets(tx: Db, campaignId: string, adsets: readonly StoredMetaAdSet[], at: Date): Promise<void> {
  await tx.query('delete from meta_adsets where campaign_id = $1', [campaignId]);
  for (const a of adsets) {
    await tx.query(
      `insert into meta_adsets (adset_id, campaign_id, name, status, effective_status, daily_budget_minor, lifetime_budget_minor, optimization_goal, targeting, synced_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)
       on conflict (adset_id) do update set campaign_id = excluded.campaign_id, name = excluded.name, status = excluded.status,
         effective_status = excluded.effective_status, daily_budget_minor = excluded.daily_budget_minor, lifetime_budget_minor = excluded.lifetime_budget_minor,
         optimization_goal = excluded.optimization_goal, targeting = excluded.targeting, synced_at = excluded.synced_at`,
      [a.adsetId, a.campaignId, a.name, a.status, a.effectiveStatus, a.dailyBudgetMinor, a.lifetimeBudgetMinor, a.optimizationGoal, JSON.stringify(a.targeting), at],
    );
  }
}

export async function upsertMetaAudiences(tx: Db, audiences: readonly StoredMetaAudience[], at: Date): Promise<void> {
  for (const a of audiences) {
    await tx.query(
      `insert into meta_custom_audiences (audience_id, account_id, name, subtype, size_lower, size_upper, synced_at) values ($1, $2, $3, $4, $5, $6, $7)
       on conflict (audience_id) do update set account_id = excluded.account_id, name = excluded.name, subtype = excluded.subtype,
         size_lower = excluded.size_lower, size_upper = excluded.size_upper, synced_at = excluded.synced_at`,
      [a.audienceId, a.accountId, a.name, a.subtype, a.sizeLower, a.sizeUpper, at],
    );
  }
}

/** Meta's rows of the days a sync read again: they are replaced whole, so a segment that left an ad set's targeting leaves no stale rows. */
export async function deleteMetaInsights(tx: Db, campaignId: string, since: string, until: string): Promise<number> {
  const rows = await tx.query<{ n: number }>(
    `with d as (delete from insights where campaign_id = $1 and date between $2::date and $3::date and source = 'meta' returning 1) select count(*)::int as n from d`,
    [campaignId, since, until],
  );
  return Number(rows[0]?.n ?? 0);
}

export async function getSyncState(db: Db, campaignId: string): Promise<string | null> {
  const rows = await db.query<{ d: string }>(`select to_char(last_complete_date, 'YYYY-MM-DD') as d from meta_sync_state where campaign_id = $1`, [campaignId]);
  return rows[0]?.d ?? null;
}

export async function setSyncState(tx: Db, campaignId: string, lastCompleteDate: string, at: Date): Promise<void> {
  await tx.query(
    `insert into meta_sync_state (campaign_id, last_complete_date, synced_at) values ($1, $2::date, $3)
     on conflict (campaign_id) do update set last_complete_date = greatest(meta_sync_state.last_complete_date, excluded.last_complete_date), synced_at = excluded.synced_at`,
    [campaignId, lastCompleteDate, at],
  );
}

export async function metaAdSetsOf(db: Db, campaignId: string): Promise<StoredMetaAdSet[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select adset_id, campaign_id, name, status, effective_status, daily_budget_minor::float8 as daily, lifetime_budget_minor::float8 as lifetime, optimization_goal, targeting
     from meta_adsets where campaign_id = $1 order by adset_id`,
    [campaignId],
  );
  return rows.map((r) => ({
    adsetId: String(r.adset_id),
    campaignId: String(r.campaign_id),
    name: (r.name as string | null) ?? null,
    status: (r.status as string | null) ?? null,
    effectiveStatus: (r.effective_status as string | null) ?? null,
    dailyBudgetMinor: r.daily === null ? null : Number(r.daily),
    lifetimeBudgetMinor: r.lifetime === null ? null : Number(r.lifetime),
    optimizationGoal: (r.optimization_goal as string | null) ?? null,
    targeting: (typeof r.targeting === 'string' ? JSON.parse(r.targeting) : r.targeting) as Record<string, unknown>,
  }));
}

export interface SegmentEvidence {
  segmentType: string;
  segmentId: string;
  segmentName: string;
  adsets: number;
  adsetIds: string[];
}

export async function segmentEvidenceOf(db: Db, campaignId: string): Promise<SegmentEvidence[]> {
  const rows = await db.query<{ segment_type: string; segment_id: string; segment_name: string; adsets: number; adset_ids: string[] }>(
    'select segment_type, segment_id, segment_name, adsets, adset_ids from meta_segment_evidence where campaign_id = $1 order by segment_type, segment_id',
    [campaignId],
  );
  return rows.map((r) => ({ segmentType: r.segment_type, segmentId: r.segment_id, segmentName: r.segment_name, adsets: Number(r.adsets), adsetIds: r.adset_ids }));
}

export interface StoredInterestCandidate {
  interestId: string;
  name: string;
  sizeLower: number;
  sizeUpper: number;
  /** Names of the interests the suggestion was seeded with. */
  seeds: string[];
}

/** The campaign's discovered candidates as this sync found them: the earlier ones are replaced whole. */
export async function replaceInterestCandidates(tx: Db, campaignId: string, candidates: readonly StoredInterestCandidate[], at: Date): Promise<void> {
  await tx.query('delete from meta_interest_candidates where campaign_id = $1', [campaignId]);
  for (const c of candidates) {
    await tx.query(
      'insert into meta_interest_candidates (campaign_id, interest_id, name, size_lower, size_upper, seeds, discovered_at) values ($1, $2, $3, $4, $5, $6::text[], $7)',
      [campaignId, c.interestId, c.name, c.sizeLower, c.sizeUpper, c.seeds, at],
    );
  }
}

export async function interestCandidatesOf(db: Db, campaignId: string): Promise<StoredInterestCandidate[]> {
  const rows = await db.query<{ interest_id: string; name: string; lo: number; hi: number; seeds: string[] }>(
    'select interest_id, name, size_lower::float8 as lo, size_upper::float8 as hi, seeds from meta_interest_candidates where campaign_id = $1 order by interest_id',
    [campaignId],
  );
  return rows.map((r) => ({ interestId: r.interest_id, name: r.name, sizeLower: Number(r.lo), sizeUpper: Number(r.hi), seeds: r.seeds }));
}

export async function metaCampaignOf(db: Db, campaignId: string): Promise<StoredMetaCampaign | null> {
  const rows = await db.query<Record<string, unknown>>(
    `select campaign_id, account_id, name, objective, status, effective_status, special_ad_categories, budget_mode,
       daily_budget_minor::float8 as daily, lifetime_budget_minor::float8 as lifetime
     from meta_campaigns where campaign_id = $1`,
    [campaignId],
  );
  const r = rows[0];
  if (r === undefined) return null;
  return {
    campaignId: String(r.campaign_id),
    accountId: String(r.account_id),
    name: (r.name as string | null) ?? null,
    objective: (r.objective as string | null) ?? null,
    status: (r.status as string | null) ?? null,
    effectiveStatus: (r.effective_status as string | null) ?? null,
    specialAdCategories: (r.special_ad_categories as string[] | null) ?? [],
    budgetMode: r.budget_mode as 'campaign' | 'adset',
    dailyBudgetMinor: r.daily === null ? null : Number(r.daily),
    lifetimeBudgetMinor: r.lifetime === null ? null : Number(r.lifetime),
  };
}

/** The time zone of the ad account a LIVE campaign belongs to, as the last sync stored it; null for a campaign no sync stored. */
export async function campaignTimeZone(db: Db, campaignId: string): Promise<{ timezoneName: string | null; timezoneOffsetHours: number | null } | null> {
  const rows = await db.query<{ timezone_name: string | null; tz: number | null }>(
    'select a.timezone_name, a.timezone_offset_hours::float8 as tz from meta_campaigns c join meta_accounts a on a.account_id = c.account_id where c.campaign_id = $1',
    [campaignId],
  );
  const r = rows[0];
  return r === undefined ? null : { timezoneName: r.timezone_name, timezoneOffsetHours: r.tz === null ? null : Number(r.tz) };
}

/** The original ad set a geo split made this one from, or null when it is not a split's copy. */
export async function splitSourceOf(db: Db, adsetId: string): Promise<string | null> {
  const rows = await db.query<{ source_adset_id: string }>('select source_adset_id from meta_adset_splits where adset_id = $1 and source_adset_id <> adset_id', [adsetId]);
  return rows[0]?.source_adset_id ?? null;
}

// ---- the ad sets of geo splits ----

/** Every ad set that holds a group of a geo split in the campaign: the originals that hold one, and their copies. */
export async function campaignSplitMembers(db: Db, campaignId: string): Promise<SplitMemberRow[]> {
  const rows = await db.query<SplitMemberDbRow>(
    'select source_adset_id, group_key, adset_id, name, created_by_history_id::float8 as created_by, optimizer_status from meta_adset_splits where campaign_id = $1 order by source_adset_id, group_key nulls last, adset_id',
    [campaignId],
  );
  return rows.map(splitMemberOf);
}

/**
 * The copies a geo split made in the campaign, each with the original it was made from: a LIVE
 * run reads an original and its copies as one ad set (loadCampaignSnapshot).
 */
export function splitCopies(members: readonly SplitMemberRow[]): Map<string, string> {
  return new Map(members.filter((m) => m.adsetId !== m.sourceAdsetId).map((m) => [m.adsetId, m.sourceAdsetId]));
}

export interface SplitMemberRow {
  sourceAdsetId: string;
  /** Null: in the family with no group (another ad set took it). */
  groupKey: string | null;
  adsetId: string;
  name: string;
  createdByHistoryId: number | null;
  /** The status the optimizer last changed the ad set to; null when it has not since this was recorded. */
  optimizerStatus: string | null;
}

type SplitMemberDbRow = { source_adset_id: string; group_key: string | null; adset_id: string; name: string; created_by: number | null; optimizer_status: string | null };

export async function splitMembersOf(db: Db, sourceAdsetId: string): Promise<SplitMemberRow[]> {
  const rows = await db.query<SplitMemberDbRow>(
    'select source_adset_id, group_key, adset_id, name, created_by_history_id::float8 as created_by, optimizer_status from meta_adset_splits where source_adset_id = $1 order by group_key nulls last, adset_id',
    [sourceAdsetId],
  );
  return rows.map(splitMemberOf);
}

const splitMemberOf = (r: SplitMemberDbRow): SplitMemberRow => ({
  sourceAdsetId: r.source_adset_id,
  groupKey: r.group_key,
  adsetId: r.adset_id,
  name: r.name,
  createdByHistoryId: r.created_by === null ? null : Number(r.created_by),
  optimizerStatus: r.optimizer_status,
});

/**
 * Who holds which group of a source ad set now. An ad set that held one of these groups before keeps
 * its row with no group: it stays in the split's family (its delivery is the original's history), and
 * a rollback can give the group back. An ad set keeps the status the optimizer last changed it to
 * (recordOptimizerStatuses).
 */
export async function saveSplitMembers(tx: Db, campaignId: string, sourceAdsetId: string, members: readonly { groupKey: string; adsetId: string; name: string; createdByHistoryId: number | null }[], at: Date): Promise<void> {
  for (const m of members) {
    await tx.query('update meta_adset_splits set group_key = null where source_adset_id = $1 and group_key = $2 and adset_id <> $3', [sourceAdsetId, m.groupKey, m.adsetId]);
    // The copy keeps the change that made it, and the status the optimizer last left it in.
    await tx.query(
      `insert into meta_adset_splits (source_adset_id, group_key, adset_id, campaign_id, name, created_by_history_id, created_at, optimizer_status) values ($1, $2, $3, $4, $5, $6, $7, null)
       on conflict (adset_id) do update set source_adset_id = excluded.source_adset_id, group_key = excluded.group_key, campaign_id = excluded.campaign_id, name = excluded.name,
         created_by_history_id = coalesce(excluded.created_by_history_id, meta_adset_splits.created_by_history_id), created_at = excluded.created_at`,
      [sourceAdsetId, m.groupKey, m.adsetId, campaignId, m.name, m.createdByHistoryId, at],
    );
  }
}

/** The statuses the optimizer changed ad sets of geo splits to, by ad set id (ad sets no split holds are left out). */
export async function recordOptimizerStatuses(tx: Db, statuses: ReadonlyMap<string, string>): Promise<void> {
  for (const [adsetId, status] of statuses) await tx.query('update meta_adset_splits set optimizer_status = $2 where adset_id = $1', [adsetId, status]);
}

// ---- the ads of a geo split's copies ----

/** An ad of a split's copy and the original's ad it mirrors, with the status the optimizer last changed it to. */
export interface SplitAdRow {
  copyAdsetId: string;
  sourceAdId: string;
  adId: string;
  optimizerStatus: string;
}

export async function splitAdsOf(db: Db, copyAdsetIds: readonly string[]): Promise<SplitAdRow[]> {
  if (copyAdsetIds.length === 0) return [];
  const rows = await db.query<{ copy_adset_id: string; source_ad_id: string; ad_id: string; optimizer_status: string }>(
    'select copy_adset_id, source_ad_id, ad_id, optimizer_status from meta_split_ads where copy_adset_id = any($1) order by copy_adset_id, source_ad_id',
    [copyAdsetIds],
  );
  return rows.map((r) => ({ copyAdsetId: r.copy_adset_id, sourceAdId: r.source_ad_id, adId: r.ad_id, optimizerStatus: r.optimizer_status }));
}

/** Records ads copied into a split's copies (replacing what a copy held for the same original ad). */
export async function saveSplitAds(tx: Db, rows: readonly SplitAdRow[]): Promise<void> {
  for (const r of rows) {
    await tx.query('delete from meta_split_ads where (copy_adset_id = $1 and source_ad_id = $2) or ad_id = $3', [r.copyAdsetId, r.sourceAdId, r.adId]);
    await tx.query('insert into meta_split_ads (copy_adset_id, source_ad_id, ad_id, optimizer_status) values ($1, $2, $3, $4)', [r.copyAdsetId, r.sourceAdId, r.adId, r.optimizerStatus]);
  }
}

/** The statuses the optimizer changed ads of split copies to, by ad id (ads no copy holds are left out). */
export async function recordAdStatuses(tx: Db, statuses: ReadonlyMap<string, string>): Promise<void> {
  for (const [adId, status] of statuses) await tx.query('update meta_split_ads set optimizer_status = $2 where ad_id = $1', [adId, status]);
}
