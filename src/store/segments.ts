import { addCalendarDays } from '../engine/calendar.ts';
import { addRow, emptyMetrics, subtractMetrics } from '../engine/metrics.ts';
import { isEqualShareDay } from '../engine/segment-blends.ts';
import type { Metrics, SegmentType } from '../engine/types.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { Db } from './db.ts';
import { metricsColumnsOfSums, metricsPartialSums, readMetrics } from './metrics-sql.ts';
import { SHARE_CANDIDATE_ROWS, SHARE_DAY_SCREEN, SHARE_ROW_COLUMNS, shareRowOf, type ShareQueryRow } from './share-rows.ts';

export interface SegmentAggregate {
  segmentType: SegmentType;
  segmentId: string;
  segmentName: string;
  currency: string;
  campaignsCount: number;
  lastUsed: string;
  total: Metrics;
  recent: Metrics;
  /**
   * `total` and `recent` less the equal shares of blended ad set-days (sharesByDay): the
   * segment's own rows, which the fatigue verdict reads. A share is the ad set's delivery credited
   * to each of its segments alike, so it would make every member look fatigued when the ad set is.
   */
  own: { total: Metrics; recent: Metrics };
}

/**
 * Every segment across all campaigns, with its recent days counted back from its own last day.
 *
 * The rows are added up per segment and day first, then the days per segment (the campaigns,
 * one count per segment, apart). Joining every row to its segment's last day and counting
 * campaigns with count(distinct) made PostgreSQL sort all the rows, on disk past work_mem: most of
 * an import's segment refresh. The sums are the same: each recent day is in or out as a whole.
 */
export async function loadSegmentAggregates(db: Db, recentDays: number): Promise<SegmentAggregate[]> {
  // The days of every segment are hashed, then sorted, in memory: with the default 4 MB they spilled
  // to disk on 200,000 rows. Local: only until this transaction ends.
  await db.query(`set local work_mem = '64MB'`);
  const rows = await db.query<Record<string, unknown>>(
    `with daily as (
       select segment_type, segment_id, currency, date, max(segment_name) as segment_name, ${metricsPartialSums('d_')}
       from insights where segment_type <> '' group by segment_type, segment_id, currency, date),
     dated as (
       select daily.*, max(date) over (partition by segment_type, segment_id, currency) as last_date from daily),
     campaigns as (
       select segment_type, segment_id, currency, count(*)::int as campaigns_count
       from (select distinct segment_type, segment_id, currency, campaign_id from insights where segment_type <> '') as s
       group by segment_type, segment_id, currency)
     select segment_type, segment_id, currency, max(segment_name) as segment_name,
       min(c.campaigns_count) as campaigns_count, last_date::text as last_used,
       ${metricsColumnsOfSums('t_', 'd_')}, ${metricsColumnsOfSums('r_', 'd_', 'date > last_date - $1::int')}
     from dated join campaigns c using (segment_type, segment_id, currency)
     group by segment_type, segment_id, currency, last_date`,
    [recentDays],
  );
  const shares = await sharesByDay(db);
  return rows.map((r) => {
    const total = readMetrics(r, 't_');
    const recent = readMetrics(r, 'r_');
    const lastUsed = String(r.last_used);
    const days = shares.get(`${String(r.segment_type)}\u0000${String(r.segment_id)}\u0000${String(r.currency)}`);
    return {
      segmentType: r.segment_type as SegmentType,
      segmentId: String(r.segment_id),
      segmentName: String(r.segment_name),
      currency: String(r.currency),
      campaignsCount: Number(r.campaigns_count),
      lastUsed,
      total,
      recent,
      own: days === undefined ? { total, recent } : lessShares(total, recent, days, addCalendarDays(lastUsed, -recentDays)),
    };
  });
}

/**
 * The equal shares of blended ad set-days (share-rows.ts) summed per segment, currency and day,
 * keyed type \0 id \0 currency. Only the screened days' rows come back: most stores have none, and
 * one pass joining every row to those days made the table's refresh twice as slow.
 */
