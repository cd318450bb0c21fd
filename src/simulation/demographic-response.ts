// What narrowing an ad set's ages and gender does to what it earns, under the market's truth. The
// kept cells (age bucket × gender) change value and cost per impression by their own rates against
// every cell's; and the smaller audience is reached sooner, which no account's rows show: how much
// sooner is a parameter, the reach exponent r. Each country's curves keep their shape with their
// scale multiplied by f^r, f the kept cells' share of the delivery (r = 1: the narrowed audience is
// the whole one scaled down, saturating f times sooner; r = 0: narrowing costs no reach at all).
import { AGE_BOUNDS } from '../engine/audience.ts';
import { keepsGroup, type Targeting } from '../engine/demographic-value.ts';
import { AGE_BUCKETS } from '../engine/types.ts';
import type { StubDemographicTruth } from './market.ts';
import { revenueOfSplit, type CountryResponse, type ValueScale } from './response.ts';

export type DemographicTargeting = Targeting;

export const NO_NARROWING: DemographicTargeting = Object.freeze({ ageMin: 18, ageMax: 65, gender: 'all' });

/** Whether a targeting keeps a cell (unknown gender only under 'all'), as the engine reads a targeting. */
export function keepsCell(t: DemographicTargeting, cell: Pick<StubDemographicTruth, 'age' | 'gender'>): boolean {
  return keepsGroup(t, cell.age, cell.gender);
}

/** The countries' responses once the ad set targets `t`; unchanged without narrowing, empty when it keeps no cell. */
export function narrowedResponses(countries: readonly CountryResponse[], cells: readonly StubDemographicTruth[], t: DemographicTargeting, reachExponent: number): CountryResponse[] {
  const kept = cells.filter((c) => keepsCell(t, c));
  const f = kept.reduce((a, c) => a + c.impressionShare, 0);
  if (!(f > 0)) return [];
  const value = (c: StubDemographicTruth) => c.ctr * c.cvr * c.revenuePerConversionMinor;
  const meanOf = (of: readonly StubDemographicTruth[], x: (c: StubDemographicTruth) => number) => of.reduce((a, c) => a + c.impressionShare * x(c), 0) / of.reduce((a, c) => a + c.impressionShare, 0);
  const valueFactor = meanOf(kept, value) / meanOf(cells, value);
  const costFactor = meanOf(kept, (c) => c.cpmMultiplier) / meanOf(cells, (c) => c.cpmMultiplier);
  const reach = f ** reachExponent;
  return countries.map((k) => ({
    ...k,
    ctr: k.ctr * valueFactor,
    marginalCpmMinor: k.marginalCpmMinor * costFactor,
    capacityImpressions: k.capacityImpressions * reach,
    saturationSpendMinor: k.saturationSpendMinor * reach * costFactor,
    valueSaturationImpressions: k.valueSaturationImpressions === null ? null : k.valueSaturationImpressions * reach,
  }));
}

/** Expected daily revenue of a split when the ad set targets `t`. */
export function revenueWithTargeting(countries: readonly CountryResponse[], cells: readonly StubDemographicTruth[], t: DemographicTargeting, reachExponent: number, split: ReadonlyMap<string, number>, scale?: ValueScale): number {
  return revenueOfSplit(narrowedResponses(countries, cells, t, reachExponent), split, scale);
}

/** Every targeting Meta allows from the breakdown's buckets: a contiguous age range of whole buckets, and a gender. */
export function demographicTargetings(): DemographicTargeting[] {
  const out: DemographicTargeting[] = [];
  for (let a = 0; a < AGE_BUCKETS.length; a++) {
    for (let b = a; b < AGE_BUCKETS.length; b++) {
      for (const gender of ['all', 'male', 'female'] as const) out.push({ ageMin: AGE_BOUNDS[AGE_BUCKETS[a]!][0], ageMax: AGE_BOUNDS[AGE_BUCKETS[b]!][1], gender });
    }
  }
  return out;
}

/** The targeting that earns the most at `split` (the oracle's), and what it earns. */
export function bestTargeting(countries: readonly CountryResponse[], cells: readonly StubDemographicTruth[], reachExponent: number, split: ReadonlyMap<string, number>, scale?: ValueScale): { targeting: DemographicTargeting; revenue: number } {
  let best = { targeting: NO_NARROWING, revenue: revenueWithTargeting(countries, cells, NO_NARROWING, reachExponent, split, scale) };
  for (const t of demographicTargetings()) {
    const revenue = revenueWithTargeting(countries, cells, t, reachExponent, split, scale);
    if (revenue > best.revenue) best = { targeting: t, revenue };
  }
  return best;
}
