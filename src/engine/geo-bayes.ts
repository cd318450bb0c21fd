// The `bayes` strategy's budget split: each country's saturating response curve is fitted from
// its daily history, its value per impression is estimated with shrinkage toward a prior fitted
// across the campaign's countries (empirical-bayes.ts), and the budget is placed where the next euro earns the most (equal marginal
// returns) under the Spain floor. Measured against the seed split in bench/decision-quality.ts.
import type { ValuePriors } from './empirical-bayes.ts';
import { fitStrengths, fittedPrior, type RatePrior, valuePerImpression } from './value-model.ts';
import { emptyMetrics, addMetrics } from './metrics.ts';
import { NO_COUNTRY_LIMITS, splitUnderLimits, type CountryLimits } from './geo-constraints.ts';
import { valueInterval, Z_90 } from './credible-interval.ts';
import { blendSplits, budgetExplorationTrace, drawCountryValues, type BudgetExploration } from './geo-exploration.ts';
import { curveValue, fitResponseCurve, marginalValue, type Market, type ResponseCurve, type SpendPoint } from './response-curve.ts';
import type { CountryHistory, TraceEvent } from './types.ts';

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

/**
 * Returns null when no country has a fittable curve (then the caller keeps the seed split and
 * says so). Countries without their own fit borrow the median bend of the fitted ones, scaled to
 * their own observed cost per impression: a prior curve rather than no budget at all. The split
 * honours `limits` besides Spain's floor (src/engine/geo-constraints.ts); a country with a minimum
 * share is offered even without history in the window, on a prior curve as Spain is.
 */
export function allocateByResponse(
  totalMinor: number,
  countries: readonly CountryDaily[],
  spainMinPct: number,
  limits: CountryLimits = NO_COUNTRY_LIMITS,
  exploration: BudgetExploration | null = null,
): { allocations: BayesAllocation[]; trace: TraceEvent[]; priors: ValuePriors } | null {
  const pooled = countries.reduce((acc, c) => addMetrics(acc, c.total), emptyMetrics());
  const priors = fitStrengths(countries.map((c) => c.total));
  // Strengths fitted from the countries themselves (src/engine/empirical-bayes.ts) where the fit succeeds.
  const prior = fittedPrior(priors, pooled);
  const fits = countries.map((c) => ({ c, curve: fitResponseCurve(c.daily) }));
  const fitted = fits.filter((f) => f.curve !== null);
  if (fitted.length === 0) return null;
  // Saturation relative to the country's mean daily spend, across fitted countries.
  const bends = fitted
    .map((f) => f.curve!.saturation / Math.max(1, meanSpend(f.c.daily)))
    .sort((a, b) => a - b);
  const medianBend = bends[Math.floor(bends.length / 2)]!;

  const trace: TraceEvent[] = [{ kind: 'priors.fitted', pool: 'countries', priors }];
  const markets: Market[] = [];
  const curves: (ResponseCurve | null)[] = [];
  const codes = new Set(countries.map((c) => c.countryCode));
  const required = ['ES', ...Object.entries(limits.shares).filter(([, l]) => l.minPct > 0).map(([code]) => code).sort()].filter((code) => !codes.has(code));
  const all = [...fits, ...[...new Set(required)].map((code) => ({ c: { countryCode: code, total: emptyMetrics(), daily: [] } as CountryDaily, curve: null }))];
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
    const v = valuePerImpression(c.total, prior);
    // The bounds are set by splitUnderLimits.
    markets.push({ code: c.countryCode, curve: shape, valuePerImpression: v, minMinor: 0, maxMinor: totalMinor });
    curves.push(curve);
  }
  // The explored share (geo-exploration.ts): the same limits, each country's value drawn from its posterior.
  const explore = (e: BudgetExploration, mean: number[]): number[] => {
    const draws = drawCountryValues(e.rng, all.map(({ c }) => c.total), prior);
    const explored = splitUnderLimits(markets.map((m, i) => ({ ...m, valuePerImpression: draws[i]! })), totalMinor, spainFloor, limits).amounts;
    const blended = blendSplits(mean, explored, e.share, totalMinor, limits.minBudgetMinor);
    trace.push(budgetExplorationTrace(e.share, blended, markets.map((m) => m.code), mean, markets.map((m, i) => ({ countryCode: m.code, valuePer1000Minor: draws[i]! * 1000 }))));
    return blended ?? mean;
  };
  const split = splitUnderLimits(markets, totalMinor, spainFloor, limits);
  trace.push(...split.trace);
  const amounts = exploration === null || !(exploration.share > 0) ? split.amounts : explore(exploration, split.amounts);
  const allocations = markets.map((m, i) => ({
    countryCode: m.code,
    amountMinor: amounts[i]!,
    marginalReturn: amounts === split.amounts ? split.bounds[i]!.marginalReturn : marginalValue(m.curve, m.valuePerImpression, amounts[i]!),
    valuePerImpression: m.valuePerImpression,
    curve: curves[i]!,
  }));
  for (const [i, a] of allocations.entries()) {
    const bounds = split.bounds[i]!;
    // After exploration the amount sits on a bound only if it landed exactly there.
    const b = amounts === split.amounts ? bounds : { ...bounds, binding: a.amountMinor === bounds.lowerMinor ? bounds.lowerBy : a.amountMinor === bounds.upperMinor ? bounds.upperBy : null };
    const curve = markets[i]!.curve;
    trace.push({
      kind: 'geo.response.curve',
      countryCode: a.countryCode,
      amountMinor: a.amountMinor,
      marginalReturn: a.marginalReturn,
      bounds: { lowerMinor: b.lowerMinor, upperMinor: b.upperMinor, lowerBy: b.lowerBy, upperBy: b.upperBy, binding: b.binding },
      fitted: a.curve !== null,
      capacityImpressions: curve.capacity,
      saturationMinor: curve.saturation,
      fitRelativeError: a.curve ? a.curve.relativeError : null,
      valuePerImpression: a.valuePerImpression,
      expectedRevenueMinor: curveValue(curve, a.valuePerImpression, a.amountMinor),
      ...revenueInterval(all[i]!.c, a, curve, prior, priors.order.fitted ? priors.order.perConversionVariance : null),
    });
  }
  trace.push({ kind: 'geo.spain_floor_amount', floorMinor: spainFloor, totalMinor, spainMinPct, spainMinor: allocations.find((a) => a.countryCode === 'ES')!.amountMinor });
  return { allocations, trace, priors };
}

