// How noisy a country's value per spend is, and how far countries' true values lie apart beyond
// that noise: what decides how far the `bayes` split shrinks each country's value toward the pool
// (src/engine/country-levels.ts). Both are measured on the account's own days where they can be.
import type { CountryDay } from './types.ts';

/** Order values spread as much as their mean (a coefficient of variation of 1) unless the days say otherwise. */
export const ASSUMED_ORDER_VALUE_CV2 = 1;
/** Degrees of freedom the days must give before their measure replaces the assumption. */
export const MIN_ORDER_VALUE_DOF = 10;

export interface OrderValueSpread {
  /** The squared coefficient of variation of one order's value. */
  cv2: number;
  /** Days with purchases and their revenue both known that measured it; 0 = assumed (ASSUMED_ORDER_VALUE_CV2). */
  days: number;
}

/**
 * The spread of single order values, read from the days whose purchases and revenue are both known
 * in full. A day of n purchases in a country whose orders average a, on a day whose orders run at
 * f times their usual value everywhere, earns n·a·f, give or take a·f·√(n·cv²). The countries'
 * means and the days' factors are fitted together, and cv² is the standardized residuals' sum over
 * what those fits leave free (country-days less countries less days, plus one). The days' factors
 * are taken out because a swing common to every country (a day of large baskets) moves no country
 * against another, and it is only against each other that countries are shrunk.
 */
export function orderValueSpread(countries: readonly (readonly CountryDay[])[]): OrderValueSpread {
  const units = countries
    .map((daily) => daily.filter((d) => (d.conversions ?? 0) > 0 && d.revenueMinor !== undefined && d.date !== undefined && (d.clicksWithConversions ?? d.clicks) === d.clicks && (d.spendWithRevenueMinor ?? d.spendMinor) === d.spendMinor))
    .filter((days) => days.length >= 2 && days.some((d) => d.revenueMinor! > 0));
  const observations = units.reduce((s, days) => s + days.length, 0);
  const dates = new Set(units.flatMap((days) => days.map((d) => d.date!)));
  const dof = observations - units.length - (dates.size - 1);
  if (dof < MIN_ORDER_VALUE_DOF) return { cv2: ASSUMED_ORDER_VALUE_CV2, days: 0 };
  // Alternating fits of the countries' mean order values and the days' factors.
  let factor = new Map([...dates].map((date) => [date, 1]));
  let means = units.map(() => 0);
  for (let round = 0; round < 20; round++) {
    const previous = means;
    means = units.map((days) => days.reduce((s, d) => s + d.revenueMinor!, 0) / days.reduce((s, d) => s + d.conversions! * factor.get(d.date!)!, 0));
    if (means.every((m, c) => Math.abs(m - previous[c]!) <= 1e-9 * m)) break;
    const revenue = new Map<string, number>();
    const expected = new Map<string, number>();
    units.forEach((days, c) => {
      for (const d of days) {
        revenue.set(d.date!, (revenue.get(d.date!) ?? 0) + d.revenueMinor!);
        expected.set(d.date!, (expected.get(d.date!) ?? 0) + d.conversions! * means[c]!);
      }
    });
    factor = new Map([...dates].map((date) => [date, expected.get(date)! > 0 ? revenue.get(date)! / expected.get(date)! : 1]));
  }
  let pearson = 0;
  units.forEach((days, c) => {
    for (const d of days) {
      const each = means[c]! * factor.get(d.date!)!;
      if (each > 0) pearson += (d.revenueMinor! - d.conversions! * each) ** 2 / (d.conversions! * each * each);
    }
  });
  return { cv2: pearson / dof, days: observations };
}

/**
 * The variance between countries beyond their noise (Paule–Mandel): the τ² at which the deviations
 * from their targets, each over τ² + its own noise, sum to what chance alone gives (k − 1). Unlike
 * the plain method of moments it weighs each country by how well it is measured, so a few barely
 * funded countries, whose noise is large, do not hide the differences the funded ones show.
 */
export function betweenVariance(deviations: readonly number[], noises: readonly number[]): number {
  const k = deviations.length;
  if (k < 2) return 0;
  const q = (tau2: number) => deviations.reduce((s, d, i) => (d === 0 ? s : s + (d * d) / (tau2 + noises[i]!)), 0);
  if (!(q(0) > k - 1)) return 0;
  let lo = 0;
  // q(hi) ≤ Σd²/hi = k − 1 here, since every noise is ≥ 0.
  let hi = deviations.reduce((s, d) => s + d * d, 0) / (k - 1);
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (q(mid) > k - 1) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
