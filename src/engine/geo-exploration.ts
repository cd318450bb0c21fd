// Exploration of the `bayes` budget split: a share of each ad set's
// budget is split as if each country's value per impression were one Thompson draw from its
// posterior instead of its mean. A country with little data (a prior curve, a few conversions) has
// a wide posterior, so its draw now and then says it could be the best and the explored share buys
// it the evidence the mean split would never pay for.
//
// The explored split is computed under the same limits as the mean split and the two are blended
// (1 − share) · mean + share · explored: every limit that bounds a country's amount from below or
// above (Spain's floor, share limits, the change per run) holds for both, so it holds for the blend.
// The one exception is the minimum budget, which is "nothing or at least": a country at 0 in one and
// funded in the other could land between. Then the mean split is kept and the trace says why.
import { drawValuePerImpression } from './exploration.ts';
import type { RatePrior } from './value-model.ts';
import { roundWithin } from './geo-constraints.ts';
import type { Rng } from './random.ts';
import type { Metrics } from './types.ts';
import type { BudgetExplorationEvent } from './trace-events.ts';

export interface BudgetExploration {
  rng: Rng;
  /** Share (0..0.5) of the budget split on the draws. */
  share: number;
}

/** One posterior draw of each country's value per impression, in the countries' order. */
export function drawCountryValues(rng: Rng, totals: readonly Metrics[], prior: RatePrior): number[] {
  return totals.map((m) => drawValuePerImpression(rng, m, prior));
}

/**
 * (1 − share) · mean + share · explored, rounded to whole minor units inside the per-country range
 * the two splits span (so every bound both respect still holds) and summing exactly to `totalMinor`.
 * Null when the blend would leave a country funded below `minBudgetMinor`.
 */
export function blendSplits(mean: readonly number[], explored: readonly number[], share: number, totalMinor: number, minBudgetMinor: number): number[] | null {
  const continuous = mean.map((a, i) => (1 - share) * a + share * explored[i]!);
  const lows = mean.map((a, i) => Math.min(a, explored[i]!));
  const highs = mean.map((a, i) => Math.max(a, explored[i]!));
  const amounts = roundWithin(continuous, lows, highs, totalMinor);
  if (minBudgetMinor > 0 && amounts.some((a) => a > 0 && a < minBudgetMinor)) return null;
  return amounts;
}

/** The trace event of a budget exploration: whether it blended, and by how much each country moved. */
export function budgetExplorationTrace(share: number, blended: readonly number[] | null, codes: readonly string[], mean: readonly number[], draws: BudgetExplorationEvent['draws'] = []): BudgetExplorationEvent {
  return { kind: 'geo.explore', share, blended: blended !== null, moves: codes.map((countryCode, i) => ({ countryCode, exploredMinor: blended === null ? 0 : blended[i]! - mean[i]! })), draws };
}
