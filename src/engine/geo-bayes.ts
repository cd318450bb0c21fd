// The `bayes` strategy's budget split: each country's saturating response curve is fitted from
// its daily history, its value per impression is estimated with shrinkage toward the campaign's
// pooled rates, and the budget is placed where the next euro earns the most (equal marginal
// returns) under the Spain floor. Measured against the seed split in bench/decision-quality.ts.
import { describePriors, fitValuePriors, type FixedStrengths, type ValuePriors } from './empirical-bayes.ts';
import { emptyMetrics, addMetrics } from './metrics.ts';
import { smooth } from './scoring.ts';
import { curveValue, fitResponseCurve, marginalValue, waterFill, type Market, type ResponseCurve, type SpendPoint } from './response-curve.ts';
import type { CountryHistory, Metrics, TraceEntry } from './types.ts';

export interface CountryDaily extends CountryHistory {
  daily: SpendPoint[];
}

export interface BayesAllocation {
  countryCode: string;
  amountMinor: number;
  /** Expected revenue per extra minor unit at the chosen spend. */
  marginalReturn: number;
  valuePerImpression: number;
  curve: ResponseCurve | null;
}

// Shrinkage strengths toward the campaign's pooled rates, in each rate's own trials: a country's
// CTR needs a few thousand impressions, its CVR a few hundred clicks and its order value a few
// dozen conversions before its own figure dominates the campaign's.
export const CTR_STRENGTH = 2_000;
export const CVR_STRENGTH = 200;
export const ORDER_VALUE_STRENGTH = 20;
export const FIXED_STRENGTHS: FixedStrengths = { ctr: CTR_STRENGTH, cvr: CVR_STRENGTH, order: ORDER_VALUE_STRENGTH };

/**
 * Whether the bayes strategy replaces the fixed strengths by ones fitted from the units themselves
 * (src/engine/empirical-bayes.ts) where the fit succeeds. Measured in bench/decision-quality.ts.
 */
export const USE_FITTED_PRIORS = { countries: true, segments: true };

/** Strengths fitted across `units` (countries, or segments of one type); fixed ones where the fit fails. */
export function fitStrengths(units: readonly Metrics[]): ValuePriors {
  return fitValuePriors(units, FIXED_STRENGTHS);
}

export function strengthsOf(p: ValuePriors): FixedStrengths {
  return { ctr: p.ctr.strength, cvr: p.cvr.strength, order: p.order.strength };
}

/** Expected revenue per impression (minor units), shrunk toward the campaign's pooled figures. */
export function valuePerImpression(m: Metrics, pooled: Metrics, strengths: FixedStrengths = FIXED_STRENGTHS): number {
  const pooledCtr = pooled.impressions > 0 ? pooled.clicks / pooled.impressions : 0;
  const pooledCvr = pooled.clicksWithConversions > 0 ? pooled.conversions / pooled.clicksWithConversions : 0;
  const pooledOrder = pooled.conversions > 0 && pooled.spendWithRevenueMinor > 0 ? pooled.revenueMinor / pooled.conversions : 1;
  const ctr = smooth(pooledCtr, strengths.ctr, m.impressions > 0 ? m.clicks / m.impressions : 0, m.impressions);
  const cvr = smooth(pooledCvr, strengths.cvr, m.clicksWithConversions > 0 ? m.conversions / m.clicksWithConversions : 0, m.clicksWithConversions);
  // Without revenue the value of a conversion is 1: the split then maximises conversions.
  const order = pooled.spendWithRevenueMinor > 0 ? smooth(pooledOrder, strengths.order, m.conversions > 0 ? m.revenueMinor / m.conversions : 0, m.conversions) : 1;
  return ctr * cvr * order;
}

/**
 * Returns null when no country has a fittable curve (then the caller keeps the seed split and
 * says so). Countries without their own fit borrow the median bend of the fitted ones, scaled to
 * their own observed cost per impression: a prior curve rather than no budget at all.
 */
