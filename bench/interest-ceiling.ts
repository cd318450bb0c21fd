// The best interest ranking any estimator could reach from the same history: a Bayes estimator
// that knows the market's true parameters as a set (every interest's true CTR, CVR and order value)
// but not which interest has which. Each interest's posterior over the 120 true triplets comes from
// the likelihood of its own clicks, conversions and revenue; its score is the posterior mean of
// the true value per impression. No estimator that sees only the data can do better on average, so
// (ceiling − random) / (oracle − random) is the most of the gap this history allows closing.
import { logGamma } from '../src/engine/empirical-bayes.ts';
import { orderEvidence } from '../src/engine/metrics.ts';
import type { SegmentHistory } from '../src/engine/types.ts';
import { axisOf, type MarketFamily } from '../src/simulation/families.ts';
import type { StubCampaignTruth } from '../src/simulation/market.ts';
import { ORDER_VALUE_SHAPE } from '../src/simulation/orders.ts';

/**
 * Which ceiling the family's interest rows allow:
 * - 'rows': the likelihood describes them (each row an interest's own delivery, its orders gamma):
 *   the most any estimator could close from them;
 * - 'order_values_known': heavy-tailed orders, whose sums have no likelihood to write down: the
 *   estimator is told each interest's true mean order value and judges only its clicks and
 *   conversions. It knows more than the rows tell, so on the slot-by-slot measure (a sum of the
 *   chosen interests' values, which posterior means rank best) no estimator of the rows does
 *   better: an upper bound, not the ceiling itself. A union's value is not such a sum: there it is
 *   only this estimator's choice;
 * - null: blended rows (an ad set's delivery credited to each of its interests), which neither describes.
 */
export type InterestCeilingKind = 'rows' | 'order_values_known';

export function interestCeilingKind(family: MarketFamily): InterestCeilingKind | null {
  if (family.segmentRows === 'shared') return null;
  return axisOf(family, 'orders') === 'steady' ? 'rows' : 'order_values_known';
}

export function ceilingRanking(c: StubCampaignTruth, histories: readonly SegmentHistory[], trueValue: ReadonlyMap<string, number>, kind: InterestCeilingKind = 'rows'): string[] {
  const values = ceilingValues(c, histories, trueValue, kind);
  return [...values].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id]) => id);
}

/** Each interest's posterior mean of its true value per impression, as ceilingRanking ranks them. */
export function ceilingValues(c: StubCampaignTruth, histories: readonly SegmentHistory[], trueValue: ReadonlyMap<string, number>, kind: InterestCeilingKind = 'rows'): Map<string, number> {
  const truths = c.segments.filter((g) => g.segmentType === 'interest');
  const byId = new Map(truths.map((g) => [g.segmentId, g]));
  // The ad sets' creative and the days' swings scale every interest's rates alike: measured from
  // the data with the true assignment (the ceiling may know it), they put the triplets on the data's scale.
  let clicks = 0;
  let expectedClicks = 0;
  let conversions = 0;
  let expectedConversions = 0;
  for (const h of histories) {
    const g = byId.get(h.segmentId);
    if (!g) continue;
    clicks += h.total.clicks;
    expectedClicks += h.total.impressions * g.ctr;
    conversions += h.total.conversions;
    expectedConversions += h.total.clicksWithConversions * g.cvr;
  }
  const ctrScale = expectedClicks > 0 ? clicks / expectedClicks : 1;
  const cvrScale = expectedConversions > 0 ? conversions / expectedConversions : 1;
  const scored = histories.map((h) => {
    const m = h.total;
    const logLik = truths.map((g) => {
      const ctr = Math.min(0.5, g.ctr * ctrScale);
      const cvr = Math.min(0.9, g.cvr * cvrScale);
      let ll = m.clicks * Math.log(ctr) + (m.impressions - m.clicks) * Math.log(1 - ctr);
      // Conversions over the clicks whose conversions are known; order values from the rows that know both.
      ll += m.conversions * Math.log(cvr) + Math.max(0, m.clicksWithConversions - m.conversions) * Math.log(1 - cvr);
      if (kind === 'order_values_known') return ll;
      const scale = g.revenuePerConversionMinor / ORDER_VALUE_SHAPE;
      const known = orderEvidence(m);
      if (known.conversions > 0 && known.revenueMinor > 0) ll += logGammaDensity(known.revenueMinor, ORDER_VALUE_SHAPE * known.conversions, scale);
      ll += revenueOnlyLogLikelihood(m.revenueWithoutConversionsMinor ?? 0, m.clicksWithRevenueOnly ?? 0, cvr, scale);
      return ll;
    });
    if (kind === 'rows') return [h.segmentId, posteriorMean(logLik, truths.map((g) => trueValue.get(g.segmentId) ?? 0))] as const;
    // Value per impression over the mean order value: what clicks and conversions tell, times the interest's own known order value.
    const own = byId.get(h.segmentId)?.revenuePerConversionMinor ?? 0;
    return [h.segmentId, own * posteriorMean(logLik, truths.map((g) => (trueValue.get(g.segmentId) ?? 0) / g.revenuePerConversionMinor))] as const;
  });
  return new Map(scored);
}

/** The mean of `values` under a uniform prior over them and these log-likelihoods (log-sum-exp safe). */
export function posteriorMean(logLik: readonly number[], values: readonly number[]): number {
  return weighedByLikelihood(logLik, values).mean;
}

/** The mean of `values` weighed by exp(logLik), and the log of those weights' sum (log-sum-exp safe). */
export function weighedByLikelihood(logLik: readonly number[], values: readonly number[]): { mean: number; logSum: number } {
  const top = Math.max(...logLik);
  let weight = 0;
  let value = 0;
  logLik.forEach((ll, j) => {
    const w = Math.exp(ll - top);
    weight += w;
    value += w * values[j]!;
  });
  return { mean: value / weight, logSum: top + Math.log(weight) };
}

/** The log-density of gamma(shape, scale) at x. */
export function logGammaDensity(x: number, shape: number, scale: number): number {
  return (shape - 1) * Math.log(x) - x / scale - shape * Math.log(scale) - logGamma(shape);
}

/**
 * Revenue R over n clicks whose conversions are unknown: the conversions K are binomial(n, cvr) and
 * R given K is the sum of K order values, gamma(K·shape, scale); summed over K (log-sum-exp).
 */
function revenueOnlyLogLikelihood(revenue: number, clicks: number, cvr: number, scale: number): number {
  if (!(clicks > 0)) return 0;
  const terms: number[] = [];
  const top = Math.min(clicks, Math.ceil(clicks * cvr * 4 + 40));
  for (let k = 0; k <= top; k++) {
    const binomial = logGamma(clicks + 1) - logGamma(k + 1) - logGamma(clicks - k + 1) + k * Math.log(cvr) + (clicks - k) * Math.log(1 - cvr);
    if (k === 0) {
      if (revenue === 0) terms.push(binomial);
      continue;
    }
    if (revenue > 0) terms.push(binomial + logGammaDensity(revenue, ORDER_VALUE_SHAPE * k, scale));
  }
  if (terms.length === 0) return -Infinity;
  const max = Math.max(...terms);
  return max + Math.log(terms.reduce((s, t) => s + Math.exp(t - max), 0));
}
