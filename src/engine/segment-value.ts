// The `bayes` strategy's segment score: expected revenue per impression, each rate shrunk toward
// the pooled rates of the segments of the same type, relative to the best segment. The seed's
// composite multiplies by a confidence that falls with sample size, so a small segment that
// converts well is ranked under a big mediocre one; shrinkage instead pulls a small segment's
// estimate toward the pool by exactly as much as its data is thin.
// bench/decision-quality.ts, 15 of 120 interests with sizes differing by 100×, judged by their
// true value on the decision day: the seed's choice closes a median 79.9 % of the gap between a
// random choice and the oracle's, raw revenue per impression 74.9 %, this one 82.5 %.
import { valuePerImpression } from './geo-bayes.ts';
import { addMetrics, emptyMetrics } from './metrics.ts';
import type { Metrics, SegmentHistory, SegmentScore, SegmentType } from './types.ts';

/** Returns the scores with `composite` replaced by value per impression relative to the best of its type (0..1). */
export function rescoreByValue(scores: readonly SegmentScore[], histories: readonly SegmentHistory[]): SegmentScore[] {
  const totals = new Map<string, Metrics>(histories.map((h) => [`${h.segmentType}:${h.segmentId}`, h.total]));
  const pooled = new Map<SegmentType, Metrics>();
  for (const h of histories) pooled.set(h.segmentType, addMetrics(pooled.get(h.segmentType) ?? emptyMetrics(), h.total));
  const values = scores.map((s) => valuePerImpression(totals.get(`${s.segmentType}:${s.segmentId}`) ?? emptyMetrics(), pooled.get(s.segmentType) ?? emptyMetrics()));
  const best = new Map<SegmentType, number>();
  scores.forEach((s, i) => best.set(s.segmentType, Math.max(best.get(s.segmentType) ?? 0, values[i]!)));
  return scores.map((s, i) => {
    const top = best.get(s.segmentType)!;
    return { ...s, composite: top > 0 ? values[i]! / top : 0 };
  });
}