function meanSpend(daily: readonly SpendPoint[]): number {
  return daily.length === 0 ? 0 : daily.reduce((s, p) => s + p.spendMinor, 0) / daily.length;
}

/**
 * The country's expected revenue at its amount with a 90 % interval, for the trace: the value per
 * impression's posterior (credible-interval.ts) times the curve's impressions, whose level is
 * uncertain by the fit's daily relative error over √(days fitted). A prior curve has no fit to
 * measure, so its interval covers the value only and says so; an amount outside the spends the
 * curve was fitted on is an extrapolation, flagged, since the curve's bend there is assumed.
 */
function revenueInterval(c: CountryDaily, a: BayesAllocation, curve: { capacity: number; saturation: number }, prior: RatePrior, perConversionVariance: number | null): { revenueLowMinor: number; revenueHighMinor: number; outsideFittedSpends: boolean } {
  const value = valueInterval([{ total: c.total, weight: 1 }], prior, perConversionVariance);
  const impressions = curve.capacity * (1 - Math.exp(-a.amountMinor / curve.saturation));
  const mean = impressions * value.mean;
  // Absolute standard deviations of the two independent factors' contributions (delta method).
  const valueSd = (impressions * (value.upper - value.mean)) / Z_90;
  const curveSd = a.curve ? (mean * a.curve.relativeError) / Math.sqrt(a.curve.points) : 0;
  const half = Z_90 * Math.hypot(valueSd, curveSd);
  const spends = c.daily.filter((d) => d.spendMinor > 0).map((d) => d.spendMinor);
  const extrapolated = a.curve !== null && spends.length > 0 && a.amountMinor > 0 && (a.amountMinor > 1.1 * Math.max(...spends) || a.amountMinor < 0.9 * Math.min(...spends));
  return { revenueLowMinor: mean - half, revenueHighMinor: mean + half, outsideFittedSpends: extrapolated };
}