export function allocateByResponse(totalMinor: number, countries: readonly CountryDaily[], spainMinPct: number, useFitted = USE_FITTED_PRIORS.countries): { allocations: BayesAllocation[]; trace: TraceEntry[]; priors: ValuePriors } | null {
  const pooled = countries.reduce((acc, c) => addMetrics(acc, c.total), emptyMetrics());
  const priors = fitStrengths(countries.map((c) => c.total));
  const strengths = useFitted ? strengthsOf(priors) : FIXED_STRENGTHS;
  const fits = countries.map((c) => ({ c, curve: fitResponseCurve(c.daily) }));
  const fitted = fits.filter((f) => f.curve !== null);
  if (fitted.length === 0) return null;
  // Saturation relative to the country's mean daily spend, across fitted countries.
  const bends = fitted
    .map((f) => f.curve!.saturation / Math.max(1, meanSpend(f.c.daily)))
    .sort((a, b) => a - b);
  const medianBend = bends[Math.floor(bends.length / 2)]!;

  const trace: TraceEntry[] = [{
    step: 'priors.fitted',
    decision: useFitted
      ? 'countries\' value per impression shrunk with prior strengths fitted across the countries by empirical Bayes (fixed strengths where the fit fell back)'
      : 'countries\' value per impression shrunk with the fixed prior strengths (fitted ones shown for comparison)',
    numbers: { pool: 'countries', use_fitted: useFitted, ...describePriors('', priors) },
  }];
  const markets: Market[] = [];
  const curves: (ResponseCurve | null)[] = [];
  const codes = new Set(countries.map((c) => c.countryCode));
  const all = codes.has('ES') ? fits : [...fits, { c: { countryCode: 'ES', total: emptyMetrics(), daily: [] } as CountryDaily, curve: null }];
  const spainFloor = Math.ceil((totalMinor * spainMinPct) / 100 - 1e-9);
  for (const { c, curve } of all) {
    let shape: { capacity: number; saturation: number };
    if (curve) {
      shape = curve;
    } else {
      const spend = Math.max(1, meanSpend(c.daily) || c.total.spendMinor || pooled.spendMinor / Math.max(1, countries.length));
      const impressionsPerMinor = c.total.spendMinor > 0 ? c.total.impressions / c.total.spendMinor : pooled.spendMinor > 0 ? pooled.impressions / pooled.spendMinor : 1;
      const saturation = medianBend * spend;
      // At the origin the prior curve buys impressions at the country's observed average rate.
      shape = { capacity: impressionsPerMinor * saturation, saturation };
    }
    const v = valuePerImpression(c.total, pooled, strengths);
    markets.push({ code: c.countryCode, curve: shape, valuePerImpression: v, minMinor: c.countryCode === 'ES' ? spainFloor : 0, maxMinor: totalMinor });
    curves.push(curve);
  }
  const { spends } = waterFill(markets, totalMinor);
  const amounts = roundExact(spends, totalMinor);
  const allocations = markets.map((m, i) => ({
    countryCode: m.code,
    amountMinor: amounts[i]!,
    marginalReturn: marginalValue(m.curve, m.valuePerImpression, amounts[i]!),
    valuePerImpression: m.valuePerImpression,
    curve: curves[i]!,
  }));
  for (const [i, a] of allocations.entries()) {
    trace.push({
      step: 'geo.response',
      decision: `${a.countryCode}: ${a.amountMinor} minor units where the next unit returns ${a.marginalReturn.toFixed(3)}`,
      numbers: {
        country: a.countryCode,
        curve: a.curve ? 'fitted' : 'prior (too little spend variation to fit)',
        capacity_impressions: Math.round(markets[i]!.curve.capacity),
        saturation_minor: Math.round(markets[i]!.curve.saturation),
        fit_relative_error: a.curve ? Number(a.curve.relativeError.toFixed(3)) : null,
        value_per_1000_impressions_minor: Number((a.valuePerImpression * 1000).toFixed(2)),
        marginal_return: Number(a.marginalReturn.toFixed(4)),
        expected_revenue_minor: Math.round(curveValue(markets[i]!.curve, a.valuePerImpression, a.amountMinor)),
      },
    });
  }
  trace.push({ step: 'geo.spain_floor', decision: `Spain gets at least ${spainFloor} of ${totalMinor} minor units (${spainMinPct} %)`, numbers: { spain_floor_minor: spainFloor, spain_minor: allocations.find((a) => a.countryCode === 'ES')!.amountMinor } });
  return { allocations, trace, priors };
}

function meanSpend(daily: readonly SpendPoint[]): number {
  return daily.length === 0 ? 0 : daily.reduce((s, p) => s + p.spendMinor, 0) / daily.length;
}

/** Largest-remainder rounding of continuous spends that already sum to `total`. */
function roundExact(spends: readonly number[], total: number): number[] {
  const floors = spends.map((s) => Math.floor(s + 1e-9));
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = spends.map((s, i) => ({ i, rem: s - Math.floor(s + 1e-9) })).sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (let k = 0; left > 0 && order.length > 0; k++, left--) floors[order[k % order.length]!.i]! += 1;
  for (let k = 0; left < 0; k++) {
    const i = order[order.length - 1 - (k % order.length)]!.i;
    if (floors[i]! > 0) {
      floors[i]! -= 1;
      left++;
    }
  }
  return floors;
}
