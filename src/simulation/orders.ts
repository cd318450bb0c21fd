// What a row's conversions are worth: the sum of their orders' values. The family's order-values
// axis says how those values spread around the mean order (families.ts, OrderValuesAxis).
import type { Rng } from '../engine/random.ts';

/** Steady orders: gamma with shape 2.5 per conversion (one order's coefficient of variation ≈ 0.63). */
export const ORDER_VALUE_SHAPE = 2.5;

/**
 * Heavy-tailed orders: log-normal with this log-sd, its mean the mean order (one order's
 * coefficient of variation ≈ 1.8; one order in a hundred is worth 8 mean orders or more, one in a
 * thousand 20 or more).
 */
export const HEAVY_ORDER_LOG_SD = 1.2;

export type OrderSpread = 'steady' | 'heavy-tailed';

/** The revenue (minor units) of `conversions` orders whose mean value is `meanOrderMinor`. */
export function orderSum(rng: Rng, conversions: number, meanOrderMinor: number, spread: OrderSpread): number {
  if (conversions <= 0) return 0;
  if (spread === 'steady') return Math.round(rng.gamma(conversions * ORDER_VALUE_SHAPE, meanOrderMinor / ORDER_VALUE_SHAPE));
  const mu = Math.log(meanOrderMinor) - (HEAVY_ORDER_LOG_SD * HEAVY_ORDER_LOG_SD) / 2;
  let sum = 0;
  for (let i = 0; i < conversions; i++) sum += Math.exp(mu + HEAVY_ORDER_LOG_SD * rng.normal());
  return Math.round(sum);
}
