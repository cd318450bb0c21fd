import { fatigueFitCandidates, fatigueFitStart } from '../engine/fatigue-fit.ts';
import { addMetrics, addRow, emptyMetrics } from '../engine/metrics.ts';
import type { AdSetSnapshot, CampaignSnapshot, CountryDay, DemographicHistory, Metrics, PixelEventCount, SegmentBlend, SegmentDay, SegmentHistory, SegmentType } from '../engine/types.ts';
import { segmentKey } from '../engine/segment-key.ts';
import { addBlendDay, blendDayOf, type ShareRow } from '../engine/segment-blends.ts';
import type { Db } from './db.ts';
import { campaignSplitMembers, splitCopies } from './meta.ts';
import { metricsColumns, readMetrics } from './metrics-sql.ts';
import { SHARE_CANDIDATE_ROWS, SHARE_DAY_SCREEN, SHARE_ROW_COLUMNS, shareRowOf, type ShareQueryRow } from './share-rows.ts';

export interface SnapshotWindow {
  start: string;
  end: string;
  /** First day counted as recent (fatigue). */
  recentStart: string;
}

type Row = Record<string, unknown>;

export interface SnapshotOptions {
  /**
   * Load daily points for the `bayes` fatigue fit (default true; the `seed` strategy never reads
   * them, so its runs need not store them).
   */
  segmentDays?: boolean;
  /** Segments resting after fatigue: their daily points are loaded whatever their totals say. */
  resting?: readonly { adsetId: string | null; segmentType: string; segmentId: string }[];
}

/**
 * The campaign's insights rows with each copy a LIVE geo split made credited to the original it was
 * made from (splitCopies): the original and its copies hold one ad set's countries between them,
 * with the same targeting, and one recommendation for the original places them all, so they are
 * read as one ad set. Countries partition the split, so their rows add up without counting anyone
 * twice.
 */
const SPLIT_FAMILY_ROWS = `(select i.date, i.campaign_id, coalesce(s.source_adset_id, i.adset_id) as adset_id, i.segment_type, i.segment_id,
    i.segment_name, i.country, i.age, i.gender, i.impressions, i.reach, i.clicks, i.conversions, i.spend_minor, i.revenue_minor
  from insights i left join meta_adset_splits s on s.adset_id = i.adset_id and s.campaign_id = i.campaign_id)`;

/**
 * Reads one campaign's history in the window and shapes it for the engine. Rows of different
 * breakdowns describe the same delivery (a country row and an interest row can be the same
 * impression), so each breakdown is aggregated only over the rows that carry it, and an ad set's
 * total comes from one breakdown only (see pickTotal). The copies a LIVE geo split made are read
 * as part of their original (SPLIT_FAMILY_ROWS).
 */
