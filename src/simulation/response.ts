// The market's true response of revenue to a country's daily spend, in one place: the rows are
// drawn from it, the oracle's split maximises it and every strategy's split is scored by it.
//
// impressions(s) = capacity·(1 − e^(−s/saturation))   when impressions saturate (CPM rises),
//                = s·1000 / CPM                          when CPM is flat;
// revenue(s)     = v₀·K·(1 − e^(−I(s)/K))               with I = impressions(s) and v₀ the value of
// the first impression: the conversion rate per impression, averaged over the I impressions, is
// (1 − e^(−I/K))/(I/K) of the first one's (the next people reached are less interested). K = null
// means value per impression does not fall: revenue = v₀·I(s). Both factors are concave and
// increasing, so revenue is too and the oracle's split equalises marginal revenue. The family's
// curve shape (response-shape.ts) replaces 1 − e^(−x) in both by another concave g with the same
// start; the exponential is the default.
import { waterFill } from '../engine/response-curve.ts';
import { averageGain, gain, gainSlope, type CurveShape } from './response-shape.ts';

/** What the response needs of a country (StubCountryTruth has these fields). */
export interface CountryResponse {
  readonly countryCode: string;
  /** Cost of 1,000 impressions at the first unit of spend (minor units); flat when impressions do not saturate. */
  readonly marginalCpmMinor: number;
  readonly impressionsSaturate: boolean;
  /** Campaign-level daily spend at which impressions reach 63 % of capacity; used only when impressions saturate. */
  readonly saturationSpendMinor: number;
  /** Daily impressions as spend → ∞; used only when impressions saturate. */
  readonly capacityImpressions: number;
  /** Daily impressions at which conversions reach 63 % of their ceiling; null = value per impression stays constant. */
  readonly valueSaturationImpressions: number | null;
  readonly ctr: number;
  /** Conversions per click of the first people reached (the average when valueSaturationImpressions is null). */
  readonly cvr: number;
  readonly revenuePerConversionMinor: number;
  /** The shape of both saturations; absent = 'exponential'. */
  readonly curve?: CurveShape;
}

/** Multipliers of the campaign's delivery on every country's rates (creative, audience, trend). */
export interface ValueScale {
  readonly ctr: number;
  readonly cvr: number;
  readonly aov: number;
}

const UNIT_SCALE: ValueScale = Object.freeze({ ctr: 1, cvr: 1, aov: 1 });

/** Expected campaign-level daily impressions at a daily spend (minor units). */
export function trueImpressions(k: Pick<CountryResponse, 'marginalCpmMinor' | 'impressionsSaturate' | 'saturationSpendMinor' | 'capacityImpressions' | 'curve'>, spendMinor: number): number {
  if (!k.impressionsSaturate) return (spendMinor * 1000) / k.marginalCpmMinor;
  return k.capacityImpressions * gain(k.curve, spendMinor / k.saturationSpendMinor);
}

/** d impressions / d spend. */
function marginalImpressions(k: CountryResponse, spendMinor: number): number {
  if (!k.impressionsSaturate) return 1000 / k.marginalCpmMinor;
  return (k.capacityImpressions / k.saturationSpendMinor) * gainSlope(k.curve, spendMinor / k.saturationSpendMinor);
}

/** The average conversion rate of `impressions` daily impressions relative to the first one's: 1 when value does not saturate. */
export function conversionFactor(k: Pick<CountryResponse, 'valueSaturationImpressions' | 'curve'>, impressions: number): number {
  const K = k.valueSaturationImpressions;
  if (K === null || !(impressions > 0)) return 1;
  return averageGain(k.curve, impressions / K);
}

/** Value of the first impression (minor units) under a scale. */
function firstImpressionValue(k: CountryResponse, scale: ValueScale = UNIT_SCALE): number {
  return k.ctr * scale.ctr * k.cvr * scale.cvr * k.revenuePerConversionMinor * scale.aov;
}

/** Expected daily revenue (minor units) of spending `spendMinor` a day in the country. */
export function trueRevenue(k: CountryResponse, spendMinor: number, scale: ValueScale = UNIT_SCALE): number {
  const impressions = trueImpressions(k, spendMinor);
  return firstImpressionValue(k, scale) * impressions * conversionFactor(k, impressions);
}

