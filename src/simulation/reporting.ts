// What a market's rows report (families.ts ReportingAxis): the same delivery, with conversions or
// revenue left unknown as real sources leave them. Which row lacks what is a hash of the row's
// identity, not a draw from the market's streams, so every other figure of the market stays as
// in the complete family. A lagged row's share of its results depends on when it is read: its
// age, in days from the last day read (0 = the last day).
import { addRow, emptyMetrics } from '../engine/metrics.ts';
import { createRng, deriveSeed } from '../engine/random.ts';
import type { InsightRow, Metrics } from '../engine/types.ts';
import type { ReportingAxis } from './families.ts';

const PATCHY_CONVERSIONS_UNKNOWN = 0.4;
const PATCHY_REVENUE_UNKNOWN = 0.2;
/** Meta's default attribution window (7-day click): results keep arriving for this many days. */
export const ATTRIBUTION_DAYS = 7;
/** The share of a day's eventual results missing the morning after; it halves with each day after. */
const MISSING_THE_DAY_AFTER = 0.45;

/**
 * The share of a day's eventual conversions (and revenue) reported `age` days after it (0 = read
 * the morning after): 55 %, 78 %, 89 %, 94 %, … and all of it once the attribution window closes.
 */
export function reportedShareAtAge(age: number): number {
  return age >= ATTRIBUTION_DAYS ? 1 : 1 - MISSING_THE_DAY_AFTER * 0.5 ** Math.max(0, age);
}

/**
 * Results reported of a day at `age`: each count times reportedShareAtAge, rounded down after
 * adding an offset drawn per `labels`, so that the expectation is kept. Rows that were equal shares
 * of one delivery (within one unit) take the same labels, so they stay within one unit of each other.
 */
function lagged(value: number, age: number, seed: number | string, labels: readonly (string | number)[], metric: string): number {
  const share = reportedShareAtAge(age);
  if (share >= 1 || value === 0) return value;
  return Math.floor(value * share + createRng(deriveSeed(seed, 'lag', metric, ...labels)).next());
}

/** Which of the row's conversions and revenue are known, for the row named by `labels`. */
function known(reporting: ReportingAxis, seed: number | string, labels: readonly (string | number)[]): { conversions: boolean; revenue: boolean } {
  if (reporting === 'complete' || reporting === 'lagged') return { conversions: true, revenue: true };
  if (reporting === 'revenue-only') return { conversions: false, revenue: true };
  const rng = createRng(deriveSeed(seed, 'reporting', ...labels));
  return { conversions: rng.next() >= PATCHY_CONVERSIONS_UNKNOWN, revenue: rng.next() >= PATCHY_REVENUE_UNKNOWN };
}

/** The row as the source reports it, `age` days after the row's day (read at the last day: 0; only 'lagged' rows change with it). */
export function reportedRow(row: InsightRow, reporting: ReportingAxis, seed: number | string, age = 0): InsightRow {
  if (reporting === 'complete') return row;
  if (reporting === 'lagged') {
    // An ad set-day's segment rows may be shares of its delivery: one offset for all of them.
    const labels = row.segmentType !== '' ? [row.date, row.adsetId, 'segments'] : [row.date, row.adsetId, row.country, row.age, row.gender];
    return {
      ...row,
      conversions: row.conversions === null ? null : lagged(row.conversions, age, seed, labels, 'conversions'),
      revenueMinor: row.revenueMinor === null ? null : lagged(row.revenueMinor, age, seed, labels, 'revenue'),
    };
  }
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

/**
 * A day's totals as a 'lagged' source reports them `age` days after the day (for the loop, which
 * keeps what was delivered and reads it anew each day); other reporting keeps them as they are.
 * `labels` name the row (its day first); equal shares of one delivery take the same labels.
 */
export function reportedAtAge(metrics: Metrics, reporting: ReportingAxis, seed: number | string, labels: readonly (string | number)[], age: number): Metrics {
  if (reporting !== 'lagged' || reportedShareAtAge(age) >= 1) return metrics;
  const conversions = lagged(metrics.conversions, age, seed, labels, 'conversions');
  const revenueMinor = lagged(metrics.revenueMinor, age, seed, labels, 'revenue');
  return { ...metrics, conversions, revenueMinor };
}
