// What the engine is told about a campaign's earlier runs (EarlierRuns in src/engine/types.ts),
// read inside the new run's transaction and stored with its decision inputs.
import { minorDigits } from '../engine/money.ts';
import type { EarlierGeoSplit, EarlierRuns } from '../engine/types.ts';
import type { RecommendationDocument as Recommendation } from '../presentation/recommendation-document.ts';
import type { Db } from './db.ts';

/** Null when the campaign has nothing earlier to tell (its first run). */
export async function loadEarlierRuns(db: Db, campaignId: string): Promise<EarlierRuns | null> {
  const earlier: EarlierRuns = {};
  const geo = await previousGeoSplits(db, campaignId);
  if (geo.length > 0) earlier.geo = geo;
  return Object.keys(earlier).length > 0 ? earlier : null;
}

/**
 * The geo split of each ad set in the campaign's latest completed run, in minor units: what the
 * `bayes` split's change-per-run limit is measured from. A run in progress (this one) and failed
 * runs are not "previous". Runs that started at the same instant (only with a frozen clock) are
 * ordered by id.
 */
export async function previousGeoSplits(db: Db, campaignId: string): Promise<EarlierGeoSplit[]> {
  const rows = await db.query<{ adset_id: string | null; tb: number; currency: string; document: Recommendation | string }>(
    `select r.adset_id, r.total_budget_minor::float8 as tb, r.currency, r.document
     from recommendations r
     where r.campaign_id = $1 and r.run_id = (
       select u.run_id from runs u
       where u.status = 'completed' and exists (select 1 from recommendations x where x.run_id = u.run_id and x.campaign_id = $1)
       order by u.started_at desc, u.run_id desc limit 1)
     order by r.adset_id nulls first`,
    [campaignId],
  );
  return rows.map((row) => {
    const doc = typeof row.document === 'string' ? (JSON.parse(row.document) as Recommendation) : row.document;
    // The document holds major units rounded to the currency's digits: scaling back is exact.
    const perMajor = 10 ** minorDigits(row.currency);
    return {
      adsetId: row.adset_id,
      totalBudgetMinor: Number(row.tb),
      allocations: doc.geo_allocations.map((g) => ({ countryCode: g.country_code, amountMinor: Math.round(g.budget_amount * perMajor) })),
    };
  });
}