/** d revenue / d spend: what the next unit of spend earns. */
export function trueMarginalRevenue(k: CountryResponse, spendMinor: number, scale: ValueScale = UNIT_SCALE): number {
  const v = firstImpressionValue(k, scale);
  const di = marginalImpressions(k, spendMinor);
  const K = k.valueSaturationImpressions;
  return K === null ? v * di : v * gainSlope(k.curve, trueImpressions(k, spendMinor) / K) * di;
}

/** The least and most a country may spend (minor units a day). */
export interface SpendBounds {
  readonly minMinor: number;
  readonly maxMinor: number;
}

/** Expected daily revenue of a split (country code → minor units); countries not in it spend 0. */
export function revenueOfSplit(countries: readonly CountryResponse[], split: ReadonlyMap<string, number>, scale: ValueScale = UNIT_SCALE): number {
  return countries.reduce((s, k) => s + trueRevenue(k, split.get(k.countryCode) ?? 0, scale), 0);
}

/**
 * The split that maximises true revenue under Spain's floor (ES ≥ spainMinPct of the budget):
 * every country not at a bound earns the same marginal revenue λ. Marginal revenue falls with
 * spend, so each country's spend at λ is found by bisection, and λ by bisection on the total.
 * Continuous spends (minor units) that sum to the budget. `bounds` narrows countries' spends
 * further (the best split within a change limit); the caller makes them feasible.
 */
export function oracleSplit(countries: readonly CountryResponse[], budgetMinor: number, spainMinPct: number, scale: ValueScale = UNIT_SCALE, bounds?: ReadonlyMap<string, SpendBounds>): Map<string, number> {
  const floor = Math.ceil((budgetMinor * spainMinPct) / 100 - 1e-9);
  const lower = countries.map((k) => Math.max(k.countryCode === 'ES' ? Math.min(floor, budgetMinor) : 0, bounds?.get(k.countryCode)?.minMinor ?? 0));
  const upper = countries.map((k) => Math.min(budgetMinor, bounds?.get(k.countryCode)?.maxMinor ?? budgetMinor));
  if (countries.every((k) => k.impressionsSaturate && k.valueSaturationImpressions === null && (k.curve ?? 'exponential') === 'exponential')) {
    // Constant value per impression on exponential curves: the allocator's closed form, exact.
    const markets = countries.map((k, i) => ({
      code: k.countryCode,
      curve: { capacity: k.capacityImpressions, saturation: k.saturationSpendMinor },
      valuePerImpression: firstImpressionValue(k, scale),
      minMinor: lower[i]!,
      maxMinor: upper[i]!,
    }));
    const { spends } = waterFill(markets, budgetMinor);
    return new Map(countries.map((k, i) => [k.countryCode, spends[i]!]));
  }
  const spendAt = (i: number, lambda: number): number => {
    const k = countries[i]!;
    let lo = lower[i]!;
    let hi = upper[i]!;
    if (trueMarginalRevenue(k, lo, scale) <= lambda) return lo;
    if (trueMarginalRevenue(k, hi, scale) >= lambda) return hi;
    for (let step = 0; step < 60; step++) {
      const mid = (lo + hi) / 2;
      if (trueMarginalRevenue(k, mid, scale) > lambda) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  const total = (lambda: number) => countries.reduce((s, _, i) => s + spendAt(i, lambda), 0);
  let lo = 0;
  let hi = Math.max(...countries.map((k, i) => trueMarginalRevenue(k, lower[i]!, scale)), 1e-300);
  for (let step = 0; step < 100; step++) {
    const mid = (lo + hi) / 2;
    if (total(mid) > budgetMinor) lo = mid;
    else hi = mid;
  }
  const spends = countries.map((_, i) => spendAt(i, hi));
  // Whatever bisection leaves over goes to the country with the highest marginal revenue there
  // among those with room for it.
  const left = budgetMinor - spends.reduce((a, b) => a + b, 0);
  const room = (i: number) => (left > 0 ? upper[i]! - spends[i]! : spends[i]! - lower[i]!);
  let best = -1;
  for (let i = 0; i < countries.length; i++) {
    if (room(i) < Math.abs(left)) continue;
    if (best < 0 || trueMarginalRevenue(countries[i]!, spends[i]!, scale) > trueMarginalRevenue(countries[best]!, spends[best]!, scale)) best = i;
  }
  if (best >= 0 && Math.abs(left) > 0) spends[best] = spends[best]! + left;
  return new Map(countries.map((k, i) => [k.countryCode, spends[i]!]));
}
