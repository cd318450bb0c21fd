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
  /** Mean cost per impression (minor units) of the pool; 0 when it spent nothing. */
  costPerImpression: number;
  strengths: FixedStrengths;
}

// A segment's cost per impression is nearly noise-free once it has delivered: the auction price of
// its people, not a rate of rare events. A thousand impressions weigh as much as the pool's mean.
export const COST_PER_IMPRESSION_STRENGTH = 1_000;

/** What a unit's delivery cost per impression (minor units), shrunk toward the prior's. */
export function costPerImpression(m: Metrics, prior: RatePrior): number {
  return smooth(prior.costPerImpression, COST_PER_IMPRESSION_STRENGTH, m.impressions > 0 ? m.spendMinor / m.impressions : 0, m.impressions);
}

/**
 * What a segment earns per unit of spend: its value per impression over its cost per impression.
 * Where nothing was spent anywhere in the pool, every impression costs alike and the value per
 * impression is returned as it is.
 */
export function valuePerSpend(valuePerImpressionMinor: number, m: Metrics, prior: RatePrior): number {
  if (!(prior.costPerImpression > 0)) return valuePerImpressionMinor;
  return valuePerImpressionMinor / costPerImpression(m, prior);
}

export function pooledCostPerImpression(pooled: Metrics): number {
  return pooled.impressions > 0 ? pooled.spendMinor / pooled.impressions : 0;
}

/** The pooled rates of `pooled` as prior means. */
export function pooledPrior(pooled: Metrics, strengths: FixedStrengths = FIXED_STRENGTHS): RatePrior {
  return {
    ctr: pooled.impressions > 0 ? pooled.clicks / pooled.impressions : 0,
    cvr: pooled.clicksWithConversions > 0 ? pooled.conversions / pooled.clicksWithConversions : 0,
    order: pooled.spendWithRevenueMinor > 0 ? (pooled.conversions > 0 ? pooled.revenueMinor / pooled.conversions : 1) : null,
    costPerImpression: pooledCostPerImpression(pooled),
    strengths,
  };
}

/** The fitted means and strengths (empirical-bayes.ts); `pooled` only says whether revenue is tracked. */
export function fittedPrior(p: ValuePriors, pooled: Metrics): RatePrior {
  return { ctr: p.ctr.mean, cvr: p.cvr.mean, order: pooled.spendWithRevenueMinor > 0 ? p.order.mean : null, costPerImpression: pooledCostPerImpression(pooled), strengths: strengthsOf(p) };
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
