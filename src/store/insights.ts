import type { InsightRow, PixelEventCount } from '../engine/types.ts';
import type { Db } from './db.ts';

// One round trip per batch: unnest() turns parallel arrays into rows on both drivers. Measured on
// the 2-core machine at ~180k rows/s for a 4-column table into PGlite; 5,000 rows keeps each
// statement's parameter arrays small enough to stay fast on node-postgres too.
const BATCH = 5_000;

export async function upsertInsights(tx: Db, rows: readonly InsightRow[], source: string, mayReplace?: boolean): Promise<number> {
  // Rows whose key already exists replace the stored ones. When none of the file's campaigns has
  // a stored row in its date range nothing can conflict, and a plain insert skips the conflict
  // check.
  const mayConflict = mayReplace ?? (await mayReplaceStoredRows(tx, rows));
  // New rows go in by COPY, which parses them inside the database instead of through a parameter
  // array per column. Rows that may replace stored ones take the upsert below: staging them by
  // COPY and moving them over measured no faster (on PGlite).
  if (!mayConflict && tx.copyCsv !== undefined && rows.length > 0) {
    await tx.copyCsv(`insights (${INSIGHT_COLUMNS})`, insightsCsv(rows, source));
    return rows.length;
  }
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    const cols: (string | number | null)[][] = Array.from({ length: 16 }, () => new Array(batch.length));
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      cols[0]![i] = r.date;
      cols[1]![i] = r.campaignId;
      cols[2]![i] = r.adsetId;
      cols[3]![i] = r.segmentType;
      cols[4]![i] = r.segmentId;
      cols[5]![i] = r.segmentName;
      cols[6]![i] = r.country;
      cols[7]![i] = r.age;
      cols[8]![i] = r.gender;
      cols[9]![i] = r.impressions;
      cols[10]![i] = r.reach;
      cols[11]![i] = r.clicks;
      cols[12]![i] = r.conversions;
      cols[13]![i] = r.spendMinor;
      cols[14]![i] = r.revenueMinor;
      cols[15]![i] = r.currency;
    }
    // Re-importing the same key replaces the row: the latest export of a day is the truth, and
    // nothing is counted twice.
    await tx.query(
      `insert into insights (${INSIGHT_COLUMNS})
       select d, c, a, st, si, sn, co, ag, ge, im, re, cl, cv, sp, rv, cu, $17
       from unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                    $10::int8[], $11::int8[], $12::int8[], $13::int8[], $14::int8[], $15::int8[], $16::text[])
            as u(d, c, a, st, si, sn, co, ag, ge, im, re, cl, cv, sp, rv, cu)
       ${mayConflict ? UPSERT : ''}`,
      [...cols, source],
    );
  }
  return rows.length;
}

const INSIGHT_COLUMNS = 'date, campaign_id, adset_id, segment_type, segment_id, segment_name, country, age, gender, impressions, reach, clicks, conversions, spend_minor, revenue_minor, currency, source';

/**
 * The rows as COPY's CSV: text always quoted (so an empty string stays an empty string), a
 * missing value as an unquoted empty field (NULL), integers as their decimal digits.
 */
