// The store's sums behind every Metrics value (src/store/metrics-sql.ts, the bigint_sum aggregate
// of migration 009): exact for values past 2^31 per row (a day's spend in minor units of IDR or KRW
// passes it) and past 2^32 in total, with NULL numerators leaving their denominators alone, and an
// error rather than a rounded total past the range of bigint, on PGlite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/store/db.ts';
import { metricsColumns, metricsColumnsOfSums, metricsPartialSums, readMetrics } from '../src/store/metrics-sql.ts';
import { openTestDb, usingPostgres } from './helpers/db.ts';

describe(`metrics sums on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let db: Db;
  // [impressions, reach, clicks, conversions, spend_minor, revenue_minor]
  const rows: [number, number | null, number, number | null, number, number | null][] = [
    [2 ** 31 + 5, 2 ** 31 - 1, 2 ** 31, 7, 2 ** 40 + 123, 2 ** 45 + 9],
    [3_000_000_000, null, 17, null, 8_589_934_593, null],
    [1, 1, 0, 0, 0, 0],
    [0, null, 0, null, 2 ** 31 - 1, 2 ** 31 + 1],
  ];
  beforeAll(async () => {
    db = await openTestDb();
    await db.query(`insert into campaigns (campaign_id, currency, source) values ('big', 'IDR', 'test')`);
    for (const [i, [impressions, reach, clicks, conversions, spend, revenue]] of rows.entries()) {
      await db.query(
        `insert into insights (date, campaign_id, segment_type, segment_id, impressions, reach, clicks, conversions, spend_minor, revenue_minor, currency, source)
         values ('2026-11-01', 'big', 'interest', $1, $2, $3, $4, $5, $6, $7, 'IDR', 'test')`,
        [`s${i}`, impressions, reach, clicks, conversions, spend, revenue],
      );
    }
  });
  afterAll(async () => {
    await db.close();
  });

  it('adds bigints past 2^31 per row exactly, each ratio over the rows whose numerator is known', async () => {
    const [row] = await db.query<Record<string, unknown>>(`select ${metricsColumns('t_')}, ${metricsColumns('r_', `segment_id in ('s0', 's3')`)} from insights where campaign_id = 'big'`);
    const sum = (f: (r: (typeof rows)[number]) => number | null, known: (r: (typeof rows)[number]) => boolean = () => true, only = rows) =>
      only.filter(known).reduce((a, r) => a + (f(r) ?? 0), 0);
    const expected = (only: typeof rows) => ({
      impressions: sum((r) => r[0], undefined, only),
      reach: sum((r) => r[1], undefined, only),
      impressionsWithReach: sum((r) => r[0], (r) => r[1] !== null, only),
      clicks: sum((r) => r[2], undefined, only),
      conversions: sum((r) => r[3], undefined, only),
      clicksWithConversions: sum((r) => r[2], (r) => r[3] !== null, only),
      spendMinor: sum((r) => r[4], undefined, only),
      revenueMinor: sum((r) => r[5], undefined, only),
      spendWithRevenueMinor: sum((r) => r[4], (r) => r[5] !== null, only),
      // Rows that know one of conversions and revenue: only present where some row does.
      ...(only.some((r) => r[3] !== null && r[5] === null) ? { conversionsWithoutRevenue: sum((r) => r[3], (r) => r[5] === null, only) } : {}),
      ...(only.some((r) => r[3] === null && r[5] !== null) ? { revenueWithoutConversionsMinor: sum((r) => r[5], (r) => r[3] === null, only) } : {}),
    });
    expect(readMetrics(row!, 't_')).toEqual(expected(rows));
    expect(readMetrics(row!, 'r_')).toEqual(expected([rows[0]!, rows[3]!]));
    // The figures themselves, so the test does not only agree with itself.
    expect(readMetrics(row!, 't_')).toMatchObject({ impressions: 5_147_483_654, spendMinor: 1_099_511_627_776 + 123 + 8_589_934_593 + 2_147_483_647, revenueMinor: 35_184_372_088_832 + 9 + 0 + 2_147_483_649 });
    // The last row knows its revenue but not its conversions (and has no clicks).
    expect(readMetrics(row!, 't_')).toMatchObject({ revenueWithoutConversionsMinor: 2_147_483_649 });
    expect(readMetrics(row!, 't_').clicksWithRevenueOnly).toBeUndefined();
    expect(readMetrics(row!, 't_').conversionsWithoutRevenue).toBeUndefined();
  });

  it('adds up partial sums (per segment here) to the same totals, unknown numerators still apart', async () => {
    const [once] = await db.query<Record<string, unknown>>(`select ${metricsColumns('t_')}, ${metricsColumns('r_', `segment_id in ('s0', 's3')`)} from insights where campaign_id = 'big'`);
    const [twice] = await db.query<Record<string, unknown>>(
      `select ${metricsColumnsOfSums('t_', 'p_')}, ${metricsColumnsOfSums('r_', 'p_', `segment_id in ('s0', 's3')`)}
       from (select segment_id, ${metricsPartialSums('p_')} from insights where campaign_id = 'big' group by segment_id) as per_segment`,
    );
    expect(readMetrics(twice!, 't_')).toEqual(readMetrics(once!, 't_'));
    expect(readMetrics(twice!, 'r_')).toEqual(readMetrics(once!, 'r_'));
    expect(readMetrics(twice!, 't_').impressionsWithReach).toBe(2 ** 31 + 5 + 1);
  });

  it('refuses a total past the range of bigint instead of rounding it', async () => {
    await db.query(`insert into campaigns (campaign_id, currency, source) values ('huge', 'IDR', 'test')`);
    for (const id of ['a', 'b']) {
      await db.query(
        `insert into insights (date, campaign_id, segment_type, segment_id, impressions, clicks, spend_minor, currency, source)
         values ('2026-11-01', 'huge', 'interest', $1, 1, 0, '5000000000000000000', 'IDR', 'test')`,
        [id],
      );
    }
    await expect(db.query(`select ${metricsColumns('t_')} from insights where campaign_id = 'huge'`)).rejects.toThrow(/out of range/);
  });

  it('gives zeros, not nulls, where no row matches', async () => {
    const [row] = await db.query<Record<string, unknown>>(`select ${metricsColumns('t_')} from insights where campaign_id = 'none'`);
    expect(Object.values(readMetrics(row!, 't_')).every((v) => v === 0)).toBe(true);
  });
});
