import { addMetrics, emptyMetrics, observedCtr, observedCvr, observedRoas } from '../engine/metrics.ts';
import type { Metrics } from '../engine/types.ts';
import type { Db } from './db.ts';
import { metricsColumns, readMetrics } from './metrics-sql.ts';

// Which breakdown a row belongs to; an ad set's delivery is read from one of them only (BREAKDOWNS order).
const KIND_SQL = `case when segment_type = '' and country = '' and age = '' and gender = '' then 'plain'
              when country <> '' then 'country'
              when age <> '' or gender <> '' then 'demographic'
              else 'segment' end`;
const BREAKDOWNS = ['plain', 'country', 'demographic', 'segment'] as const;

export interface ObservedRates {
  ctr: number | null;
  cvr: number | null;
  roas: number | null;
}

/**
 * The observed CTR, CVR and ROAS over [start, end] (YYYY-MM-DD, inclusive) of one or more ad sets
 * together (a geo split's original and its copies). As in the campaign snapshot, each ad set's
 * delivery is read from one breakdown only (plain rows, else country rows, else demographic rows,
 * else segment rows) so that one impression reported in two breakdowns is not counted twice; the
 * ad sets' deliveries are then summed. A null ad set id means the campaign's rows without an ad set.
 */
export async function adsetsObservedRates(db: Db, campaignId: string, adsetIds: readonly (string | null)[], start: string, end: string): Promise<ObservedRates> {
  const rows = await db.query<Record<string, unknown>>(
    `select adset_id, ${KIND_SQL} as kind,
       ${metricsColumns('t_')}
     from insights where campaign_id = $1 and adset_id = any($2::text[]) and date between $3::date and $4::date
     group by 1, 2`,
    [campaignId, adsetIds.map((id) => id ?? ''), start, end],
  );
  const byAdset = new Map<string, Map<string, Metrics>>();
  for (const r of rows) {
    const kinds = byAdset.get(String(r.adset_id)) ?? new Map<string, Metrics>();
    kinds.set(String(r.kind), readMetrics(r, 't_'));
    byAdset.set(String(r.adset_id), kinds);
  }
  const total = emptyMetrics();
  for (const kinds of byAdset.values()) {
    const m = BREAKDOWNS.map((k) => kinds.get(k)).find((x) => x !== undefined && x.impressions > 0);
    if (m) addMetrics(total, m);
  }
  return total.impressions > 0 ? { ctr: observedCtr(total), cvr: observedCvr(total), roas: observedRoas(total) } : { ctr: null, cvr: null, roas: null };
}

/** One ad set's observed rates (adsetsObservedRates). */
export function adsetObservedRates(db: Db, campaignId: string, adsetId: string | null, start: string, end: string): Promise<ObservedRates> {
  return adsetsObservedRates(db, campaignId, [adsetId], start, end);
}

export interface AdsetDay {
  /** '' for the campaign's rows without an ad set. */
  adsetId: string;
  date: string;
  metrics: Metrics;
}

/**
 * Each listed ad set's delivery per day from `start` to `end` (YYYY-MM-DD, inclusive; null: the
 * latest stored day), for the lift of a holdout experiment. As in adsetObservedRates, one breakdown per ad set
 * (the first of plain, country, demographic, segment with impressions over the whole period), so
 * every day of an ad set is read from the same breakdown and nothing is counted twice.
 */
export async function adsetDailyMetrics(db: Db, campaignId: string, adsetIds: readonly (string | null)[], start: string, end: string | null = null): Promise<AdsetDay[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select adset_id, to_char(date, 'YYYY-MM-DD') as day, ${KIND_SQL} as kind,
       ${metricsColumns('t_')}
     from insights where campaign_id = $1 and adset_id = any($2::text[]) and date >= $3::date and ($4::date is null or date <= $4::date)
     group by 1, 2, 3`,
    [campaignId, adsetIds.map((id) => id ?? ''), start, end],
  );
  const byAdset = new Map<string, { kind: string; day: string; metrics: Metrics }[]>();
  for (const r of rows) {
    const list = byAdset.get(String(r.adset_id)) ?? [];
    list.push({ kind: String(r.kind), day: String(r.day), metrics: readMetrics(r, 't_') });
    byAdset.set(String(r.adset_id), list);
  }
  const out: AdsetDay[] = [];
  for (const [adsetId, list] of byAdset) {
    const kind = BREAKDOWNS.find((k) => list.some((x) => x.kind === k && x.metrics.impressions > 0));
    for (const x of list) if (x.kind === kind) out.push({ adsetId, date: x.day, metrics: x.metrics });
  }
  return out.sort((a, b) => (a.adsetId < b.adsetId ? -1 : a.adsetId > b.adsetId ? 1 : a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/**
 * The spend per country of some ad sets together over [start, end] (YYYY-MM-DD, inclusive), in
 * minor units, from their country rows: how the history split its money across countries (an
 * ad set and the copies its geo split made, say). Countries without spend are absent.
 */
export async function adsetSpendByCountry(db: Db, campaignId: string, adsetIds: readonly string[], start: string, end: string): Promise<Map<string, number>> {
  const rows = await db.query<{ country: string; spend: string | number }>(
    `select country, bigint_sum(spend_minor)::text as spend
     from insights where campaign_id = $1 and adset_id = any($2::text[]) and segment_type = '' and country <> '' and date between $3::date and $4::date
     group by 1 having bigint_sum(spend_minor) > 0`,
    [campaignId, [...adsetIds], start, end],
  );
  return new Map(rows.map((r) => [r.country, Number(r.spend)]));
}
