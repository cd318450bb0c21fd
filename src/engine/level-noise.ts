// How noisy a country's value per spend is, and how far countries' true values lie apart beyond
// that noise: what decides how far the `bayes` split shrinks each country's value toward the pool
// (src/engine/geo-value.ts). Both are measured on the account's own days where they can be.
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
 * The spread of single order values, read from days whose purchases and revenue are both known in
 * full: a day of n purchases at a country's mean order value a earns n·a, give or take
 * a·√(n·cv²). Each country's mean is its own days' (revenue over purchases), and the residuals are
 * scaled by what that estimate leaves them (Σn − Σn²/Σn per country). Day-to-day swings of the
 * order value itself count as spread too, which errs toward more shrinkage, not less.
 */
export function orderValueSpread(countries: readonly (readonly CountryDay[])[]): OrderValueSpread {
  let residual = 0;
  let expected = 0;
  let days = 0;
  let dof = 0;
  for (const daily of countries) {
    const full = daily.filter((d) => (d.conversions ?? 0) > 0 && d.revenueMinor !== undefined && (d.clicksWithConversions ?? d.clicks) === d.clicks && (d.spendWithRevenueMinor ?? d.spendMinor) === d.spendMinor);
    if (full.length < 2) continue;
    const n = full.reduce((s, d) => s + d.conversions!, 0);
    const revenue = full.reduce((s, d) => s + d.revenueMinor!, 0);
    if (!(revenue > 0)) continue;
    const mean = revenue / n;
    const left = n - full.reduce((s, d) => s + d.conversions! ** 2, 0) / n;
    for (const d of full) residual += (d.revenueMinor! - d.conversions! * mean) ** 2;
    expected += mean * mean * left;
    dof += left;
    days += full.length;
  }
  if (dof < MIN_ORDER_VALUE_DOF || !(expected > 0)) return { cv2: ASSUMED_ORDER_VALUE_CV2, days: 0 };
  return { cv2: residual / expected, days };
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
