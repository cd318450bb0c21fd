// How a geo split is realised on Meta's ad sets, which have one budget each: a country whose daily
// budget reaches a minimum gets an ad set of its own, the rest share one pooled ad set. Every ad
// set learns on its own conversions, and moving a country between ad sets edits the targeting of
// both, which restarts their learning. So a country that holds an ad set keeps it until its budget
// falls below a share of the minimum: a budget moving around the minimum (±20 % a run) would
// otherwise move the country in and out of the pool run after run.

/** The minimum daily budget of a country's own ad set by default (META_SPLIT_MIN_DAILY_BUDGET_MINOR). */
export const DEFAULT_SPLIT_MIN_DAILY_BUDGET_MINOR = 1_000;
/** The share of the minimum down to which a country keeps the ad set it holds. */
export const KEEP_OWN_AD_SET_SHARE = 0.5;

/**
 * Whether a country gets an ad set of its own: its budget reaches the minimum, or it holds one
 * already and its budget stays at or above KEEP_OWN_AD_SET_SHARE of the minimum.
 */
export function hasOwnAdSet(budgetMinor: number, minBudgetMinor: number, holdsOne: boolean): boolean {
  if (!(budgetMinor > 0)) return false;
  return budgetMinor >= minBudgetMinor || (holdsOne && budgetMinor >= Math.ceil(minBudgetMinor * KEEP_OWN_AD_SET_SHARE));
}
