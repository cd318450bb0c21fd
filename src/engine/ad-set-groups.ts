// How a geo split is realised on Meta's ad sets, which have one budget each: a country whose daily
// budget reaches a minimum gets an ad set of its own, the rest share one pooled ad set. Every ad
// set learns on its own conversions, and moving a country between ad sets edits the targeting of
// both, which restarts their learning. So a country that holds an ad set keeps it until its budget
// falls below a share of the minimum: a budget moving around the minimum (±20 % a run) would
// otherwise move the country in and out of the pool run after run. In the pool Meta's delivery
// decides each country's spend, so a country whose share has a floor (Spain's, or a share limit's
// minimum) always gets an ad set of its own: there the floor is its budget.
import { SPAIN } from './geo.ts';
import type { Decision, EngineSettings } from './types.ts';

/** The minimum daily budget of a country's own ad set by default (META_SPLIT_MIN_DAILY_BUDGET_MINOR). */
export const DEFAULT_SPLIT_MIN_DAILY_BUDGET_MINOR = 1_000;
/** The share of the minimum down to which a country keeps the ad set it holds. */
export const KEEP_OWN_AD_SET_SHARE = 0.5;

/** What besides its budget decides whether a country gets an ad set of its own. */
export interface CountryStanding {
  /** It holds a delivering ad set of its own already. */
  holdsOne: boolean;
  /** Its share of the budget has a floor (flooredCountries). */
  floored: boolean;
}

/**
 * Whether a funded country gets an ad set of its own: its share has a floor, its budget reaches the
 * minimum, or it holds one already and its budget stays at or above KEEP_OWN_AD_SET_SHARE of the
 * minimum.
 */
export function hasOwnAdSet(budgetMinor: number, minBudgetMinor: number, { holdsOne, floored }: CountryStanding): boolean {
  if (!(budgetMinor > 0)) return false;
  return floored || budgetMinor >= minBudgetMinor || (holdsOne && budgetMinor >= Math.ceil(minBudgetMinor * KEEP_OWN_AD_SET_SHARE));
}

/** The pooled ad set's key among the countries' codes. */
export const POOL_KEY = 'pool';

/**
 * Which ad set each funded country (budget above 0) is applied through: its own (keyed by its
 * code, hasOwnAdSet) or the pooled one (POOL_KEY). A single funded country has its own.
 */
export function adSetKeys(budgets: readonly { countryCode: string; amountMinor: number }[], minBudgetMinor: number, standingOf: (countryCode: string) => CountryStanding): Map<string, string> {
  const funded = budgets.filter((b) => b.amountMinor > 0);
  return new Map(funded.map((b) => [b.countryCode, funded.length === 1 || hasOwnAdSet(b.amountMinor, minBudgetMinor, standingOf(b.countryCode)) ? b.countryCode : POOL_KEY]));
}

/** The countries whose share of the budget has a floor: Spain under a positive floor, and every share limit with a minimum. */
export function flooredCountries(spainMinPct: number, shareLimits: readonly { countryCode: string; minPct: number }[]): Set<string> {
  const floored = new Set(shareLimits.filter((l) => l.minPct > 0).map((l) => l.countryCode));
  if (spainMinPct > 0) floored.add(SPAIN);
  return floored;
}

/** The countries whose share the settings give a floor. */
export function flooredCountriesOfSettings(settings: Pick<EngineSettings, 'spainMinPct' | 'countryShareLimits'>): Set<string> {
  return flooredCountries(settings.spainMinPct, Object.entries(settings.countryShareLimits ?? {}).map(([countryCode, l]) => ({ countryCode, minPct: l.minPct })));
}

/** The countries whose share a decision's rules gave a floor: Spain's, and the share limits with a minimum. */
export function flooredCountriesOf(d: Pick<Decision, 'basis' | 'trace'>): Set<string> {
  const limits = d.trace.find((e) => e.kind === 'geo.limits');
  return flooredCountries(d.basis.spainMinPct, limits?.kind === 'geo.limits' ? limits.shareLimits : []);
}