export function insightsCsv(rows: readonly InsightRow[], source: string): string {
  const src = quoted(source);
  const lines: string[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    // Joined from an array: a template literal of this many pieces built each line as a rope of
    // strings, and writing 200,000 of them out took four to five times as long.
    lines[i] = [
      quoted(r.date), quoted(r.campaignId), quoted(r.adsetId), quoted(r.segmentType), quoted(r.segmentId), quoted(r.segmentName),
      quoted(r.country), quoted(r.age), quoted(r.gender), integer(r.impressions), integer(r.reach), integer(r.clicks),
      integer(r.conversions), integer(r.spendMinor), integer(r.revenueMinor), quoted(r.currency), src,
    ].join(',');
  }
  return rows.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function quoted(text: string): string {
  return text.includes('"') ? `"${text.replaceAll('"', '""')}"` : `"${text}"`;
}

// String() is what node-postgres sends for a number too, so a value the column refuses (1.5, NaN)
// is refused the same way on both drivers.
function integer(n: number | null): string {
  return n === null ? '' : String(n);
}

/**
 * Stores the audience sizes the rows carry (InsightRow.segmentSize): per campaign and segment, the
 * size given with the latest day; a stored size from a later day stays.
 */
export async function upsertSegmentSizes(tx: Db, rows: readonly InsightRow[], source: 'csv' | 'meta'): Promise<number> {
  const latest: LatestSegmentSizes = new Map();
  for (const r of rows) noteSegmentSize(latest, r);
  return upsertSegmentSizeRanges(tx, segmentSizeRanges(latest), source);
}

/** Per campaign and segment, the size given with the latest day (upsertSegmentSizes, row by row). */
export type LatestSegmentSizes = Map<string, { campaignId: string; segmentType: string; segmentId: string; size: number; date: string }>;

export function noteSegmentSize(latest: LatestSegmentSizes, r: InsightRow): void {
  if (r.segmentSize === undefined || !(r.segmentSize > 0) || r.segmentType === '') return;
  const key = `${r.campaignId}\u0000${r.segmentType}\u0000${r.segmentId}`;
  const known = latest.get(key);
  if (known === undefined || r.date >= known.date) latest.set(key, { campaignId: r.campaignId, segmentType: r.segmentType, segmentId: r.segmentId, size: r.segmentSize, date: r.date });
}

export function segmentSizeRanges(latest: LatestSegmentSizes): SegmentSizeRange[] {
  return [...latest.values()].map((x) => ({ campaignId: x.campaignId, segmentType: x.segmentType, segmentId: x.segmentId, lower: x.size, upper: x.size, asOf: x.date }));
}

/** A segment's audience size as a range (Meta's estimate: lower and upper bound), given on a day. */
export interface SegmentSizeRange {
  campaignId: string;
  segmentType: string;
  segmentId: string;
  lower: number;
  upper: number;
  /** YYYY-MM-DD */
  asOf: string;
}

/** Stores audience size ranges, per campaign and segment; a stored size from a later day stays. */
export async function upsertSegmentSizeRanges(tx: Db, list: readonly SegmentSizeRange[], source: 'csv' | 'meta'): Promise<number> {
  if (list.length === 0) return 0;
  await tx.query(
    `insert into segment_sizes (campaign_id, segment_type, segment_id, size_lower, size_upper, source, as_of)
     select c, t, i, lo, hi, $6, d from unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::int8[], $7::date[]) as x(c, t, i, lo, hi, d)
     on conflict (campaign_id, segment_type, segment_id) do update set
       size_lower = excluded.size_lower, size_upper = excluded.size_upper, source = excluded.source, as_of = excluded.as_of
     where excluded.as_of >= segment_sizes.as_of`,
    [list.map((x) => x.campaignId), list.map((x) => x.segmentType), list.map((x) => x.segmentId), list.map((x) => x.lower), list.map((x) => x.upper), source, list.map((x) => x.asOf)],
  );
  return list.length;
}

const UPSERT = `on conflict (campaign_id, date, adset_id, segment_type, segment_id, country, age, gender) do update set
  segment_name = excluded.segment_name, impressions = excluded.impressions, reach = excluded.reach,
  clicks = excluded.clicks, conversions = excluded.conversions, spend_minor = excluded.spend_minor,
  revenue_minor = excluded.revenue_minor, currency = excluded.currency, source = excluded.source,
  imported_at = now()`;

/** Whether writing `rows` may replace stored rows: a stored row of one of their campaigns lies in their date range. */
export async function mayReplaceStoredRows(tx: Db, rows: readonly InsightRow[]): Promise<boolean> {
  if (rows.length === 0) return false;
  let first = rows[0]!.date;
  let last = first;
  const campaigns = new Set<string>();
  for (const r of rows) {
    if (r.date < first) first = r.date;
    if (r.date > last) last = r.date;
    campaigns.add(r.campaignId);
  }
  const found = await tx.query(
    'select 1 from insights where campaign_id = any($1::text[]) and date between $2::date and $3::date limit 1',
    [[...campaigns], first, last],
  );
  return found.length > 0;
}

/**
 * Writes rows given as insightsCsv text by COPY. Rows that may replace stored ones go through a
 * temporary table into the same upsert as upsertInsights'.
 */
export async function copyInsights(tx: Db, text: string, mayReplace: boolean): Promise<void> {
  if (tx.copyCsv === undefined) throw new Error('copyInsights needs a driver that can COPY (Db.copyCsv)');
  if (!mayReplace) {
    await tx.copyCsv(`insights (${INSIGHT_COLUMNS})`, text);
    return;
  }
  await tx.query('create temporary table if not exists insights_incoming (like insights including defaults) on commit drop');
  await tx.copyCsv(`insights_incoming (${INSIGHT_COLUMNS})`, text);
  await tx.query(`insert into insights (${INSIGHT_COLUMNS}) select ${INSIGHT_COLUMNS} from insights_incoming ${UPSERT}`);
  await tx.query('truncate insights_incoming');
}

/** Per campaign: its stored currency and first and last stored day (null when none is stored). */
export async function storedCampaignDays(tx: Db, campaignIds: readonly string[]): Promise<Map<string, { currency: string | null; first: string | null; last: string | null }>> {
  const rows = await tx.query<{ id: string; currency: string | null; first: string | null; last: string | null }>(
    `select u.id, c.currency,
       (select min(date) from insights i where i.campaign_id = u.id)::text as first,
       (select max(date) from insights i where i.campaign_id = u.id)::text as last
     from unnest($1::text[]) as u(id) left join campaigns c on c.campaign_id = u.id`,
    [campaignIds],
  );
  return new Map(rows.map((r) => [r.id, { currency: r.currency, first: r.first, last: r.last }]));
}

/** Whether the store holds any segment row (segment_type not empty). */
export async function hasSegmentRows(db: Db): Promise<boolean> {
  return (await db.query("select 1 from insights where segment_type <> '' limit 1")).length > 0;
}

export async function countSegmentRows(db: Db): Promise<number> {
  const rows = await db.query<{ n: number }>("select count(*)::float8 as n from insights where segment_type <> ''");
  return Number(rows[0]!.n);
}

export class CurrencyConflictError extends Error {
  constructor(campaignId: string, stored: string, incoming: string) {
    super(`campaign ${campaignId} is stored in ${stored}; rows in ${incoming} cannot be mixed into it`);
    this.name = 'CurrencyConflictError';
  }
}

export async function upsertCampaigns(tx: Db, campaigns: ReadonlyMap<string, { currency: string; name?: string | null; dailyBudgetMinor?: number | null }>, source: string): Promise<void> {
  if (campaigns.size === 0) return;
  const ids = [...campaigns.keys()];
  const stored = await tx.query<{ campaign_id: string; currency: string }>(
    'select campaign_id, currency from campaigns where campaign_id = any($1::text[])',
    [ids],
  );
  for (const s of stored) {
    const incoming = campaigns.get(s.campaign_id)!.currency;
    if (incoming !== s.currency) throw new CurrencyConflictError(s.campaign_id, s.currency, incoming);
  }
  await tx.query(
    `insert into campaigns (campaign_id, currency, name, daily_budget_minor, source)
     select u.*, $5::text from unnest($1::text[], $2::text[], $3::text[], $4::int8[]) as u(id, cur, nm, budget)
     on conflict (campaign_id) do update set
       name = coalesce(excluded.name, campaigns.name),
       daily_budget_minor = coalesce(excluded.daily_budget_minor, campaigns.daily_budget_minor),
       history_version = campaigns.history_version + 1`,
    [
      ids,
      ids.map((id) => campaigns.get(id)!.currency),
      ids.map((id) => campaigns.get(id)!.name ?? null),
      ids.map((id) => campaigns.get(id)!.dailyBudgetMinor ?? null),
      source,
    ],
  );
}

export async function replacePixelEvents(tx: Db, campaignId: string, events: readonly PixelEventCount[]): Promise<void> {
  await tx.query('delete from pixel_events where campaign_id = $1', [campaignId]);
  if (events.length === 0) return;
  await tx.query(
    `insert into pixel_events (campaign_id, event_name, content_category, count)
     select $1, e, c, n from unnest($2::text[], $3::text[], $4::int8[]) as u(e, c, n)`,
    [campaignId, events.map((e) => e.eventName), events.map((e) => e.contentCategory), events.map((e) => e.count)],
  );
}

export interface CampaignInfo {
  campaignId: string;
  currency: string;
  name: string | null;
  dailyBudgetMinor: number | null;
  historyVersion: number;
  firstDate: string | null;
  lastDate: string | null;
}

export async function getCampaign(db: Db, campaignId: string): Promise<CampaignInfo | null> {
  const rows = await db.query<{ campaign_id: string; currency: string; name: string | null; daily_budget_minor: number | null; history_version: number }>(
    `select campaign_id, currency, name, daily_budget_minor::float8 as daily_budget_minor, history_version::float8 as history_version
     from campaigns where campaign_id = $1`,
    [campaignId],
  );
  const c = rows[0];
  if (!c) return null;
  const range = await db.query<{ first: string | null; last: string | null }>(
    'select min(date)::text as first, max(date)::text as last from insights where campaign_id = $1',
    [campaignId],
  );
  return { campaignId: c.campaign_id, currency: c.currency, name: c.name, dailyBudgetMinor: c.daily_budget_minor === null ? null : Number(c.daily_budget_minor), historyVersion: Number(c.history_version), firstDate: range[0]?.first ?? null, lastDate: range[0]?.last ?? null };
}

/**
 * Refreshes the planner's statistics after a bulk write. PGlite runs no autovacuum, so without
 * this the planner believed a 225,000-row campaign had 3 rows, sorted them on disk and took
 * 970 ms for a snapshot query that takes ~150 ms with a hash aggregate. Must run outside the
 * writing transaction's critical path; it is cheap (a sample of 30,000 rows).
 */
export async function refreshStatistics(db: Db): Promise<void> {
  // Only the columns the optimizer's queries filter and group on: 100 ms instead of 240 ms.
  await db.query('analyze insights (campaign_id, date, adset_id, segment_type, segment_id, country, age, gender)');
}

/**
 * What each of these ad sets spent a day on average over the days `since`..`until` (every day of
 * them counted, delivering or not), from its country rows, which partition its delivery.
 */
export async function averageDailySpend(db: Db, campaignId: string, adsetIds: readonly string[], since: string, until: string): Promise<Map<string, number>> {
  if (adsetIds.length === 0) return new Map();
  const rows = await db.query<{ adset_id: string; spend: number; days: number }>(
    `select adset_id, sum(spend_minor)::float8 as spend, ($4::date - $3::date + 1)::int as days
       from insights where campaign_id = $1 and adset_id = any($2::text[]) and segment_type = '' and country <> '' and date between $3::date and $4::date
      group by adset_id`,
    [campaignId, adsetIds, since, until],
  );
  return new Map(rows.map((r) => [r.adset_id, Math.round(Number(r.spend) / r.days)]));
}
