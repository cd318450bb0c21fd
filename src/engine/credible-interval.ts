// The `bayes` strategy's confidence: an approximate 90 % credible interval of the recommendation's
// expected revenue per impression, from the posteriors of the chosen countries' rates.
//
// Each country's CTR and CVR posterior is Beta(prior mean × k + successes, (1 − prior mean) × k +
// failures) with k the strength in use (fitted or fixed, geo-bayes.ts); its order value's
// posterior mean has variance σ²/(k_order + conversions), σ² the variance of one conversion's value
// (empirical-bayes.ts). The three are independent, so the product's variance is exact:
// Var(XYZ) = (vX + mX²)(vY + mY²)(vZ + mZ²) − (mX mY mZ)². The budget-weighted mix of countries adds
// variances with squared weights. The interval is mean ± 1.645 sd (normal approximation, the 5 %
// and 95 % points), its lower end held at 0. Deterministic: no draws, so a replay gives the same.
//
// confidence = clamp(1 − half-width / mean, 0, 0.95): an estimate known to ±10 % gets 0.90, one
// known to ±50 % gets 0.50, one whose interval reaches 0 gets 0; 0.95 is the seed's own ceiling.
import { orderEvidence } from './metrics.ts';
import { conversionEvidence, type RatePrior } from './value-model.ts';
import type { Metrics } from './types.ts';

/** The standard normal's 95 % point: mean ± Z_90 sd is a 90 % interval. */
export const Z_90 = 1.6448536269514722;
export const MAX_CONFIDENCE = 0.95;

export interface ValueInterval {
  /** Expected revenue per impression, minor units. */
  mean: number;
  lower: number;
  upper: number;
  /** Half-width over the mean; Infinity when the mean is 0. */
  relativeHalfWidth: number;
  confidence: number;
}

export interface IntervalPart {
  total: Metrics;
  /** Budget share; the shares need not sum to 1 (they are normalised). */
  weight: number;
}

function betaMoments(priorMean: number, strength: number, successes: number, trials: number): { mean: number; variance: number } {
  const s = Math.max(0, Math.min(successes, trials));
  // A prior of strength 0 with no data is no distribution: keep a sliver of mass on each side.
  const a = Math.max(1e-9, priorMean * strength + s);
  const b = Math.max(1e-9, (1 - priorMean) * strength + Math.max(0, trials - s));
  const mean = a / (a + b);
  return { mean, variance: (mean * (1 - mean)) / (a + b + 1) };
}

/**
 * `perConversionVariance` of null means "one conversion's value varies as much as its mean"
 * (coefficient of variation 1), the fallback of empirical-bayes.ts.
 */
export function valueInterval(parts: readonly IntervalPart[], prior: RatePrior, perConversionVariance: number | null): ValueInterval {
  const { strengths } = prior;
  const hasRevenue = prior.order !== null;
  const priorOrder = prior.order ?? 1;
  const sigma2 = perConversionVariance ?? priorOrder * priorOrder;
  const weightSum = parts.reduce((s, p) => s + Math.max(0, p.weight), 0);
  let mean = 0;
  let variance = 0;
  for (const p of parts) {
    const w = weightSum > 0 ? Math.max(0, p.weight) / weightSum : 1 / parts.length;
    const m = p.total;
    const ctr = betaMoments(prior.ctr, strengths.ctr, m.clicks, m.impressions);
    let order = { mean: 1, variance: 0 };
    if (hasRevenue) {
      const known = orderEvidence(m);
      const n = known.conversions > 0 ? known.conversions : 0;
      const own = n > 0 ? known.revenueMinor / n : 0;
      order = { mean: (priorOrder * strengths.order + own * n) / (strengths.order + n), variance: sigma2 / (strengths.order + n) };
    }
    const conversions = conversionEvidence(m, hasRevenue ? order.mean : null);
    const cvr = betaMoments(prior.cvr, strengths.cvr, conversions.conversions, conversions.clicks);
    const mu = ctr.mean * cvr.mean * order.mean;
    const second = (ctr.variance + ctr.mean ** 2) * (cvr.variance + cvr.mean ** 2) * (order.variance + order.mean ** 2);
    mean += w * mu;
    variance += w * w * Math.max(0, second - mu * mu);
  }
  const half = Z_90 * Math.sqrt(variance);
  const relativeHalfWidth = mean > 0 ? half / mean : Infinity;
  const confidence = Math.min(MAX_CONFIDENCE, Math.max(0, 1 - relativeHalfWidth));
  return { mean, lower: Math.max(0, mean - half), upper: mean + half, relativeHalfWidth, confidence };
}
