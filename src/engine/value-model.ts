// The value model every strategy shares: what a unit's rates are shrunk toward (its prior) and the
// expected revenue per impression that follows. Countries and segments both go through it.
import { fitValuePriors, type FixedStrengths, type ValuePriors } from './empirical-bayes.ts';
import { smooth } from './scoring.ts';
import type { Metrics } from './types.ts';

// Fixed shrinkage strengths, where a fit falls back, in each rate's own trials: a country's
// CTR needs a few thousand impressions, its CVR a few hundred clicks and its order value a few
// dozen conversions before its own figure dominates the campaign's.
export const CTR_STRENGTH = 2_000;
export const CVR_STRENGTH = 200;
export const ORDER_VALUE_STRENGTH = 20;
export const FIXED_STRENGTHS: FixedStrengths = { ctr: CTR_STRENGTH, cvr: CVR_STRENGTH, order: ORDER_VALUE_STRENGTH };

/** Strengths fitted across `units` (countries, or segments of one type); fixed ones where the fit fails. */
export function fitStrengths(units: readonly Metrics[]): ValuePriors {
  return fitValuePriors(units, FIXED_STRENGTHS);
}

export function strengthsOf(p: ValuePriors): FixedStrengths {
  return { ctr: p.ctr.strength, cvr: p.cvr.strength, order: p.order.strength };
}

/** What a unit's rates are shrunk toward: each rate's prior mean and the strength it is worth. */
export interface RatePrior {
  ctr: number;
  cvr: number;
  /** Mean revenue per conversion (minor units); null when no revenue is tracked: a conversion is then worth 1. */
  order: number | null;
  strengths: FixedStrengths;
}

/** The pooled rates of `pooled` as prior means. */
export function pooledPrior(pooled: Metrics, strengths: FixedStrengths = FIXED_STRENGTHS): RatePrior {
  return {
    ctr: pooled.impressions > 0 ? pooled.clicks / pooled.impressions : 0,
    cvr: pooled.clicksWithConversions > 0 ? pooled.conversions / pooled.clicksWithConversions : 0,
    order: pooled.spendWithRevenueMinor > 0 ? (pooled.conversions > 0 ? pooled.revenueMinor / pooled.conversions : 1) : null,
    strengths,
  };
}

/** The fitted means and strengths (empirical-bayes.ts); `pooled` only says whether revenue is tracked. */
export function fittedPrior(p: ValuePriors, pooled: Metrics): RatePrior {
  return { ctr: p.ctr.mean, cvr: p.cvr.mean, order: pooled.spendWithRevenueMinor > 0 ? p.order.mean : null, strengths: strengthsOf(p) };
}

/** Expected revenue per impression (minor units), each rate shrunk toward the prior's. */
export function valuePerImpression(m: Metrics, prior: RatePrior): number {
  const { strengths } = prior;
  const ctr = smooth(prior.ctr, strengths.ctr, m.impressions > 0 ? m.clicks / m.impressions : 0, m.impressions);
  const cvr = smooth(prior.cvr, strengths.cvr, m.clicksWithConversions > 0 ? m.conversions / m.clicksWithConversions : 0, m.clicksWithConversions);
  // Without revenue the value of a conversion is 1: the split then maximises conversions.
  const order = prior.order === null ? 1 : smooth(prior.order, strengths.order, m.conversions > 0 ? m.revenueMinor / m.conversions : 0, m.conversions);
  return ctr * cvr * order;
}
