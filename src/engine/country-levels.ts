// How far the `bayes` geo split shrinks each country's value toward the pool (or the campaign's
// relative value of the country): normal–normal empirical Bayes on value per spend, with the noise
// and the between-country variance of level-noise.ts.
import { totalValue } from './country-value.ts';
import { ASSUMED_ORDER_VALUE_CV2, betweenVariance, orderValueSpread, type OrderValueSpread } from './level-noise.ts';
import { addMetrics, emptyMetrics } from './metrics.ts';
import type { CountryDay, Metrics } from './types.ts';

/** Countries' value levels shrunk toward the pool, and what decided how far. */
export interface ShrunkLevels {
  /** Value per impression, per country in input order. */
  values: number[];
  /** Value per spend, per country in input order. */
  perSpend: number[];
  pooled: number;
  pooledPerSpend: number;
  /** τ²: how far countries' values per spend lie apart beyond their noise. */
  betweenVariance: number;
  /** The share of its own difference from its target each country keeps (0 = the target, 1 = its own ratio). */
  kept: number[];
  /** The order values' spread the noise assumed or measured; null when value is conversions. */
  orderValue: OrderValueSpread | null;
}

/**
 * Each country's value per impression, from its value per spend shrunk toward the pooled one by
 * normal–normal empirical Bayes: its observed ratio has sampling variance (conversions, or revenue
 * as a sum of order values) over spend²; each country keeps the share τ² / (τ² + its noise) of its
 * difference from the target. Shrunk per spend, not per impression: countries' costs per impression
 * differ several-fold, and pulling a cheap country's value per impression toward an expensive one's
 * would multiply its value per spend.
 *
 * `measured` (settings.measuredLevelNoise): the order values' spread is measured on the countries'
 * own days, and τ² solved by Paule–Mandel (level-noise.ts). Otherwise order values are taken to
 * spread as much as their mean and τ² is the spread of the ratios less their mean noise (the
 * method of moments), which a few barely funded countries' large noise can push to 0: every country
 * then gets the pool's value, and only the curves' shapes move money.
 */
export function shrunkValuePerImpression(units: readonly { code?: string; total: Metrics; daily?: readonly CountryDay[] }[], revenue: boolean, relative?: ReadonlyMap<string, number>, measured = false): ShrunkLevels {
  const V = (m: Metrics) => totalValue(m, revenue);
  const pooledM = units.reduce((acc, u) => addMetrics(acc, u.total), emptyMetrics());
  const pooled = pooledM.spendMinor > 0 ? V(pooledM) / pooledM.spendMinor : 0;
  const pooledPerImpression = pooledM.impressions > 0 ? V(pooledM) / pooledM.impressions : 0;
  const perConversion = revenue && pooledM.conversions > 0 ? pooledM.revenueMinor / pooledM.conversions : 1;
  const orderValue: OrderValueSpread | null = !revenue ? null : measured ? orderValueSpread(units.map((u) => u.daily ?? [])) : { cv2: ASSUMED_ORDER_VALUE_CV2, days: 0 };
  // A sum of n order values of mean a varies by n·a²·(1 + cv²): the count's own noise and the values'.
  const perOrder = orderValue === null ? 1 : 1 + orderValue.cv2;
  const noise = (m: Metrics): number => {
    if (m.spendMinor <= 0) return Infinity;
    // Expected conversions at the pool's rate when the country has none of its own to judge by.
    const conversions = Math.max(m.conversions, (pooled * m.spendMinor) / perConversion, 1);
    const each = revenue ? (m.conversions > 0 ? m.revenueMinor / m.conversions : perConversion) : 1;
    return (conversions * each * each * perOrder) / (m.spendMinor * m.spendMinor);
  };
  // The target of each country: the pool, or, given the campaign's relative value of each country,
  // the pool times that (normalised so that the targets average to the pool over the spend).
  const rel = units.map((u) => (relative && u.code !== undefined ? (relative.get(u.code) ?? 1) : 1));
  const norm = pooledM.spendMinor > 0 ? units.reduce((s, u, i) => s + u.total.spendMinor * rel[i]!, 0) / pooledM.spendMinor : 1;
  const target = rel.map((r) => (norm > 0 ? (pooled * r) / norm : pooled));
  const seen = units.map((_, i) => i).filter((i) => units[i]!.total.spendMinor > 0);
  const deviations = seen.map((i) => V(units[i]!.total) / units[i]!.total.spendMinor - target[i]!);
  const noises = seen.map((i) => noise(units[i]!.total));
  const tau2 = measured ? betweenVariance(deviations, noises) : momentsVariance(deviations, noises);
  const kept = units.map((u) => {
    const n = noise(u.total);
    return Number.isFinite(n) && tau2 + n > 0 ? tau2 / (tau2 + n) : 0;
  });
  const perSpend = units.map((u, i) => (kept[i]! > 0 ? target[i]! + kept[i]! * (V(u.total) / u.total.spendMinor - target[i]!) : target[i]!));
  // Back to value per impression at the country's own cost per impression (the pool's without impressions).
  const values = units.map((u, i) => (u.total.impressions > 0 && u.total.spendMinor > 0 ? (perSpend[i]! * u.total.spendMinor) / u.total.impressions : pooled > 0 ? (pooledPerImpression * perSpend[i]!) / pooled : pooledPerImpression));
  return { values, perSpend, pooled: pooledPerImpression, pooledPerSpend: pooled, betweenVariance: tau2, kept, orderValue };
}

/** τ² by the method of moments: the deviations' spread less their mean noise, at least 0. */
function momentsVariance(deviations: readonly number[], noises: readonly number[]): number {
  const k = deviations.length;
  const spread = k > 1 ? deviations.reduce((s, d) => s + d * d, 0) / (k - 1) : 0;
  const meanNoise = k > 0 ? noises.reduce((s, n) => s + n, 0) / k : 0;
  return Math.max(0, spread - meanNoise);
}