export async function loadCampaignSnapshot(db: Db, campaignId: string, currency: string, window: SnapshotWindow, options: SnapshotOptions = {}): Promise<CampaignSnapshot> {
  const params = [campaignId, window.start, window.end, window.recentStart];
  const copies = splitCopies(await campaignSplitMembers(db, campaignId));
  const split = copies.size > 0;
  const rows = split ? SPLIT_FAMILY_ROWS : 'insights';
  const inWindow = `campaign_id = $1 and date between $2::date and $3::date`;
  const recent = `date >= $4::date`;
  // Segment rows are the bulk of a campaign (thousands a day), so their recent days are read by a
  // second query that the (campaign_id, date) key narrows to those days, rather than by a
  // filtered sum over every row. The small breakdowns take both in one pass over their own index.
  const segmentRows = `segment_type <> '' and segment_type <> 'demographic'`;
  const segmentGroup = `group by adset_id, segment_type, segment_id`;

  // Days with delivery: the primary key allows one row per segment and day without another
  // breakdown, so counting those rows counts the days, without the sort a count(distinct date)
  // costs on every segment (about 130 ms of the benchmark's 90-day snapshot). Segments whose rows
  // also carry a country, age or gender (several rows a day) are counted exactly by activeDaysOf.
  // An original and its copies each have a row of a segment on a day they both delivered it: their days are counted distinct.
  const segmentDayCount = split ? 'count(distinct date)' : 'count(*)';
  const segmentTotals = await db.query<Row>(
    `select adset_id, segment_type, segment_id, max(segment_name) as segment_name, ${metricsColumns('t_')},
       ${segmentDayCount} filter (where impressions > 0 and country = '' and age = '' and gender = '')::int as active_days,
       bool_or(country <> '' or age <> '' or gender <> '') as combined
     from ${rows} as insights where ${inWindow} and ${segmentRows} ${segmentGroup}`,
    params.slice(0, 3),
  );
  const combinedDays = await activeDaysOf(db, rows, params.slice(0, 3), segmentTotals.filter((r) => r.combined === true));
  const segmentRecent = await db.query<Row>(
    `select adset_id, segment_type, segment_id, ${metricsColumns('r_')}
     from ${rows} as insights where ${inWindow} and ${recent} and ${segmentRows} ${segmentGroup}`,
    params,
  );
  // Ad set-days that may be shares of one delivery: several segment rows (no other breakdown, so
  // one row per segment and day) whose impressions agree within one. blendDayOf decides on
  // their rows; a cheap screen in SQL keeps the days of real per-segment figures out of the reply.
  const shareRows = await db.query<ShareQueryRow>(
    `with candidate_days as (
       select adset_id, date from insights where ${inWindow} and ${SHARE_CANDIDATE_ROWS}
       group by adset_id, date having ${SHARE_DAY_SCREEN})
     select ${SHARE_ROW_COLUMNS}
     from insights join candidate_days using (adset_id, date)
     where ${inWindow} and ${SHARE_CANDIDATE_ROWS}
     order by adset_id, date, segment_type, segment_id`,
    params.slice(0, 3),
  );
  const countries = await db.query<Row>(
    `select adset_id, country, ${metricsColumns('t_')}, ${metricsColumns('r_', recent)}
     from ${rows} as insights where ${inWindow} and country <> '' group by adset_id, country`,
    params,
  );
  const countryDays = await db.query<Row>(
    `select adset_id, country, to_char(date, 'YYYY-MM-DD') as date, ${metricsColumns('d_')}
     from ${rows} as insights where ${inWindow} and country <> '' group by adset_id, country, date order by adset_id, country, date`,
    params.slice(0, 3),
  );
  const plain = await db.query<Row>(
    `select adset_id, ${metricsColumns('t_')}, ${metricsColumns('r_', recent)}
     from ${rows} as insights where ${inWindow} and segment_type = '' and country = '' and age = '' and gender = '' group by adset_id`,
    params,
  );
  const demographics = await db.query<Row>(
    `select adset_id, age, gender, ${metricsColumns('t_')}, ${metricsColumns('r_', recent)}
     from ${rows} as insights where ${inWindow} and (age <> '' or gender <> '') group by adset_id, age, gender`,
    params,
  );
  const sizes = await db.query<{ segment_type: string; segment_id: string; lower: number; upper: number; source: 'csv' | 'meta' }>(
    'select segment_type, segment_id, size_lower::float8 as lower, size_upper::float8 as upper, source from segment_sizes where campaign_id = $1',
    [campaignId],
  );
  const sizeOf = new Map(sizes.map((s) => [`${s.segment_type}\u0000${s.segment_id}`, { lower: Number(s.lower), upper: Number(s.upper), source: s.source }]));
  // The STUB market's window totals and the imported days inside the window, summed per event and category.
  const pixel = await db.query<{ event_name: string; content_category: string; count: number }>(
    `select event_name, content_category, sum(count)::float8 as count from (
       select event_name, content_category, count from pixel_events where campaign_id = $1
       union all
       select event_name, content_category, count from pixel_event_days where ${inWindow}) p
     group by event_name, content_category order by event_name, content_category`,
    params.slice(0, 3),
  );

  const adsets = new Map<string, AdSetSnapshot>();
  const adsetOf = (id: string): AdSetSnapshot => {
    let a = adsets.get(id);
    if (!a) {
      a = { adsetId: id === '' ? null : id, segments: [], countries: [], demographics: [], total: emptyMetrics(), recent: emptyMetrics() };
      adsets.set(id, a);
    }
    return a;
  };
  // Per ad set and breakdown kind, the total and recent delivery, to pick the ad set's total from.
  const kinds = new Map<string, Map<Kind, { total: Metrics; recent: Metrics }>>();
  const addKind = (adsetId: string, kind: Kind, total: Metrics, recentMetrics: Metrics) => {
    let m = kinds.get(adsetId);
    if (!m) kinds.set(adsetId, (m = new Map()));
    const k = m.get(kind) ?? { total: emptyMetrics(), recent: emptyMetrics() };
    addMetrics(k.total, total);
    addMetrics(k.recent, recentMetrics);
    m.set(kind, k);
  };

  const recentByKey = new Map<string, Metrics>();
  for (const r of segmentRecent) recentByKey.set(`${String(r.adset_id)}\u0000${String(r.segment_type)}\u0000${String(r.segment_id)}`, readMetrics(r, 'r_'));
  for (const r of segmentTotals) {
    const adsetId = String(r.adset_id);
    const s: SegmentHistory = {
      segmentType: r.segment_type as SegmentType,
      segmentId: String(r.segment_id),
      segmentName: String(r.segment_name),
      total: readMetrics(r, 't_'),
      recent: recentByKey.get(`${adsetId}\u0000${String(r.segment_type)}\u0000${String(r.segment_id)}`) ?? emptyMetrics(),
      activeDays: combinedDays.get(`${adsetId}\u0000${String(r.segment_type)}\u0000${String(r.segment_id)}`) ?? Number(r.active_days),
    };
    const size = sizeOf.get(`${String(r.segment_type)}\u0000${String(r.segment_id)}`);
    if (size !== undefined) s.size = size;
    adsetOf(adsetId).segments.push(s);
    addKind(adsetId, 'segment', s.total, s.recent);
  }
  const sharedDays = readBlends(shareRows, adsets, copies);
  const daily = new Map<string, CountryDay[]>();
  for (const d of countryDays) {
    const key = `${String(d.adset_id)}\u0000${String(d.country)}`;
    let list = daily.get(key);
    if (!list) daily.set(key, (list = []));
    const m = readMetrics(d, 'd_');
    list.push({ spendMinor: m.spendMinor, impressions: m.impressions, date: String(d.date), clicks: m.clicks, conversions: m.conversions, clicksWithConversions: m.clicksWithConversions, revenueMinor: m.revenueMinor, spendWithRevenueMinor: m.spendWithRevenueMinor });
  }
  for (const r of countries) {
    const adsetId = String(r.adset_id);
    const total = readMetrics(r, 't_');
    adsetOf(adsetId).countries.push({ countryCode: String(r.country), total, daily: daily.get(`${adsetId}\u0000${String(r.country)}`) ?? [] });
    addKind(adsetId, 'country', total, readMetrics(r, 'r_'));
  }
  for (const r of plain) {
    addKind(String(r.adset_id), 'plain', readMetrics(r, 't_'), readMetrics(r, 'r_'));
    adsetOf(String(r.adset_id));
  }
  for (const r of demographics) {
    const adsetId = String(r.adset_id);
    const d: DemographicHistory = { age: String(r.age) as DemographicHistory['age'], gender: String(r.gender) as DemographicHistory['gender'], total: readMetrics(r, 't_') };
    adsetOf(adsetId).demographics.push(d);
    addKind(adsetId, 'demographic', d.total, readMetrics(r, 'r_'));
  }
  if (options.segmentDays ?? true) await loadSegmentDays(db, rows, [campaignId, fatigueFitStart(window.start, window.end), window.end], adsets, options.resting ?? [], sharedDays);
  for (const [id, a] of adsets) {
    const picked = pickTotal(kinds.get(id));
    a.total = picked.total;
    a.recent = picked.recent;
  }

  // Rows without an ad set id describe the campaign as a whole. When the campaign also has ad
  // sets, those rows cannot be split between them, so they stay a separate "campaign" entry
  // only if no ad set exists.
  const list = [...adsets.values()].sort((a, b) => (a.adsetId ?? '').localeCompare(b.adsetId ?? ''));
  const withIds = list.filter((a) => a.adsetId !== null);
  const pixelEvents: PixelEventCount[] = pixel.map((p) => ({ eventName: p.event_name, contentCategory: p.content_category, count: Number(p.count) }));
  // Only a campaign read from Meta has categories; none leaves the field out, so the snapshot (and
  // its stored hash) reads as it did before categories were loaded.
  const categories = await db.query<{ special_ad_categories: string[] }>('select special_ad_categories from meta_campaigns where campaign_id = $1', [campaignId]);
  const specialAdCategories = categories[0]?.special_ad_categories ?? [];
  return {
    campaignId,
    currency,
    windowStart: window.start,
    windowEnd: window.end,
    adsets: withIds.length > 0 ? withIds : list,
    pixelEvents,
    ...(specialAdCategories.length > 0 ? { specialAdCategories: [...specialAdCategories] } : {}),
  };
}

