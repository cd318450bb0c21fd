// The geo split on Meta's ad sets (families.ts EditsAxis 'reset-learning-per-country'). An ad set has
// one budget, so LIVE apply realises a split as one ad set per country whose daily budget reaches a
// minimum and one pooled ad set for the rest (src/meta/adset-split.ts). Each ad set learns on its
// own conversions: a small country's ad set needs many days to reach the 50 conversions that end
// its learning phase, and a new ad set, or one whose countries change, starts again. The rule that
// groups them is LIVE apply's own (src/engine/ad-set-groups.ts).
import { adSetKeys, POOL_KEY } from '../engine/ad-set-groups.ts';
import { splitExact } from '../engine/money.ts';
import type { PoolAxis } from './families.ts';
import { learningEfficiency } from './learning.ts';
import { oracleSplit, type CountryResponse, type ValueScale } from './response.ts';

/** The pooled ad set, and the history's one ad set over every country. */
export const POOLED = POOL_KEY;

/** How many times an ad set restarted learning: after an edit of the interests, or as a new ad set or one whose countries changed. */
export interface AdSetRestarts {
  readonly interestEdits: number;
  readonly countryMoves: number;
}

/** The ad set each funded country is delivered through, each ad set's conversions since its last significant edit, and the restarts so far. */
export interface CountryAdSets {
  readonly adsetOf: ReadonlyMap<string, string>;
  readonly events: ReadonlyMap<string, number>;
  readonly restarts: AdSetRestarts;
}

/** The history's targeting: one ad set over every country, long out of learning. */
export function historyAdSet(countries: readonly string[]): CountryAdSets {
  return { adsetOf: new Map(countries.map((c) => [c, POOLED])), events: new Map([[POOLED, Number.POSITIVE_INFINITY]]), restarts: { interestEdits: 0, countryMoves: 0 } };
}

/** How LIVE apply groups a split's countries: the countries whose share has a floor (flooredCountries), and the minimum budget of an ad set of a country's own. */
export interface Grouping {
  readonly floored: ReadonlySet<string>;
  readonly minBudgetMinor: number;
}

/** Which ad set each funded country of `split` is delivered through, as LIVE apply groups them (hasOwnAdSet). */
export function groupCountries(split: ReadonlyMap<string, number>, before: CountryAdSets, { floored, minBudgetMinor }: Grouping): Map<string, string> {
  return adSetKeys([...split].map(([countryCode, amountMinor]) => ({ countryCode, amountMinor })), minBudgetMinor, (c) => ({ holdsOne: before.adsetOf.get(c) === c, floored: floored.has(c) }));
}

/**
 * The ad sets after a split is applied. An ad set whose countries are not yesterday's (a copy
 * made for a new group, or one gaining or losing a country: an edit of its targeting) restarts
 * learning; so does every ad set after an edit of the interests, which all of them carry.
 */
export function applySplit(before: CountryAdSets, split: ReadonlyMap<string, number>, interestEdit: boolean, grouping: Grouping): CountryAdSets {
  const adsetOf = groupCountries(split, before, grouping);
  const membersOf = (m: ReadonlyMap<string, string>, adset: string) => [...m].filter(([, a]) => a === adset).map(([c]) => c).sort().join(',');
  const events = new Map<string, number>();
  let { interestEdits, countryMoves } = before.restarts;
  for (const adset of new Set(adsetOf.values())) {
    const moved = !before.events.has(adset) || membersOf(adsetOf, adset) !== membersOf(before.adsetOf, adset);
    if (interestEdit) interestEdits++;
    else if (moved) countryMoves++;
    events.set(adset, interestEdit || moved ? 0 : before.events.get(adset)!);
  }
  return { adsetOf, events, restarts: { interestEdits, countryMoves } };
}

/** How Meta spends a pooled ad set's daily budget among its countries. */
export type PoolSpread = (countries: readonly string[], budgetMinor: number) => ReadonlyMap<string, number>;

/**
 * What each funded country spends once the split is applied: an ad set of a country's own spends
 * the country's budget; the pooled ad set spends the pool's budget among its countries as Meta's
 * delivery spreads it (`spread`), whatever the split said of each. Whole minor units.
 */
export function spendByCountry(split: ReadonlyMap<string, number>, state: CountryAdSets, spread: PoolSpread): Map<string, number> {
  const pooled = [...split.keys()].filter((c) => state.adsetOf.get(c) === POOLED);
  const total = pooled.reduce((s, c) => s + (split.get(c) ?? 0), 0);
  if (pooled.length <= 1 || total <= 0) return new Map(split);
  const spent = spread(pooled, total);
  const weights = pooled.map((c) => Math.max(0, spent.get(c) ?? 0));
  if (!(weights.reduce((a, b) => a + b, 0) > 0)) return new Map(split);
  const amounts = splitExact(Math.round(total), weights);
  const byCountry = new Map(pooled.map((c, i) => [c, amounts[i]!]));
  return new Map([...split].map(([c, amount]) => [c, byCountry.get(c) ?? amount]));
}

/**
 * Meta's delivery of a pooled ad set (families.ts PoolAxis), on the countries' true curves that day
 * (`today`) and the campaign's scale:
 * - 'conversions': the pool's budget where its conversions are cheapest at the margin. Conversions,
 *   not revenue: Meta's goal is the ad set's, and a purchase is one whatever its order value;
 * - 'impressions': where its impressions are cheapest at the margin, whatever they convert at.
 */
export function poolSpread(pool: PoolAxis, today: readonly CountryResponse[], scale: ValueScale): PoolSpread {
  const goal = (k: CountryResponse): CountryResponse => (pool === 'conversions' ? { ...k, revenuePerConversionMinor: 1 } : { ...k, ctr: 1, cvr: 1, revenuePerConversionMinor: 1, valueSaturationImpressions: null });
  return (countries, budgetMinor) => oracleSplit(today.filter((k) => countries.includes(k.countryCode)).map(goal), budgetMinor, 0, scale);
}

/** The share of its settled conversion rate each funded country converts at today. */
export function countryLearning(state: CountryAdSets): Map<string, number> {
  return new Map([...state.adsetOf].map(([c, adset]) => [c, learningEfficiency(state.events.get(adset) ?? 0)]));
}

/** The ad sets after a day's conversions, each credited with its countries'. */
export function recordConversions(state: CountryAdSets, conversions: readonly { country: string; conversions: number }[]): CountryAdSets {
  const events = new Map(state.events);
  for (const d of conversions) {
    const adset = state.adsetOf.get(d.country);
    if (adset !== undefined) events.set(adset, (events.get(adset) ?? 0) + d.conversions);
  }
  return { ...state, events };
}
