import { addMetrics, emptyMetrics } from '../engine/metrics.ts';
import type { AdSetSnapshot, CampaignSnapshot, DemographicHistory, Metrics, PixelEventCount, SegmentHistory, SegmentType } from '../engine/types.ts';
import type { Db } from './db.ts';
import { metricsColumns, readMetrics } from './metrics-sql.ts';

export interface SnapshotWindow {
  start: string;
  end: string;
  /** First day counted as recent (fatigue). */
  recentStart: string;
}

type Row = Record<string, unknown>;

/**
 * Reads one campaign's history in the window and shapes it for the engine. Rows of different
 * breakdowns describe the same delivery (a country row and an interest row can be the same
 * impression), so each breakdown is aggregated only over the rows that carry it, and an ad set's
 * total comes from one breakdown only (see pickTotal).
 */
export async function loadCampaignSnapshot(db: Db, campaignId: string, currency: string, window: SnapshotWindow): Promise<CampaignSnapshot> {
  const params = [campaignId, window.start, window.end, window.recentStart];
  const base = `from insights where campaign_id = $1 and date between $2::date and $3::date`;
  const recent = `date >= $4::date`;

  const [segments, countries, demographics, kinds, pixel] = await Promise.all([
    db.query<Row>(
      `select adset_id, segment_type, segment_id, max(segment_name) as segment_name, count(distinct date)::int as active_days,
        ${metricsColumns('t_')}, ${metricsColumns('r_', recent)}
       ${base} and segment_type <> '' and segment_type <> 'demographic'
       group by adset_id, segment_type, segment_id`,
      params,
    ),
    db.query<Row>(
      `select adset_id, country, ${metricsColumns('t_')} ${base} and country <> '' group by adset_id, country`,
      params.slice(0, 3),
    ),
    db.query<Row>(
      `select adset_id, age, gender, ${metricsColumns('t_')} ${base} and (age <> '' or gender <> '') group by adset_id, age, gender`,
      params.slice(0, 3),
    ),
    db.query<Row>(
      `select adset_id,
         case when segment_type = '' and country = '' and age = '' and gender = '' then 'plain'
              when country <> '' then 'country'
              when age <> '' or gender <> '' then 'demographic'
              else 'segment' end as kind,
         ${metricsColumns('t_')}, ${metricsColumns('r_', recent)}
       ${base} group by 1, 2`,
      params,
    ),
    db.query<{ event_name: string; content_category: string; count: number }>(
      'select event_name, content_category, count::float8 as count from pixel_events where campaign_id = $1 order by event_name, content_category',
      [campaignId],
    ),
  ]);

  const adsets = new Map<string, AdSetSnapshot>();
  const adsetOf = (id: string): AdSetSnapshot => {
    let a = adsets.get(id);
    if (!a) {
      a = { adsetId: id === '' ? null : id, segments: [], countries: [], demographics: [], total: emptyMetrics(), recent: emptyMetrics() };
      adsets.set(id, a);
    }
    return a;
  };

  for (const r of segments) {
    const s: SegmentHistory = {
      segmentType: r.segment_type as SegmentType,
      segmentId: String(r.segment_id),
      segmentName: String(r.segment_name),
      activeDays: Number(r.active_days),
      total: readMetrics(r, 't_'),
      recent: readMetrics(r, 'r_'),
    };
    adsetOf(String(r.adset_id)).segments.push(s);
  }
  for (const r of countries) adsetOf(String(r.adset_id)).countries.push({ countryCode: String(r.country), total: readMetrics(r, 't_') });
  for (const r of demographics) {
    const d: DemographicHistory = { age: String(r.age) as DemographicHistory['age'], gender: String(r.gender) as DemographicHistory['gender'], total: readMetrics(r, 't_') };
    adsetOf(String(r.adset_id)).demographics.push(d);
  }
  const byKind = new Map<string, Map<string, { total: Metrics; recent: Metrics }>>();
  for (const r of kinds) {
    const id = String(r.adset_id);
    adsetOf(id);
    let m = byKind.get(id);
    if (!m) byKind.set(id, (m = new Map()));
    m.set(String(r.kind), { total: readMetrics(r, 't_'), recent: readMetrics(r, 'r_') });
  }
  for (const [id, a] of adsets) {
    const picked = pickTotal(byKind.get(id));
    a.total = picked.total;
    a.recent = picked.recent;
  }

  // Rows without an ad set id describe the campaign as a whole. When the campaign also has ad
  // sets, those rows cannot be split between them, so they stay a separate "campaign" entry
  // only if no ad set exists.
  const list = [...adsets.values()].sort((a, b) => (a.adsetId ?? '').localeCompare(b.adsetId ?? ''));
  const withIds = list.filter((a) => a.adsetId !== null);
  const pixelEvents: PixelEventCount[] = pixel.map((p) => ({ eventName: p.event_name, contentCategory: p.content_category, count: Number(p.count) }));
  return {
    campaignId,
    currency,
    windowStart: window.start,
    windowEnd: window.end,
    adsets: withIds.length > 0 ? withIds : list,
    pixelEvents,
  };
}

/**
 * An ad set's total delivery is read from one breakdown, in this order: plain rows (already
 * totals), country rows (countries partition delivery), demographic rows (so do age×gender
 * cells), and last segment rows (segments may overlap, so their sum can over-count; it is the
 * best available only when nothing else exists).
 */
function pickTotal(kinds: Map<string, { total: Metrics; recent: Metrics }> | undefined): { total: Metrics; recent: Metrics } {
  for (const kind of ['plain', 'country', 'demographic', 'segment']) {
    const k = kinds?.get(kind);
    if (k && k.total.impressions > 0) return { total: addMetrics(emptyMetrics(), k.total), recent: addMetrics(emptyMetrics(), k.recent) };
  }
  return { total: emptyMetrics(), recent: emptyMetrics() };
}
