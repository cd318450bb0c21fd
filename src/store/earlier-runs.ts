// What the engine is told about a campaign's earlier runs (EarlierRuns in src/engine/types.ts),
// read inside the new run's transaction and stored with its decision inputs.
import { minorDigits } from '../engine/money.ts';
import type { EarlierGeoSplit, EarlierRuns, EarlierTargeting } from '../engine/types.ts';
import type { RecommendationDocument as Recommendation } from '../presentation/recommendation-document.ts';
import type { Db } from './db.ts';

/** Null when the campaign has nothing earlier to tell (its first run). */
export async function loadEarlierRuns(db: Db, campaignId: string): Promise<EarlierRuns | null> {
  const earlier: EarlierRuns = {};
  const inForce = await recommendationsInForce(db, campaignId);
  if (inForce.length > 0) {
    earlier.geo = inForce.map(geoSplitOf);
    earlier.targeting = inForce.map(targetingOf);
  }
  return Object.keys(earlier).length > 0 ? earlier : null;
}

interface InForce {
  adsetId: string | null;
  totalBudgetMinor: number;
  currency: string;
  document: Recommendation;
}

/**
 * The recommendation in force of each ad set: its latest applied one (STUB or LIVE, not a dry run,
 * not rolled back since, not withheld from a holdout ad set, which kept its targeting). Its geo split is what the `bayes` split's change-per-run limit is
 * measured from, its interests and behaviors what an edit is weighed against. A recommendation
 * nobody applied is not in force, so it moves neither: an ad set none of whose recommendations was
 * applied gets none, and its run holds to the history's own split (settings.firstRunChangeLimit) —
 * the split LIVE's apply guardrail judges it against too.
 */
async function recommendationsInForce(db: Db, campaignId: string): Promise<InForce[]> {
  const rows = await db.query<{ adset_id: string | null; tb: number; currency: string; document: Recommendation | string }>(
    `select distinct on (r.adset_id) r.adset_id, r.total_budget_minor::float8 as tb, r.currency, r.document
     from targeting_history h
     join recommendations r on r.recommendation_id = h.recommendation_id
     where h.campaign_id = $1 and not h.dry_run and h.success and h.state = 'applied' and h.rolls_back_history_id is null
       and h.experiment_arm is distinct from 'holdout'
       and not exists (select 1 from targeting_history b where b.rolls_back_history_id = h.id and b.state = 'applied')
     order by r.adset_id nulls first, h.applied_at desc, h.id desc`,
    [campaignId],
  );
  return rows.map((row) => ({
    adsetId: row.adset_id,
    totalBudgetMinor: Number(row.tb),
    currency: row.currency,
    document: typeof row.document === 'string' ? (JSON.parse(row.document) as Recommendation) : row.document,
  }));
}

function geoSplitOf(r: InForce): EarlierGeoSplit {
  // The document holds major units rounded to the currency's digits: scaling back is exact.
  const perMajor = 10 ** minorDigits(r.currency);
  return {
    adsetId: r.adsetId,
    totalBudgetMinor: r.totalBudgetMinor,
    allocations: r.document.geo_allocations.map((g) => ({ countryCode: g.country_code, amountMinor: Math.round(g.budget_amount * perMajor) })),
  };
}

function targetingOf(r: InForce): EarlierTargeting {
  return { adsetId: r.adsetId, interests: r.document.interests.map((i) => i.interest_id), behaviors: r.document.behaviors.map((b) => b.behavior_id) };
}