async function sharesByDay(db: Db): Promise<Map<string, { date: string; shared: Metrics }[]>> {
  const rows = await db.query<ShareQueryRow & { campaign_id: string; currency: string }>(
    `with candidate_days as (
       select campaign_id, adset_id, date from insights where ${SHARE_CANDIDATE_ROWS}
       group by campaign_id, adset_id, date having ${SHARE_DAY_SCREEN})
     select campaign_id, currency, ${SHARE_ROW_COLUMNS}
     from insights join candidate_days using (campaign_id, adset_id, date)
     where ${SHARE_CANDIDATE_ROWS}
     order by campaign_id, adset_id, date`,
  );
  const out = new Map<string, { date: string; shared: Metrics }[]>();
  const sameDay = (a: (typeof rows)[number], b: (typeof rows)[number]) => a.campaign_id === b.campaign_id && a.adset_id === b.adset_id && a.date === b.date;
  for (let from = 0; from < rows.length;) {
    let to = from + 1;
    while (to < rows.length && sameDay(rows[to]!, rows[from]!)) to++;
    const day = rows.slice(from, to);
    const shares = day.map(shareRowOf);
    if (isEqualShareDay(shares)) {
      day.forEach((r, i) => {
        const key = `${r.segment_type}\u0000${r.segment_id}\u0000${r.currency}`;
        (out.get(key) ?? out.set(key, []).get(key)!).push({ date: r.date, shared: addRow(emptyMetrics(), shares[i]!) });
      });
    }
    from = to;
  }
  return out;
}

/** A segment's totals less its shares: every day's from `total`, the days after `recentAfter` from `recent`. */
function lessShares(total: Metrics, recent: Metrics, days: readonly { date: string; shared: Metrics }[], recentAfter: string): { total: Metrics; recent: Metrics } {
  let ownTotal = total;
  let ownRecent = recent;
  for (const d of days) {
    ownTotal = subtractMetrics(ownTotal, d.shared);
    if (d.date > recentAfter) ownRecent = subtractMetrics(ownRecent, d.shared);
  }
  return { total: ownTotal, recent: ownRecent };
}

export interface SegmentPerformanceRow {
  segmentType: SegmentType;
  segmentId: string;
  segmentName: string;
  currency: string;
  totalImpressions: number;
  totalClicks: number;
  totalConversions: number | null;
  totalSpendMinor: number;
  totalRevenueMinor: number | null;
  avgCtr: number | null;
  avgCvr: number | null;
  avgRoas: number | null;
  campaignsCount: number;
  lastUsed: string;
  isFatigued: boolean;
  fatigueReason: string | null;
}

export async function replaceSegmentPerformance(tx: Db, rows: readonly SegmentPerformanceRow[]): Promise<void> {
  await tx.query('delete from segment_performance');
  if (rows.length === 0) return;
  const col = <K extends keyof SegmentPerformanceRow>(k: K) => rows.map((r) => r[k]) as (string | number | boolean | null)[];
  await tx.query(
    `insert into segment_performance (segment_type, segment_id, segment_name, currency, total_impressions, total_clicks,
       total_conversions, total_spend_minor, total_revenue_minor, avg_ctr, avg_cvr, avg_roas, campaigns_count, last_used,
       is_fatigued, fatigue_reason)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::int8[], $7::int8[], $8::int8[],
       $9::int8[], $10::float8[], $11::float8[], $12::float8[], $13::int[], $14::date[], $15::bool[], $16::text[])`,
    [
      col('segmentType'), col('segmentId'), col('segmentName'), col('currency'), col('totalImpressions'), col('totalClicks'),
      col('totalConversions'), col('totalSpendMinor'), col('totalRevenueMinor'), col('avgCtr'), col('avgCvr'), col('avgRoas'),
      col('campaignsCount'), col('lastUsed'), col('isFatigued'), col('fatigueReason'),
    ],
  );
}

export interface SegmentFilter {
  segmentType: SegmentType | null;
  limit: number;
}

/** A fatigue rest in force (table segment_rests, ended_run_id null): where the bayes strategy rests the segment. */
export interface SegmentRestInForce {
  campaignId: string;
  /** null for a campaign without ad sets. */
  adsetId: string | null;
  /** The last day of the snapshot the rest was decided from, YYYY-MM-DD. */
  since: string;
}

/** A listed segment: its stored performance and the rests in force in campaigns of its currency. */
export interface SegmentListing extends SegmentPerformanceRow {
  restsInForce: SegmentRestInForce[];
}

