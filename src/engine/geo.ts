// Geo allocation: shares one budget across countries under the seed's constraints.
//
// Spain is the home market and always keeps a floor (the seed's 35 %); LATAM countries share by
// engagement per cost, EU (and any other) countries by performance against the benchmarks. Every
// amount is an integer number of minor units and the amounts add up to the budget exactly.

import { addMetrics, emptyMetrics, observedCpcMinor, observedCtr, observedCvr, observedRoas } from './metrics.ts';
import { splitExact } from './money.ts';
import { confidenceFromImpressions, smooth } from './scoring.ts';
import type { CountryHistory, Metrics, Priors } from './types.ts';
import type { SpecSplitEvent } from './trace-events.ts';

export type Region = 'ES' | 'LATAM' | 'EU' | 'OTHER';

export const SPAIN = 'ES';

// Spanish- and Portuguese-speaking Latin America (Puerto Rico included: Meta targets it as a country).
const LATAM = new Set([
  'MX', 'AR', 'CO', 'CL', 'PE', 'EC', 'VE', 'UY', 'PY', 'BO',
  'CR', 'PA', 'DO', 'GT', 'HN', 'SV', 'NI', 'CU', 'PR', 'BR',
]);

// The 27 EU member states without Spain, which has its own rule. Greece is GR (ISO), not EL (Eurostat).
const EU = new Set([
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU',
  'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'SE',
]);

