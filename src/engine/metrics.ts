import type { CountryDay, InsightRow, Metrics } from './types.ts';

export function emptyMetrics(): Metrics {
  return {
    impressions: 0,
    clicks: 0,
    spendMinor: 0,
    reach: 0,
    impressionsWithReach: 0,
    conversions: 0,
    clicksWithConversions: 0,
    revenueMinor: 0,
    spendWithRevenueMinor: 0,
  };
}

/** Adds one insight row into `into` (mutates it, for tight aggregation loops). */
export function addRow(into: Metrics, row: Pick<InsightRow, 'impressions' | 'clicks' | 'spendMinor' | 'reach' | 'conversions' | 'revenueMinor'>): Metrics {
  into.impressions += row.impressions;
  into.clicks += row.clicks;
  into.spendMinor += row.spendMinor;
  if (row.reach !== null) {
    into.reach += row.reach;
    into.impressionsWithReach += row.impressions;
  }
  if (row.conversions !== null) {
    into.conversions += row.conversions;
    into.clicksWithConversions += row.clicks;
  }
  if (row.revenueMinor !== null) {
    into.revenueMinor += row.revenueMinor;
    into.spendWithRevenueMinor += row.spendMinor;
  }
  // Absent means 0, and a field is created only by a row that adds to it: the totals equal the store's.
  if (row.conversions !== null && row.revenueMinor === null && row.conversions !== 0) into.conversionsWithoutRevenue = (into.conversionsWithoutRevenue ?? 0) + row.conversions;
  if (row.conversions === null && row.revenueMinor !== null) {
    if (row.revenueMinor !== 0) into.revenueWithoutConversionsMinor = (into.revenueWithoutConversionsMinor ?? 0) + row.revenueMinor;
    if (row.clicks !== 0) into.clicksWithRevenueOnly = (into.clicksWithRevenueOnly ?? 0) + row.clicks;
  }
  return into;
}

const UNPAIRED = ['conversionsWithoutRevenue', 'revenueWithoutConversionsMinor', 'clicksWithRevenueOnly'] as const;

/**
 * The revenue and conversions of the rows that know both: what a conversion is worth. Revenue of
 * rows whose conversions are unknown over conversions of rows whose revenue is unknown would
 * say nothing about it.
 */
export function orderEvidence(m: Pick<Metrics, 'revenueMinor' | 'conversions' | 'conversionsWithoutRevenue' | 'revenueWithoutConversionsMinor'>): { revenueMinor: number; conversions: number } {
  return { revenueMinor: m.revenueMinor - (m.revenueWithoutConversionsMinor ?? 0), conversions: m.conversions - (m.conversionsWithoutRevenue ?? 0) };
}

export function addMetrics(into: Metrics, other: Metrics): Metrics {
  into.impressions += other.impressions;
  into.clicks += other.clicks;
  into.spendMinor += other.spendMinor;
  into.reach += other.reach;
  into.impressionsWithReach += other.impressionsWithReach;
  into.conversions += other.conversions;
  into.clicksWithConversions += other.clicksWithConversions;
  into.revenueMinor += other.revenueMinor;
  into.spendWithRevenueMinor += other.spendWithRevenueMinor;
  for (const k of UNPAIRED) if (other[k] !== undefined) into[k] = (into[k] ?? 0) + other[k];
  return into;
}

export function subtractMetrics(a: Metrics, b: Metrics): Metrics {
  const out: Metrics = {
    impressions: a.impressions - b.impressions,
    clicks: a.clicks - b.clicks,
    spendMinor: a.spendMinor - b.spendMinor,
    reach: a.reach - b.reach,
    impressionsWithReach: a.impressionsWithReach - b.impressionsWithReach,
    conversions: a.conversions - b.conversions,
    clicksWithConversions: a.clicksWithConversions - b.clicksWithConversions,
    revenueMinor: a.revenueMinor - b.revenueMinor,
    spendWithRevenueMinor: a.spendWithRevenueMinor - b.spendWithRevenueMinor,
  };
  for (const k of UNPAIRED) if (a[k] !== undefined || b[k] !== undefined) out[k] = (a[k] ?? 0) - (b[k] ?? 0);
  return out;
}

/** Observed ratios; null when the denominator is zero (no evidence, which is not a rate of 0). */
export function observedCtr(m: Metrics): number | null {
  return m.impressions > 0 ? m.clicks / m.impressions : null;
}

export function observedCvr(m: Metrics): number | null {
  return m.clicksWithConversions > 0 ? m.conversions / m.clicksWithConversions : null;
}

export function observedRoas(m: Metrics): number | null {
  return m.spendWithRevenueMinor > 0 ? m.revenueMinor / m.spendWithRevenueMinor : null;
}

/** Cost per click in minor units. */
export function observedCpcMinor(m: Metrics): number | null {
  return m.clicks > 0 ? m.spendMinor / m.clicks : null;
}

export function observedFrequency(m: Metrics): number | null {
  return m.reach > 0 ? m.impressionsWithReach / m.reach : null;
}

/** A country's day as the snapshot carries it (types.ts CountryDay), from that day's totals. */
export function dayOf(date: string, m: Metrics): CountryDay {
  return { spendMinor: m.spendMinor, impressions: m.impressions, date, clicks: m.clicks, conversions: m.conversions, clicksWithConversions: m.clicksWithConversions, revenueMinor: m.revenueMinor, spendWithRevenueMinor: m.spendWithRevenueMinor };
}

/** The totals of a run of days; fields a stored day lacks count as 0. */
export function totalOfDays(days: readonly CountryDay[]): Metrics {
  const m = emptyMetrics();
  for (const d of days) {
    m.spendMinor += d.spendMinor;
    m.impressions += d.impressions;
    m.clicks += d.clicks ?? 0;
    m.conversions += d.conversions ?? 0;
    m.clicksWithConversions += d.clicksWithConversions ?? 0;
    m.revenueMinor += d.revenueMinor ?? 0;
    m.spendWithRevenueMinor += d.spendWithRevenueMinor ?? 0;
  }
  return m;
}
