// Why the `bayes` strategy's expected ROAS is moved to the recent level: the countries' ROAS is
// read over the whole window (30 days by default), so it describes the audience and creative of
// two weeks ago on average. Whatever keeps changing — the optimizer's own better audiences, a
// market trend, wear — makes that stale. The calibration gained, in the closed loop and on real
// daily data: docs/decision-quality.md, "Measurements behind the engine's choices".
import { observedRoas } from './metrics.ts';
import { smooth } from './scoring.ts';
import type { Metrics } from './types.ts';

export interface RoasLevel {
  /** What the window's rates are multiplied by: recent ROAS (shrunk) / window ROAS; 1 without revenue. */
  factor: number;
  windowRoas: number | null;
  recentRoas: number | null;
}

/**
 * The ad set's ROAS over its recent days, shrunk toward its window ROAS with `strengthMajor` units
 * of spend (the same "samples" as the seed's smoothed ROAS: one major currency unit is one), over
 * its window ROAS. Countries keep their relative ROAS from the window, where there is more data
 * per country; only the common level moves, so a small account's noisy week moves it little.
 */
export function recentRoasLevel(total: Metrics, recent: Metrics, strengthMajor: number, minorPerMajor: number): RoasLevel {
  const windowRoas = observedRoas(total);
  const recentRoas = observedRoas(recent);
  if (windowRoas === null || !(windowRoas > 0) || recentRoas === null) return { factor: 1, windowRoas, recentRoas };
  const level = smooth(windowRoas, strengthMajor, recentRoas, recent.spendWithRevenueMinor / minorPerMajor);
  return { factor: level / windowRoas, windowRoas, recentRoas };
}