export function regionOf(countryCode: string): Region {
  const code = countryCode.toUpperCase();
  if (code === SPAIN) return 'ES';
  if (LATAM.has(code)) return 'LATAM';
  if (EU.has(code)) return 'EU';
  return 'OTHER';
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** English name from the platform's CLDR data ("ES" -> "Spain"); the code itself when unknown. */
export function countryName(countryCode: string): string {
  try {
    return regionNames.of(countryCode.toUpperCase()) ?? countryCode;
  } catch {
    // '' or a code that is not a region code ("ZZZ") makes DisplayNames throw.
    return countryCode;
  }
}

// cpc_norm runs linearly from 1 (free clicks) to 0.1 (CPC of 1.80 or more major units). With no
// clicks there is no price evidence at all: 1 would read "nobody clicked" as "clicks are free" and
// pull budget to countries that never got a click; 0.1 would starve them so they never get one.
// 0.5 is the middle of the formula's 0..2 CPC range (a CPC of 1.00), neither reward nor penalty.
const NO_CLICKS_CPC_NORM = 0.5;

/**
 * The seed's geo engagement, exactly: rates capped at 3 % CTR, 5 % CVR and 5x ROAS, weighted
 * 0.3 / 0.4 / 0.3, times cpc_norm = max(1 - cpc / 2, 0.1). The seed's prose divides by CPC_norm
 * but its formula section multiplies; multiplying is the one that rewards cheap clicks.
 * A null CPC (no clicks) gets a neutral cpc_norm of 0.5.
 */
export function engagementScore(ctr: number, cvr: number, roas: number, cpcMajor: number | null): number {
  const ctrNorm = Math.min(ctr / 0.03, 1);
  const cvrNorm = Math.min(cvr / 0.05, 1);
  const roasNorm = Math.min(roas / 5, 1);
  const cpcNorm = cpcMajor === null ? NO_CLICKS_CPC_NORM : Math.max(1 - cpcMajor / 2, 0.1);
  return (ctrNorm * 0.3 + cvrNorm * 0.4 + roasNorm * 0.3) * cpcNorm;
}

export interface CountryScore {
  countryCode: string;
  countryName: string;
  region: Region;
  smoothedCtr: number;
  smoothedCvr: number;
  smoothedRoas: number;
  observedCtr: number | null;
  observedRoas: number | null;
  /** Cost per click in the window, minor units; null without clicks. */
  cpcMinor: number | null;
  cpcMajor: number | null;
  /** confidenceFromImpressions(total.impressions) */
  confidence: number;
  /** engagementScore on the smoothed rates. */
  engagement: number;
  /** The seed's 25/40/35 composite weights on the normalised smoothed rates (no confidence factor). */
  performance: number;
  /** What the allocator shares by: engagement for ES and LATAM, performance for EU and OTHER. */
  weight: number;
}

/** (value - low) / (high - low) clamped to [0, 1]; a zero-width range (prior 0) is a step at `high`. */
function normalize(value: number, low: number, high: number): number {
  if (!(high > low)) return value >= high ? 1 : 0;
  return Math.min(Math.max((value - low) / (high - low), 0), 1);
}

function scoreCountry(countryCode: string, total: Metrics, priors: Priors, minorPerMajor: number): CountryScore {
  const ctrSeen = observedCtr(total);
  const cvrSeen = observedCvr(total);
  const roasSeen = observedRoas(total);
  const cpcMinor = observedCpcMinor(total);
  // Each rate is smoothed with its own denominator; ROAS counts one sample per major unit spent.
  const smoothedCtr = smooth(priors.ctr, priors.strength, ctrSeen ?? priors.ctr, total.impressions);
  const smoothedCvr = smooth(priors.cvr, priors.strength, cvrSeen ?? priors.cvr, total.clicksWithConversions);
  const smoothedRoas = smooth(priors.roas, priors.strength, roasSeen ?? priors.roas, total.spendWithRevenueMinor / minorPerMajor);
  const cpcMajor = cpcMinor === null ? null : cpcMinor / minorPerMajor;
  const engagement = engagementScore(smoothedCtr, smoothedCvr, smoothedRoas, cpcMajor);
  // At the benchmarks this is 0 and it reaches 1 at 3x CTR and CVR and 2x ROAS: an EU country has
  // to beat the benchmarks to earn budget.
  const performance =
    normalize(smoothedCtr, priors.ctr, priors.ctr * 3) * 0.25 +
    normalize(smoothedCvr, priors.cvr, priors.cvr * 3) * 0.4 +
    normalize(smoothedRoas, priors.roas, priors.roas * 2) * 0.35;
  const region = regionOf(countryCode);
  return {
    countryCode,
    countryName: countryName(countryCode),
    region,
    smoothedCtr,
    smoothedCvr,
    smoothedRoas,
    observedCtr: ctrSeen,
    observedRoas: roasSeen,
    cpcMinor,
    cpcMajor,
    confidence: confidenceFromImpressions(total.impressions),
    engagement,
    performance,
    weight: region === 'ES' || region === 'LATAM' ? engagement : performance,
  };
}

/**
 * Scores every country of the history, plus Spain from the priors alone when it has no history.
 * Rows without a country ('') are skipped: budget cannot be sent there. Repeated codes are merged.
 * Sorted by weight descending, then code.
 */
export function scoreCountries(countries: readonly CountryHistory[], priors: Priors, minorPerMajor: number): CountryScore[] {
  if (!(minorPerMajor > 0) || !Number.isFinite(minorPerMajor)) {
    throw new RangeError(`minorPerMajor must be a positive number, got ${minorPerMajor}`);
  }
  const totals = new Map<string, Metrics>();
  for (const country of countries) {
    if (country.countryCode === '') continue;
    const into = totals.get(country.countryCode) ?? emptyMetrics();
    totals.set(country.countryCode, addMetrics(into, country.total));
  }
  if (!totals.has(SPAIN)) totals.set(SPAIN, emptyMetrics());
  const scores = [...totals].map(([code, total]) => scoreCountry(code, total, priors, minorPerMajor));
  return scores.sort((a, b) => b.weight - a.weight || (a.countryCode < b.countryCode ? -1 : a.countryCode > b.countryCode ? 1 : 0));
}

export interface CountryAllocation {
  countryCode: string;
  amountMinor: number;
  /** Share of the total in percent, 2 decimals (0 when the total is 0). */
  pct: number;
  weight: number;
}

export interface AllocationResult {
  allocations: CountryAllocation[];
  trace: SpecSplitEvent[];
}

// A country whose proportional share is under 1 % of the budget gets too few impressions to
// learn anything from (1 % of 1,000 EUR is 10 EUR, ~20 clicks at a 0.50 CPC); its share goes
// back to the others.
const MIN_SHARE = 0.01;

/**
 * Spain's floor in minor units: ceil(total * pct / 100), read as the decimal the operator wrote.
 * In binary floating point 10000 * 0.07 / 100 is 7.000000000000001, and a plain ceil would demand
 * 8 for a 7-unit floor, so a product within a few ulps (relative) of an integer counts as that
 * integer. The tolerance is relative so that a tiny positive product still rounds up to 1.
 */
function spainFloorMinor(totalMinor: number, spainMinPct: number): number {
  const exact = (totalMinor * spainMinPct) / 100;
  const nearest = Math.round(exact);
  const floor = Math.abs(exact - nearest) <= 16 * Number.EPSILON * exact ? nearest : Math.ceil(exact);
  return Math.min(floor, totalMinor);
}

function usableWeight(weight: number): number {
  return Number.isFinite(weight) && weight > 0 ? weight : 0;
}

function checkAllocationInputs(totalMinor: number, spainMinPct: number): string | null {
  if (!Number.isSafeInteger(totalMinor) || totalMinor < 0) {
    return `total must be a non-negative integer number of minor units, got ${totalMinor}`;
  }
  if (!(spainMinPct >= 0 && spainMinPct <= 100)) return `spainMinPct must be within [0, 100], got ${spainMinPct}`;
  return null;
}

/**
 * Budget shares (fractions of 1) before rounding: proportional to weight, unless Spain's own
 * proportional share is under its floor, in which case Spain takes the floor and the others share
 * the rest by weight. With no other country Spain's share is the whole budget.
 */
function shareOut(spainUnit: number, others: readonly { unit: number }[], floorShare: number): { spainShare: number; floorBinding: boolean; shares: number[] } {
  const othersUnit = others.reduce((sum, a) => sum + a.unit, 0);
  const spainShare = spainUnit + othersUnit > 0 ? spainUnit / (spainUnit + othersUnit) : 1;
  const floorBinding = spainShare < floorShare;
  const othersShare = floorBinding ? 1 - floorShare : 1 - spainShare;
  // othersUnit is 0 only when every other weight underflowed to 0 against the largest: no share.
  return { spainShare, floorBinding, shares: others.map((a) => (othersUnit > 0 ? (othersShare * a.unit) / othersUnit : 0)) };
}

/**
 * Shares `totalMinor` across the scored countries in proportion to their weight, with Spain held
 * at its floor of `spainMinPct` % when its own share is smaller, and countries under 1 % dropped.
 * Spain is always in the result (first); the others follow by amount, then code.
 */
export function allocateBudget(totalMinor: number, scores: readonly CountryScore[], spainMinPct: number): AllocationResult {
  const bad = checkAllocationInputs(totalMinor, spainMinPct);
  if (bad !== null) throw new RangeError(bad);
  const seen = new Set<string>();
  for (const s of scores) {
    if (seen.has(s.countryCode)) throw new RangeError(`country ${s.countryCode} is scored twice`);
    seen.add(s.countryCode);
  }

  const trace: SpecSplitEvent[] = [];
  const floorMinor = spainFloorMinor(totalMinor, spainMinPct);
  // With a zero budget the floor in units is 0; the shares are still worked out on the percentage.
  const floorShare = totalMinor > 0 ? floorMinor / totalMinor : spainMinPct / 100;

  const spainScore = scores.find((s) => s.countryCode === SPAIN);
  const spainWeight = usableWeight(spainScore?.weight ?? 0);
  if (spainScore === undefined) {
    trace.push({ kind: 'geo.spain_unscored' });
  }
  for (const s of scores) {
    trace.push({ kind: 'geo.weight', countryCode: s.countryCode, region: s.region, weight: s.weight, engagement: s.engagement, performance: s.performance });
  }

  // Shares depend only on weight ratios; dividing by the largest weight keeps the sums finite
  // whatever scale the weights come in.
  const scale = Math.max(spainWeight, ...scores.map((s) => usableWeight(s.weight)));
  const spainUnit = scale > 0 ? spainWeight / scale : 0;
  let active = scores
    .filter((s) => s.countryCode !== SPAIN && usableWeight(s.weight) > 0)
    .map((score) => ({ score, unit: score.weight / scale }));
  for (const s of scores) {
    if (s.countryCode !== SPAIN && usableWeight(s.weight) === 0) {
      trace.push({ kind: 'geo.exclude', countryCode: s.countryCode, weight: s.weight });
    }
  }

  // Drop the smallest share one round at a time: dropping every country under 1 % at once would
  // also drop one at 0.995 % that the redistribution lifts above 1 %. Equal shares drop together,
  // so equal countries are never told apart by their code.
  let split = shareOut(spainUnit, active, floorShare);
  while (active.length > 0 && Math.min(...split.shares) < MIN_SHARE) {
    const smallest = Math.min(...split.shares);
    const kept: typeof active = [];
    active.forEach((a, i) => {
      const share = split.shares[i]!;
      if (share > smallest) {
        kept.push(a);
        return;
      }
      trace.push({ kind: 'geo.drop', countryCode: a.score.countryCode, weight: a.score.weight, share, thresholdPct: MIN_SHARE * 100 });
    });
    active = kept;
    split = shareOut(spainUnit, active, floorShare);
  }
  const { spainShare, floorBinding } = split;
  trace.push({ kind: 'geo.spain_floor_share', proportionalShare: spainShare, floorPct: spainMinPct, floorMinor, binding: floorBinding });

  let amounts: number[];
  if (active.length === 0) {
    trace.push({ kind: 'geo.spain_only', amountMinor: totalMinor });
    amounts = [totalMinor];
  } else {
    const units = active.map((a) => a.unit);
    amounts = floorBinding ? [] : splitExact(totalMinor, [spainUnit, ...units]);
    // Largest-remainder rounding could in principle leave Spain one unit under a floor it only
    // just met; the floor wins then.
    if (floorBinding || amounts[0]! < floorMinor) amounts = [floorMinor, ...splitExact(totalMinor - floorMinor, units)];
  }

  const pctOf = (amount: number): number => (totalMinor > 0 ? Math.round((amount * 10000) / totalMinor) / 100 : 0);
  const others = active
    .map(({ score }, i) => ({ countryCode: score.countryCode, amountMinor: amounts[i + 1]!, pct: pctOf(amounts[i + 1]!), weight: score.weight }))
    .sort((a, b) => b.amountMinor - a.amountMinor || (a.countryCode < b.countryCode ? -1 : 1));
  const allocations: CountryAllocation[] = [
    { countryCode: SPAIN, amountMinor: amounts[0]!, pct: pctOf(amounts[0]!), weight: spainScore?.weight ?? 0 },
    ...others,
  ];
  for (const a of allocations) {
    trace.push({ kind: 'geo.share', countryCode: a.countryCode, weight: a.weight, amountMinor: a.amountMinor, pct: a.pct });
  }
  return { allocations, trace };
}

export type AllocationCheck = { valid: true } | { valid: false; reason: string };

/** Checks an allocation against every constraint; the reason names the first one broken. */
export function validateAllocation(
  allocations: readonly { countryCode: string; amountMinor: number }[],
  totalMinor: number,
  spainMinPct: number,
): AllocationCheck {
  const bad = checkAllocationInputs(totalMinor, spainMinPct);
  if (bad !== null) return { valid: false, reason: bad };
  const seen = new Set<string>();
  let sum = 0;
  for (const a of allocations) {
    if (!Number.isSafeInteger(a.amountMinor)) {
      return { valid: false, reason: `amount of ${a.countryCode} must be an integer number of minor units, got ${a.amountMinor}` };
    }
    if (a.amountMinor < 0) return { valid: false, reason: `amount of ${a.countryCode} is negative: ${a.amountMinor}` };
    if (seen.has(a.countryCode)) return { valid: false, reason: `duplicate country ${a.countryCode}` };
    seen.add(a.countryCode);
    sum += a.amountMinor;
  }
  if (sum !== totalMinor) return { valid: false, reason: `amounts sum to ${sum} minor units, not the total of ${totalMinor}` };
  const spain = allocations.find((a) => a.countryCode === SPAIN);
  if (spain === undefined) return { valid: false, reason: 'Spain (ES) is missing from the allocation' };
  const floorMinor = spainFloorMinor(totalMinor, spainMinPct);
  if (spain.amountMinor < floorMinor) {
    return {
      valid: false,
      reason: `Spain (ES) gets ${spain.amountMinor} minor units, under its floor of ${floorMinor} (${spainMinPct} % of ${totalMinor})`,
    };
  }
  return { valid: true };
}
