import type { Metrics } from '../engine/types.ts';

// The additive sums behind a Metrics value, as SQL. Each ratio keeps its own denominator
// (see Metrics in engine/types.ts), so the sums filter on the rows where the numerator is known.
// bigint_sum (migration 009) adds in bigint, exactly, where sum(bigint) would accumulate in numeric
// (twice as slow on PGlite, three times on PostgreSQL). The float8 cast comes after the sum: exact
// for integer sums below 2^53, and money is never added up in floats.

/** Each sum's name, the column it adds and the rows it is limited to (null: every row). */
const SUMS: readonly (readonly [name: string, column: string, known: string | null])[] = [
  ['impressions', 'impressions', null],
  ['clicks', 'clicks', null],
  ['spend_minor', 'spend_minor', null],
  ['reach', 'reach', null],
  ['impressions_with_reach', 'impressions', 'reach is not null'],
  ['conversions', 'conversions', null],
  ['clicks_with_conversions', 'clicks', 'conversions is not null'],
  ['revenue_minor', 'revenue_minor', null],
  ['spend_with_revenue_minor', 'spend_minor', 'revenue_minor is not null'],
];

/**
 * The sums of rows that know only one of conversions and revenue (Metrics' optional fields): read
 * with the nine, and left out of a total where every row knew both or neither.
 */
const UNPAIRED_SUMS: readonly (readonly [name: string, column: string, known: string, field: 'conversionsWithoutRevenue' | 'revenueWithoutConversionsMinor' | 'clicksWithRevenueOnly'])[] = [
  ['conversions_without_revenue', 'conversions', 'revenue_minor is null', 'conversionsWithoutRevenue'],
  ['revenue_without_conversions_minor', 'revenue_minor', 'conversions is null', 'revenueWithoutConversionsMinor'],
  ['clicks_with_revenue_only', 'clicks', 'conversions is null and revenue_minor is not null', 'clicksWithRevenueOnly'],
];

const ALL_SUMS: readonly (readonly [name: string, column: string, known: string | null])[] = [...SUMS, ...UNPAIRED_SUMS.map(([name, column, known]) => [name, column, known] as const)];

function sumOf(column: string, conds: readonly (string | null)[]): string {
  const where = conds.filter((c) => c !== null);
  return `bigint_sum(${column})${where.length > 0 ? ` filter (where ${where.join(' and ')})` : ''}`;
}

/** The sums over insights rows, as float8 columns `${prefix}impressions`, …; `where` limits every one of them. */
export function metricsColumns(prefix: string, where: string | null = null): string {
  return ALL_SUMS.map(([name, column, known]) => `(${sumOf(column, [where, known])})::float8 as ${prefix}${name}`).join(',\n  ');
}

/**
 * The sums over insights rows kept in bigint, for a query that adds them up again at a coarser
 * level (metricsColumnsOfSums): the columns are `${prefix}impressions`, ….
 */
export function metricsPartialSums(prefix: string): string {
  return ALL_SUMS.map(([name, column, known]) => `${sumOf(column, [known])} as ${prefix}${name}`).join(',\n  ');
}

/** metricsColumns over rows that carry metricsPartialSums(`from`): each sum of sums as a float8 column `${prefix}…`. */
export function metricsColumnsOfSums(prefix: string, from: string, where: string | null = null): string {
  return ALL_SUMS.map(([name]) => `(${sumOf(`${from}${name}`, [where])})::float8 as ${prefix}${name}`).join(',\n  ');
}

export function readMetrics(row: Record<string, unknown>, prefix: string): Metrics {
  const n = (key: string) => Number(row[prefix + key] ?? 0);
  const m: Metrics = {
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
  for (const [name, , , field] of UNPAIRED_SUMS) {
    const value = n(name);
    if (value !== 0) m[field] = value;
  }
  return m;
}