type Kind = 'plain' | 'country' | 'demographic' | 'segment';

/**
 * The candidate share rows (ordered by ad set, day, type, id): the days blendDayOf takes for
 * shares become each ad set's blends, one per set of segments shared among, and each segment's
 * `shared` part of its total. Returns the shared ad set-days (ad set \0 day), whose rows are not
 * the segments' own daily points. Shares are told on each Meta ad set's own rows; a split's copy
 * adds its shares to its original's (`copies`), the original and its copies' shares of one day
 * and set being one day of that blend.
 */
function readBlends(rows: readonly ShareQueryRow[], adsets: ReadonlyMap<string, AdSetSnapshot>, copies: ReadonlyMap<string, string>): Set<string> {
  const days = new Map<string, { adsetId: string; date: string; rows: ShareRow[] }>();
  for (const r of rows) {
    const key = `${String(r.adset_id)}\u0000${String(r.date)}`;
    let day = days.get(key);
    if (day === undefined) days.set(key, (day = { adsetId: String(r.adset_id), date: String(r.date), rows: [] }));
    day.rows.push(shareRowOf(r));
  }
  const histories = new Map<string, SegmentHistory>();
  for (const [adsetId, a] of adsets) for (const h of a.segments) histories.set(`${adsetId}\u0000${h.segmentType}\u0000${h.segmentId}`, h);
  const shared = new Set<string>();
  const blendDays = new Map<string, { adsetId: string; segments: SegmentBlend['segments']; total: Metrics }>();
  for (const day of days.values()) {
    const blend = blendDayOf(day.rows);
    if (blend === null) continue;
    const adsetId = copies.get(day.adsetId) ?? day.adsetId;
    for (const r of day.rows) {
      const history = histories.get(`${adsetId}\u0000${r.segmentType}\u0000${r.segmentId}`);
      if (history !== undefined) history.shared = addRow(history.shared ?? emptyMetrics(), r);
    }
    const key = `${adsetId}\u0000${day.date}`;
    const blendKey = `${key}\u0000${blend.segments.map(segmentKey).sort().join('\u0000')}`;
    const same = blendDays.get(blendKey);
    if (same === undefined) blendDays.set(blendKey, { adsetId, segments: blend.segments, total: addMetrics(emptyMetrics(), blend.total) });
    else addMetrics(same.total, blend.total);
    shared.add(key);
  }
  for (const b of blendDays.values()) addBlendDay(adsets.get(b.adsetId)!, b.segments, b.total);
  return shared;
}