export async function listSegmentPerformance(db: Db, options: SegmentFilter): Promise<SegmentListing[]> {
  return (await listSegmentPerformancePage(db, { ...options, cursor: null })).items;
}

/**
 * One page of segments, most impressions first, and the cursor of the next page (null on the
 * last one). Keyset pagination on the full sort key (impressions, type, id, currency: the
 * primary key breaks ties), so pages never overlap or skip a row.
 */
export async function listSegmentPerformancePage(db: Db, options: SegmentFilter & { cursor: string | null }): Promise<{ items: SegmentListing[]; nextCursor: string | null }> {
  const after = options.cursor === null ? null : decodeCursor(options.cursor, ['int', 'text', 'text', 'text']);
  const rows = await db.query<Record<string, unknown>>(
    `select segment_type, segment_id, segment_name, currency, total_impressions::float8 as ti, total_clicks::float8 as tc,
       total_conversions::float8 as tcv, total_spend_minor::float8 as ts, total_revenue_minor::float8 as tr,
       avg_ctr, avg_cvr, avg_roas, campaigns_count, last_used::text as last_used, is_fatigued, fatigue_reason
     from segment_performance
     where ($1::text is null or segment_type = $1)
       and ($3::int8 is null or total_impressions < $3::int8
            or (total_impressions = $3::int8 and (segment_type, segment_id, currency) > ($4::text, $5::text, $6::text)))
     order by total_impressions desc, segment_type, segment_id, currency
     limit $2`,
    [options.segmentType, options.limit + 1, ...(after === null ? [null, null, null, null] : after)],
  );
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const items: SegmentPerformanceRow[] = rows.slice(0, options.limit).map((r) => ({
    segmentType: r.segment_type as SegmentType,
    segmentId: String(r.segment_id),
    segmentName: String(r.segment_name),
    currency: String(r.currency),
    totalImpressions: Number(r.ti),
    totalClicks: Number(r.tc),
    totalConversions: num(r.tcv),
    totalSpendMinor: Number(r.ts),
    totalRevenueMinor: num(r.tr),
    avgCtr: num(r.avg_ctr),
    avgCvr: num(r.avg_cvr),
    avgRoas: num(r.avg_roas),
    campaignsCount: Number(r.campaigns_count),
    lastUsed: String(r.last_used),
    isFatigued: Boolean(r.is_fatigued),
    fatigueReason: r.fatigue_reason === null ? null : String(r.fatigue_reason),
  }));
  const last = items[items.length - 1];
  const nextCursor = rows.length > options.limit && last !== undefined ? encodeCursor([last.totalImpressions, last.segmentType, last.segmentId, last.currency]) : null;
  const rests = await restsInForceOf(db, items);
  return { items: items.map((i) => ({ ...i, restsInForce: rests.get(`${i.segmentType}\u0000${i.segmentId}\u0000${i.currency}`) ?? [] })), nextCursor };
}

/**
 * The rests in force of the listed segments, by type, id and currency. `is_fatigued` is the
 * specification's verdict across campaigns; a rest is the bayes strategy's verdict for one ad set
 * (a change-point fit), so a segment can rest in one ad set and not be fatigued across campaigns.
 */
async function restsInForceOf(db: Db, items: readonly SegmentPerformanceRow[]): Promise<Map<string, SegmentRestInForce[]>> {
  const out = new Map<string, SegmentRestInForce[]>();
  if (items.length === 0) return out;
  const rows = await db.query<{ segment_type: string; segment_id: string; currency: string; campaign_id: string; adset_id: string; since: string }>(
    `select r.segment_type, r.segment_id, c.currency, r.campaign_id, r.adset_id, to_char(r.since, 'YYYY-MM-DD') as since
     from segment_rests r join campaigns c on c.campaign_id = r.campaign_id
     where r.ended_run_id is null and (r.segment_type, r.segment_id) in (select * from unnest($1::text[], $2::text[]))
     order by r.campaign_id, r.adset_id, r.since`,
    [items.map((i) => i.segmentType), items.map((i) => i.segmentId)],
  );
  for (const r of rows) {
    const key = `${r.segment_type}\u0000${r.segment_id}\u0000${r.currency}`;
    const list = out.get(key) ?? [];
    list.push({ campaignId: r.campaign_id, adsetId: r.adset_id === '' ? null : r.adset_id, since: r.since });
    out.set(key, list);
  }
  return out;
}
