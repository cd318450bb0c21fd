// The value model every strategy shares: what a unit's rates are shrunk toward (its prior) and the
// expected revenue per impression that follows. Countries and segments both go through it.
import { fitValuePriors, type FixedStrengths, type ValuePriors } from './empirical-bayes.ts';
import { smooth } from './scoring.ts';
import { orderEvidence } from './metrics.ts';
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

// A pool that tracks revenue but never counted a conversion cannot say what one is worth: its value
// per click is split as if conversions came at this rate. Only the spread of the draws and the
// intervals depends on the split; the posterior mean of value per impression does not.
export const NOMINAL_CONVERSION_RATE = 0.02;

/** What the pool's conversions are worth (minor units); null when it tracks no revenue. */
function pooledOrderValue(pooled: Metrics): number | null {
  if (!(pooled.spendWithRevenueMinor > 0)) return null;
  const known = orderEvidence(pooled);
  if (known.conversions > 0) return known.revenueMinor / known.conversions;
  const clicks = pooled.clicksWithRevenueOnly ?? 0;
  const perClick = clicks > 0 ? (pooled.revenueWithoutConversionsMinor ?? 0) / clicks : 0;
  if (!(perClick > 0)) return 1;
  const rate = pooled.clicksWithConversions > 0 && pooled.conversions > 0 ? pooled.conversions / pooled.clicksWithConversions : NOMINAL_CONVERSION_RATE;
  return perClick / rate;
}

/**
 * The conversions a unit's rows say it made and the clicks they were made on: those counted, plus
 * for rows that know revenue but not conversions, that revenue at `order` per conversion. Without
 * the second part such rows would be valued by the prior alone.
 */
export function conversionEvidence(m: Metrics, order: number | null): { conversions: number; clicks: number } {
  const clicks = m.clicksWithRevenueOnly ?? 0;
  if (!(clicks > 0) || order === null || !(order > 0)) return { conversions: m.conversions, clicks: m.clicksWithConversions };
  return { conversions: m.conversions + (m.revenueWithoutConversionsMinor ?? 0) / order, clicks: m.clicksWithConversions + clicks };
}

/** A unit's order value shrunk toward the prior's, from the rows that know both revenue and conversions; 1 without revenue. */
export function shrunkOrderValue(m: Metrics, prior: Pick<RatePrior, 'order' | 'strengths'>): number {
  if (prior.order === null) return 1;
  const known = orderEvidence(m);
  return smooth(prior.order, prior.strengths.order, known.conversions > 0 ? known.revenueMinor / known.conversions : 0, known.conversions);
}

/** A unit's conversion rate shrunk toward the prior's, at its order value `order` (shrunkOrderValue). */
export function shrunkConversionRate(m: Metrics, prior: Pick<RatePrior, 'cvr' | 'order' | 'strengths'>, order: number): number {
  const e = conversionEvidence(m, prior.order === null ? null : order);
  return smooth(prior.cvr, prior.strengths.cvr, e.clicks > 0 ? e.conversions / e.clicks : 0, e.clicks);
}

/** The pooled rates of `pooled` as prior means. */
export function pooledPrior(pooled: Metrics, strengths: FixedStrengths = FIXED_STRENGTHS): RatePrior {
  const order = pooledOrderValue(pooled);
  const conversions = conversionEvidence(pooled, order);
  return {
    ctr: pooled.impressions > 0 ? pooled.clicks / pooled.impressions : 0,
    cvr: conversions.clicks > 0 ? conversions.conversions / conversions.clicks : 0,
    order,
    costPerImpression: pooledCostPerImpression(pooled),
    strengths,
  };
}

/**
 * The fitted means and strengths (empirical-bayes.ts); `pooled` says whether revenue is tracked,
 * and gives the means the fit could not see: rows that know revenue but not conversions.
 */
export function fittedPrior(p: ValuePriors, pooled: Metrics): RatePrior {
  const revenueOnly = (pooled.clicksWithRevenueOnly ?? 0) > 0;
  const fallback = revenueOnly ? pooledPrior(pooled) : null;
  return {
    ctr: p.ctr.mean,
    cvr: fallback !== null && !(pooled.clicksWithConversions > 0) ? fallback.cvr : p.cvr.mean,
    order: pooled.spendWithRevenueMinor > 0 ? (fallback !== null && !(orderEvidence(pooled).conversions > 0) ? fallback.order : p.order.mean) : null,
    costPerImpression: pooledCostPerImpression(pooled),
    strengths: strengthsOf(p),
  };
}

/** Expected revenue per impression (minor units), each rate shrunk toward the prior's. */
export function valuePerImpression(m: Metrics, prior: RatePrior): number {
  const ctr = smooth(prior.ctr, prior.strengths.ctr, m.impressions > 0 ? m.clicks / m.impressions : 0, m.impressions);
  // Without revenue the value of a conversion is 1: the split then maximises conversions.
  const order = shrunkOrderValue(m, prior);
  return ctr * shrunkConversionRate(m, prior, order) * order;
}