/** Days with delivery of the segments whose rows also carry another breakdown, keyed ad set \0 type \0 id. */
async function activeDaysOf(db: Db, from: string, params: string[], segments: readonly Row[]): Promise<Map<string, number>> {
  if (segments.length === 0) return new Map();
  const rows = await db.query<{ adset_id: string; segment_type: string; segment_id: string; active_days: number }>(
    `select i.adset_id, i.segment_type, i.segment_id, count(distinct i.date) filter (where i.impressions > 0)::int as active_days
     from ${from} as i join unnest($4::text[], $5::text[], $6::text[]) as c(adset_id, segment_type, segment_id)
       on i.adset_id = c.adset_id and i.segment_type = c.segment_type and i.segment_id = c.segment_id
     where i.campaign_id = $1 and i.date between $2::date and $3::date
     group by i.adset_id, i.segment_type, i.segment_id`,
    [...params, segments.map((r) => String(r.adset_id)), segments.map((r) => String(r.segment_type)), segments.map((r) => String(r.segment_id))],
  );
  return new Map(rows.map((r) => [`${r.adset_id}\u0000${r.segment_type}\u0000${r.segment_id}`, Number(r.active_days)]));
}

/**
 * Daily points of the segments that could be fatigued (a recent CTR clearly below the earlier one,
 * decided from the totals already read) and of the resting ones, in a second query over the last
 * FATIGUE_FIT_DAYS of the window (params: campaign, first day, last day): reading them for every
 * segment would cost the full run its time budget for segments the fit has nothing to say about.
 */
