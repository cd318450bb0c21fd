// What a country's figures are worth to the `bayes` geo split: revenue when the campaign tracks it,
// else conversions, with a value known on only part of a total scaled to the whole.
import type { CountryDay, Metrics } from './types.ts';

/** A country's window: its totals and its days. */
export interface CountryUnit {
  code: string;
  total: Metrics;
  daily: CountryDay[];
}

/**
 * A value known on part of a total (revenue on the spend of the rows that report it, conversions on
 * their clicks), scaled to the whole; where none of it is known, `rate` (per unit of the whole)
 * times the whole. Rows that do not report a value are not rows worth nothing.
 */
function scaledToWhole(value: number, known: number, whole: number, rate: number | null): number {
  if (known === whole || !(whole > 0)) return value;
  if (known > 0) return (value * whole) / known;
  return rate === null ? value : rate * whole;
}

/** A country's value per unit of what it is known on (spend, or clicks for conversions); null when never known. */
export function valueRate(m: Metrics, revenue: boolean): number | null {
  if (revenue) return m.spendWithRevenueMinor > 0 ? m.revenueMinor / m.spendWithRevenueMinor : null;
  return m.clicksWithConversions > 0 ? m.conversions / m.clicksWithConversions : null;
}

/** What a country's total is worth: revenue when the campaign tracks it, else conversions. */
export function totalValue(m: Metrics, revenue: boolean): number {
  return revenue ? scaledToWhole(m.revenueMinor, m.spendWithRevenueMinor, m.spendMinor, null) : scaledToWhole(m.conversions, m.clicksWithConversions, m.clicks, null);
}

/** What a country's day is worth (`rate`: the country's valueRate, for a day that reported none). */
export function dayValue(d: CountryDay, revenue: boolean, rate: number | null): number {
  return revenue
    ? scaledToWhole(d.revenueMinor ?? 0, d.spendWithRevenueMinor ?? d.spendMinor, d.spendMinor, rate)
    : scaledToWhole(d.conversions ?? 0, d.clicksWithConversions ?? d.clicks ?? 0, d.clicks ?? 0, rate);
}
