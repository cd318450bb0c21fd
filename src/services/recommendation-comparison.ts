// A recommendation beside what its ad set has now and what the run before proposed: the targeting
// in force against the one apply would write (field by field), and the previous geo split.
import type { AppContext } from '../context.ts';
import { previousRecommendation } from '../store/dashboard-reads.ts';
import { targetingInForce } from '../store/history.ts';
import { getRecommendation } from '../store/runs.ts';
import { canonicalJson } from '../engine/canonical-json.ts';
import { targetingSpecOf, type TargetingSpec } from './apply-recommendation.ts';
import { InputError, NotFoundError } from './errors.ts';

export interface TargetingFieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface RecommendationComparison {
  recommendation_id: string;
  campaign_id: string;
  adset_id: string | null;
  /** The targeting the ad set has now (the last successful real change), or null when none was applied. */
  in_force: { history_id: number; targeting: unknown } | null;
  /** What applying the recommendation writes (a Meta targeting spec). */
  proposed: TargetingSpec;
  /** The top-level fields that differ; every field when nothing is in force. */
  changes: TargetingFieldChange[];
  previous: { recommendation_id: string; run_id: string; created_at: string; total_budget: number; geo_allocations: { country_code: string; budget_pct: number; budget_amount: number }[] } | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function compareRecommendation(ctx: AppContext, recommendationId: string): Promise<RecommendationComparison> {
  if (!UUID.test(recommendationId)) throw new InputError('recommendation_id', 'must be a UUID');
  const rec = await getRecommendation(ctx.db, recommendationId);
  if (rec === null) throw new NotFoundError(`no recommendation ${recommendationId}; GET /meta/targeting/recommendations/{campaign_id} lists the latest ones`);
  const [inForce, previous] = await Promise.all([targetingInForce(ctx.db, rec.campaign_id, rec.adset_id), previousRecommendation(ctx.db, rec)]);
  const proposed = targetingSpecOf(rec);
  return {
    recommendation_id: rec.recommendation_id,
    campaign_id: rec.campaign_id,
    adset_id: rec.adset_id,
    in_force: inForce === null ? null : { history_id: inForce.historyId, targeting: inForce.targeting },
    proposed,
    changes: targetingChanges(inForce?.targeting ?? null, proposed),
    previous:
      previous === null
        ? null
        : {
            recommendation_id: previous.recommendation_id,
            run_id: previous.run_id,
            created_at: previous.created_at,
            total_budget: previous.total_budget,
            geo_allocations: previous.geo_allocations.map((g) => ({ country_code: g.country_code, budget_pct: g.budget_pct, budget_amount: g.budget_amount })),
          },
  };
}

export function targetingChanges(before: unknown, after: TargetingSpec): TargetingFieldChange[] {
  const old = (before ?? {}) as Record<string, unknown>;
  const next = after as unknown as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(old), ...Object.keys(next)])].sort();
  return fields.filter((f) => canonicalJson(old[f] ?? null) !== canonicalJson(next[f] ?? null)).map((f) => ({ field: f, before: old[f] ?? null, after: next[f] ?? null }));
}
