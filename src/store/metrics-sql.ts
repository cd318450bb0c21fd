import type { Metrics } from '../engine/types.ts';

// The nine additive sums behind a Metrics value, as SQL. Each ratio keeps its own denominator
// (see Metrics in engine/types.ts), so the sums filter on the rows where the numerator is known.
// bigint_sum (migration 009) adds in bigint, exactly, where sum(bigint) would accumulate in numeric
// (twice as slow on PGlite, three times on PostgreSQL). The float8 cast comes after the sum: exact
// for integer sums below 2^53, and money is never added up in floats.
export function metricsColumns(prefix: string, where: string | null = null): string {
  const sum = (column: string, extra: string | null) => {
    const conds = [where, extra].filter((c) => c !== null);
    return `(bigint_sum(${column})${conds.length > 0 ? ` filter (where ${conds.join(' and ')})` : ''})::float8 as ${prefix}`;
  };
  return [
    `${sum('impressions', null)}impressions`,
    `${sum('clicks', null)}clicks`,
    `${sum('spend_minor', null)}spend_minor`,
    `${sum('reach', null)}reach`,
    `${sum('impressions', 'reach is not null')}impressions_with_reach`,
    `${sum('conversions', null)}conversions`,
    `${sum('clicks', 'conversions is not null')}clicks_with_conversions`,
    `${sum('revenue_minor', null)}revenue_minor`,
    `${sum('spend_minor', 'revenue_minor is not null')}spend_with_revenue_minor`,
  ].join(',\n  ');
}

export function readMetrics(row: Record<string, unknown>, prefix: string): Metrics {
  const n = (key: string) => Number(row[prefix + key] ?? 0);
  return {
    impressions: n('impressions'),
    clicks: n('clicks'),
    spendMinor: n('spend_minor'),
    reach: n('reach'),
    impressionsWithReach: n('impressions_with_reach'),
    conversions: n('conversions'),
    clicksWithConversions: n('clicks_with_conversions'),
    revenueMinor: n('revenue_minor'),
    spendWithRevenueMinor: n('spend_with_revenue_minor'),
  };
}
