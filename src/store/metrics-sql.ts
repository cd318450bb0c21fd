import type { Metrics } from '../engine/types.ts';

// The nine additive sums behind a Metrics value, as SQL. Each ratio keeps its own denominator
// (see Metrics in engine/types.ts), so the sums filter on the rows where the numerator is known.
// Casting to float8 is exact for integers below 2^53 and gives numbers, not strings, on both drivers.
export function metricsColumns(prefix: string, where: string | null = null): string {
  const f = (extra: string | null) => {
    const conds = [where, extra].filter((c) => c !== null);
    return conds.length > 0 ? ` filter (where ${conds.join(' and ')})` : '';
  };
  return [
    `coalesce(sum(impressions)${f(null)}, 0)::float8 as ${prefix}impressions`,
    `coalesce(sum(clicks)${f(null)}, 0)::float8 as ${prefix}clicks`,
    `coalesce(sum(spend_minor)${f(null)}, 0)::float8 as ${prefix}spend_minor`,
    `coalesce(sum(reach)${f(null)}, 0)::float8 as ${prefix}reach`,
    `coalesce(sum(impressions)${f('reach is not null')}, 0)::float8 as ${prefix}impressions_with_reach`,
    `coalesce(sum(conversions)${f(null)}, 0)::float8 as ${prefix}conversions`,
    `coalesce(sum(clicks)${f('conversions is not null')}, 0)::float8 as ${prefix}clicks_with_conversions`,
    `coalesce(sum(revenue_minor)${f(null)}, 0)::float8 as ${prefix}revenue_minor`,
    `coalesce(sum(spend_minor)${f('revenue_minor is not null')}, 0)::float8 as ${prefix}spend_with_revenue_minor`,
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
