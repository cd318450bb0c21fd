import { observedCtr, observedCvr, observedRoas } from '../engine/metrics.ts';
import type { Metrics } from '../engine/types.ts';
import type { Db } from './db.ts';
import { metricsColumns, readMetrics } from './metrics-sql.ts';

export interface ObservedRates {
  ctr: number | null;
  cvr: number | null;
  roas: number | null;
}

/**
 * An ad set's observed CTR, CVR and ROAS over [start, end] (YYYY-MM-DD, inclusive). As in the
 * campaign snapshot, the delivery is read from one breakdown only (plain rows, else country rows,
 * else demographic rows, else segment rows) so that one impression reported in two breakdowns is
 * not counted twice. A null ad set id means the campaign's rows without an ad set.
 */
export async function adsetObservedRates(db: Db, campaignId: string, adsetId: string | null, start: string, end: string): Promise<ObservedRates> {
  const rows = await db.query<Record<string, unknown>>(
    `select case when segment_type = '' and country = '' and age = '' and gender = '' then 'plain'
              when country <> '' then 'country'
              when age <> '' or gender <> '' then 'demographic'
              else 'segment' end as kind,
       ${metricsColumns('t_')}
     from insights where campaign_id = $1 and adset_id = $2 and date between $3::date and $4::date
     group by 1`,
    [campaignId, adsetId ?? '', start, end],
  );
  const byKind = new Map<string, Metrics>(rows.map((r) => [String(r.kind), readMetrics(r, 't_')]));
  for (const kind of ['plain', 'country', 'demographic', 'segment']) {
    const m = byKind.get(kind);
    if (m && m.impressions > 0) return { ctr: observedCtr(m), cvr: observedCvr(m), roas: observedRoas(m) };
  }
  return { ctr: null, cvr: null, roas: null };
}