async function loadSegmentDays(db: Db, from: string, params: string[], adsets: ReadonlyMap<string, AdSetSnapshot>, resting: NonNullable<SnapshotOptions['resting']>, sharedDays: ReadonlySet<string>): Promise<void> {
  const wanted = new Map<string, SegmentHistory>();
  const keyOf = (adsetId: string, type: string, id: string) => `${adsetId}\u0000${type}\u0000${id}`;
  const restingKeys = new Set(resting.map((r) => keyOf(r.adsetId ?? '', r.segmentType, r.segmentId)));
  for (const [adsetId, a] of adsets) {
    for (const s of fatigueFitCandidates(a.segments, (h) => restingKeys.has(keyOf(adsetId, h.segmentType, h.segmentId)))) wanted.set(keyOf(adsetId, s.segmentType, s.segmentId), s);
  }
  if (wanted.size === 0) return;
  const keys = [...wanted.keys()].map((k) => k.split('\u0000'));
  const rows = await db.query<{ adset_id: string; segment_type: string; segment_id: string; date: string; impressions: number; clicks: number; reach: number }>(
    `select i.adset_id, i.segment_type, i.segment_id, to_char(i.date, 'YYYY-MM-DD') as date, bigint_sum(i.impressions)::float8 as impressions,
       bigint_sum(i.clicks)::float8 as clicks, bigint_sum(i.reach)::float8 as reach
     from ${from} as i join unnest($4::text[], $5::text[], $6::text[]) as c(adset_id, segment_type, segment_id)
       on i.adset_id = c.adset_id and i.segment_type = c.segment_type and i.segment_id = c.segment_id
     where i.campaign_id = $1 and i.date between $2::date and $3::date
     group by i.adset_id, i.segment_type, i.segment_id, i.date order by i.adset_id, i.segment_type, i.segment_id, i.date`,
    [...params, keys.map((k) => k[0]!), keys.map((k) => k[1]!), keys.map((k) => k[2]!)],
  );
  for (const s of wanted.values()) s.daily = [];
  for (const r of rows) {
    // A share of a blend shows the set's CTR, not the segment's: only its own rows can show it tiring.
    if (sharedDays.has(`${String(r.adset_id)}\u0000${String(r.date)}`)) continue;
    const day: SegmentDay = { date: String(r.date), impressions: Number(r.impressions), clicks: Number(r.clicks), reach: Number(r.reach) };
    wanted.get(keyOf(String(r.adset_id), String(r.segment_type), String(r.segment_id)))?.daily?.push(day);
  }
}

/**
 * An ad set's total delivery is read from one breakdown, in this order: plain rows (already
 * totals), country rows (countries partition delivery), demographic rows (so do age×gender
 * cells), and last segment rows (segments may overlap, so their sum can over-count; it is the
 * best available only when nothing else exists).
 */
function pickTotal(kinds: Map<Kind, { total: Metrics; recent: Metrics }> | undefined): { total: Metrics; recent: Metrics } {
  for (const kind of ['plain', 'country', 'demographic', 'segment'] as const) {
    const k = kinds?.get(kind);
    if (k && k.total.impressions > 0) return { total: addMetrics(emptyMetrics(), k.total), recent: addMetrics(emptyMetrics(), k.recent) };
  }
  return { total: emptyMetrics(), recent: emptyMetrics() };
}
