// The `bayes` strategy's segment score: expected revenue per impression, each rate shrunk toward
// the fitted prior of the segments of the same type, relative to the best segment. The seed's
// composite multiplies by a confidence that falls with sample size, so a small segment that
// converts well is ranked under a big mediocre one; shrinkage instead pulls a small segment's
// estimate toward the pool by exactly as much as its data is thin.
// bench/decision-quality.ts, 15 of 120 interests with sizes differing by 100×, judged by their
// true value on the decision day after 30 days of history: the seed's choice closes a median
// 79.9 % of the gap between a random choice and the oracle's, raw revenue per impression 74.9 %,
// this one 83.5 % with priors fitted per segment type by empirical Bayes, where the best any
// estimator could reach from the same data is 84.2 % (bench/interest-ceiling.ts).
import type { ValuePriors } from './empirical-bayes.ts';
import { fitStrengths, fittedPrior, pooledPrior, USE_FITTED_PRIORS, valuePerImpression } from './geo-bayes.ts';
import { addMetrics, emptyMetrics } from './metrics.ts';
import type { Metrics, SegmentHistory, SegmentScore, SegmentType } from './types.ts';

/**
 * Prior strengths per segment type, fitted across the ad set's segments of that type (the
 * campaign's pool: a snapshot holds one campaign, so there is no account level above it).
 */
export function fitSegmentPriors(histories: readonly SegmentHistory[]): Map<SegmentType, ValuePriors> {
  const byType = new Map<SegmentType, Metrics[]>();
  for (const h of histories) {
    const list = byType.get(h.segmentType);
    if (list) list.push(h.total);
    else byType.set(h.segmentType, [h.total]);
  }
  return new Map([...byType].map(([type, units]) => [type, fitStrengths(units)]));
}

/** Returns the scores with `composite` replaced by value per impression relative to the best of its type (0..1). */
export function rescoreByValue(scores: readonly SegmentScore[], histories: readonly SegmentHistory[], priors: ReadonlyMap<SegmentType, ValuePriors> | null = USE_FITTED_PRIORS.segments ? fitSegmentPriors(histories) : null): SegmentScore[] {
  const totals = new Map<string, Metrics>(histories.map((h) => [`${h.segmentType}:${h.segmentId}`, h.total]));
  const pooled = new Map<SegmentType, Metrics>();
  for (const h of histories) pooled.set(h.segmentType, addMetrics(pooled.get(h.segmentType) ?? emptyMetrics(), h.total));
  const priorOf = new Map([...pooled].map(([type, pool]) => {
    const p = priors?.get(type);
    return [type, p ? fittedPrior(p, pool) : pooledPrior(pool)];
  }));
  const values = scores.map((s) => valuePerImpression(totals.get(`${s.segmentType}:${s.segmentId}`) ?? emptyMetrics(), priorOf.get(s.segmentType) ?? pooledPrior(emptyMetrics())));
  const best = new Map<SegmentType, number>();
  scores.forEach((s, i) => best.set(s.segmentType, Math.max(best.get(s.segmentType) ?? 0, values[i]!)));
  return scores.map((s, i) => {
    const top = best.get(s.segmentType)!;
    return { ...s, composite: top > 0 ? values[i]! / top : 0 };
  });
}
