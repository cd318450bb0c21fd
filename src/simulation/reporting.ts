// What a market's rows report (families.ts ReportingAxis): the same delivery, with conversions or
// revenue left unknown as real sources leave them. Which row lacks what is a hash of the row's
// identity, not a draw from the market's streams, so every other figure of the market stays as
// in the complete family.
import { addRow, emptyMetrics } from '../engine/metrics.ts';
import { createRng, deriveSeed } from '../engine/random.ts';
import type { InsightRow, Metrics } from '../engine/types.ts';
import type { ReportingAxis } from './families.ts';

const PATCHY_CONVERSIONS_UNKNOWN = 0.4;
const PATCHY_REVENUE_UNKNOWN = 0.2;

/** Which of the row's conversions and revenue are known, for the row named by `labels`. */
function known(reporting: ReportingAxis, seed: number | string, labels: readonly (string | number)[]): { conversions: boolean; revenue: boolean } {
  if (reporting === 'complete') return { conversions: true, revenue: true };
  if (reporting === 'revenue-only') return { conversions: false, revenue: true };
  const rng = createRng(deriveSeed(seed, 'reporting', ...labels));
  return { conversions: rng.next() >= PATCHY_CONVERSIONS_UNKNOWN, revenue: rng.next() >= PATCHY_REVENUE_UNKNOWN };
}

/** The row as the source reports it. */
export function reportedRow(row: InsightRow, reporting: ReportingAxis, seed: number | string): InsightRow {
  if (reporting === 'complete') return row;
  const k = known(reporting, seed, [row.date, row.adsetId, row.segmentType, row.segmentId, row.country, row.age, row.gender]);
  return { ...row, conversions: k.conversions ? row.conversions : null, revenueMinor: k.revenue ? row.revenueMinor : null };
}

/** One day's delivery (impressions, clicks, spend, conversions, revenue) as the source reports it, as totals. */
export function reportedMetrics(
  day: { impressions: number; clicks: number; spendMinor: number; conversions: number; revenueMinor: number },
  reporting: ReportingAxis,
  seed: number | string,
  labels: readonly (string | number)[],
): Metrics {
  const k = known(reporting, seed, labels);
  return addRow(emptyMetrics(), {
    impressions: day.impressions, reach: null, clicks: day.clicks, spendMinor: day.spendMinor,
    conversions: k.conversions ? day.conversions : null, revenueMinor: k.revenue ? day.revenueMinor : null,
  });
}
